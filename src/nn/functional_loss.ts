/**
 * The loss functions of `torch.nn.functional`: cross_entropy, nll_loss (functional_nll.ts),
 * mse_loss, l1_loss and binary_cross_entropy_with_logits, with PyTorch's formulas, checks,
 * messages and autograd nodes.
 */

import type { Tensor } from "../tensor/tensor.js";
import { broadcastShapes } from "../tensor/shape.js";
import { record } from "../autograd/graph.js";
import { no_grad } from "../autograd/grad_mode.js";
import { RuntimeError, ValueError } from "../errors.js";
import { sumToShape } from "../ops/common.js";
import { applyLossReduction, reductionOf, type Reduction, type ReductionOptions } from "./_reduction.js";
import { nllLossNd, type NLLLossOptions } from "./functional_nll.js";
import { log_softmax } from "./functional_activation.js";
import { warn } from "../warnings.js";
import { shapeText } from "./pyformat.js";
import { cppDouble } from "../random/checks.js";

export { nll_loss } from "./functional_nll.js";
export type { NLLLossOptions } from "./functional_nll.js";
export type { Reduction, ReductionOptions } from "./_reduction.js";

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

function sizeText(shape: readonly number[]): string {
  return `torch.Size([${shape.join(", ")}])`;
}

/** The check and warning of mse_loss and l1_loss, then `torch.broadcast_tensors`. */
function broadcastPair(input: Tensor, target: Tensor): [Tensor, Tensor] {
  if (!sameShape(input._shape, target._shape)) {
    warn(
      `Using a target size (${sizeText(target._shape)}) that is different to the input size (${sizeText(input._shape)}). ` +
        "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
    );
    const shape = broadcastShapes(input._shape, target._shape);
    return [input.expand(shape), target.expand(shape)];
  }
  return [input, target];
}

/**
 * The mean squared error (squared L2 norm) between each element of input and target:
 *
 *     ℓ_n = (x_n − y_n)²,  reduced by 'mean' (default), 'sum' or 'none'
 *
 * Shapes that differ are broadcast, with PyTorch's warning. Node `MseLossBackward0`.
 *
 * ```ts
 * F.mse_loss(torch.tensor([1, 2], { dtype: torch.float32 }), torch.tensor([1, 4], { dtype: torch.float32 }))   // tensor(2.)
 * ```
 */
export function mse_loss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  const [x, y] = broadcastPair(input, target);
  const reduction = reductionOf(options);
  const out = no_grad(() => applyLossReduction(x.sub(y).square(), reduction));
  const n = x.numel();
  const [xs, ys] = [x._shape, y._shape];
  return record("MseLossBackward0", [x, y], out, ([g], [sx, sy]) => {
    const scale = reduction === "mean" ? g!.mul(2 / n) : g!.mul(2);
    const grad = sx!.sub(sy!).mul(scale);
    return [x.requires_grad ? sumToShape(grad, xs) : null, y.requires_grad ? sumToShape(grad.neg(), ys) : null];
  }, [x, y]);
}

/**
 * The mean absolute error between each element of input and target:
 *
 *     ℓ_n = |x_n − y_n|,  reduced by 'mean' (default), 'sum' or 'none'
 *
 * A composite, as in PyTorch: its node is the reduction's (`MeanBackward0`, `SumBackward0`)
 * or `AbsBackward0` for 'none'. Shapes that differ are broadcast, with a warning.
 */
export function l1_loss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  const [x, y] = broadcastPair(input, target);
  const reduction = reductionOf(options);
  return applyLossReduction(x.sub(y).abs(), reduction);
}

export interface BCEWithLogitsOptions extends ReductionOptions {
  /** A manual rescaling weight, broadcast to the input's shape. */
  weight?: Tensor | null;
  /** A weight of positive examples, broadcast along the classes (the last dim). */
  pos_weight?: Tensor | null;
}

/** log σ(x) = min(x, 0) − log(1 + exp(−|x|)), without overflow. */
function logSigmoid(x: Tensor): Tensor {
  return x.clamp_max(0).sub(x.abs().neg().exp().log1p());
}

