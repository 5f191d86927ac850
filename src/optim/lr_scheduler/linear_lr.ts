/** `torch.optim.lr_scheduler.LinearLR`: a linear change of the learning rate by a factor. */

import { ValueError } from "../../errors.js";
import type { Optimizer } from "../optimizer.js";
import { LRScheduler } from "./lr_scheduler.js";

export interface LinearLROptions {
  /** The factor of the first epoch's learning rate, in (0, 1] (default 1/3). */
  start_factor?: number;
  /** The factor reached after `total_iters` epochs, in [0, 1] (default 1). */
  end_factor?: number;
  /** The number of epochs of the linear change (default 5). */
  total_iters?: number;
  last_epoch?: number;
}

/**
 * Changes the learning rate of each group linearly by a factor, from `start_factor` to
 * `end_factor` over `total_iters` epochs, then keeps it:
 *
 *     lr = initial_lr · (start + (end − start) · min(epoch, total_iters) / total_iters)
 *
 * Args:
 *   optimizer: the wrapped optimizer.
 *   options: `start_factor` (default 1/3), `end_factor` (1), `total_iters` (5), `last_epoch` (-1).
 *
 * @example
 * // warm up from 0.05·lr to lr over 40 epochs
 * const scheduler = new torch.optim.lr_scheduler.LinearLR(optimizer, { start_factor: 0.05, total_iters: 40 });
 */
export class LinearLR extends LRScheduler {
  start_factor: number;
  end_factor: number;
  total_iters: number;

  constructor(optimizer: Optimizer, options: LinearLROptions = {}) {
    const { start_factor = 1.0 / 3, end_factor = 1.0, total_iters = 5, last_epoch = -1 } = options;
    if (start_factor > 1.0 || start_factor <= 0) {
      throw new ValueError("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
    }
    if (end_factor > 1.0 || end_factor < 0) {
      throw new ValueError("Ending multiplicative factor expected to be between 0 and 1.");
    }
    super(optimizer, last_epoch);
    this.start_factor = start_factor;
    this.end_factor = end_factor;
    this.total_iters = total_iters;
    this._initial_step();
  }

  get_lr(): number[] {
    this._warnGetLr();
    const { start_factor: start, end_factor: end, total_iters, last_epoch } = this;
    const groups = this._groups();
    if (last_epoch === 0) return groups.map((g) => g.lr * start);
    if (this._is_initial || last_epoch > total_iters) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1.0 + (end - start) / (total_iters * start + (last_epoch - 1) * (end - start))));
  }

  protected override _get_closed_form_lr(): number[] {
    const { start_factor: start, end_factor: end, total_iters, last_epoch } = this;
    return this.base_lrs.map((base) => base * (start + ((end - start) * Math.min(total_iters, last_epoch)) / total_iters));
  }
}
