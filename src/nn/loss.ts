/**
 * The loss layers: `nn.CrossEntropyLoss`, `nn.NLLLoss`, `nn.MSELoss`, `nn.L1Loss`,
 * `nn.BCEWithLogitsLoss`. Each stores its options as PyTorch's attributes (`reduction`,
 * `ignore_index`, ...), class weights as buffers, and forwards to its `F.` function. Their
 * repr has no extra text: `CrossEntropyLoss()`.
 */

import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";
import { legacy_get_string, type Reduction, type ReductionOptions } from "./_reduction.js";
import * as F from "./functional_loss.js";

/** PyTorch's `_Loss`: holds `reduction` (from the legacy size_average / reduce when given). */
export class _Loss extends Module {
  declare reduction: Reduction;

  constructor(options: ReductionOptions = {}) {
    super();
    const legacy = (options.size_average ?? null) !== null || (options.reduce ?? null) !== null;
    this.reduction = legacy ? legacy_get_string(options.size_average, options.reduce) : (options.reduction ?? "mean");
  }
}

/** PyTorch's `_WeightedLoss`: a `_Loss` with a `weight` buffer (null when not given). */
export class _WeightedLoss extends _Loss {
  declare weight: Tensor | null;

  constructor(weight: Tensor | null | undefined, options: ReductionOptions = {}) {
    super(options);
    this.register_buffer("weight", weight ?? null);
  }
}

export interface CrossEntropyLossOptions extends ReductionOptions {
  /** A manual rescaling weight given to each class, of size C (kept as the buffer `weight`). */
  weight?: Tensor | null;
  /** A target value that is ignored and does not contribute to the input gradient (default −100). */
  ignore_index?: number;
  /** In [0, 1]: the amount of smoothing (default 0). */
  label_smoothing?: number;
}

/**
 * The cross entropy loss between input logits and target: useful to train a classification
 * problem with C classes. The input holds unnormalised logits; the target either class
 * indices in [0, C) or class probabilities (see `F.cross_entropy` for the formulas, the
 * weighted mean and label smoothing).
 *
 * Args (options):
 *   weight: a manual rescaling weight given to each class, of size C.
 *   ignore_index: a target value that is ignored (default −100).
 *   reduction: "none" | "mean" (default) | "sum".
 *   label_smoothing: in [0, 1] (default 0).
 *
 * Shapes: input (C), (N, C) or (N, C, d₁, ..., d_K); target (), (N) or (N, d₁, ..., d_K) of
 * int64 class indices, or the input's shape of probabilities; output a scalar, or the
 * target's shape (indices) / the input's without C (probabilities) for 'none'.
 *
 * ```ts
 * const loss = new nn.CrossEntropyLoss();
 * const input = torch.randn(3, 5, { requires_grad: true });
 * const target = torch.empty(3, { dtype: torch.int64 }).random_(5);
 * loss(input, target).backward();
 * ```
 */
export class CrossEntropyLoss extends _WeightedLoss {
  declare ignore_index: number;
  declare label_smoothing: number;

  constructor(options: CrossEntropyLossOptions = {}) {
    super(options.weight, options);
    this.ignore_index = options.ignore_index ?? -100;
    this.label_smoothing = options.label_smoothing ?? 0;
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return F.cross_entropy(input, target, {
      weight: this.weight, ignore_index: this.ignore_index, reduction: this.reduction, label_smoothing: this.label_smoothing,
    });
  }
}

export interface NLLLossModuleOptions extends ReductionOptions {
  /** A manual rescaling weight given to each class, of size C. */
  weight?: Tensor | null;
  /** A target value that is ignored (default −100). */
  ignore_index?: number;
}

/**
 * The negative log likelihood loss: for a classifier whose outputs are log-probabilities
 * (e.g. a LogSoftmax layer). `ℓ_n = −w_{y_n} x_{n, y_n}`; 'mean' divides by the summed
 * weights of the targets that are not ignored.
 *
 * Args (options): weight, ignore_index (default −100), reduction.
 *
 * ```ts
 * const m = new nn.LogSoftmax(1);
 * const loss = new nn.NLLLoss();
 * loss(m(torch.randn(3, 5)), torch.tensor([1, 0, 4]));
 * ```
 */
export class NLLLoss extends _WeightedLoss {
  declare ignore_index: number;

  constructor(options: NLLLossModuleOptions = {}) {
    super(options.weight, options);
    this.ignore_index = options.ignore_index ?? -100;
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return F.nll_loss(input, target, { weight: this.weight, ignore_index: this.ignore_index, reduction: this.reduction });
  }
}

/**
 * The mean squared error (squared L2 norm) between each element of the input x and target y:
 * `ℓ_n = (x_n − y_n)²`, reduced by 'mean' (default), 'sum' or 'none'.
 *
 * Shapes: input (*), target (*) the same shape; output a scalar, or (*) for 'none'.
 */
export class MSELoss extends _Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.mse_loss(input, target, { reduction: this.reduction });
  }
}

/**
 * The mean absolute error (MAE) between each element of the input x and target y:
 * `ℓ_n = |x_n − y_n|`, reduced by 'mean' (default), 'sum' or 'none'.
 */
export class L1Loss extends _Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.l1_loss(input, target, { reduction: this.reduction });
  }
}

export interface BCEWithLogitsLossOptions extends ReductionOptions {
  /** A manual rescaling weight for the loss of each batch element (the buffer `weight`). */
  weight?: Tensor | null;
  /** A weight of positive examples, broadcast along the classes (the buffer `pos_weight`). */
  pos_weight?: Tensor | null;
}

/**
 * A Sigmoid layer and the binary cross entropy in one class, more stable than the two apart
 * (the log-sum-exp trick):
 * `ℓ_n = −w_n [p y_n log σ(x_n) + (1 − y_n) log(1 − σ(x_n))]`, p the pos_weight.
 *
 * Args (options): weight, reduction, pos_weight. Both weights are registered as buffers.
 *
 * ```ts
 * const loss = new nn.BCEWithLogitsLoss({ pos_weight: torch.ones([64]) });
 * loss(torch.full([10, 64], 1.5), torch.ones([10, 64]));   // tensor(0.2014)
 * ```
 */
export class BCEWithLogitsLoss extends _Loss {
  declare weight: Tensor | null;
  declare pos_weight: Tensor | null;

  constructor(options: BCEWithLogitsLossOptions = {}) {
    super(options);
    this.register_buffer("weight", options.weight ?? null);
    this.register_buffer("pos_weight", options.pos_weight ?? null);
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binary_cross_entropy_with_logits(input, target, {
      weight: this.weight, pos_weight: this.pos_weight, reduction: this.reduction,
    });
  }
}
