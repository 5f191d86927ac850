// Parameters whose gradient or state shares their storage: the one-pass and fused updates step
// aside and the tensor ops (the reference) run, so every backend gives the same result.
import { describe, expect, it } from "vitest";
import torch from "../../src/index.js";
import { canUpdateFlat } from "../../src/optim/flat_update.js";

describe("optimizer steps on tensors that share storage", () => {
  it("the flat and fused passes refuse them", () => {
    const p = torch.randn([8]);
    expect(canUpdateFlat(p, torch.randn([8]))).toBe(true);
    expect(canUpdateFlat(p, p.detach())).toBe(false);
    const base = torch.randn([16]);
    expect(canUpdateFlat(base.narrow(0, 0, 8), base.narrow(0, 8, 8))).toBe(false);
  });

  it("a gradient that is the parameter's own memory gives the tensor ops' result", () => {
    const p = torch.arange(1, 9, { dtype: torch.float32 }).requires_grad_(true);
    p.grad = p.detach();
    new torch.optim.SGD([p], { lr: 0.5, momentum: 0.9 }).step();
    // buf = grad.clone(); p.add_(buf, alpha=-0.5) = p - 0.5·p
    expect(Array.from(p.detach()._values() as Float32Array)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((v) => v * 0.5));
  });
});
