/**
 * `torch.optim.Adam`, following PyTorch 2.x's single-tensor (for-loop) implementation operation
 * by operation, so that float32 trajectories agree with PyTorch's to rounding. AdamW
 * (`adamw.ts`) is this class with decoupled weight decay, as in PyTorch 2.x.
 */

import { Tensor } from "../tensor/tensor.js";
import { float32, float64, get_default_dtype } from "../tensor/dtype.js";
import { scalar_tensor, zeros_like } from "../tensor/creation.js";
import { maximum } from "../ops/arithmetic.js";
import "../ops/pointwise.js";
import { RuntimeError, ValueError } from "../errors.js";
import { adamUpdate, canUpdateFlat } from "./flat_update.js";
import { Optimizer, pyNumber, rejectDifferentiable, setdefault, type ParamGroup, type Params, type ParamState } from "./optimizer.js";

export interface AdamOptions {
  /** Learning rate (default: 1e-3). */
  lr?: number;
  /** Coefficients of the running averages of the gradient and its square (default: [0.9, 0.999]). */
  betas?: [number, number];
  /** Term added to the denominator for numerical stability (default: 1e-8). */
  eps?: number;
  /** Weight decay (default: 0): an L2 penalty, or decoupled when `decoupled_weight_decay`. */
  weight_decay?: number;
  /** Use the AMSGrad variant (default: false). */
  amsgrad?: boolean;
  /** Accepted for PyTorch compatibility; the for-loop implementation runs (default: null). */
  foreach?: boolean | null;
  /** Maximize the objective instead of minimizing it (default: false). */
  maximize?: boolean;
  /** Accepted for PyTorch compatibility (CUDA graphs); no effect here (default: false). */
  capturable?: boolean;
  /** Not supported: throws when true (default: false). */
  differentiable?: boolean;
  /** Accepted for PyTorch compatibility; the for-loop implementation runs (default: null). */
  fused?: boolean | null;
  /** Apply weight decay to the parameters directly, as AdamW does (default: false). */
  decoupled_weight_decay?: boolean;
}

export interface AdamParamGroup extends ParamGroup {
  betas: [number, number];
  eps: number;
  weight_decay: number;
  amsgrad: boolean;
  maximize: boolean;
  foreach: boolean | null;
  capturable: boolean;
  differentiable: boolean;
  fused: boolean | null;
  decoupled_weight_decay: boolean;
}

export interface AdamState extends ParamState {
  /** The number of steps taken, a 0-d float tensor (float64 when that is the default dtype). */
  step?: Tensor;
  exp_avg?: Tensor;
  exp_avg_sq?: Tensor;
  /** Only with amsgrad. */
  max_exp_avg_sq?: Tensor;
}

/** PyTorch's `_get_scalar_dtype`: the dtype of `state.step`. */
function scalarDtype() {
  return get_default_dtype() === float64 ? float64 : float32;
}

/** Validates Adam's options and returns its defaults, in PyTorch's key order. */
function adamDefaults(name: string, options: AdamOptions): Record<string, unknown> {
  const {
    lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weight_decay = 0, amsgrad = false, foreach = null,
    maximize = false, capturable = false, differentiable = false, fused = null, decoupled_weight_decay = false,
  } = options;
  if (!(lr >= 0)) throw new ValueError(`Invalid learning rate: ${pyNumber(lr)}`);
  if (!(eps >= 0)) throw new ValueError(`Invalid epsilon value: ${pyNumber(eps)}`);
  if (!(betas[0] >= 0 && betas[0] < 1)) throw new ValueError(`Invalid beta parameter at index 0: ${pyNumber(betas[0])}`);
  if (!(betas[1] >= 0 && betas[1] < 1)) throw new ValueError(`Invalid beta parameter at index 1: ${pyNumber(betas[1])}`);
  if (!(weight_decay >= 0)) throw new ValueError(`Invalid weight_decay value: ${pyNumber(weight_decay)}`);
  rejectDifferentiable(name, differentiable);
  return {
    lr, betas: [betas[0], betas[1]], eps, weight_decay, amsgrad, maximize, foreach, capturable, differentiable, fused,
    decoupled_weight_decay,
  };
}

