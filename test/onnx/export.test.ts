/**
 * torch.onnx.export: each exportable layer runs in onnxruntime-node with torch-ts's outputs
 * (tolerance in onnx_testing.ts), and the graph has PyTorch's structure.
 */

import { describe, expect, test } from "vitest";

import torch, { nn, Tensor } from "../../src/index.js";
import { decode, dims, expectClose, float32s, initializerNames, opTypes, run } from "./onnx_testing.js";

/** Exports, runs the file on `x` in onnxruntime and compares with the model's own output. */
async function roundTrip(model: nn.Module, x: Tensor, options: torch.onnx.ExportOptions = {}) {
  const bytes = torch.onnx.export(model, x, null, options);
  model.eval();
  const expected = torch.no_grad(() => model._call_impl(x) as Tensor);
  const inputName = options.input_names?.[0] ?? "input";
  const outputName = options.output_names?.[0] ?? "output";
  const out = await run(bytes, { [inputName]: x });
  expectClose(out[outputName]!, expected);
  return decode(bytes);
}

/** A spread of inputs: both signs, around zero and in the tails. */
function spread(...shape: number[]): Tensor {
  return torch.randn(shape).mul(3);
}

describe("Linear", () => {
  test("on a 2-D input with bias: one Gemm (transB=1, alpha = beta = 1) on the parameters", async () => {
    torch.manual_seed(0);
    const m = await roundTrip(new nn.Linear(5, 3), spread(4, 5));
    expect(opTypes(m)).toEqual(["Gemm"]);
    const gemm = m.graph.node[0]!;
    expect(gemm.input).toEqual(["input", "weight", "bias"]);
    expect(gemm.name).toBe("/Gemm");
    const attrs = Object.fromEntries(gemm.attribute!.map((a) => [a.name, a.i ?? a.f]));
    expect(attrs).toEqual({ alpha: 1, beta: 1, transB: 1 });
    expect(initializerNames(m)).toEqual(["weight", "bias"]);
    expect(m.graph.initializer![0]!.dims).toEqual([3, 5]);
  });

  test("on a 3-D input: Transpose of the weight, MatMul, Add(bias, ·)", async () => {
    torch.manual_seed(1);
    const m = await roundTrip(new nn.Linear(4, 6), spread(2, 3, 4));
    expect(opTypes(m)).toEqual(["Transpose", "MatMul", "Add"]);
    expect(m.graph.node[2]!.input![0]).toBe("bias");
    expect(dims(m.graph.output[0]!)).toEqual([2, 3, 6]);
  });

  test("on a 1-D input: MatMul + Add", async () => {
    torch.manual_seed(2);
    const m = await roundTrip(new nn.Linear(4, 2), spread(4));
    expect(opTypes(m)).toEqual(["Transpose", "MatMul", "Add"]);
    expect(dims(m.graph.output[0]!)).toEqual([2]);
  });

  test("bias=False: MatMul alone, on 2-D input too (PyTorch uses Gemm only with a bias)", async () => {
    torch.manual_seed(3);
    const m2 = await roundTrip(new nn.Linear(4, 3, { bias: false }), spread(5, 4));
    expect(opTypes(m2)).toEqual(["Transpose", "MatMul"]);
    expect(initializerNames(m2)).toEqual(["weight"]);
    const m4 = await roundTrip(new nn.Linear(4, 3, { bias: false }), spread(2, 2, 5, 4));
    expect(opTypes(m4)).toEqual(["Transpose", "MatMul"]);
  });

  test("float64 models export DOUBLE tensors and run", async () => {
    torch.manual_seed(4);
    const model = new nn.Sequential(new nn.Linear(3, 4, { dtype: torch.float64 }), new nn.Tanh());
    const m = await roundTrip(model, spread(2, 3).double());
    expect(m.graph.input[0]!.type.tensor_type.elem_type).toBe(11);
    expect(m.graph.initializer![0]!.data_type).toBe(11);
  });
});

