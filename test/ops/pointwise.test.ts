import { describe, expect, it } from "vitest";

import torch, { RuntimeError, Tensor } from "../../src/index.js";
import { float32FromBits, readGolden } from "../harness/golden.js";
import { TOLERANCE } from "../harness/tolerance.js";

interface Encoded {
  shape: number[];
  bits: number[];
}

const golden = readGolden<{
  torch_version: string;
  script: string;
  inputs: Record<"a" | "t1" | "t2" | "end" | "weight", Encoded>;
  cases: { op: "addcmul" | "addcdiv" | "lerp_scalar" | "lerp_tensor"; value?: number; weight?: number; out: number[] }[];
}>("optim", "pointwise");

function decode(e: Encoded): Tensor {
  return torch.tensor(float32FromBits(e.bits)).reshape(e.shape);
}

const a = decode(golden.inputs.a);
const t1 = decode(golden.inputs.t1);
const t2 = decode(golden.inputs.t2); // (1, 4): broadcast against (3, 4)
const end = decode(golden.inputs.end);
const weight = decode(golden.inputs.weight);

function values(t: Tensor): number[] {
  return (t.reshape(-1).tolist() as number[]).map(Number);
}

/** float32 results within one rounding of the operands' scale (TOLERANCE.float32.fusedScale). */
function expectFloat32Close(ours: number[], expected: number[], scale: number[]): void {
  expect(ours.length).toBe(expected.length);
  ours.forEach((v, i) =>
    expect(Math.abs(v - expected[i]!), `[${i}] ${v} vs ${expected[i]}`).toBeLessThanOrEqual(TOLERANCE.float32.fusedScale * scale[i]!),
  );
}

describe(`addcmul, addcdiv, lerp match PyTorch ${golden.torch_version}`, () => {
  for (const c of golden.cases) {
    const label = c.op + (c.value !== undefined ? ` value=${c.value}` : c.weight !== undefined ? ` weight=${c.weight}` : "");
    it(label, () => {
      let out: Tensor;
      let term: Tensor;
      if (c.op === "addcmul") {
        out = torch.addcmul(a, t1, t2, { value: c.value });
        term = t1.mul(t2).mul(c.value!);
      } else if (c.op === "addcdiv") {
        out = torch.addcdiv(a, t1, t2, { value: c.value });
        term = t1.div(t2).mul(c.value!);
      } else {
        out = c.op === "lerp_scalar" ? torch.lerp(a, end, c.weight!) : torch.lerp(a, end, weight);
        term = end;
      }
      expect([...out.shape]).toEqual([3, 4]);
      expect(out.dtype).toBe(torch.float32);
      expectFloat32Close(values(out), c.out, values(a.abs().add(term.abs())));
    });
  }

  it("the in-place methods write into the tensor and agree with the functions", () => {
    const x = a.clone();
    expect(x.addcmul_(t1, t2, { value: -0.3 })).toBe(x);
    expect(values(x)).toEqual(values(torch.addcmul(a, t1, t2, { value: -0.3 })));
    const y = a.clone();
    y.addcdiv_(t1, t2, { value: 2.5 });
    expect(values(y)).toEqual(values(a.addcdiv(t1, t2, { value: 2.5 })));
    const z = a.clone();
    z.lerp_(end, 0.75);
    expect(values(z)).toEqual(values(a.lerp(end, 0.75)));
  });

  it("lerp is exact at both ends", () => {
    expect(values(torch.lerp(a, end, 0))).toEqual(values(a));
    expect(values(torch.lerp(a, end, 1))).toEqual(values(end));
  });
});

describe("gradients", () => {
  const f64 = (t: Tensor) => t.to(torch.float64).detach().requires_grad_(true);

  it("gradcheck (float64, broadcast operands)", () => {
    const [x, p, q, e, w] = [f64(a), f64(t1), f64(t2), f64(end), f64(weight)];
    expect(torch.autograd.gradcheck((x, p, q) => torch.addcmul(x!, p!, q!, { value: -0.7 }), [x, p, q])).toBe(true);
    expect(torch.autograd.gradcheck((x, p, q) => torch.addcdiv(x!, p!, q!, { value: 1.3 }), [x, p, q])).toBe(true);
    expect(torch.autograd.gradcheck((x, e) => torch.lerp(x!, e!, 0.3), [x, e])).toBe(true);
    expect(torch.autograd.gradcheck((x, e) => torch.lerp(x!, e!, 0.8), [x, e])).toBe(true);
    expect(torch.autograd.gradcheck((x, e, w) => torch.lerp(x!, e!, w!), [x, e, w])).toBe(true);
  });

  it("node names are PyTorch's", () => {
    const x = a.clone().requires_grad_(true);
    expect(torch.addcmul(x, t1, t2).grad_fn!.name()).toBe("AddcmulBackward0");
    expect(torch.addcdiv(x, t1, t2).grad_fn!.name()).toBe("AddcdivBackward0");
    expect(torch.lerp(x, end, 0.5).grad_fn!.name()).toBe("LerpBackward0");
    expect(torch.lerp(x, end, weight).grad_fn!.name()).toBe("LerpBackward1");
  });

  it("under no_grad nothing is recorded", () => {
    const x = a.clone().requires_grad_(true);
    const y = torch.no_grad(() => torch.addcdiv(x, t1, t2));
    expect(y.grad_fn).toBeNull();
    expect(y.requires_grad).toBe(false);
  });
});

describe("errors", () => {
  it("addcdiv refuses integer tensors", () => {
    const i = torch.tensor([1, 2, 3]);
    expect(() => torch.addcdiv(i, i, i)).toThrow(RuntimeError);
    expect(() => torch.addcdiv(i, i, i)).toThrow(/^Integer division with addcdiv is no longer supported, and in a future  release/);
  });

  it("lerp needs matching floating dtypes", () => {
    expect(() => torch.lerp(a, end.double(), 0.5)).toThrow(new RuntimeError("expected dtype float for `end` but got dtype double"));
    expect(() => torch.lerp(a, end, weight.double())).toThrow(
      new RuntimeError("expected dtype float for `weight` but got dtype double"),
    );
    const i = torch.tensor([1, 2]);
    expect(() => torch.lerp(i, i, 0.5)).toThrow(new RuntimeError(`"lerp_kernel_scalar" not implemented for 'Long'`));
  });

  it("an in-place result must keep the tensor's shape", () => {
    const small = t2.clone();
    expect(() => small.addcmul_(t1, t1)).toThrow(
      new RuntimeError("output with shape [1, 4] doesn't match the broadcast shape [3, 4]"),
    );
  });
});
