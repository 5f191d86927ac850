/**
 * `F.nll_loss`, the negative log likelihood loss, dispatched as ATen's `nll_loss_nd`:
 * `nll_loss` for 1-D and 2-D inputs (node `NllLossBackward0`), `nll_loss2d` for 4-D ones
 * (`NllLoss2DBackward0`), and for 3-D or 5-D and more a view to (N, C, 1, −1) through
 * `nll_loss2d` (a 'none' result is viewed back, recording `ViewBackward0`).
 */

import type { Tensor } from "../tensor/tensor.js";
import { fromTypedArray, zeros } from "../tensor/creation.js";
import { bool, float64, int64, type DType } from "../tensor/dtype.js";
import { record } from "../autograd/graph.js";
import { is_grad_enabled, no_grad } from "../autograd/grad_mode.js";
import { floatValues, newOutput } from "../ops/common.js";
import { IndexError, RuntimeError, ValueError } from "../errors.js";
import { reductionOf, type Reduction, type ReductionOptions } from "./_reduction.js";
import { shapeText } from "./pyformat.js";

export interface NLLLossOptions extends ReductionOptions {
  /** A manual rescaling weight given to each class, of size C. */
  weight?: Tensor | null;
  /** A target value that is ignored and does not contribute to the input gradient (default −100). */
  ignore_index?: number;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/**
 * The CPU kernel shared by nll_loss and nll_loss2d, on `input` seen as (B, C, R) and `target`
 * as (B, R): each element whose target t is not ignore_index contributes −weight[t]·input[b, t, r];
 * 'mean' divides the sum by the total weight of those elements (NaN when there are none).
 */
function nllKernel(
  node: string,
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  reduction: Reduction,
  ignoreIndex: number,
  [B, C, R]: [number, number, number],
  noneShape: readonly number[],
): Tensor {
  // The kernels read the target through data_ptr<int64_t>().
  if (target.dtype !== int64) throw new RuntimeError(`expected scalar type Long but found ${target.dtype.scalarTypeName}`);
  const targets = target.contiguous()._values() as BigInt64Array;
  const weights = weight === null ? null : (weight.contiguous()._values() as ArrayLike<number>);
  const n = B * R;
  const safeTargets = new BigInt64Array(n);
  const coef = new Float64Array(n);
  // 1 where the target is ignore_index (null when none is).
  let ignored: Uint8Array | null = null;
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    const t = Number(targets[i]!);
    if (t === ignoreIndex) {
      (ignored ??= new Uint8Array(n))[i] = 1;
      continue;
    }
    if (!(t >= 0 && t < C)) throw new IndexError(`Target ${t} is out of bounds.`);
    safeTargets[i] = BigInt(t);
    coef[i] = weights === null ? 1 : weights[t]!;
    totalWeight += coef[i]!;
  }
  const terms: NllTerms = { targets: safeTargets, coef, ignored, totalWeight, reduction, dims: [B, C, R], inputShape: input._shape };
  const fast = nllFast(node, input, terms, noneShape);
  if (fast !== null) return fast;
  const parts = compositeParts(terms, input.dtype);
  const out = no_grad(() => {
    const { index, w, skip } = parts;
    let losses = input.reshape(B, C, R).gather(1, index).reshape(B, R).mul(w).neg(); // (B, C, R) -> (B, R)
    if (skip !== null) losses = losses.masked_fill(skip, 0);
    if (reduction === "none") return losses.reshape(noneShape);
    const total = losses.sum();
    return reduction === "mean" ? total.div(totalWeight) : total;
  });
  return record(node, [input], out, ([g]) => [compositeGradient(g!, terms, parts)]);
}

/** What nllKernel found in the targets, which the loss and its gradient are computed from. */
interface NllTerms {
  /** Each element's target class (0 where ignored). */
  targets: BigInt64Array;
  /** Each element's weight, 0 where ignored. */
  coef: Float64Array;
  /** 1 where the target is ignore_index; null when none is. */
  ignored: Uint8Array | null;
  totalWeight: number;
  reduction: Reduction;
  dims: [number, number, number];
  inputShape: readonly number[];
}

/**
 * The composite's tensors: the targets as a gather/scatter index, the weights in `dtype`, and the
 * ignored elements as a mask. Ignored elements neither add to the loss nor get a gradient,
 * whatever the input holds at the class-0 entry that stands in for their target (PyTorch's
 * kernels skip them).
 */
