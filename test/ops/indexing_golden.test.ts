/**
 * Joining, splitting and indexing ops against real PyTorch: the fixtures in
 * test/golden/indexing were written by scripts/golden/indexing.py. Outputs (values, shapes,
 * strides, storage offsets, grad_fn names) are compared exactly; gradients too, except those
 * of ops that sum several contributions, compared within float rounding.
 */

import { describe, expect, it } from "vitest";

import torch, { Tensor } from "../../src/index.js";
import { bitsOf, expectPyError, readGolden, tensorFromBits } from "../harness/golden.js";

type DTypeName = "float32" | "float64" | "int64" | "int32" | "bool";
type Values = (number | string | boolean)[];

interface Encoded {
  shape: number[];
  dtype: DTypeName;
  values: Values;
}

interface InputSpec extends Partial<Encoded> {
  shape: number[];
  dtype: DTypeName;
  requires_grad: boolean;
  permute?: number[];
}

type Args = Record<string, unknown> & { dim?: number | null };

interface Output extends Encoded {
  stride: number[];
  storage_offset: number;
  grad_fn: string | null;
}

interface Case {
  name: string;
  op: string;
  args: Args;
  repeat: number;
  inputs: (InputSpec & Encoded)[];
  index: Encoded | null;
  outputs: Output[];
  accumulates: boolean;
  grad_fn_2x?: string;
  note?: string;
  used: number[];
  upstream?: Encoded[];
  grads?: (Encoded | null)[];
}

interface ErrorCase {
  name: string;
  op: string;
  inputs: InputSpec[];
  index: Encoded | null;
  args: Args;
  error: string | null;
  message: string | null;
  error_2x?: string;
  message_2x?: string;
  note?: string;
}

interface Metadata {
  torch_version: string;
  script: string;
}

const golden = readGolden<{ metadata: Metadata; cases: Case[] }>("indexing", "cases");
const goldenErrors = readGolden<{ metadata: Metadata; errors: ErrorCase[] }>("indexing", "errors");

function decode(e: Encoded): Tensor {
  // A fresh contiguous leaf of the right shape (not a view of the decoded values).
  return tensorFromBits(e.dtype, e.shape, e.values).clone();
}

/** Our tensor in the fixture's encoding: float32 bits, float64 hex bits, numbers, booleans. */
function encode(t: Tensor): Values {
  const v = t._values();
  if (v instanceof Float32Array || v instanceof Float64Array) return bitsOf(t);
  if (v instanceof BigInt64Array) return Array.from(v, (b) => Number(b));
  if (t.dtype === torch.bool) return Array.from(v as Uint8Array, (b) => b !== 0);
  return Array.from(v as Int32Array);
}

function floats(e: Encoded): number[] {
  return Array.from(decode(e)._values() as Float32Array | Float64Array);
}

/** Mirrors `call` in scripts/golden/indexing.py. */
function call(op: string, xs: Tensor[], index: Tensor | null, args: Args): Tensor[] {
  const dim = (args.dim ?? 0) as number;
  const x = xs[0]!;
  const num = (key: string, fallback: number) => (args[key] ?? fallback) as number;
  switch (op) {
    case "cat": return [torch.cat(xs, dim)];
    case "stack": return [torch.stack(xs, dim)];
    case "hstack": return [torch.hstack(xs)];
    case "vstack": return [torch.vstack(xs)];
    case "split": return torch.split(x, args.split as number | number[], dim);
    case "chunk": return torch.chunk(x, args.chunks as number, dim);
    case "unbind": return torch.unbind(x, dim);
    case "tensor_split": return torch.tensor_split(x, args.sections as number | number[], dim);
    case "index_select": return [torch.index_select(x, dim, index!)];
    case "index_add": return [torch.index_add(x, dim, index!, xs[1]!, { alpha: num("alpha", 1) })];
    case "gather": return [torch.gather(x, dim, index!)];
    case "scatter": return [torch.scatter(x, dim, index!, xs.length > 1 ? xs[1]! : (args.value as number))];
    case "scatter_add": return [torch.scatter_add(x, dim, index!, xs[1]!)];
    case "scatter_backward": {
      const out = torch.scatter(x, dim, index!, xs[1]!);
      out.sum().backward();
      return [out];
    }
    case "take_along_dim": return [torch.take_along_dim(x, index!, args.dim)];
    case "masked_select": return [torch.masked_select(x, index!)];
    case "diagonal": return [torch.diagonal(x, num("offset", 0), num("dim1", 0), num("dim2", 1))];
    case "diag_embed": return [torch.diag_embed(x, num("offset", 0), num("dim1", -2), num("dim2", -1))];
    case "diag": return [torch.diag(x, num("diagonal", 0))];
    case "tril": return [torch.tril(x, num("diagonal", 0))];
    case "triu": return [torch.triu(x, num("diagonal", 0))];
  }
  throw new Error(`unknown op ${op}`);
}