describe("activations", () => {
  const cases: [string, () => nn.Module, string[]][] = [
    ["ReLU", () => new nn.ReLU(), ["Relu"]],
    ["LeakyReLU(0.1)", () => new nn.LeakyReLU(0.1), ["LeakyRelu"]],
    ["GELU()", () => new nn.GELU(), ["Constant", "Div", "Erf", "Constant", "Add", "Mul", "Constant", "Mul"]],
    [
      "GELU('tanh')",
      () => new nn.GELU("tanh"),
      ["Mul", "Mul", "Constant", "Mul", "Add", "Constant", "Mul", "Tanh", "Constant", "Add", "Mul", "Constant", "Mul"],
    ],
    ["SiLU", () => new nn.SiLU(), ["Sigmoid", "Mul"]],
    ["Sigmoid", () => new nn.Sigmoid(), ["Sigmoid"]],
    ["Tanh", () => new nn.Tanh(), ["Tanh"]],
    ["Softmax(1)", () => new nn.Softmax(1), ["Softmax"]],
    ["Softmax(-1)", () => new nn.Softmax(-1), ["Softmax"]],
    ["Softmax(0)", () => new nn.Softmax(0), ["Softmax"]],
    ["LogSoftmax(1)", () => new nn.LogSoftmax(1), ["LogSoftmax"]],
    ["LogSoftmax(-1)", () => new nn.LogSoftmax(-1), ["LogSoftmax"]],
  ];
  for (const [name, make, ops] of cases) {
    test(`${name} after a Linear, 2-D and 3-D input`, async () => {
      torch.manual_seed(5);
      const model = new nn.Sequential(new nn.Linear(4, 6), make());
      const m2 = await roundTrip(model, spread(3, 4));
      expect(opTypes(m2)).toEqual(["Gemm", ...ops]);
      const m3 = await roundTrip(model, spread(2, 3, 4));
      expect(opTypes(m3)).toEqual(["Transpose", "MatMul", "Add", ...ops]);
    });
  }

  test("LeakyReLU's slope, Softmax's axis are the attributes", async () => {
    const m = decode(torch.onnx.export(new nn.Sequential(new nn.LeakyReLU(0.25), new nn.Softmax(-1)), torch.randn(2, 3)));
    expect(m.graph.node[0]!.attribute).toEqual([{ name: "alpha", type: 1, f: 0.25 }]);
    expect(m.graph.node[1]!.attribute).toEqual([{ name: "axis", type: 2, i: -1 }]);
  });

  test("Softmax() with no dim: PyTorch's implicit choice (dim 1 of a 2-D input, 0 of a 3-D one)", async () => {
    const m2 = await roundTrip(new nn.Softmax(), spread(3, 4));
    expect(m2.graph.node[0]!.attribute![0]!.i).toBe(1);
    const m3 = await roundTrip(new nn.LogSoftmax(), spread(2, 3, 4));
    expect(m3.graph.node[0]!.attribute![0]!.i).toBe(0);
  });

  test("opset 20 and later export GELU as Gelu with its approximation", async () => {
    for (const approximate of ["none", "tanh"] as const) {
      const m = await roundTrip(new nn.GELU(approximate), spread(4, 5), { opset_version: 20 });
      expect(opTypes(m)).toEqual(["Gelu"]);
      const attr = m.graph.node[0]!.attribute![0]!;
      expect([attr.name, attr.type, new TextDecoder().decode(attr.s)]).toEqual(["approximate", 3, approximate]);
    }
  });

  test("GELU's formula constants are PyTorch's (√2; 0.044715 and √(2/π)) as float32 scalars", () => {
    const constants = (approximate: "none" | "tanh") => {
      const m = decode(torch.onnx.export(new nn.GELU(approximate), torch.randn(2)));
      return m.graph.node
        .filter((n) => n.op_type === "Constant")
        .map((n) => {
          const t = n.attribute![0]!.t!;
          expect(t.dims ?? []).toEqual([]);
          return new DataView(t.raw_data.buffer, t.raw_data.byteOffset, 4).getFloat32(0, true);
        });
    };
    expect(constants("none")).toEqual([Math.fround(Math.SQRT2), 1, 0.5]);
    expect(constants("tanh")).toEqual([Math.fround(0.044715), Math.fround(Math.sqrt(2 / Math.PI)), 1, 0.5]);
  });
});

