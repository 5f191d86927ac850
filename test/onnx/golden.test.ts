/**
 * Against files written by real PyTorch (scripts/golden/onnx.py, torch.onnx.export of 1.13):
 *
 * - our schema reads PyTorch's file: an independent writer, so a wrong field number or wire
 *   type in src/onnx/onnx_proto.ts shows up as missing or garbled fields;
 * - the same model built in torch-ts, with PyTorch's weights loaded, exports the same graph:
 *   node for node, names, attributes and constants, except where we depart on purpose (the
 *   MatMul path's weight Transpose, which PyTorch folds into a new initializer; the graph's
 *   own input and output names, which PyTorch generates from its tracer's value numbers);
 * - our file, run in onnxruntime on PyTorch's input, gives PyTorch's output.
 */

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";

import torch, { nn } from "../../src/index.js";
import {
  decode, dims, expectClose, float32s, run, type Decoded, type DecodedAttribute,
} from "./onnx_testing.js";
import { fromBase64 } from "../harness/bytes.js";

interface Numbers {
  shape: number[];
  values: number[];
}

interface GoldenModel {
  name: string;
  opset_version: number;
  export_kwargs: torch.onnx.ExportOptions;
  onnx_base64: string;
  state_dict: Record<string, Numbers>;
  input: Numbers;
  output: Numbers;
}

const golden = JSON.parse(readFileSync("test/golden/onnx/models.json", "utf8")) as {
  metadata: { script: string; torch_version: string };
  models: GoldenModel[];
};

/** The models of scripts/golden/onnx.py, built the same way. */
function build(name: string): nn.Module {
  switch (name) {
    case "mlp":
      return new nn.Sequential(
        new nn.Flatten(), new nn.Linear(6, 5), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(5, 3), new nn.Tanh(),
      );
    case "linear_3d":
      return new nn.Linear(4, 3);
    case "linear_no_bias":
      return new nn.Linear(4, 3, { bias: false });
    case "nested":
      return new nn.Sequential(
        new nn.Linear(4, 4), new nn.Sequential(new nn.SiLU(), new nn.Linear(4, 2)), new nn.LogSoftmax(1),
      );
    case "layernorm":
      return new nn.Sequential(new nn.Linear(3, 4), new nn.LayerNorm(4), new nn.GELU());
    case "gelu_tanh_softmax":
      return new nn.Sequential(
        new nn.Linear(3, 4), new nn.GELU("tanh"), new nn.LeakyReLU(0.2), new nn.Sigmoid(), new nn.Softmax(-1),
      );
  }
  throw new Error(`no model ${name}`);
}

function tensorOf(n: Numbers) {
  return torch.tensor(n.values, { dtype: torch.float32 }).reshape(n.shape);
}

interface CanonNode {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: unknown[];
}

/**
 * A graph with the deliberate differences taken out: graph input/output names become $in and
 * $out; a MatMul-path transposed weight (PyTorch's folded initializer, our Transpose node)
 * becomes $wT.
 */
function canonical(model: Decoded, stateDictKeys: string[]): CanonNode[] {
  const names = new Map<string, string>();
  names.set(model.graph.input[0]!.name, "$in");
  names.set(model.graph.output[0]!.name, "$out");
  for (const init of model.graph.initializer ?? []) if (!stateDictKeys.includes(init.name)) names.set(init.name, "$wT");
  const nodes = model.graph.node.filter((n) => {
    if (n.op_type !== "Transpose") return true;
    names.set(n.output[0]!, "$wT");
    return false;
  });
  const canon = (v: string) => names.get(v) ?? v;
  const attr = (a: DecodedAttribute) => ({
    name: a.name,
    type: a.type,
    value: a.t !== undefined ? { dims: a.t.dims ?? [], data_type: a.t.data_type, raw: [...a.t.raw_data] } : (a.i ?? a.f ?? a.ints),
  });
  return nodes.map((n) => ({
    name: n.name,
    op_type: n.op_type,
    input: (n.input ?? []).map(canon),
    output: n.output.map(canon),
    attribute: (n.attribute ?? []).map(attr),
  }));
}

