/**
 * The activation functions of `torch.nn.functional`: relu, leaky_relu, gelu, silu, sigmoid,
 * tanh, softmax and log_softmax (and the in-place forms).
 *
 * PyTorch implements leaky_relu, gelu, silu, softmax and log_softmax as single kernels with
 * their own autograd nodes (`LeakyReluBackward0`, `GeluBackward0`, ...). Each is one recorded
 * op here too: the forward is computed with public ops under no_grad (the numbers are the
 * composite's), and the backward is PyTorch's formula written with differentiable ops.
 */

import { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { wrapDim } from "../tensor/shape.js";
import { record } from "../autograd/graph.js";
import { is_grad_enabled, no_grad } from "../autograd/grad_mode.js";
import { RuntimeError } from "../errors.js";
import { applyInplace } from "../ops/arithmetic.js";
import { newTensor } from "../ops/common.js";
import { where } from "../ops/where.js";
import { relu as torchRelu, sigmoid as torchSigmoid, tanh as torchTanh } from "../ops/unary.js";
import { warn } from "../warnings.js";
import { softmaxBackward, softmaxForward } from "./softmax_kernel.js";

export interface InplaceOptions {
  /** Do the operation in place (default false). */
  inplace?: boolean;
}

/** 1/√2, √(2/π) and 1/√(2π): GELU's constants (ATen's kAlpha, kBeta and the pdf's). */
const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.SQRT2 * (2 / Math.sqrt(Math.PI)) * 0.5;
const INV_SQRT_2PI = (2 / Math.sqrt(Math.PI)) * Math.SQRT1_2 * 0.5;
const KAPPA = 0.044715;

function requireFloat(x: Tensor, kernel: string): void {
  if (!x.dtype.is_floating_point) throw new RuntimeError(`"${kernel}" not implemented for '${x.dtype.scalarTypeName}'`);
}

// ---- relu, leaky_relu --------------------------------------------------------------------

/**
 * Applies the rectified linear unit function element-wise: ReLU(x) = max(0, x).
 * Node `ReluBackward0` (also for the in-place form).
 *
 * ```ts
 * F.relu(torch.tensor([-1, 0.5]))   // tensor([0.0000, 0.5000])
 * ```
 */
export function relu(input: Tensor, options: InplaceOptions | boolean = {}): Tensor {
  const inplace = typeof options === "boolean" ? options : (options.inplace ?? false);
  return inplace ? input.relu_() : torchRelu(input);
}

/** In-place version of {@link relu}. */
export function relu_(input: Tensor): Tensor {
  return input.relu_();
}

function leakyReluOp(input: Tensor, slope: number): Tensor {
  requireFloat(input, "leaky_relu_cpu");
  const out = no_grad(() => where(input.gt(0), input, input.mul(slope)));
  return record("LeakyReluBackward0", [input], out, ([g], [x]) => [where(x!.gt(0), g!, g!.mul(slope))], [input]);
}

export interface LeakyReluOptions extends InplaceOptions {
  /** The slope for negative inputs (default 0.01). */
  negative_slope?: number;
}

/**
 * Applies element-wise LeakyReLU(x) = max(0, x) + negative_slope · min(0, x).
 * Node `LeakyReluBackward0`; the in-place form records `LeakyReluBackward1`, whose backward
 * reads the result and so refuses a negative slope, as PyTorch does.
 *
 * ```ts
 * F.leaky_relu(x, 0.2)
 * F.leaky_relu(x, { negative_slope: 0.2, inplace: true })
 * ```
 */
export function leaky_relu(
  input: Tensor,
  negative_slope: number | LeakyReluOptions = 0.01,
  options: InplaceOptions = {},
): Tensor {
  const opts = typeof negative_slope === "object" ? negative_slope : { ...options, negative_slope };
  const slope = opts.negative_slope ?? 0.01;
  return opts.inplace ? leaky_relu_(input, slope) : leakyReluOp(input, slope);
}

/** In-place version of {@link leaky_relu}. */
export function leaky_relu_(input: Tensor, negative_slope = 0.01): Tensor {
  requireFloat(input, "leaky_relu_cpu");
  return applyInplace(input, () => {
    const result = no_grad(() => where(input.gt(0), input, input.mul(negative_slope)));
    return record("LeakyReluBackward1", [input], result, ([g], [y]) => {
      if (negative_slope < 0) {
        throw new RuntimeError(
          "In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. " +
            "This is caused by calling in-place forward function with a negative slope, please call out-of-place " +
            "version instead. File an issue at https://github.com/pytorch/pytorch if you do require supporting " +
            "in-place leakRelu backward calculation with negative slope",
        );
      }
      return [where(y!.gt(0), g!, g!.mul(negative_slope))];
    }, [result]);
  });
}

// ---- gelu, silu ----------------------------------------------------------------------------

export type GeluApproximate = "none" | "tanh";

/**
 * Applies the Gaussian Error Linear Units function element-wise:
 *
 *     GELU(x) = x · Φ(x) = x · ½ (1 + erf(x / √2))                              approximate = "none"
 *     GELU(x) ≈ ½ x (1 + tanh(√(2/π) (x + 0.044715 x³)))                        approximate = "tanh"
 *
 * Node `GeluBackward0`.
 *
 * ```ts
 * F.gelu(x);                             // exact
 * F.gelu(x, { approximate: "tanh" });    // or F.gelu(x, "tanh")
 * ```
 */
export function gelu(input: Tensor, options: { approximate?: GeluApproximate } | GeluApproximate = {}): Tensor {
  const approximate = typeof options === "string" ? options : (options.approximate ?? "none");
  if (approximate !== "none" && approximate !== "tanh") {
    throw new RuntimeError("approximate argument must be either none or tanh.");
  }
  requireFloat(input, "GeluKernelImpl");
  if (approximate === "tanh") {
    const out = no_grad(() => {
      const inner = input.add(input.pow(3).mul(KAPPA)).mul(SQRT_2_OVER_PI);
      return input.mul(0.5).mul(inner.tanh().add(1));
    });
    return record("GeluBackward0", [input], out, ([g], [x]) => {
      const xSq = x!.square();
      const tanhInner = x!.add(xSq.mul(x!).mul(KAPPA)).mul(SQRT_2_OVER_PI).tanh();
      const left = x!.mul(0.5);
      const right = tanhInner.add(1);
      const leftDerivative = right.mul(0.5);
      const rightDerivative = left.mul(tanhInner.square().neg().add(1)).mul(xSq.mul(3 * KAPPA).add(1).mul(SQRT_2_OVER_PI));
      return [g!.mul(leftDerivative.add(rightDerivative))];
    }, [input]);
  }
  const out = no_grad(() => input.mul(0.5).mul(input.mul(SQRT1_2).erf().add(1)));
  return record("GeluBackward0", [input], out, ([g], [x]) => {
    const cdf = x!.mul(SQRT1_2).erf().add(1).mul(0.5);
    const pdf = x!.square().mul(-0.5).exp().mul(INV_SQRT_2PI);
    return [g!.mul(cdf.add(x!.mul(pdf)))];
  }, [input]);
}

function siluOp(input: Tensor): Tensor {
  requireFloat(input, "silu_cpu");
  const out = no_grad(() => input.mul(input.sigmoid()));
  return record("SiluBackward0", [input], out, ([g], [x]) => {
    const s = x!.sigmoid();
    return [g!.mul(s).mul(x!.mul(s.neg().add(1)).add(1))];
  }, [input]);
}

/**
 * Applies the Sigmoid Linear Unit (SiLU) function element-wise, also known as swish:
 * silu(x) = x · σ(x). Node `SiluBackward0` (also in place).
 */
export function silu(input: Tensor, options: InplaceOptions | boolean = {}): Tensor {
  const inplace = typeof options === "boolean" ? options : (options.inplace ?? false);
  return inplace ? applyInplace(input, () => siluOp(input)) : siluOp(input);
}

/** Applies element-wise σ(x) = 1 / (1 + exp(−x)) (`torch.sigmoid`; node `SigmoidBackward0`). */
export function sigmoid(input: Tensor): Tensor {
  return torchSigmoid(input);
}

/** Applies element-wise tanh(x) (`torch.tanh`; node `TanhBackward0`). */
export function tanh(input: Tensor): Tensor {
  return torchTanh(input);
}

// ---- softmax, log_softmax ------------------------------------------------------------------

export interface SoftmaxOptions {
  /** The dimension to normalise over. Omitted: PyTorch's deprecated implicit choice. */
  dim?: number | null;
  /** Cast the input to this dtype first (prevents overflow in low precision). */
  dtype?: DType | null;
}

/** PyTorch's `_get_softmax_dim`: 0 for 0-, 1- and 3-d inputs, else 1, with a warning. */
function implicitDim(name: string, ndim: number): number {
  warn(`Implicit dimension choice for ${name} has been deprecated. Change the call to include dim=X as an argument.`);
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

function softmaxArgs(name: string, input: Tensor, dim: number | null | SoftmaxOptions | undefined, options: SoftmaxOptions): [number, DType | null] {
  const opts = typeof dim === "object" && dim !== null ? dim : { ...options, dim };
  const d = opts.dim === undefined || opts.dim === null ? implicitDim(name, input.ndim) : opts.dim;
  return [d, opts.dtype ?? null];
}

/** The kernel of `_softmax` / `_log_softmax`, recorded as one node. */
function softmaxOp(input: Tensor, dim: number, dtype: DType | null, log: boolean): Tensor {
  const x = dtype !== null && dtype !== input.dtype ? input.to(dtype) : input;
  const d = wrapDim(dim, x.ndim);
  if (!x.dtype.is_floating_point) {
    const last = x.ndim === 0 || d === x.ndim - 1;
    throw new RuntimeError(
      `"${log ? "log_" : ""}softmax_${last ? "lastdim_" : ""}kernel_impl" not implemented for '${x.dtype.scalarTypeName}'`,
    );
  }
  // The fused kernels (softmax_kernel.ts) compute the composite's numbers in one pass; the
  // composite runs where they do not apply, and for the gradient when it must itself be
  // differentiable (create_graph: grad mode is on during that backward).
  const out = x.numel() === 0
    ? newTensor(x._shape, x.dtype)
    : softmaxForward(x, d, log) ?? no_grad(() => {
        // Shifted by the maximum so exp cannot overflow.
        const shifted = x.sub(x.amax(d, { keepdim: true }));
        const e = shifted.exp();
        return log ? shifted.sub(e.sum(d, { keepdim: true }).log()) : e.div(e.sum(d, { keepdim: true }));
      });
  const fused = (g: Tensor, y: Tensor): Tensor | null => (is_grad_enabled() ? null : softmaxBackward(g, y, d, log));
  if (log) {
    return record("LogSoftmaxBackward0", [x], out, ([g], [y]) => [
      fused(g!, y!) ?? g!.sub(y!.exp().mul(g!.sum(d, { keepdim: true }))),
    ], [out]);
  }
  return record("SoftmaxBackward0", [x], out, ([g], [y]) => [
    fused(g!, y!) ?? y!.mul(g!.sub(g!.mul(y!).sum(d, { keepdim: true }))),
  ], [out]);
}

/**
 * Applies the softmax function along `dim`, rescaling the slices so that their elements lie in
 * [0, 1] and sum to 1:
 *
 *     softmax(x)_i = exp(x_i) / Σ_j exp(x_j)
 *
 * Args:
 *   input: the input tensor.
 *   dim: the dimension along which softmax is computed (every slice along it sums to 1).
 *     Omitting it is deprecated, as in PyTorch: a warning, then dim 0 for 0-, 1- and 3-d
 *     inputs and 1 otherwise.
 *   options.dtype: if given, the input is cast to it before the operation.
 *
 * Computed stably (the maximum is subtracted first). Node `SoftmaxBackward0`.
 *
 * ```ts
 * F.softmax(torch.tensor([[1, 2, 3]], { dtype: torch.float32 }), 1)   // tensor([[0.0900, 0.2447, 0.6652]])
 * F.softmax(logits, { dim: -1, dtype: torch.float64 })
 * ```
 */
export function softmax(input: Tensor, dim?: number | null | SoftmaxOptions, options: SoftmaxOptions = {}): Tensor {
  const [d, dtype] = softmaxArgs("softmax", input, dim, options);
  return softmaxOp(input, d, dtype, false);
}

/**
 * Applies softmax followed by a logarithm along `dim`, computed as
 * `x − max − log Σ exp(x − max)`: faster and more stable than `log(softmax(x))`.
 *
 *     log_softmax(x)_i = x_i − log Σ_j exp(x_j)
 *
 * Arguments as {@link softmax}. Node `LogSoftmaxBackward0`.
 *
 * ```ts
 * F.log_softmax(logits, 1)
 * ```
 */
export function log_softmax(input: Tensor, dim?: number | null | SoftmaxOptions, options: SoftmaxOptions = {}): Tensor {
  const [d, dtype] = softmaxArgs("log_softmax", input, dim, options);
  return softmaxOp(input, d, dtype, true);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    /** `t.softmax(dim, { dtype })`: see `F.softmax`. */
    softmax(dim: number, options?: { dtype?: DType | null }): Tensor;
    /** `t.log_softmax(dim, { dtype })`: see `F.log_softmax`. */
    log_softmax(dim: number, options?: { dtype?: DType | null }): Tensor;
  }
}

Tensor.prototype.softmax = function (this: Tensor, dim: number, options: { dtype?: DType | null } = {}) {
  return softmaxOp(this, dim, options.dtype ?? null, false);
};
Tensor.prototype.log_softmax = function (this: Tensor, dim: number, options: { dtype?: DType | null } = {}) {
  return softmaxOp(this, dim, options.dtype ?? null, true);
};
