/**
 * `logsumexp`: log Σ exp(x) over dims, computed stably by subtracting the maximum first.
 */

import { Tensor } from "../tensor/tensor.js";
import { get_default_dtype } from "../tensor/dtype.js";
import { record } from "../autograd/graph.js";
import { no_grad } from "../autograd/grad_mode.js";
import { reduceDims, reducedShape, unsqueezeReduced, type DimArg } from "./reduce.js";

export interface LogsumexpOptions {
  keepdim?: boolean;
}

/**
 * `torch.logsumexp(input, dim, { keepdim = false })`:
 *
 *     logsumexp(x)_i = log Σ_j exp(x_ij)
 *
 * over the dims in `dim` (an int or a list), computed as `m + log Σ exp(x - m)` with `m` the
 * maximum, so large inputs do not overflow. Integer inputs are computed in the default float
 * dtype. The gradient is `grad · exp(x - logsumexp(x))` (the softmax).
 *
 * ```ts
 * torch.logsumexp(torch.tensor([[0, 0], [1000, 1000]], { dtype: torch.float32 }), 1)
 * // tensor([   0.6931, 1000.6931])
 * ```
 */
export function logsumexp(t: Tensor, dim: DimArg, options: LogsumexpOptions = {}): Tensor {
  const input = t.dtype.is_floating_point ? t : t.to(get_default_dtype());
  const dims = reduceDims(input, dim);
  const keepdim = options.keepdim ?? false;
  const out = no_grad(() => {
    if (input.numel() === 0) return input.exp().sum(dims, { keepdim }).log();
    // An infinite maximum would turn x - m into NaN; shifting by 0 there gives ±inf, as it should.
    let m = input.amax(dims, { keepdim: true });
    m = m.masked_fill(m.abs().eq(Infinity), 0);
    const mOut = keepdim ? m : m.reshape(reducedShape(input._shape, dims, false));
    return input.sub(m).exp().sum(dims, { keepdim }).log().add(mOut);
  });
  const shape = input._shape;
  return record("LogsumexpBackward0", [input], out, ([g], [x, result]) => [
    unsqueezeReduced(g!, shape, dims, keepdim).mul(x!.sub(unsqueezeReduced(result!, shape, dims, keepdim)).exp()),
  ], [input, out]);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    logsumexp(dim: DimArg, options?: LogsumexpOptions): Tensor;
  }
}

Tensor.prototype.logsumexp = function (dim, options) { return logsumexp(this, dim, options); };