function opInput(leaf: Tensor, spec: InputSpec): Tensor {
  if (spec.requires_grad) leaf.requires_grad_(true);
  return spec.permute ? leaf.permute(spec.permute) : leaf;
}

describe(`indexing ops match PyTorch ${golden.metadata.torch_version}`, () => {
  it("fixtures come from the golden script", () => {
    expect(golden.metadata.script).toBe("scripts/golden/indexing.py");
    expect(goldenErrors.metadata.script).toBe("scripts/golden/indexing.py");
  });

  for (const c of golden.cases) {
    it(c.name, () => {
      const leaves = c.inputs.map(decode);
      let xs = leaves.map((leaf, i) => opInput(leaf, c.inputs[i]!));
      if (c.repeat > 1) xs = new Array<Tensor>(c.repeat).fill(xs[0]!);
      const index = c.index ? decode(c.index) : null;
      const outs = call(c.op, xs, index, c.args);

      expect(outs.length).toBe(c.outputs.length);
      outs.forEach((o, i) => {
        const want = c.outputs[i]!;
        expect([...o.shape], `shape of output ${i}`).toEqual(want.shape);
        expect(o.dtype.name).toBe(want.dtype);
        expect(o.stride(), `stride of output ${i}`).toEqual(want.stride);
        expect(o.storage_offset(), `offset of output ${i}`).toBe(want.storage_offset);
        expect(encode(o), `values of output ${i}`).toEqual(want.values);
        expect(o.grad_fn?.name() ?? null).toBe(want.grad_fn === null ? null : (c.grad_fn_2x ?? want.grad_fn));
      });

      if (c.used.length === 0) return;
      torch.autograd.backward(c.used.map((i) => outs[i]!), c.upstream!.map(decode));
      c.grads!.forEach((want, i) => {
        const got = leaves[i]!.grad;
        if (want === null) {
          expect(got, `grad of input ${i}`).toBeNull();
          return;
        }
        expect(got, `grad of input ${i}`).not.toBeNull();
        expect([...got!.shape]).toEqual(want.shape);
        expect(got!.dtype.name).toBe(want.dtype);
        if (c.accumulates) {
          const [g, w] = [Array.from(got!._values() as Float32Array), floats(want)];
          g.forEach((v, k) => expect(v).toBeCloseTo(w[k]!, 5));
        } else {
          expect(encode(got!), `grad of input ${i}`).toEqual(want.values);
        }
      });
    });
  }
});

describe(`indexing errors match PyTorch ${goldenErrors.metadata.torch_version} (2.x where it differs)`, () => {
  for (const e of goldenErrors.errors) {
    it(e.name, () => {
      const xs = e.inputs.map((spec) => opInput(torch.zeros(spec.shape, { dtype: torch[spec.dtype] }), spec));
      const index = e.index ? decode(e.index) : null;
      expectPyError(() => call(e.op, xs, index, e.args), { type: e.error_2x ?? e.error!, message: e.message_2x ?? e.message! });
    });
  }
});
