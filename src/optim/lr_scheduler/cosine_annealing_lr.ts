/** `torch.optim.lr_scheduler.CosineAnnealingLR`: cosine annealing by PyTorch's recursive form. */

import type { Optimizer } from "../optimizer.js";
import { LRScheduler } from "./lr_scheduler.js";

/**
 * Anneals the learning rate of each group along a cosine from its initial value to `eta_min`
 * over `T_max` epochs (SGDR without restarts), by PyTorch's recursive form
 *
 *     η_{t+1} = η_min + (η_t − η_min) · (1 + cos((t+1)π / T_max)) / (1 + cos(tπ / T_max))
 *
 * which follows the closed form η_t = η_min + (η_max − η_min)(1 + cos(tπ / T_max)) / 2 and,
 * past T_max, keeps going up and down with period 2·T_max.
 *
 * Args:
 *   optimizer: the wrapped optimizer.
 *   T_max: the number of epochs of the half-cycle.
 *   options: `eta_min` (default 0), `last_epoch` (default -1).
 *
 * @example
 * const scheduler = new torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, 100);
 */
export class CosineAnnealingLR extends LRScheduler {
  T_max: number;
  eta_min: number;

  constructor(optimizer: Optimizer, T_max: number, options: { eta_min?: number; last_epoch?: number } = {}) {
    super(optimizer, options.last_epoch ?? -1);
    this.T_max = T_max;
    this.eta_min = options.eta_min ?? 0;
    this._initial_step();
  }

  get_lr(): number[] {
    this._warnGetLr();
    const { T_max, eta_min, last_epoch } = this;
    const groups = this._groups();
    if (this._is_initial) return groups.map((g) => g.lr);
    if (this._step_count === 1 && last_epoch > 0) {
      return this.base_lrs.map((base) => eta_min + ((base - eta_min) * (1 + Math.cos((last_epoch * Math.PI) / T_max))) / 2);
    }
    if ((last_epoch - 1 - T_max) % (2 * T_max) === 0) {
      return groups.map((g, i) => g.lr + ((this.base_lrs[i]! - eta_min) * (1 - Math.cos(Math.PI / T_max))) / 2);
    }
    return groups.map(
      (g) =>
        ((1 + Math.cos((Math.PI * last_epoch) / T_max)) / (1 + Math.cos((Math.PI * (last_epoch - 1)) / T_max))) *
          (g.lr - eta_min) +
        eta_min,
    );
  }

  protected override _get_closed_form_lr(): number[] {
    const { T_max, eta_min, last_epoch } = this;
    return this.base_lrs.map((base) => eta_min + ((base - eta_min) * (1 + Math.cos((Math.PI * last_epoch) / T_max))) / 2);
  }
}
