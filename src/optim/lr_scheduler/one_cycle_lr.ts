/**
 * `torch.optim.lr_scheduler.OneCycleLR`: the 1cycle policy (Smith & Topin, "Super-Convergence"),
 * with cosine or linear annealing, two or three phases, and momentum (or Adam's beta1) cycled
 * inversely to the learning rate.
 */

import { ValueError } from "../../errors.js";
import { Optimizer, typeName } from "../optimizer.js";
import { formatParam, LRScheduler } from "./lr_scheduler.js";

export interface OneCycleLROptions {
  /** The number of steps in the cycle; or give `epochs` and `steps_per_epoch`. */
  total_steps?: number;
  epochs?: number;
  steps_per_epoch?: number;
  /** The fraction of the cycle spent increasing the learning rate (default 0.3). */
  pct_start?: number;
  /** "cos" (default) or "linear". */
  anneal_strategy?: "cos" | "linear";
  /** Cycle momentum (or Adam's beta1) inversely to the learning rate (default true). */
  cycle_momentum?: boolean;
  /** Momentum at the peak learning rate, per group or one for all (default 0.85). */
  base_momentum?: number | number[];
  /** Momentum at the start and end of the cycle (default 0.95). */
  max_momentum?: number | number[];
  /** initial_lr = max_lr / div_factor (default 25). */
  div_factor?: number;
  /** min_lr = initial_lr / final_div_factor (default 1e4). */
  final_div_factor?: number;
  /** Use a third phase that anneals to min_lr, making the first two symmetric (default false). */
  three_phase?: boolean;
  /** The index of the last batch, when resuming (default -1). */
  last_epoch?: number;
}

interface SchedulePhase {
  end_step: number;
  start_lr: string;
  end_lr: string;
  start_momentum: string;
  end_momentum: string;
}

/** Cosine anneal from `start` to `end` as pct goes from 0 to 1. */
function annealingCos(start: number, end: number, pct: number): number {
  const cosOut = Math.cos(Math.PI * pct) + 1;
  return end + ((start - end) / 2.0) * cosOut;
}

/** Linear anneal from `start` to `end` as pct goes from 0 to 1. */
function annealingLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}

/**
 * Sets the learning rate of each parameter group by the 1cycle policy: from
 * `max_lr / div_factor` up to `max_lr` over the first `pct_start` of the steps, then down to
 * `initial_lr / final_div_factor`, changing the learning rate after every batch. With
 * `cycle_momentum`, momentum (SGD) or beta1 (Adam) moves from `max_momentum` down to
 * `base_momentum` and back. `three_phase` mirrors the warm-up before a final annealing phase.
 *
 * The number of steps is `total_steps`, or `epochs * steps_per_epoch`; `step()` may be called
 * that many times.
 *
 * Args:
 *   optimizer: the wrapped optimizer.
 *   max_lr: the peak learning rate, one for all groups or one per group.
 *   options: see OneCycleLROptions.
 *
 * @example
 * const scheduler = new torch.optim.lr_scheduler.OneCycleLR(optimizer, 0.01, {
 *   steps_per_epoch: loader.length, epochs: 10,
 * });
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   for (const batch of loader) { trainBatch(batch); optimizer.step(); scheduler.step(); }
 * }
 */
export class OneCycleLR extends LRScheduler {
  total_steps: number;
  _schedule_phases: SchedulePhase[];
  _anneal_func_type: "cos" | "linear";
  cycle_momentum: boolean;
  use_beta1: boolean;

