/**
 * Type promotion and broadcasting against PyTorch (test/golden/core/promotion.json): for every
 * pair of dtypes and every kind of operand (tensor with dims, 0-d tensor, Python int, float,
 * bool scalar), torch.result_type and the dtype and values that add, sub, mul, div, remainder,
 * pow, eq, lt, bitwise_and, where, maximum and logical_and produce, or their errors.
 */

import { describe, expect, it } from "vitest";

import torch, { Tensor } from "../../src/index.js";
import type { DTypeName } from "../../src/tensor/dtype.js";
import { expectPyError, expectTensor, golden, type Encoded, type PyError } from "../golden/core/load.js";
import { TOLERANCE } from "../harness/tolerance.js";

type Kind = "t" | "z" | "int" | "float" | "bool";

interface PromotionCase {
  a: Kind;
  b: Kind;
  a_dtype: DTypeName | null;
  b_dtype: DTypeName | null;
  result_type: DTypeName;
  ops: Record<string, Encoded | { error: PyError }>;
}

const fixtures = golden<{
  cases: PromotionCase[];
  broadcast: { a: number[]; b: number[]; value?: number[]; error?: PyError }[];
}>("promotion");

function operand(kind: Kind, dtype: DTypeName | null): Tensor | number | boolean {
  switch (kind) {
    case "t":
      return dtype === "bool" ? torch.tensor([true, false]) : torch.tensor([1, 2], { dtype: torch[dtype!] });
    case "z":
      return dtype === "bool" ? torch.tensor(true) : torch.tensor(3, { dtype: torch[dtype!] });
    case "int":
      return 2;
    case "float":
      return 2.5;
    case "bool":
      return true;
  }
}

type X = Tensor | number | boolean;
const OPS: Record<string, (a: X, b: X) => Tensor> = {
  add: (a, b) => torch.add(a, b),
  sub: (a, b) => torch.sub(a, b),
  mul: (a, b) => torch.mul(a, b),
  div: (a, b) => torch.div(a, b),
  remainder: (a, b) => torch.remainder(a, b),
  pow: (a, b) => torch.pow(a, b),
  eq: (a, b) => torch.eq(a, b),
  lt: (a, b) => torch.lt(a, b),
  bitwise_and: (a, b) => torch.bitwise_and(a, b),
  where: (a, b) => torch.where(torch.tensor([true, false]), a, b),
  maximum: (a, b) => torch.maximum(a, b),
  logical_and: (a, b) => torch.logical_and(a, b),
};

function describeOperand(kind: Kind, dtype: DTypeName | null): string {
  return kind === "t" ? `tensor<${dtype}>` : kind === "z" ? `0d<${dtype}>` : kind;
}

describe("type promotion matches PyTorch", () => {
  it("covers every operand kind and dtype pair", () => {
    expect(fixtures.cases.length).toBeGreaterThan(100);
    const kinds = new Set(fixtures.cases.map((c) => `${c.a}-${c.b}`));
    for (const k of ["t-t", "t-z", "z-t", "z-z", "t-int", "t-float", "t-bool", "float-t", "z-float"]) {
      expect(kinds.has(k), k).toBe(true);
    }
  });

  for (const c of fixtures.cases) {
    it(`${describeOperand(c.a, c.a_dtype)} with ${describeOperand(c.b, c.b_dtype)}`, () => {
      const a = operand(c.a, c.a_dtype);
      const b = operand(c.b, c.b_dtype);
      expect(torch.result_type(a, b).name, "result_type").toBe(c.result_type);
      for (const [name, expected] of Object.entries(c.ops)) {
        const run = () => OPS[name]!(a, b);
        if ("error" in expected) {
          expectPyError(run, expected.error, name);
        } else {
          const d = expected.dtype;
          expectTensor(run(), expected, {
            label: name,
            ulps: d === "float32" || d === "float64" ? TOLERANCE[d].ulps : 0,
          });
        }
      }
    });
  }
});

describe("broadcasting matches PyTorch", () => {
  for (const c of fixtures.broadcast) {
    it(`[${c.a}] with [${c.b}]`, () => {
      const run = () => torch.add(torch.zeros(c.a), torch.zeros(c.b));
      if (c.error) expectPyError(run, c.error);
      else expect([...run().shape]).toEqual(c.value);
    });
  }

  it("torch.broadcast_shapes agrees with the ops", () => {
    expect([...torch.broadcast_shapes([5, 1], [1, 4], [3, 1, 1])]).toEqual([3, 5, 4]);
  });
});

describe("torch.promote_types", () => {
  it("follows the category order bool < integer < floating", () => {
    expect(torch.promote_types(torch.int32, torch.int64)).toBe(torch.int64);
    expect(torch.promote_types(torch.bool, torch.int32)).toBe(torch.int32);
    expect(torch.promote_types(torch.int64, torch.float32)).toBe(torch.float32);
    expect(torch.promote_types(torch.float64, torch.float32)).toBe(torch.float64);
  });
});
