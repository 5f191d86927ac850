/** `torch.optim.lr_scheduler.StepLR`: step decay by `gamma` every `step_size` epochs. */

import type { Optimizer } from "../optimizer.js";
import { LRScheduler } from "./lr_scheduler.js";

/**
 * Decays the learning rate of each parameter group by `gamma` every `step_size` epochs:
 *
 *     lr = initial_lr · gamma^⌊epoch / step_size⌋
 *
 * Args:
 *   optimizer: the wrapped optimizer.
 *   step_size: the period of the decay, in epochs.
 *   options: `gamma` (default 0.1), `last_epoch` (default -1).
 *
 * @example
 * // lr = 0.05 for epochs 0-29, 0.005 for 30-59, 0.0005 for 60-89, ...
 * const scheduler = new torch.optim.lr_scheduler.StepLR(optimizer, 30, { gamma: 0.1 });
 */
export class StepLR extends LRScheduler {
  step_size: number;
  gamma: number;

  constructor(optimizer: Optimizer, step_size: number, options: { gamma?: number; last_epoch?: number } = {}) {
    super(optimizer, options.last_epoch ?? -1);
    this.step_size = step_size;
    this.gamma = options.gamma ?? 0.1;
    this._initial_step();
  }

  get_lr(): number[] {
    this._warnGetLr();
    if (this.last_epoch === 0 || this.last_epoch % this.step_size !== 0) return this._groups().map((g) => g.lr);
    return this._groups().map((g) => g.lr * this.gamma);
  }

  protected override _get_closed_form_lr(): number[] {
    return this.base_lrs.map((base) => base * this.gamma ** Math.floor(this.last_epoch / this.step_size));
  }
}