describe("LayerNorm", () => {
  test("LayerNormalization(x, weight, bias) with axis -1 and epsilon", async () => {
    torch.manual_seed(6);
    const ln = new nn.LayerNorm(6, { eps: 1e-3 });
    torch.no_grad(() => {
      ln.weight!.uniform_(0.5, 1.5);
      ln.bias!.uniform_(-1, 1);
    });
    const m = await roundTrip(new nn.Sequential(new nn.Linear(4, 6), ln), spread(3, 4));
    expect(opTypes(m)).toEqual(["Gemm", "LayerNormalization"]);
    const node = m.graph.node[1]!;
    expect(node.input).toEqual(["/0/Gemm_output_0", "1.weight", "1.bias"]);
    expect(node.attribute!.map((a) => [a.name, a.i ?? a.f])).toEqual([["axis", -1], ["epsilon", Math.fround(1e-3)]]);
  });

  test("over the last two dims of a 3-D input: axis -2", async () => {
    torch.manual_seed(7);
    const ln = new nn.LayerNorm([3, 4]);
    torch.no_grad(() => ln.weight!.normal_());
    const m = await roundTrip(ln, spread(2, 3, 4));
    expect(m.graph.node[0]!.attribute![0]).toEqual({ name: "axis", type: 2, i: -2 });
  });

  test("without elementwise_affine (a constant scale of ones) and without bias", async () => {
    torch.manual_seed(8);
    const plain = await roundTrip(new nn.LayerNorm(5, { elementwise_affine: false }), spread(3, 5));
    expect(opTypes(plain)).toEqual(["Constant", "LayerNormalization"]);
    expect(initializerNames(plain)).toEqual([]);
    const noBias = new nn.LayerNorm(5, { bias: false });
    torch.no_grad(() => noBias.weight!.uniform_(0.5, 2));
    const m = await roundTrip(noBias, spread(3, 5));
    expect(m.graph.node[0]!.input).toEqual(["input", "weight"]);
  });
});