/**
 * Binary cross entropy between the target and the input logits, with the sigmoid inside the
 * loss, which is more stable than a Sigmoid followed by a BCELoss (the log-sum-exp trick):
 *
 *     ℓ_n = −w_n [p y_n · log σ(x_n) + (1 − y_n) · log(1 − σ(x_n))],  p = pos_weight
 *
 * computed as (1 − y)·x − (1 + (p − 1)·y)·log σ(x), as ATen does.
 *
 * Args:
 *   input: logits of any shape; target: the same shape, values in [0, 1].
 *   options.weight: rescaling weight, broadcast to the input.
 *   options.pos_weight: weight of positive examples, broadcast with the target.
 *   options.reduction: "none" | "mean" (default) | "sum".
 *
 * Node `BinaryCrossEntropyWithLogitsBackward0` (gradients for input and target).
 */
export function binary_cross_entropy_with_logits(input: Tensor, target: Tensor, options: BCEWithLogitsOptions = {}): Tensor {
  const reduction = reductionOf(options);
  if (!sameShape(target._shape, input._shape)) {
    throw new ValueError(`Target size (${sizeText(target._shape)}) must be the same as input size (${sizeText(input._shape)})`);
  }
  const weight = options.weight ?? null;
  const posWeight = options.pos_weight ?? null;
  const out = no_grad(() => {
    let logSig = logSigmoid(input);
    if (posWeight !== null) logSig = logSig.mul(posWeight.sub(1).mul(target).add(1));
    let loss = target.neg().add(1).mul(input).sub(logSig);
    if (weight !== null) loss = loss.mul(weight);
    return applyLossReduction(loss, reduction);
  });
  const n = input.numel();
  const [xs, ys] = [input._shape, target._shape];
  return record("BinaryCrossEntropyWithLogitsBackward0", [input, target], out, ([g], [x, y]) => {
    const scale = (t: Tensor): Tensor => {
      let r = t.mul(g!);
      if (weight !== null) r = r.mul(weight);
      return reduction === "mean" ? r.div(n) : r;
    };
    let gradInput: Tensor | null = null;
    if (input.requires_grad) {
      if (posWeight !== null) {
        const t = posWeight.mul(y!);
        gradInput = t.add(1).sub(y!).mul(x!.sigmoid()).sub(t);
      } else {
        gradInput = x!.sigmoid().sub(y!);
      }
      gradInput = sumToShape(scale(gradInput), xs);
    }
    let gradTarget: Tensor | null = null;
    if (target.requires_grad) {
      gradTarget = posWeight !== null ? logSigmoid(x!.neg()).sub(logSigmoid(x!).mul(posWeight)) : x!.neg();
      gradTarget = sumToShape(scale(gradTarget), ys);
    }
    return [gradInput, gradTarget];
  }, [input, target]);
}

export interface CrossEntropyOptions extends NLLLossOptions {
  /** In [0, 1]: how much of the target mass is spread uniformly over the classes (default 0). */
  label_smoothing?: number;
}

/** `tensor / int`, recorded as ATen's `div.Scalar` (node `DivBackward1`). */
function divScalar(t: Tensor, s: number): Tensor {
  const out = no_grad(() => t.div(s));
  return record("DivBackward1", [t], out, ([g]) => [g!.div(s)]);
}

/** The class weights viewed to broadcast along the class dim (1) of an input of `ndim` dims. */
function weightAlongClasses(weight: Tensor, ndim: number, classDim: number): Tensor {
  if (ndim <= 1) return weight;
  const shape = new Array<number>(ndim).fill(1);
  shape[classDim] = weight.size(0);
  return weight.view(shape);
}