  constructor(optimizer: Optimizer, max_lr: number | number[], options: OneCycleLROptions = {}) {
    const {
      total_steps, epochs, steps_per_epoch, pct_start = 0.3, anneal_strategy = "cos", cycle_momentum = true,
      base_momentum = 0.85, max_momentum = 0.95, div_factor = 25.0, final_div_factor = 1e4, three_phase = false,
      last_epoch = -1,
    } = options;
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${typeName(optimizer)} is not an Optimizer`);

    let totalSteps: number;
    if (total_steps !== undefined) {
      if (!Number.isInteger(total_steps) || total_steps <= 0) {
        throw new ValueError(`Expected positive integer total_steps, but got ${total_steps}`);
      }
      totalSteps = total_steps;
    } else if (epochs !== undefined && steps_per_epoch !== undefined) {
      if (!Number.isInteger(epochs) || epochs <= 0) {
        throw new ValueError(`Expected positive integer epochs, but got ${epochs}`);
      }
      if (!Number.isInteger(steps_per_epoch) || steps_per_epoch <= 0) {
        throw new ValueError(`Expected positive integer steps_per_epoch, but got ${steps_per_epoch}`);
      }
      totalSteps = epochs * steps_per_epoch;
    } else {
      throw new ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)");
    }

    // Each phase anneals from one group key to another until its end step.
    const phase = (end_step: number, lr: [string, string], momentum: [string, string]): SchedulePhase => ({
      end_step, start_lr: lr[0], end_lr: lr[1], start_momentum: momentum[0], end_momentum: momentum[1],
    });
    const phases: SchedulePhase[] = three_phase
      ? [
          phase(pct_start * totalSteps - 1, ["initial_lr", "max_lr"], ["max_momentum", "base_momentum"]),
          phase(2 * pct_start * totalSteps - 2, ["max_lr", "initial_lr"], ["base_momentum", "max_momentum"]),
          phase(totalSteps - 1, ["initial_lr", "min_lr"], ["max_momentum", "max_momentum"]),
        ]
      : [
          phase(pct_start * totalSteps - 1, ["initial_lr", "max_lr"], ["max_momentum", "base_momentum"]),
          phase(totalSteps - 1, ["max_lr", "min_lr"], ["base_momentum", "max_momentum"]),
        ];

    if (!(pct_start >= 0 && pct_start <= 1)) {
      throw new ValueError(`Expected float between 0 and 1 pct_start, but got ${pct_start}`);
    }
    if (anneal_strategy !== "cos" && anneal_strategy !== "linear") {
      throw new ValueError(`anneal_strategy must be one of 'cos' or 'linear', instead got ${String(anneal_strategy)}`);
    }

    // As PyTorch, the groups get their schedule before the base constructor records initial_lr.
    const maxLrs = formatParam("max_lr", optimizer, max_lr);
    if (last_epoch === -1) {
      optimizer.param_groups.forEach((group, i) => {
        group["initial_lr"] = maxLrs[i]! / div_factor;
        group["max_lr"] = maxLrs[i]!;
        group["min_lr"] = (group["initial_lr"] as number) / final_div_factor;
      });
    }
    let useBeta1 = false;
    if (cycle_momentum) {
      if (!("momentum" in optimizer.defaults) && !("betas" in optimizer.defaults)) {
        throw new ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled");
      }
      useBeta1 = "betas" in optimizer.defaults;
      const maxMomentums = formatParam("max_momentum", optimizer, max_momentum);
      const baseMomentums = formatParam("base_momentum", optimizer, base_momentum);
      if (last_epoch === -1) {
        optimizer.param_groups.forEach((group, i) => {
          if (useBeta1) group["betas"] = [maxMomentums[i]!, ...(group["betas"] as number[]).slice(1)];
          else group["momentum"] = maxMomentums[i]!;
          group["max_momentum"] = maxMomentums[i]!;
          group["base_momentum"] = baseMomentums[i]!;
        });
      }
    }

    super(optimizer, last_epoch);
    this.total_steps = totalSteps;
    this._schedule_phases = phases;
    this._anneal_func_type = anneal_strategy;
    this.cycle_momentum = cycle_momentum;
    this.use_beta1 = useBeta1;
    this._initial_step();
  }

  private _anneal(start: number, end: number, pct: number): number {
    return this._anneal_func_type === "cos" ? annealingCos(start, end, pct) : annealingLinear(start, end, pct);
  }

  get_lr(): number[] {
    this._warnGetLr();
    const stepNum = this.last_epoch;
    if (stepNum > this.total_steps) {
      throw new ValueError(`Tried to step ${stepNum} times. The specified number of total steps is ${this.total_steps}`);
    }
    const lrs: number[] = [];
    for (const group of this._groups()) {
      let startStep = 0.0;
      let lr = 0;
      let momentum = 0;
      const phases = this._schedule_phases;
      for (let i = 0; i < phases.length; i++) {
        const phase = phases[i]!;
        const endStep = phase.end_step;
        if (stepNum <= endStep || i === phases.length - 1) {
          const pct = (stepNum - startStep) / (endStep - startStep);
          lr = this._anneal(group[phase.start_lr] as number, group[phase.end_lr] as number, pct);
          if (this.cycle_momentum) {
            momentum = this._anneal(group[phase.start_momentum] as number, group[phase.end_momentum] as number, pct);
          }
          break;
        }
        startStep = phase.end_step;
      }
      lrs.push(lr);
      if (this.cycle_momentum) {
        if (this.use_beta1) group["betas"] = [momentum, ...(group["betas"] as number[]).slice(1)];
        else group["momentum"] = momentum;
      }
    }
    return lrs;
  }
}