describe("containers and pass-through layers", () => {
  test("an MLP of Flatten, Linear, ReLU, Dropout: Dropout disappears (eval mode)", async () => {
    torch.manual_seed(9);
    const model = new nn.Sequential(
      new nn.Flatten(), new nn.Linear(12, 8), new nn.ReLU(), new nn.Dropout(0.5), new nn.Linear(8, 3),
    );
    model.train();
    const bytes = torch.onnx.export(model, spread(4, 3, 4));
    // The example forward ran in eval mode and the modes came back.
    expect([...model.modules()].every((m) => m.training)).toBe(true);
    const m = await roundTrip(model, spread(4, 3, 4));
    expect(decode(bytes)).toEqual(m);
    expect(opTypes(m)).toEqual(["Flatten", "Gemm", "Relu", "Gemm"]);
    expect(m.graph.node.map((n) => n.name)).toEqual(["/0/Flatten", "/1/Gemm", "/2/Relu", "/4/Gemm"]);
    expect(initializerNames(m)).toEqual(["1.weight", "1.bias", "4.weight", "4.bias"]);
    expect(m.graph.node[0]!.attribute).toEqual([{ name: "axis", type: 2, i: 1 }]);
  });

  test("exporting a model in training mode draws no random numbers", () => {
    torch.manual_seed(10);
    const model = new nn.Sequential(new nn.Linear(3, 3), new nn.Dropout(0.5));
    const x = torch.randn(2, 3);
    const state = torch.get_rng_state();
    torch.onnx.export(model, x);
    expect(torch.get_rng_state()).toEqual(state);
  });

  test("nested Sequential: PyTorch's scoped names and dotted initializer names", async () => {
    torch.manual_seed(11);
    const model = new nn.Sequential(
      new nn.Linear(4, 5),
      new nn.Sequential(new nn.SiLU(), new nn.Sequential(new nn.Identity(), new nn.Linear(5, 2))),
      new nn.LogSoftmax(1),
    );
    const m = await roundTrip(model, spread(3, 4));
    expect(m.graph.node.map((n) => n.name)).toEqual([
      "/0/Gemm", "/1/1.0/Sigmoid", "/1/1.0/Mul", "/1/1.1/1.1.1/Gemm", "/2/LogSoftmax",
    ]);
    expect(initializerNames(m)).toEqual(["0.weight", "0.bias", "1.1.1.weight", "1.1.1.bias"]);
    expect(m.graph.node[1]!.output).toEqual(["/1/1.0/Sigmoid_output_0"]);
    expect(m.graph.node[4]!.output).toEqual(["output"]);
  });

  test("Sequential given a Map keeps its names in scopes and initializers", async () => {
    torch.manual_seed(12);
    const model = new nn.Sequential(new Map<string, nn.Module>([["fc1", new nn.Linear(3, 4)], ["act", new nn.ReLU()]]));
    const m = await roundTrip(model, spread(2, 3));
    expect(m.graph.node.map((n) => n.name)).toEqual(["/fc1/Gemm", "/act/Relu"]);
    expect(initializerNames(m)).toEqual(["fc1.weight", "fc1.bias"]);
  });

  test("a layer used twice shares one initializer; the MatMul path transposes its weight once", async () => {
    torch.manual_seed(13);
    const shared = new nn.Linear(4, 4);
    const m = await roundTrip(new nn.Sequential(shared, new nn.Tanh(), shared), spread(2, 3, 4));
    expect(initializerNames(m)).toEqual(["0.weight", "0.bias"]);
    expect(opTypes(m).filter((op) => op === "Transpose")).toHaveLength(1);
  });

  test("models with no computation: an Identity node joins input to output", async () => {
    for (const model of [new nn.Identity(), new nn.Dropout(), new nn.Sequential(), new nn.Flatten(1, 1)]) {
      const m = await roundTrip(model, spread(2, 3));
      expect(opTypes(m)).toEqual(["Identity"]);
    }
  });
});

describe("Flatten", () => {
  const cases: [number, number, number[], string[]][] = [
    [1, -1, [2, 3, 4, 5], ["Flatten"]],
    [0, -2, [2, 3, 4, 5], ["Flatten"]],
    [0, -1, [2, 3, 4], ["Constant", "Reshape"]],
    [1, 2, [2, 3, 4, 5], ["Constant", "Reshape"]],
    [2, 3, [2, 3, 4, 5], ["Constant", "Reshape"]],
    [0, 0, [2, 3], []],
  ];
  for (const [start, end, shape, ops] of cases) {
    test(`Flatten(${start}, ${end}) on [${shape.join(", ")}]`, async () => {
      const m = await roundTrip(new nn.Sequential(new nn.Flatten(start, end), new nn.Tanh()), spread(...shape));
      expect(opTypes(m)).toEqual([...ops, "Tanh"]);
    });
  }
  test("Flatten of a 0-d input gives [1]", async () => {
    const m = await roundTrip(new nn.Flatten(0), torch.tensor(2.5));
    expect(dims(m.graph.output[0]!)).toEqual([1]);
  });
});

