/**
 * Layer normalisation: `nn.LayerNorm` and `F.layer_norm` (ATen's `native_layer_norm`, node
 * `NativeLayerNormBackward0`).
 */

import { Tensor } from "../tensor/tensor.js";
import { empty } from "../tensor/creation.js";
import type { DType } from "../tensor/dtype.js";
import type { device } from "../tensor/device.js";
import { record } from "../autograd/graph.js";
import { is_grad_enabled, no_grad } from "../autograd/grad_mode.js";
import { RuntimeError } from "../errors.js";
import { var_mean } from "../ops/reduce_var.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";
import * as init from "./init.js";
import { pyBool, pyFloat, pyTuple, shapeText } from "./pyformat.js";

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** `_check_layer_norm_inputs`, in ATen's order and words. */
function checkInputs(input: Tensor, shape: number[], weight: Tensor | null, bias: Tensor | null): void {
  if (shape.length < 1) {
    throw new RuntimeError(
      "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, " +
        `but got normalized_shape = ${shapeText(shape)}`,
    );
  }
  if (weight !== null && !sameShape(weight._shape, shape)) {
    throw new RuntimeError(
      `Expected weight to be of same shape as normalized_shape, but got weight of shape ${shapeText(weight._shape)} ` +
        `and normalized_shape = ${shapeText(shape)}`,
    );
  }
  if (bias !== null && !sameShape(bias._shape, shape)) {
    throw new RuntimeError(
      `Expected bias to be of same shape as normalized_shape, but got bias of shape ${shapeText(bias._shape)} ` +
        `and normalized_shape = ${shapeText(shape)}`,
    );
  }
  const n = input.ndim;
  if (n < shape.length || !sameShape(input._shape.slice(n - shape.length), shape)) {
    throw new RuntimeError(
      `Given normalized_shape=${shapeText(shape)}, expected input with shape [*${shape.map((s) => `, ${s}`).join("")}], ` +
        `but got input of size${shapeText(input._shape)}`,
    );
  }
}

export interface LayerNormFunctionalOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Added to the variance for numerical stability (default 1e-5). */
  eps?: number;
}

/**
 * Applies layer normalisation over the last dimensions, those of `normalized_shape`:
 *
 *     y = (x − E[x]) / √(Var[x] + ε) · weight + bias
 *
 * with the mean and the biased variance (divisor N) taken over the normalised dimensions.
 *
 * Args:
 *   input: (*, normalized_shape[0], ..., normalized_shape[-1]).
 *   normalized_shape: an int or the sizes of the trailing dims to normalise over.
 *   weight, bias: optional, of shape normalized_shape (positional, or in an options object
 *     `{ weight, bias, eps }` in their place).
 *   eps: added to the variance (default 1e-5).
 *
 * Node `NativeLayerNormBackward0`.
 *
 * ```ts
 * F.layer_norm(x, [10]);
 * F.layer_norm(x, 10, { weight: w, bias: b, eps: 1e-6 });
 * ```
 */
export function layer_norm(
  input: Tensor,
  normalized_shape: number | readonly number[],
  weight: Tensor | null | LayerNormFunctionalOptions = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  let w: Tensor | null;
  if (weight !== null && !(weight instanceof Tensor)) {
    w = weight.weight ?? null;
    bias = weight.bias ?? null;
    eps = weight.eps ?? 1e-5;
  } else {
    w = weight;
  }
  const shape = typeof normalized_shape === "number" ? [normalized_shape] : [...normalized_shape];
  checkInputs(input, shape, w, bias);
  const dims = shape.map((_, i) => input.ndim - shape.length + i);
  const batchDims = [...Array(input.ndim - shape.length).keys()];
  const [out, mean, rstd] = no_grad(() => {
    const [v, m] = var_mean(input, dims, { correction: 0, keepdim: true });
    const r = v.add(eps).rsqrt();
    let y = input.sub(m).mul(r);
    if (w !== null) y = y.mul(w);
    if (bias !== null) y = y.add(bias);
    return [y, m, r];
  });
  const b = bias;
  return record("NativeLayerNormBackward0", [input, w, b], out, ([g], saved) => {
    const x = saved[0]!;
    const sw = w !== null ? saved[1]! : null;
    // With create_graph the statistics are recomputed from x, so that the double backward sees
    // their dependence on x; otherwise the forward's are reused.
    let m = mean;
    let r = rstd;
    if (is_grad_enabled()) {
      const [v, mm] = var_mean(x, dims, { correction: 0, keepdim: true });
      m = mm;
      r = v.add(eps).rsqrt();
    }
    const xhat = x.sub(m).mul(r);
    const gw = sw !== null ? g!.mul(sw) : g!;
    const gradInput = input.requires_grad
      ? r.mul(gw.sub(gw.mean(dims, { keepdim: true })).sub(xhat.mul(gw.mul(xhat).mean(dims, { keepdim: true }))))
      : null;
    const gradWeight = w !== null && w.requires_grad ? sumOver(g!.mul(xhat), batchDims) : null;
    const gradBias = b !== null && b.requires_grad ? sumOver(g!, batchDims) : null;
    return [gradInput, gradWeight, gradBias];
  }, w !== null ? [input, w] : [input]);
}

