// onnxruntime-node (inference only: the forward rows). The models are made here: each Linear by
// torch-ts's own torch.onnx.export of an nn.Linear holding the workload's weights (Gemm with a
// bias; MatMul of the weight's Transpose without one, which onnxruntime folds at load; the batch
// axis left free), and the
// NN product as a one-node MatMul graph with b as an initializer. Weights are initializers, as
// in a deployed model, so onnxruntime may pre-pack them at load (not timed).

import { readSpec, serve } from "../lib/harness.mjs";

const spec = readSpec();
const ort = await import("onnxruntime-node");
const { default: torch } = await import("../../dist/index.js");
const { encodeModel, DataType } = await import("../../dist/onnx/onnx_proto.js");

const options = {
  intraOpNumThreads: spec.threads,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all",
};

function linearModel(w, inputs) {
  const layer = new torch.nn.Linear(w.K, w.N, { bias: w.bias });
  torch.no_grad(() => {
    layer.weight.copy_(torch.tensor(inputs.w.data).reshape([w.N, w.K]));
    if (w.bias) layer.bias.copy_(torch.tensor(inputs.b.data));
  });
  // export runs its example input through the layer: one row does, with the batch axis left free.
  return torch.onnx.export(layer, torch.zeros([1, w.K]), {
    input_names: ["x"],
    output_names: ["y"],
    dynamic_axes: { x: { 0: "batch" }, y: { 0: "batch" } },
  });
}

function mmModel(w, inputs) {
  const value = (name, dims) => ({
    name,
    type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: dims.map((d) => ({ dim_value: d })) } } },
  });
  const b = inputs.b.data;
  return encodeModel({
    ir_version: 8,
    opset_import: [{ domain: "", version: 17 }],
    producer_name: "torch-ts bench",
    producer_version: "0",
    graph: {
      name: "mm",
      node: [{ input: ["x", "b"], output: ["y"], op_type: "MatMul", name: "mm", attribute: [] }],
      initializer: [{ name: "b", dims: [w.K, w.N], data_type: DataType.FLOAT, raw_data: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) }],
      input: [value("x", [w.M, w.K])],
      output: [value("y", [w.M, w.N])],
    },
  });
}

async function impl(w, inputs) {
  if (w.kind !== "linear" && w.kind !== "mm") return "onnxruntime-node runs inference only";
  const bytes = w.kind === "linear" ? linearModel(w, inputs) : mmModel(w, inputs);
  const session = await ort.InferenceSession.create(bytes, options);
  const x = inputs.x ?? inputs.a;
  const feeds = { x: new ort.Tensor("float32", x.data, x.shape) };
  let out;
  return {
    step: async () => {
      out = await session.run(feeds);
    },
    outputs: () => ({ y: out.y.data }),
    dispose: () => session.release(),
  };
}

await serve(spec, impl, () => ({
  runner: "onnxruntime",
  threads: spec.threads,
  info: { version: ort.env.versions?.common ?? null, options },
}));