describe("opset_version", () => {
  test("17 by default, with IR version 8", () => {
    const m = decode(torch.onnx.export(new nn.Linear(2, 2), torch.randn(1, 2)));
    expect(m.opset_import).toEqual([{ domain: "", version: 17 }]);
    expect(m.ir_version).toBe(8);
    expect(m.producer_name).toBe("torch-ts");
    expect(m.graph.name).toBe("main_graph");
  });

  test("18 to 23 run, each with the IR version of its ONNX release", async () => {
    const ir: Record<number, number> = { 18: 8, 19: 9, 20: 9, 21: 10, 22: 10, 23: 11 };
    torch.manual_seed(14);
    const ln = new nn.LayerNorm(4);
    const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(6, 4), ln, new nn.GELU(), new nn.Softmax(-1));
    for (const opset of [18, 19, 20, 21, 22, 23]) {
      const m = await roundTrip(model, spread(2, 2, 3), { opset_version: opset });
      expect(m.opset_import[0]!.version).toBe(opset);
      expect(m.ir_version).toBe(ir[opset]);
    }
  });

  test("outside 17..23: PyTorch's ValueError", () => {
    for (const v of [16, 24, 17.5]) {
      expect(() => torch.onnx.export(new nn.ReLU(), torch.randn(2), { opset_version: v })).toThrow(
        new torch.ValueError(`Unsupported ONNX opset version: ${v}`),
      );
    }
  });
});

describe("names and dynamic axes", () => {
  test("input_names and output_names name the graph's values", async () => {
    torch.manual_seed(15);
    const m = await roundTrip(new nn.Sequential(new nn.Linear(3, 2), new nn.ReLU()), spread(2, 3), {
      input_names: ["features"],
      output_names: ["logits"],
    });
    expect(m.graph.input.map((i) => i.name)).toEqual(["features"]);
    expect(m.graph.output.map((o) => o.name)).toEqual(["logits"]);
    expect(m.graph.node[0]!.input![0]).toBe("features");
    expect(m.graph.node[1]!.output).toEqual(["logits"]);
  });

  test("without dynamic axes the shapes are fixed: onnxruntime rejects another batch size", async () => {
    const bytes = torch.onnx.export(new nn.Linear(3, 2), torch.randn(2, 3));
    expect(dims(decode(bytes).graph.input[0]!)).toEqual([2, 3]);
    await expect(run(bytes, { input: torch.randn(5, 3) })).rejects.toThrow(/dimension|Got invalid dimensions/i);
  });

  test("dynamic batch: dim_param on input and output, runs with two batch sizes", async () => {
    torch.manual_seed(16);
    const model = new nn.Sequential(
      new nn.Flatten(), new nn.Linear(6, 4), new nn.GELU(), new nn.LayerNorm(4), new nn.Linear(4, 2), new nn.LogSoftmax(1),
    );
    const options = { input_names: ["x"], output_names: ["y"], dynamic_axes: { x: { 0: "batch" }, y: { 0: "batch" } } };
    const bytes = torch.onnx.export(model, torch.randn(3, 2, 3), null, options);
    const m = decode(bytes);
    expect(dims(m.graph.input[0]!)).toEqual(["batch", 2, 3]);
    expect(dims(m.graph.output[0]!)).toEqual(["batch", 2]);
    model.eval();
    for (const n of [1, 7]) {
      const x = spread(n, 2, 3);
      const out = await run(bytes, { x });
      expectClose(out.y!, torch.no_grad(() => model(x)));
    }
  });

  test("an output axis left undeclared keeps the shape the input's dynamic axes give it", () => {
    const m = decode(
      torch.onnx.export(new nn.Sequential(new nn.Linear(3, 2)), torch.randn(2, 4, 3), {
        dynamic_axes: { input: { 0: "batch", 1: "seq" } },
      }),
    );
    expect(dims(m.graph.input[0]!)).toEqual(["batch", "seq", 3]);
    expect(dims(m.graph.output[0]!)).toEqual(["batch", "seq", 2]);
  });

  test("Flatten keeps dynamic axes dynamic (leading ones copied, a trailing one read with Shape)", async () => {
    torch.manual_seed(17);
    const model = new nn.Sequential(new nn.Flatten(0, 1), new nn.Tanh());
    const options = { dynamic_axes: { input: { 0: "batch", 3: "width" }, output: { 0: "rows", 2: "width" } } };
    const bytes = torch.onnx.export(model, torch.randn(2, 3, 4, 5), options);
    const m = decode(bytes);
    expect(opTypes(m)).toEqual(["Constant", "Shape", "Concat", "Reshape", "Tanh"]);
    expect(dims(m.graph.output[0]!)).toEqual(["rows", 4, "width"]);
    for (const [b, w] of [[1, 4], [5, 2]] as const) {
      const x = spread(b, 3, 4, w);
      expectClose((await run(bytes, { input: x })).output!, model(x));
    }
    const mid = new nn.Sequential(new nn.Flatten(1, 2), new nn.Tanh());
    const midBytes = torch.onnx.export(mid, torch.randn(2, 3, 4, 5), { dynamic_axes: { input: [0] } });
    const midModel = decode(midBytes);
    expect(dims(midModel.graph.input[0]!)).toEqual(["input_dynamic_axes_1", 3, 4, 5]);
    expect(dims(midModel.graph.output[0]!)).toEqual(["input_dynamic_axes_1", 12, 5]);
    const x = spread(6, 3, 4, 5);
    expectClose((await run(midBytes, { input: x })).output!, mid(x));
  });

  test("a merged dynamic axis is named after its parts", () => {
    const m = decode(torch.onnx.export(new nn.Flatten(0, 1), torch.randn(2, 3, 4), { dynamic_axes: { input: { 0: "batch" } } }));
    expect(dims(m.graph.output[0]!)).toEqual(["batch*3", 4]);
  });
});

