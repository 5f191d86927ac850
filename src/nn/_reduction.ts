/**
 * `torch.nn._reduction`: the `reduction` argument of the losses, and the deprecated
 * `size_average` / `reduce` pair it replaced.
 */

import type { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../errors.js";
import { warn } from "../warnings.js";

/** How a loss reduces its per-element values: not at all, by their mean, or by their sum. */
export type Reduction = "none" | "mean" | "sum";

/** The reduction options every loss takes. */
export interface ReductionOptions {
  /** "none" | "mean" | "sum" (default "mean"). */
  reduction?: Reduction;
  /** Deprecated (see reduction): average (true) or sum (false) over the batch. */
  size_average?: boolean | null;
  /** Deprecated (see reduction): false returns the per-element losses. */
  reduce?: boolean | null;
}

/** `_Reduction.get_enum`'s check: the reduction, or PyTorch's ValueError. */
export function checkReduction(reduction: string): Reduction {
  if (reduction === "none" || reduction === "mean" || reduction === "sum") return reduction;
  if (reduction === "elementwise_mean") {
    warn("reduction='elementwise_mean' is deprecated, please use reduction='mean' instead.");
    return "mean";
  }
  throw new ValueError(`${reduction} is not a valid value for reduction`);
}

/** `_Reduction.legacy_get_string`: the reduction that size_average and reduce mean, with a warning. */
export function legacy_get_string(size_average: boolean | null | undefined, reduce: boolean | null | undefined): Reduction {
  const average = size_average ?? true;
  const red = reduce ?? true;
  const ret: Reduction = average && red ? "mean" : red ? "sum" : "none";
  warn(`size_average and reduce args will be deprecated, please use reduction='${ret}' instead.`);
  return ret;
}

/** The reduction the options ask for: the legacy pair when either is given, else `reduction`. */
export function reductionOf(options: ReductionOptions): Reduction {
  const legacy = (options.size_average ?? null) !== null || (options.reduce ?? null) !== null;
  return checkReduction(legacy ? legacy_get_string(options.size_average, options.reduce) : (options.reduction ?? "mean"));
}

/** ATen's `apply_loss_reduction`. */
export function applyLossReduction(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === "mean") return loss.mean();
  if (reduction === "sum") return loss.sum();
  return loss;
}
