import { afterEach, describe, expect, it } from "vitest";

import torch, { Tensor } from "../../src/index.js";
import { canUpdateFlat, setFlatUpdates } from "../../src/optim/flat_update.js";
import type { DType } from "../../src/tensor/dtype.js";

// The one-pass updates must give exactly what the tensor-op implementation gives: that path is
// the reference (and is itself checked against PyTorch in trajectories.test.ts).

/** Deterministic values in [-1, 1) without depending on torch's generator. */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(s / 2 ** 31 - 1);
  }
  return out;
}

function tensorOf(shape: number[], seed: number, dtype: DType, scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.tensor(values(n, seed).map((v) => v * scale), { dtype }).reshape(shape);
}

type Kind = "SGD" | "Adam" | "AdamW";

/** Parameters after `steps` updates with fixed, step-dependent gradients. */
function run(kind: Kind, options: Record<string, unknown>, dtype: DType, flat: boolean, steps = 6): number[][] {
  setFlatUpdates(flat);
  const params = [tensorOf([5, 7], 1, dtype), tensorOf([7], 2, dtype, 0.1)].map((t) => t.requires_grad_(true));
  const optimizer = new torch.optim[kind](params, options as never);
  for (let step = 0; step < steps; step++) {
    params.forEach((p, i) => {
      // Tiny gradients at some steps exercise eps; a zero gradient, Adam's first-step 0/0 guard.
      const scale = step === 2 ? 1e-6 : step === 3 ? 0 : 1;
      p.grad = tensorOf([...p.shape], 100 * step + i + 7, dtype, scale);
    });
    optimizer.step();
  }
  return params.map((p) => (p.detach().reshape(-1).tolist() as number[]).map(Number));
}

afterEach(() => setFlatUpdates(true));

const CASES: [Kind, Record<string, unknown>][] = [
  ["SGD", { lr: 0.1 }],
  ["SGD", { lr: 0.05, momentum: 0.9 }],
  ["SGD", { lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.01 }],
  ["SGD", { lr: 0.05, momentum: 0.8, dampening: 0.3, maximize: true }],
  ["Adam", {}],
  ["Adam", { lr: 0.01, betas: [0.3, 0.9], weight_decay: 0.1, amsgrad: true }],
  ["Adam", { lr: 0.01, maximize: true, eps: 1e-3 }],
  ["Adam", { lr: 0.02, betas: [0.6, 0.99] }],
  ["AdamW", {}],
  ["AdamW", { lr: 0.01, weight_decay: 0.2, amsgrad: true }],
];

describe("the one-pass float32 updates are bit-identical to the tensor-op path", () => {
  for (const [kind, options] of CASES) {
    it(`${kind}(${JSON.stringify(options)})`, () => {
      const reference = run(kind, options, torch.float32, false);
      const flat = run(kind, options, torch.float32, true);
      expect(flat).toEqual(reference);
      // And the update did something.
      expect(reference[0]).not.toEqual(values(35, 1).map(Math.fround));
    });
  }

  it("float64 parameters take the tensor-op path", () => {
    const p = tensorOf([3], 4, torch.float64).requires_grad_(true);
    expect(canUpdateFlat(p, p)).toBe(false);
    expect(canUpdateFlat(p.float(), p.float())).toBe(true);
    expect(canUpdateFlat(p.float(), p.float().reshape([3, 1]))).toBe(false);
  });

  it("state written by one path is read by the other", () => {
    const dtype = torch.float32;
    const make = () => [tensorOf([4, 3], 3, dtype).requires_grad_(true)];
    const grads = [0, 1, 2, 3].map((s) => tensorOf([4, 3], 50 + s, dtype));
    const mixed = make();
    const plain = make();
    const a = new torch.optim.Adam(mixed, { lr: 0.01, amsgrad: true });
    const b = new torch.optim.Adam(plain, { lr: 0.01, amsgrad: true });
    grads.forEach((g, s) => {
      setFlatUpdates(s % 2 === 0);
      mixed[0]!.grad = g;
      a.step();
      setFlatUpdates(true);
      plain[0]!.grad = g;
      b.step();
    });
    expect(mixed[0]!.tolist()).toEqual(plain[0]!.tolist());
    expect(a.state.get(mixed[0]!)!.max_exp_avg_sq!.tolist()).toEqual(b.state.get(plain[0]!)!.max_exp_avg_sq!.tolist());
  });

  it("a non-contiguous parameter takes the tensor-op path, with the same result", () => {
    const base = tensorOf([3, 5], 9, torch.float32);
    const contiguous = base.clone().requires_grad_(true);
    const transposed = base.t().contiguous().t().requires_grad_(true); // same values, column-major
    expect(transposed.is_contiguous()).toBe(false);
    const a = new torch.optim.SGD([contiguous], { lr: 0.1, momentum: 0.9 });
    const b = new torch.optim.SGD([transposed], { lr: 0.1, momentum: 0.9 });
    for (let s = 0; s < 3; s++) {
      const g = tensorOf([3, 5], 20 + s, torch.float32);
      contiguous.grad = g;
      transposed.grad = g;
      a.step();
      b.step();
    }
    expect(transposed.tolist()).toEqual(contiguous.tolist());
  });

  it("writes bump the version counters, as in-place ops do", () => {
    const p = tensorOf([4], 1, torch.float32).requires_grad_(true);
    const optimizer = new torch.optim.Adam([p]);
    p.grad = tensorOf([4], 2, torch.float32);
    const before = p._version;
    optimizer.step();
    expect(p._version).toBeGreaterThan(before);
    expect(optimizer.state.get(p)!.exp_avg!._version).toBeGreaterThan(0);
  });
});