describe("parameters", () => {
  test("the initializers hold the parameters' values bit for bit", () => {
    torch.manual_seed(18);
    const lin = new nn.Linear(3, 2);
    const m = decode(torch.onnx.export(lin, torch.randn(1, 3)));
    const [w, b] = m.graph.initializer!;
    expect(float32s(w!.raw_data)).toEqual(lin.weight.flatten().tolist());
    expect(float32s(b!.raw_data)).toEqual(lin.bias!.tolist());
    expect(w!.data_type).toBe(1);
  });

  test("a non-contiguous parameter is written in row-major order", () => {
    const lin = new nn.Linear(3, 2);
    torch.no_grad(() => {
      lin.weight = new nn.Parameter(torch.arange(6, { dtype: torch.float32 }).reshape(3, 2).t());
    });
    const m = decode(torch.onnx.export(lin, torch.randn(1, 3)));
    expect(float32s(m.graph.initializer![0]!.raw_data)).toEqual([0, 2, 4, 1, 3, 5]);
  });

  test("export_params: false makes them graph inputs; the model runs when they are fed", async () => {
    torch.manual_seed(19);
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    const bytes = torch.onnx.export(model, torch.randn(2, 3), { export_params: false });
    const m = decode(bytes);
    expect(m.graph.initializer ?? []).toEqual([]);
    expect(m.graph.input.map((i) => i.name)).toEqual(["input", "0.weight", "0.bias", "2.weight", "2.bias"]);
    expect(dims(m.graph.input[1]!)).toEqual([4, 3]);
    const x = spread(2, 3);
    const feeds: Record<string, Tensor> = { input: x };
    for (const [name, p] of model.named_parameters()) feeds[name] = p.detach();
    expectClose((await run(bytes, feeds)).output!, torch.no_grad(() => model(x)));
  });

  test("keep_initializers_as_inputs lists them as inputs too (their values are the defaults)", async () => {
    torch.manual_seed(20);
    const model = new nn.Linear(3, 2);
    const bytes = torch.onnx.export(model, torch.randn(2, 3), { keep_initializers_as_inputs: true });
    const m = decode(bytes);
    expect(m.graph.input.map((i) => i.name)).toEqual(["input", "weight", "bias"]);
    expect(initializerNames(m)).toEqual(["weight", "bias"]);
    const x = spread(2, 3);
    expectClose((await run(bytes, { input: x })).output!, torch.no_grad(() => model(x)));
  });
});