function compositeParts(terms: NllTerms, dtype: DType): { index: Tensor; w: Tensor; skip: Tensor | null } {
  const [B, , R] = terms.dims;
  return {
    index: fromTypedArray(terms.targets, [B, 1, R], int64),
    w: fromTypedArray(terms.coef, [B, R], float64).to(dtype),
    skip: terms.ignored === null ? null : fromTypedArray(terms.ignored, [B, R], bool),
  };
}

/** The input's gradient from the incoming `g`, with public (differentiable) ops. */
function compositeGradient(g: Tensor, terms: NllTerms, parts = compositeParts(terms, g.dtype)): Tensor {
  const { reduction, totalWeight, inputShape } = terms;
  const [B, C, R] = terms.dims;
  const scale = reduction === "none" ? g.reshape(B, R) : reduction === "mean" ? g.div(totalWeight) : g;
  let src = parts.w.mul(scale).neg();
  if (parts.skip !== null) src = src.masked_fill(parts.skip, 0);
  return zeros([B, C, R], { dtype: g.dtype }).scatter(1, parts.index, src.reshape(B, 1, R)).reshape(inputShape);
}

/**
 * nllKernel's loss and gradient in one pass each, for a dense float input on a backend that
 * lends its typed arrays: the composite's float operations in its order (each element's
 * −(x·w) rounded to the dtype, their sum in binary64 then rounded, 'mean' dividing by the total
 * weight rounded to the dtype), without its dozen small tensors. Ignored elements add nothing
 * and get a zero gradient.
 */
function nllFast(node: string, input: Tensor, terms: NllTerms, noneShape: readonly number[]): Tensor | null {
  const xs = floatValues(input);
  if (xs === null) return null;
  const { targets, coef, ignored, totalWeight, reduction } = terms;
  const [B, C, R] = terms.dims;
  const single = xs instanceof Float32Array;
  const round = single ? Math.fround : (v: number) => v;
  const n = B * R;
  // −(x·w) per element, in the dtype; w is the weight as a tensor of the input's dtype.
  const losses = single ? new Float32Array(n) : new Float64Array(n);
  for (let b = 0, i = 0; b < B; b++) {
    for (let r = 0; r < R; r++, i++) {
      if (ignored !== null && ignored[i] === 1) continue;
      losses[i] = -(xs[(b * C + Number(targets[i])) * R + r]! * round(coef[i]!));
    }
  }
  let out: Tensor;
  if (reduction === "none") {
    out = newOutput(noneShape, input.dtype);
    floatValues(out)!.set(losses);
  } else {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += losses[i]!;
    const total = round(sum);
    out = newOutput([], input.dtype);
    floatValues(out)![0] = reduction === "mean" ? total / round(totalWeight) : total;
  }
  return record(node, [input], out, ([g]) => {
    const gs = floatValues(g!);
    // A gradient that must itself be differentiable, or one the loop cannot read: the composite.
    if (gs === null || g!.dtype !== input.dtype || is_grad_enabled()) return [compositeGradient(g!, terms)];
    const grad = zeros(terms.inputShape, { dtype: g!.dtype });
    const os = floatValues(grad)!;
    const meanScale = reduction === "mean" ? round(gs[0]! / round(totalWeight)) : gs[0]!;
    for (let b = 0, i = 0; b < B; b++) {
      for (let r = 0; r < R; r++, i++) {
        if (ignored !== null && ignored[i] === 1) continue;
        const scale = reduction === "none" ? gs[i]! : meanScale;
        os[(b * C + Number(targets[i])) * R + r] = -round(round(coef[i]!) * scale);
      }
    }
    return [grad];
  });
}

/** ATen's `nll_loss` (1-D or 2-D input): the meta function's checks, then the kernel. */
function nllLoss1d2d(input: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction, ignoreIndex: number): Tensor {
  if (target.ndim > 1) throw new RuntimeError("0D or 1D target tensor expected, multi-target not supported");
  const noBatch = input.ndim === 1 && target.ndim === 0;
  if (!noBatch && input._shape[0] !== target._shape[0]) {
    throw new RuntimeError(`size mismatch (got input: ${shapeText(input._shape)}, target: ${shapeText(target._shape)})`);
  }
  const C = input._shape[input.ndim - 1]!;
  if (weight !== null && !(weight.ndim === 1 && weight.numel() === C)) {
    throw new RuntimeError(
      `weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${shapeText(weight._shape)}`,
    );
  }
  const B = input.ndim === 1 ? 1 : input._shape[0]!;
  return nllKernel("NllLossBackward0", input, target, weight, reduction, ignoreIndex, [B, C, 1], input.ndim === 2 ? [B] : []);
}

