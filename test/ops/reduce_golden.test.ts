/**
 * Every reduction against real PyTorch (test/golden/reduce/reductions.json and errors.json,
 * written by scripts/golden/reduce.py): values, dtype, shape, grad_fn name, and the gradient of
 * the input for a random upstream gradient.
 */

import { describe, expect, it } from "vitest";

import torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import {
  decode, expectTensor, expectValues, inputOf, kwargsOf, loadGolden, type Encoded, type EncodedTensor, type InputSpec,
} from "./reduce_testing.js";

interface ReductionCase {
  name: string;
  op: string;
  input: InputSpec;
  args: unknown[];
  kwargs: Record<string, unknown>;
  outputs: EncodedTensor[];
  grad_fn: string | null;
  upstream?: Record<string, Encoded[]>;
  grad?: Encoded[] | null;
}

interface ErrorCase {
  name: string;
  op: string;
  input?: InputSpec;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  equation?: string;
  shapes?: number[][];
  sublist?: number[][];
  error: string;
  message: string;
}

type AnyOp = (...args: unknown[]) => Tensor | Iterable<Tensor>;

/** `torch.<op>(x, ...args, options?)`: the golden call as torch-ts spells it. */
function call(op: string, x: Tensor, args: unknown[], kwargs: Record<string, unknown>): Tensor | Iterable<Tensor> {
  const fn = (torch as unknown as Record<string, AnyOp>)[op]!;
  const options = kwargsOf(kwargs);
  const positional = (decode(args) as unknown[]);
  return Object.keys(options).length > 0 ? fn(x, ...positional, options) : fn(x, ...positional);
}

function outputsOf(r: Tensor | Iterable<Tensor>): Tensor[] {
  return r instanceof torch.Tensor ? [r] : [...r];
}

const reductions = loadGolden<ReductionCase>("reductions.json");

describe("reductions against PyTorch", () => {
  it("fixtures come from scripts/golden/reduce.py", () => {
    expect(reductions.metadata.script).toBe("scripts/golden/reduce.py");
    expect(reductions.cases.length).toBeGreaterThan(150);
  });

  for (const c of reductions.cases) {
    it(c.name, () => {
      const differentiable = c.input.dtype === "float32" || c.input.dtype === "float64";
      const { base, x } = inputOf(c.input, differentiable);
      const outs = outputsOf(call(c.op, x, c.args, c.kwargs));
      expect(outs.length).toBe(c.outputs.length);
      outs.forEach((o, i) => expectTensor(o, c.outputs[i]!, `output ${i}`));
      expect(outs[0]!.grad_fn?.name() ?? null).toBe(c.grad_fn);
      if (!c.upstream) return;
      const which = Object.keys(c.upstream).map(Number);
      if (which.length > 0) {
        const grads = which.map((i) =>
          torch.tensor(decode(c.upstream![String(i)]) as number[], { dtype: outs[i]!.dtype }).reshape([...outs[i]!.shape]),
        );
        torch.autograd.backward(which.map((i) => outs[i]!), grads);
      }
      if (c.grad === null || c.grad === undefined) {
        expect(base.grad).toBe(null);
      } else {
        expect(base.grad, "input gradient").not.toBe(null);
        expect([...base.grad!.shape]).toEqual(c.input.shape);
        expectValues(base.grad!._values() as Float32Array, c.grad, c.input.dtype, "grad");
      }
    });
  }
});

const errors = loadGolden<ErrorCase>("errors.json");
const ERROR_CLASSES: Record<string, new (...a: never[]) => Error> = {
  RuntimeError: torch.RuntimeError,
  IndexError: torch.IndexError,
  ValueError: torch.ValueError,
  TypeError,
};

describe("reduction and einsum errors against PyTorch", () => {
  for (const c of errors.cases) {
    it(c.name, () => {
      let run: () => unknown;
      if (c.op === "einsum") {
        const operands = (c.shapes ?? []).map((s) => torch.zeros(s));
        run = c.sublist
          ? () => torch.einsum(operands[0]!, c.sublist![0]!)
          : () => (torch.einsum as (...a: unknown[]) => Tensor)(c.equation, ...operands);
      } else {
        const { x } = inputOf(c.input!);
        run = () => call(c.op, x, c.args ?? [], c.kwargs ?? {});
      }
      let thrown: unknown = null;
      try {
        run();
      } catch (e) {
        thrown = e;
      }
      expect(thrown, "an error").toBeInstanceOf(ERROR_CLASSES[c.error]!);
      expect((thrown as Error).message).toBe(c.message);
    });
  }
});