function sumOver(t: Tensor, dims: number[]): Tensor {
  return dims.length === 0 ? t : t.sum(dims);
}

export interface LayerNormOptions {
  /** Added to the denominator for numerical stability (default 1e-5). */
  eps?: number;
  /** Learnable per-element weight (ones) and bias (zeros) (default true). */
  elementwise_affine?: boolean;
  /** With elementwise_affine, whether to learn the bias too (default true). */
  bias?: boolean;
  device?: string | device;
  dtype?: DType;
}

/**
 * Applies Layer Normalization over a mini-batch of inputs, as in "Layer Normalization"
 * (Ba et al., 2016):
 *
 *     y = (x − E[x]) / √(Var[x] + ε) · γ + β
 *
 * The mean and standard deviation are computed over the last D dimensions, D the length of
 * `normalized_shape`; γ and β are learnable affine parameters of shape normalized_shape when
 * `elementwise_affine` is true. The variance is the biased estimator (divisor N).
 *
 * Args:
 *   normalized_shape: an int (the last dimension) or the trailing sizes to normalise over.
 *   options.eps: a value added to the denominator for numerical stability (default 1e-5).
 *   options.elementwise_affine: learnable per-element affine parameters, weight initialised
 *     to ones and bias to zeros (default true).
 *   options.bias: if false, no bias is learned (default true; needs elementwise_affine).
 *
 * Shapes: input (N, *), output (N, *), the same shape.
 *
 * ```ts
 * const layerNorm = new nn.LayerNorm(10);
 * layerNorm(torch.randn(20, 5, 10)).shape   // torch.Size([20, 5, 10])
 * String(layerNorm)                          // "LayerNorm((10,), eps=1e-05, elementwise_affine=True)"
 * ```
 */
export class LayerNorm extends Module {
  declare normalized_shape: number[];
  declare eps: number;
  declare elementwise_affine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;

  constructor(normalized_shape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    const { eps = 1e-5, elementwise_affine = true, bias = true, device, dtype } = options;
    this.normalized_shape = typeof normalized_shape === "number" ? [normalized_shape] : [...normalized_shape];
    this.eps = eps;
    this.elementwise_affine = elementwise_affine;
    if (elementwise_affine) {
      this.weight = new Parameter(empty(this.normalized_shape, { device, dtype }));
      if (bias) this.bias = new Parameter(empty(this.normalized_shape, { device, dtype }));
      else this.register_parameter("bias", null);
    } else {
      this.register_parameter("weight", null);
      this.register_parameter("bias", null);
    }
    this.reset_parameters();
  }

  /** weight to ones, bias to zeros. */
  reset_parameters(): void {
    if (this.elementwise_affine) {
      init.ones_(this.weight!);
      if (this.bias !== null) init.zeros_(this.bias);
    }
  }

  override forward(input: Tensor): Tensor {
    return layer_norm(input, this.normalized_shape, this.weight, this.bias, this.eps);
  }

  override extra_repr(): string {
    return `${pyTuple(this.normalized_shape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwise_affine)}`;
  }
}