/** ATen's `nll_loss2d` (4-D input (N, C, H, W), target (N, H, W)). */
function nllLoss2d(input: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction, ignoreIndex: number): Tensor {
  if (target.ndim !== 3) {
    throw new RuntimeError(`only batches of spatial targets supported (3D tensors) but got targets of dimension: ${target.ndim}`);
  }
  const [N, C, H, W] = input._shape as unknown as [number, number, number, number];
  if (weight !== null && weight.numel() !== C) throw new RuntimeError("weight tensor should be defined either for all or no classes");
  if (!(N === target._shape[0] && H === target._shape[1] && W === target._shape[2])) {
    throw new RuntimeError(`size mismatch (got input: ${shapeText(input._shape)} , target: ${shapeText(target._shape)}`);
  }
  return nllKernel("NllLoss2DBackward0", input, target, weight, reduction, ignoreIndex, [N, C, H * W], [N, H, W]);
}

/** @internal ATen's `nll_loss_nd`: the dispatch on the input's rank. */
export function nllLossNd(input: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction, ignoreIndex: number): Tensor {
  if (input.ndim < 1) throw new ValueError(`Expected 1 or more dimensions (got ${input.ndim})`);
  if (input.ndim !== 1 && target.ndim > 0 && input._shape[0] !== target._shape[0]) {
    throw new ValueError(`Expected input batch_size (${input._shape[0]}) to match target batch_size (${target._shape[0]}).`);
  }
  if (input.ndim <= 2) return nllLoss1d2d(input, target, weight, reduction, ignoreIndex);
  if (input.ndim === 4) return nllLoss2d(input, target, weight, reduction, ignoreIndex);
  // 3-D or 5-D and more: through nll_loss2d on (N, C, 1, -1).
  const [n, c] = [input._shape[0]!, input._shape[1]!];
  const outSize = [n, ...input._shape.slice(2)];
  if (!sameShape(target._shape.slice(1), input._shape.slice(2))) {
    throw new RuntimeError(`Expected target size ${shapeText(outSize)}, got ${shapeText(target._shape)}`);
  }
  const x = input.numel() > 0 ? input.contiguous().view(n, c, 1, -1) : input.contiguous().view(n, c, 0, 0);
  const t = target.numel() > 0 ? target.contiguous().view(n, 1, -1) : target.contiguous().view(n, 0, 0);
  const out = nllLoss2d(x, t, weight, reduction, ignoreIndex);
  return reduction === "none" ? out.view(outSize) : out;
}

/**
 * The negative log likelihood loss, for training a classification problem with C classes
 * from log-probabilities (e.g. `F.log_softmax`):
 *
 *     ℓ_n = −w_{y_n} · x_{n, y_n},   w_c = weight[c] · 1{c ≠ ignore_index}
 *     'mean': Σ_n ℓ_n / Σ_n w_{y_n}      'sum': Σ_n ℓ_n      'none': ℓ
 *
 * Args:
 *   input: (C), (N, C) or (N, C, d₁, ..., d_K) log-probabilities.
 *   target: class indices in [0, C), int64: (), (N) or (N, d₁, ..., d_K).
 *   options.weight: a rescaling weight for each class, of size C.
 *   options.ignore_index: a target value that is ignored (default −100).
 *   options.reduction: "none" | "mean" (default) | "sum".
 *
 * ```ts
 * const input = torch.randn(3, 5, { requires_grad: true });
 * const target = torch.tensor([1, 0, 4]);
 * F.nll_loss(F.log_softmax(input, 1), target).backward();
 * ```
 */
export function nll_loss(input: Tensor, target: Tensor, options: NLLLossOptions = {}): Tensor {
  const reduction = reductionOf(options);
  return nllLossNd(input, target, options.weight ?? null, reduction, options.ignore_index ?? -100);
}
