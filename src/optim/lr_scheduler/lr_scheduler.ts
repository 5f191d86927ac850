/**
 * `torch.optim.lr_scheduler.LRScheduler`: the base of every schedule. It records each group's
 * `initial_lr`, takes the constructor's first step, tracks whether `optimizer.step()` ran first
 * (and warns as PyTorch does when not), and writes each step's rates into the groups.
 */

import { KeyError, ValueError } from "../../errors.js";
import { Optimizer, typeName, type ParamGroup } from "../optimizer.js";
import { warn } from "../../warnings.js";

const EPOCH_DEPRECATION_WARNING =
  "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. " +
  "Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from " +
  "None, the closed form is used instead of the new chainable form, where available. Please open an issue if " +
  "you are unable to replicate your use case: https://github.com/pytorch/pytorch/issues/new/choose.";

/** What the scheduler wraps `optimizer.step` with, to notice a scheduler stepped first. */
interface TrackedStep {
  (...args: unknown[]): unknown;
  _wrapped_by_lr_sched?: boolean;
}

/**
 * Adjusts the learning rate of each parameter group during optimization.
 *
 * Args:
 *   optimizer: the wrapped optimizer.
 *   last_epoch: the index of the last epoch (default -1: start fresh, recording each group's
 *     lr as `initial_lr`). When resuming, every group must already have `initial_lr`.
 *
 * The constructor takes the first step, as PyTorch's does. A subclass sets its own fields after
 * `super(optimizer, last_epoch)` and then calls `this._initial_step()` (JavaScript cannot set
 * fields before the base constructor runs, which is where PyTorch takes that step); it
 * implements `get_lr()` in the chainable form, reading the groups' current `lr`.
 *
 * @example
 * const scheduler = new torch.optim.lr_scheduler.StepLR(optimizer, 30, { gamma: 0.1 });
 * for (let epoch = 0; epoch < 100; epoch++) {
 *   train(); // ... optimizer.step() ...
 *   scheduler.step();
 * }
 */
export abstract class LRScheduler {
  optimizer: Optimizer;
  /** Each group's `initial_lr`: where the schedule starts. */
  base_lrs: number[];
  /** The index of the last epoch (or batch) the schedule has reached. */
  last_epoch: number;
  /** @internal */ _step_count = 0;
  /** @internal */ _is_initial = false;
  /** @internal */ _get_lr_called_within_step = false;
  /** @internal */ _last_lr: number[] = [];

  constructor(optimizer: Optimizer, last_epoch = -1) {
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${typeName(optimizer)} is not an Optimizer`);
    this.optimizer = optimizer;
    if (last_epoch === -1) {
      for (const group of optimizer.param_groups) if (!("initial_lr" in group)) group["initial_lr"] = group.lr;
    } else {
      optimizer.param_groups.forEach((group, i) => {
        if (!("initial_lr" in group)) {
          throw new KeyError(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
        }
      });
    }
    this.base_lrs = optimizer.param_groups.map((g) => g["initial_lr"] as number);
    this.last_epoch = last_epoch;
    trackOptimizerStep(optimizer);
  }

  /** Resets the step count and takes the constructor's step, in PyTorch's "initial" mode. */
  protected _initial_step(): void {
    this._step_count = 0;
    this._is_initial = true;
    try {
      this.step();
    } finally {
      this._is_initial = false;
    }
  }

  /** Every field but the optimizer, as PyTorch's `__dict__` minus `optimizer`. */
  state_dict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) if (k !== "optimizer") out[k] = v;
    return out;
  }

  /** Restores fields saved by `state_dict()`. */
  load_state_dict(state_dict: Record<string, unknown>): void {
    Object.assign(this, state_dict);
  }

  /** The learning rates the last `step()` set, one per group. */
  get_last_lr(): number[] {
    return this._last_lr;
  }

  /** The next learning rates in the chainable form; called by `step()`. */
  abstract get_lr(): number[];

  /** The closed form at `last_epoch`, used by the deprecated `step(epoch)`; absent if none. */
  protected _get_closed_form_lr?(): number[];

  /** Advances the schedule by one epoch (or to `epoch`, deprecated) and sets each group's lr. */
  step(epoch?: number): void {
    if (this._step_count === 1) {
      const step = this.optimizer.step as TrackedStep;
      if (!step._wrapped_by_lr_sched) {
        warn(
          "Seems like `optimizer.step()` has been overridden after learning rate scheduler initialization. " +
            "Please, make sure to call `optimizer.step()` before `lr_scheduler.step()`. See more details at " +
            "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate",
        );
      } else if (!(this.optimizer as unknown as { _opt_called?: boolean })._opt_called) {
        warn(
          "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you " +
            "should call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to " +
            "do this will result in PyTorch skipping the first value of the learning rate schedule. See more " +
            "details at https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate",
        );
      }
    }
    this._step_count += 1;
    if (epoch !== undefined) warn(EPOCH_DEPRECATION_WARNING);
    this._update_lr(epoch);
  }

  /** @internal */
  _update_lr(epoch?: number): void {
    let values: number[];
    this._get_lr_called_within_step = true;
    try {
      if (epoch === undefined) {
        this.last_epoch += 1;
        values = this.get_lr();
      } else {
        this.last_epoch = epoch;
        values = this._get_closed_form_lr ? this._get_closed_form_lr() : this.get_lr();
      }
    } finally {
      this._get_lr_called_within_step = false;
    }
    this.optimizer.param_groups.forEach((group, i) => (group.lr = values[i]!));
    this._last_lr = this.optimizer.param_groups.map((g) => g.lr);
  }

  /** @internal PyTorch warns when `get_lr()` is called from outside `step()`. */
  protected _warnGetLr(): void {
    if (!this._get_lr_called_within_step) {
      warn("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.");
    }
  }

  /** @internal */
  protected _groups(): ParamGroup[] {
    return this.optimizer.param_groups;
  }
}

/** Wraps `optimizer.step` once so that schedulers can tell whether it ran before them. */
function trackOptimizerStep(optimizer: Optimizer): void {
  const current = optimizer.step as TrackedStep;
  if (current._wrapped_by_lr_sched) return;
  const wrapper: TrackedStep = function (this: unknown, ...args: unknown[]) {
    (optimizer as unknown as { _opt_called: boolean })._opt_called = true;
    return (current as (...a: unknown[]) => unknown).apply(optimizer, args);
  };
  wrapper._wrapped_by_lr_sched = true;
  optimizer.step = wrapper as Optimizer["step"];
}

/** @internal PyTorch's `_format_param`: one value per group, from a number or a list. */
export function formatParam(name: string, optimizer: Optimizer, param: number | readonly number[]): number[] {
  const n = optimizer.param_groups.length;
  if (Array.isArray(param)) {
    if (param.length !== n) {
      throw new ValueError(
        `${name} must have the same length as optimizer.param_groups. ${name} has ${param.length} values, param_groups has ${n}.`,
      );
    }
    return param.slice();
  }
  return new Array<number>(n).fill(param as number);
}
