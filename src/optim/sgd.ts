/**
 * `torch.optim.SGD`: stochastic gradient descent with momentum, dampening, Nesterov momentum,
 * weight decay and maximize, following PyTorch 2.x's single-tensor (for-loop) implementation
 * operation by operation.
 */

import type { Tensor } from "../tensor/tensor.js";
import { zeros_like } from "../tensor/creation.js";
import { RuntimeError, ValueError } from "../errors.js";
import { canUpdateFlat, sgdUpdate } from "./flat_update.js";
import { Optimizer, pyNumber, rejectDifferentiable, setdefault, type ParamGroup, type Params, type ParamState } from "./optimizer.js";

export interface SGDOptions {
  /** Learning rate (default: 1e-3). */
  lr?: number;
  /** Momentum factor (default: 0). */
  momentum?: number;
  /** Dampening for momentum (default: 0). */
  dampening?: number;
  /** Weight decay, an L2 penalty added to the gradient (default: 0). */
  weight_decay?: number;
  /** Nesterov momentum; needs a momentum and zero dampening (default: false). */
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing it (default: false). */
  maximize?: boolean;
  /** Accepted for PyTorch compatibility; the for-loop implementation runs (default: null). */
  foreach?: boolean | null;
  /** Not supported: throws when true (default: false). */
  differentiable?: boolean;
  /** Accepted for PyTorch compatibility; the for-loop implementation runs (default: null). */
  fused?: boolean | null;
}

export interface SGDParamGroup extends ParamGroup {
  momentum: number;
  dampening: number;
  weight_decay: number;
  nesterov: boolean;
  maximize: boolean;
  foreach: boolean | null;
  differentiable: boolean;
  fused: boolean | null;
}

export interface SGDState extends ParamState {
  /** The velocity; set at the first step with a gradient when momentum is non-zero. */
  momentum_buffer?: Tensor | null;
}

function sgdDefaults(options: SGDOptions): Record<string, unknown> {
  const {
    lr = 1e-3, momentum = 0, dampening = 0, weight_decay = 0, nesterov = false, maximize = false,
    foreach = null, differentiable = false, fused = null,
  } = options;
  if (lr < 0) throw new ValueError(`Invalid learning rate: ${pyNumber(lr)}`);
  if (momentum < 0) throw new ValueError(`Invalid momentum value: ${pyNumber(momentum)}`);
  if (weight_decay < 0) throw new ValueError(`Invalid weight_decay value: ${pyNumber(weight_decay)}`);
  if (nesterov && (momentum <= 0 || dampening !== 0)) {
    throw new ValueError("Nesterov momentum requires a momentum and zero dampening");
  }
  rejectDifferentiable("SGD", differentiable);
  return { lr, momentum, dampening, weight_decay, nesterov, maximize, foreach, differentiable, fused };
}

/**
 * Implements stochastic gradient descent (optionally with momentum).
 *
 *     g_t ← ∇f(θ_{t-1})            (−∇f when maximize)
 *     g_t ← g_t + λ θ_{t-1}         if weight_decay λ ≠ 0
 *     b_t ← g_t                     at the first step, else  μ b_{t-1} + (1 − τ) g_t
 *     g_t ← g_t + μ b_t             if nesterov, else  b_t   (when momentum μ ≠ 0)
 *     θ_t ← θ_{t-1} − γ g_t
 *
 * As in PyTorch, the velocity starts as the first gradient (not zeros), so dampening τ applies
 * from the second step on.
 *
 * Args:
 *   params: an iterable of tensors or of parameter groups.
 *   options: `lr` (default 1e-3), `momentum`, `dampening`, `weight_decay`, `nesterov`,
 *     `maximize`, `foreach`, `differentiable`, `fused` (see SGDOptions).
 *
 * @example
 * const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * optimizer.zero_grad();
 * loss_fn(model(input), target).backward();
 * optimizer.step();
 */
export class SGD extends Optimizer<SGDParamGroup, SGDState> {
  constructor(params: Params<SGDOptions>, options: SGDOptions = {}) {
    super(params, sgdDefaults(options));
    if (options.fused && options.foreach) throw new RuntimeError("`fused` and `foreach` cannot be `True` together.");
  }

  protected override _setstate(group: SGDParamGroup): void {
    setdefault(group, "nesterov", false);
    setdefault(group, "maximize", false);
    setdefault(group, "foreach", null);
    setdefault(group, "differentiable", false);
    setdefault(group, "fused", false);
  }

  override step<L = unknown>(closure?: () => L): L | undefined {
    return this._runStep(closure, () => {
      for (const group of this.param_groups) this._updateGroup(group);
    });
  }

  /** `_single_tensor_sgd` for one group: the tensor ops are the reference, `sgdFlat` one pass. */
  private _updateGroup(group: SGDParamGroup): void {
    const { lr, momentum, dampening, weight_decay, nesterov, maximize } = group;
    for (const param of group.params) {
      if (param.grad === null) continue;
      const state = momentum !== 0 ? this._stateOf(param) : null;
      const previous = state?.momentum_buffer ?? null;
      if (canUpdateFlat(param, param.grad, previous)) {
        const buf = sgdUpdate(param, param.grad, previous, group, () => zeros_like(param));
        if (state !== null) state.momentum_buffer = buf;
        continue;
      }
      let grad = maximize ? param.grad.neg() : param.grad;
      if (weight_decay !== 0) grad = grad.add(param, { alpha: weight_decay });
      if (state !== null) {
        let buf = previous;
        if (buf === null) buf = grad.detach().clone();
        else buf.mul_(momentum).add_(grad, { alpha: 1 - dampening });
        state.momentum_buffer = buf;
        grad = nesterov ? grad.add(buf, { alpha: momentum }) : buf;
      }
      param.add_(grad, { alpha: -lr });
    }
  }
}
