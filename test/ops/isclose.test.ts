// torch.isclose / allclose against real PyTorch (scripts/golden/isclose.py): borderline float32
// tolerances, NaN and infinities, integer and bool inputs, broadcasting, and the errors.
import { describe, expect, it } from "vitest";
import torch, { Tensor } from "../../src/index.js";
import { float64FromHex, readGolden } from "../harness/golden.js";

interface Side { dtype: "float32" | "float64" | "int64" | "bool"; shape: number[]; values: (string | number)[] }
interface Case {
  a: Side;
  b: Side;
  options: { rtol?: number; atol?: number; equal_nan?: boolean };
  isclose: { shape: number[]; values: boolean[] };
  allclose: boolean;
}
const fx = readGolden<{ cases: Case[]; errors: { label: string; type: string; message: string }[] }>(
  "isclose", "isclose", "scripts/golden/isclose.py",
);

function build(s: Side): Tensor {
  const dtype = torch[s.dtype];
  if (s.dtype === "float32" || s.dtype === "float64") {
    return torch.tensor(Array.from(float64FromHex(s.values as string[])), { dtype }).reshape(s.shape);
  }
  if (s.dtype === "bool") return torch.tensor(s.values.map((v) => v !== 0), { dtype }).reshape(s.shape);
  return torch.tensor(s.values as number[], { dtype }).reshape(s.shape);
}

describe("torch.isclose and torch.allclose", () => {
  fx.cases.forEach((c, i) => {
    it(`case ${i}: ${c.a.dtype} ${JSON.stringify(c.options)}`, () => {
      const [a, b] = [build(c.a), build(c.b)];
      const out = torch.isclose(a, b, c.options);
      expect(out.dtype).toBe(torch.bool);
      expect(out.shape).toEqual(c.isclose.shape);
      expect(Array.from(out._values() as Uint8Array, (v) => v !== 0)).toEqual(c.isclose.values);
      expect(torch.allclose(a, b, c.options)).toBe(c.allclose);
      expect(a.allclose(b, c.options)).toBe(c.allclose);
    });
  });

  it("raises PyTorch's errors", () => {
    const run: Record<string, () => unknown> = {
      dtype: () => torch.isclose(torch.ones(2), torch.ones(2, { dtype: torch.float64 })),
      rtol: () => torch.isclose(torch.ones(2), torch.ones(2), { rtol: -1 }),
      atol: () => torch.isclose(torch.ones(2), torch.ones(2), { atol: -0.5 }),
      shape: () => torch.allclose(torch.ones(4), torch.ones(3)),
    };
    for (const e of fx.errors) {
      expect(run[e.label], e.label).toThrowError(e.message);
      try {
        run[e.label]!();
      } catch (err) {
        expect((err as Error).name).toBe(e.type);
      }
    }
  });
});