/**
 * Implements the Adam algorithm.
 *
 *     g_t ← ∇f(θ_{t-1})                      (−∇f when maximize)
 *     g_t ← g_t + λ θ_{t-1}                   if weight_decay λ ≠ 0 (θ ← θ(1 − γλ) when decoupled)
 *     m_t ← β1 m_{t-1} + (1 − β1) g_t
 *     v_t ← β2 v_{t-1} + (1 − β2) g_t²
 *     v̂_t ← max(v̂_{t-1}, v_t)                if amsgrad, else v_t
 *     θ_t ← θ_{t-1} − γ/(1 − β1^t) · m_t / (√v̂_t / √(1 − β2^t) + ε)
 *
 * Args:
 *   params: an iterable of tensors or of parameter groups.
 *   options: `lr` (default 1e-3), `betas` ([0.9, 0.999]), `eps` (1e-8), `weight_decay` (0),
 *     `amsgrad`, `foreach`, `maximize`, `capturable`, `differentiable`, `fused`,
 *     `decoupled_weight_decay` (see AdamOptions).
 *
 * @example
 * const optimizer = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
 */
export class Adam extends Optimizer<AdamParamGroup, AdamState> {
  constructor(params: Params<AdamOptions>, options: AdamOptions = {}) {
    super(params, adamDefaults(new.target.name, options));
    if (options.fused && options.foreach) throw new RuntimeError("`fused` and `foreach` cannot be `True` together.");
  }

  protected override _setstate(group: AdamParamGroup): void {
    setdefault(group, "amsgrad", false);
    setdefault(group, "maximize", false);
    setdefault(group, "foreach", null);
    setdefault(group, "capturable", false);
    setdefault(group, "differentiable", false);
    setdefault(group, "fused", null);
    setdefault(group, "decoupled_weight_decay", false);
    // Old checkpoints stored `step` as a number; 2.x keeps a 0-d tensor.
    for (const p of group.params) {
      const s = this.state.get(p);
      if (s !== undefined && s.step !== undefined && !(s.step instanceof Tensor)) {
        s.step = scalar_tensor(Number(s.step), { dtype: scalarDtype() });
      }
    }
  }

  override step<L = unknown>(closure?: () => L): L | undefined {
    return this._runStep(closure, () => {
      for (const group of this.param_groups) this._updateGroup(group);
    });
  }

  /**
   * Lazy state initialisation (`_init_group`) and `_single_tensor_adam` for one group; the
   * tensor ops below are the reference, `adamFlat` the same arithmetic in one pass.
   */
  private _updateGroup(group: AdamParamGroup): void {
    const { lr, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay } = group;
    const [beta1, beta2] = group.betas;
    for (const param of group.params) {
      if (param.grad === null) continue;
      const state = this._stateOf(param);
      if (Object.keys(state).length === 0) {
        state.step = scalar_tensor(0, { dtype: scalarDtype() });
        state.exp_avg = zeros_like(param);
        state.exp_avg_sq = zeros_like(param);
        if (amsgrad) state.max_exp_avg_sq = zeros_like(param);
      }
      const stepT = state.step!;
      const expAvg = state.exp_avg!;
      const expAvgSq = state.exp_avg_sq!;
      const maxExpAvgSq = amsgrad ? state.max_exp_avg_sq! : null;

      stepT.add_(1);
      const step = stepT.item() as number;
      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2 = 1 - beta2 ** step;
      const stepSize = lr / biasCorrection1;
      const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);

      if (canUpdateFlat(param, param.grad, expAvg, expAvgSq, maxExpAvgSq)) {
        adamUpdate(param, param.grad, expAvg, expAvgSq, maxExpAvgSq, {
          lr, beta1, beta2, eps, weight_decay, maximize, decoupled_weight_decay, step_size: stepSize,
          bias_correction2_sqrt: biasCorrection2Sqrt,
        });
        continue;
      }

      let grad = maximize ? param.grad.neg() : param.grad;
      if (weight_decay !== 0) {
        if (decoupled_weight_decay) param.mul_(1 - lr * weight_decay);
        else grad = grad.add(param, { alpha: weight_decay });
      }
      expAvg.lerp_(grad, 1 - beta1);
      expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });

      let denom: Tensor;
      if (maxExpAvgSq !== null) {
        maxExpAvgSq.copy_(maximum(maxExpAvgSq, expAvgSq));
        denom = maxExpAvgSq.sqrt().div(biasCorrection2Sqrt).add_(eps);
      } else {
        denom = expAvgSq.sqrt().div(biasCorrection2Sqrt).add_(eps);
      }
      param.addcdiv_(expAvg, denom, { value: -stepSize });
    }
  }
}
