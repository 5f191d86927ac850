// nll_loss's fused kernel (a dense float input, src/nn/functional_nll.ts `nllFast`) against its
// composite (the same values in a strided input): the same bits for the loss and the input's
// gradient, for every reduction, with class weights (zeros among them), ignored targets, the
// 1-D, 2-D and 4-D forms, float32 and float64; and double backward through the composite.

import { describe, expect, it } from "vitest";
import torch from "../../src/index.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { rng } from "../harness/rng.js";
import { gradgradcheck } from "../harness/gradcheck.js";

const F = torch.nn.functional;

function bits(t: Tensor): string[] {
  const values = t.contiguous()._values() as Float32Array | Float64Array;
  const view = values instanceof Float32Array ? new Uint32Array(Float32Array.from(values).buffer) : new BigUint64Array(Float64Array.from(values).buffer);
  return Array.from(values, (v, i) => (Number.isNaN(v) ? "nan" : String(view[i])));
}

/** The same values in a non-contiguous layout (every dim reversed in memory order). */
function strided(x: Tensor): Tensor {
  const order = [...Array(x.ndim).keys()].reverse();
  return x.permute(order).contiguous().permute(order);
}

describe("nll_loss's fused kernel", () => {
  const forms: { shape: number[]; target: number[] }[] = [
    { shape: [5], target: [] },
    { shape: [64, 10], target: [64] },
    { shape: [3, 4, 2, 5], target: [3, 2, 5] },
  ];
  for (const dtype of [torch.float32, torch.float64]) {
    it(`${dtype.name}: the composite's bits, loss and gradient`, () => {
      const random = rng(dtype === torch.float32 ? 5 : 6);
      for (const { shape, target } of forms) {
        const C = shape.length === 1 ? shape[0]! : shape[1]!;
        for (const reduction of ["mean", "sum", "none"] as const) {
          for (const weighted of [false, true]) {
            const n = target.reduce((p, s) => p * s, 1);
            const labels = Array.from({ length: n }, () => (random() < 0.2 ? -100 : Math.floor(random() * C)));
            const t = torch.tensor(labels, { dtype: torch.int64 }).reshape(target);
            const weight = weighted ? torch.tensor(Array.from({ length: C }, (_, c) => (c === 1 ? 0 : random() * 2)), { dtype }) : null;
            const values = Array.from({ length: shape.reduce((p, s) => p * s, 1) }, () => (random() - 0.5) * 8);
            const dense = torch.tensor(values, { dtype }).reshape(shape);
            expect(dense.is_contiguous()).toBe(true);
            const results = [dense, strided(dense)].map((x) => {
              const leaf = x.detach().requires_grad_(true);
              const loss = F.nll_loss(leaf, t, { weight, reduction });
              const g = reduction === "none" ? torch.ones(loss.shape, { dtype }).mul(1.7) : torch.tensor(0.3, { dtype });
              loss.backward(g);
              return { loss: bits(loss), grad: bits(leaf.grad!), node: loss.grad_fn!.name() };
            });
            expect(results[0]).toEqual(results[1]);
          }
        }
      }
    });
  }

  it("double backward takes the composite", () => {
    const x = torch.randn(6, 4, { dtype: torch.float64 }).requires_grad_(true);
    const t = torch.tensor([0, 3, -100, 1, 2, 2]);
    gradgradcheck((v: Tensor) => F.nll_loss(v.mul(v), t), [x]);
    gradgradcheck((v: Tensor) => F.cross_entropy(v, t, { reduction: "sum" }), [x]);
  });
});
