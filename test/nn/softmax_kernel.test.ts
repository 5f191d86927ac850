// The fused softmax / log_softmax kernels (src/nn/softmax_kernel.ts) against the composite they
// replace, written here with public ops: the same bits, forward and backward, for float32 and
// float64, along every dim, with NaN, ±inf and −0 in the input; and double backward, which
// takes the composite path, still works.

import { describe, expect, it } from "vitest";
import torch from "../../src/index.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { rng } from "../harness/rng.js";
import { gradgradcheck } from "../harness/gradcheck.js";

const F = torch.nn.functional;

function composite(x: Tensor, d: number, log: boolean): Tensor {
  return torch.no_grad(() => {
    const shifted = x.sub(x.amax(d, { keepdim: true }));
    const e = shifted.exp();
    return log ? shifted.sub(e.sum(d, { keepdim: true }).log()) : e.div(e.sum(d, { keepdim: true }));
  });
}

function compositeGrad(g: Tensor, y: Tensor, d: number, log: boolean): Tensor {
  return torch.no_grad(() =>
    log ? g.sub(y.exp().mul(g.sum(d, { keepdim: true }))) : y.mul(g.sub(g.mul(y).sum(d, { keepdim: true }))),
  );
}

/** The values' bit patterns (NaNs compared as NaN, whatever their payload). */
function bits(t: Tensor): string[] {
  const values = t.contiguous()._values() as Float32Array | Float64Array;
  const view = values instanceof Float32Array ? new Uint32Array(Float32Array.from(values).buffer) : new BigUint64Array(Float64Array.from(values).buffer);
  return Array.from(values, (v, i) => (Number.isNaN(v) ? "nan" : String(view[i])));
}

function randomTensor(random: () => number, shape: number[], dtype: typeof torch.float32, specials: boolean): Tensor {
  const n = shape.reduce((p, s) => p * s, 1);
  const values = Array.from({ length: n }, () => {
    const u = random();
    if (specials && u < 0.04) return [NaN, Infinity, -Infinity, -0][Math.floor(random() * 4)]!;
    return (random() - 0.5) * 20;
  });
  return torch.tensor(values, { dtype }).reshape(shape);
}

describe("fused softmax kernels", () => {
  const shapes = [[], [1], [7], [64, 10], [3, 5, 4], [2, 1, 6, 3]];
  for (const dtype of [torch.float32, torch.float64]) {
    for (const log of [false, true]) {
      it(`${log ? "log_softmax" : "softmax"} ${dtype.name}: the composite's bits, forward and backward, every dim`, () => {
        const random = rng(log ? 7 : 3);
        for (const shape of shapes) {
          for (let d = 0; d < Math.max(1, shape.length); d++) {
            for (const specials of [false, true]) {
              const x = randomTensor(random, shape, dtype, specials).requires_grad_(true);
              const y = log ? F.log_softmax(x, d) : F.softmax(x, d);
              expect(bits(y)).toEqual(bits(composite(x.detach(), d, log)));
              const g = randomTensor(random, shape, dtype, false);
              y.backward(g);
              expect(bits(x.grad!)).toEqual(bits(compositeGrad(g, y.detach(), d, log)));
              expect(y.grad_fn!.name()).toBe(log ? "LogSoftmaxBackward0" : "SoftmaxBackward0");
            }
          }
        }
      });
    }
  }

  it("non-contiguous input takes the composite and agrees", () => {
    const random = rng(11);
    const x = randomTensor(random, [6, 9], torch.float32, false).t();
    expect(bits(F.log_softmax(x, 1))).toEqual(bits(composite(x, 1, true)));
    expect(bits(F.softmax(x, 0))).toEqual(bits(composite(x, 0, false)));
  });

  it("double backward goes through the differentiable composite", () => {
    const x = torch.randn(4, 5, { dtype: torch.float64 }).requires_grad_(true);
    for (const fn of [(t: Tensor) => F.log_softmax(t, 1), (t: Tensor) => F.softmax(t, 0)]) {
      gradgradcheck(fn, [x]);
    }
  });
});