test("the fixture was written by scripts/golden/onnx.py", () => {
  expect(golden.metadata.script).toBe("scripts/golden/onnx.py");
  expect(golden.models.map((m) => m.name)).toEqual([
    "mlp", "linear_3d", "linear_no_bias", "nested", "layernorm", "gelu_tanh_softmax",
  ]);
});

describe.each(golden.models)("$name", (g) => {
  const theirs = decode(fromBase64(g.onnx_base64));
  const keys = Object.keys(g.state_dict);

  test("our schema reads PyTorch's file: versions, weights bit for bit, shapes", () => {
    expect(theirs.ir_version).toBe(8);
    expect(theirs.opset_import.map((o) => o.version)).toEqual([17]);
    expect(theirs.producer_name).toBe("pytorch");
    // torch.__version__ with its pre-release tag dropped ("1.13.0a0" writes "1.13.0").
    expect(golden.metadata.torch_version.startsWith(theirs.producer_version)).toBe(true);
    for (const init of theirs.graph.initializer ?? []) {
      expect(init.data_type).toBe(1);
      const sd = g.state_dict[init.name];
      if (sd === undefined) continue; // the folded transposed weight
      expect(init.dims ?? []).toEqual(sd.shape);
      expect(float32s(init.raw_data)).toEqual(sd.values);
    }
    // Fixed dims are the example's; a dynamic one is named.
    const fixed = (d: (number | string)[], shape: number[]) => d.map((v, i) => (typeof v === "number" ? shape[i] : v));
    expect(dims(theirs.graph.input[0]!)).toEqual(fixed(dims(theirs.graph.input[0]!), g.input.shape));
    expect(dims(theirs.graph.output[0]!)).toEqual(fixed(dims(theirs.graph.output[0]!), g.output.shape));
    expect(dims(theirs.graph.input[0]!)).toHaveLength(g.input.shape.length);
    expect(theirs.graph.node.length).toBeGreaterThan(0);
  });

  test("torch-ts exports the same graph from the same model", () => {
    const model = build(g.name);
    model.load_state_dict(Object.fromEntries(keys.map((k) => [k, tensorOf(g.state_dict[k]!)])));
    const ours = decode(torch.onnx.export(model, tensorOf(g.input), null, { ...g.export_kwargs, opset_version: g.opset_version }));
    expect(canonical(ours, keys)).toEqual(canonical(theirs, keys));
    expect(dims(ours.graph.input[0]!)).toEqual(dims(theirs.graph.input[0]!));
    expect(dims(ours.graph.output[0]!)).toEqual(dims(theirs.graph.output[0]!));
    const ourWeights = (ours.graph.initializer ?? []).map((t) => [t.name, float32s(t.raw_data)]);
    const theirWeights = (theirs.graph.initializer ?? []).filter((t) => keys.includes(t.name));
    expect(ourWeights.filter(([name]) => theirWeights.some((t) => t.name === name))).toEqual(
      theirWeights.map((t) => [t.name, float32s(t.raw_data)]),
    );
    // Every parameter is an initializer under its state_dict key (PyTorch renames folded ones).
    expect(ours.graph.initializer!.map((t) => t.name)).toEqual(keys);
  });

  test("our file, in onnxruntime, gives PyTorch's output", async () => {
    const model = build(g.name);
    model.load_state_dict(Object.fromEntries(keys.map((k) => [k, tensorOf(g.state_dict[k]!)])));
    const bytes = torch.onnx.export(model, tensorOf(g.input), null, { ...g.export_kwargs, opset_version: g.opset_version });
    const inputName = g.export_kwargs.input_names?.[0] ?? "input";
    const outputName = g.export_kwargs.output_names?.[0] ?? "output";
    const out = await run(bytes, { [inputName]: tensorOf(g.input) });
    expectClose(out[outputName]!, g.output);
  });
});
