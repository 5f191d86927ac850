/**
 * `torch.optim.AdamW`: Adam with decoupled weight decay. In PyTorch 2.x AdamW is a subclass of
 * Adam that fixes `decoupled_weight_decay` to true and defaults `weight_decay` to 1e-2; so here.
 */

import { Adam, type AdamOptions, type AdamParamGroup } from "./adam.js";
import type { Params } from "./optimizer.js";

export type AdamWOptions = Omit<AdamOptions, "decoupled_weight_decay">;

/**
 * Implements the AdamW algorithm (Loshchilov & Hutter, "Decoupled Weight Decay
 * Regularization"): Adam whose weight decay shrinks the parameters directly,
 *
 *     θ_{t-1} ← θ_{t-1} (1 − γ λ)
 *
 * before the moment updates, instead of adding λθ to the gradient.
 *
 * Args:
 *   params: an iterable of tensors or of parameter groups.
 *   options: `lr` (default 1e-3), `betas` ([0.9, 0.999]), `eps` (1e-8), `weight_decay` (1e-2),
 *     `amsgrad`, `maximize`, `foreach`, `capturable`, `differentiable`, `fused`.
 *
 * @example
 * const optimizer = new torch.optim.AdamW(model.parameters(), { lr: 2e-3, weight_decay: 1e-2 });
 */
export class AdamW extends Adam {
  constructor(params: Params<AdamWOptions>, options: AdamWOptions = {}) {
    super(params, { ...options, weight_decay: options.weight_decay ?? 1e-2, decoupled_weight_decay: true });
  }

  /** Loaded groups always decay decoupled, whatever the checkpoint says (as PyTorch). */
  protected override _setstate(group: AdamParamGroup): void {
    super._setstate(group);
    group.decoupled_weight_decay = true;
  }
}