/** ATen's `cross_entropy_loss_prob_target`: soft targets of the input's shape. */
function crossEntropyProbTarget(self: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction, ls: number): Tensor {
  const classDim = self.ndim === 1 ? 0 : 1;
  const C = self._shape[classDim]!;
  if (weight !== null && !(weight.ndim === 1 && weight.numel() === C)) {
    throw new RuntimeError(
      `cross_entropy: weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${shapeText(weight._shape)}`,
    );
  }
  const input = log_softmax(self, classDim);
  let t = target;
  if (ls > 0) {
    if (ls > 1) throw new RuntimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${cppDouble(ls)}`);
    t = target.mul(1 - ls).add(ls / C);
  }
  let product = input.mul(t);
  if (weight !== null) product = product.mul(weightAlongClasses(weight, input.ndim, classDim));
  if (reduction === "mean") {
    if (input.numel() === 0) return product.sum().neg().mul(NaN);
    return divScalar(product.sum().neg(), input.numel() / C);
  }
  if (reduction === "sum") return product.sum().neg();
  return product.sum(classDim).neg();
}

/** ATen's `cross_entropy_loss_label_smoothing`: class indices with 0 < label_smoothing ≤ 1. */
function crossEntropyLabelSmoothing(
  self: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction, ignoreIndex: number, ls: number,
): Tensor {
  const classDim = self.ndim === 1 ? 0 : 1;
  const input = log_softmax(self, classDim);
  const nll = nllLossNd(input, target, weight, reduction, ignoreIndex);
  const C = input._shape[classDim]!;
  let smooth = weight !== null
    ? input.mul(weightAlongClasses(weight, input.ndim, classDim)).sum(classDim).neg()
    : input.sum(classDim).neg();
  const ignoreMask = target.eq(ignoreIndex);
  smooth = smooth.masked_fill(ignoreMask, 0);
  let ret: Tensor;
  if (reduction === "mean") {
    // Normalised by the weights of the counted targets, as nll_loss is.
    const denominator = weight !== null
      ? weight.gather(0, target.masked_select(ignoreMask.logical_not()).flatten()).sum()
      : ignoreMask.logical_not().sum();
    ret = smooth.sum().div(denominator);
  } else {
    ret = reduction === "sum" ? smooth.sum() : smooth;
  }
  return nll.mul(1 - ls).add(ret.mul(ls / C));
}

/**
 * The cross entropy loss between input logits and target, the classifier's loss (log_softmax
 * and nll_loss in one):
 *
 *     class indices:      ℓ_n = −w_{y_n} · log softmax(x_n)_{y_n},   'mean' divides by Σ w_{y_n}
 *     probabilities:      ℓ_n = −Σ_c w_c · y_{n,c} · log softmax(x_n)_c,  'mean' divides by N
 *
 * With label_smoothing ε the target becomes (1 − ε)·target + ε/C: for class indices,
 * (1 − ε)·nll + ε/C · Σ_c −w_c log softmax(x)_c, normalised as the nll part.
 *
 * Args:
 *   input: logits (C), (N, C) or (N, C, d₁, ..., d_K).
 *   target: class indices (int64) of shape (), (N) or (N, d₁, ..., d_K), or class
 *     probabilities of the input's shape (floating).
 *   options.weight: a rescaling weight for each class, of size C.
 *   options.ignore_index: a class index that is ignored (default −100; indices only).
 *   options.reduction: "none" | "mean" (default) | "sum".
 *   options.label_smoothing: in [0, 1] (default 0).
 *
 * Nodes as PyTorch's: `NllLossBackward0` (`NllLoss2DBackward0` for more dims),
 * `AddBackward0` with label smoothing, `DivBackward1`/`NegBackward0` for probabilities.
 *
 * ```ts
 * const input = torch.randn(3, 5, { requires_grad: true });
 * const target = torch.randint(5, [3]);
 * F.cross_entropy(input, target).backward();
 * F.cross_entropy(input, torch.randn(3, 5).softmax(1), { label_smoothing: 0.1 });
 * ```
 */
export function cross_entropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const reduction = reductionOf(options);
  const weight = options.weight ?? null;
  const ignoreIndex = options.ignore_index ?? -100;
  const ls = options.label_smoothing ?? 0;
  if (sameShape(input._shape, target._shape)) {
    // Same shapes: the target holds class probabilities.
    if (!target.dtype.is_floating_point) {
      throw new RuntimeError(`Expected floating point type for target with class probabilities, got ${target.dtype.scalarTypeName}`);
    }
    if (!(ignoreIndex < 0)) throw new RuntimeError("ignore_index is not supported for floating point target");
    return crossEntropyProbTarget(input, target, weight, reduction, ls);
  }
  if (ls > 0) {
    if (ls > 1) throw new RuntimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${cppDouble(ls)}`);
    return crossEntropyLabelSmoothing(input, target, weight, reduction, ignoreIndex, ls);
  }
  const classDim = input.ndim === 1 ? 0 : 1;
  return nllLossNd(log_softmax(input, classDim), target, weight, reduction, ignoreIndex);
}
