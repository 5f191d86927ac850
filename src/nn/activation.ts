/**
 * The activation layers: `nn.ReLU`, `nn.LeakyReLU`, `nn.GELU`, `nn.SiLU`, `nn.Sigmoid`,
 * `nn.Tanh`, `nn.Softmax`, `nn.LogSoftmax`. Each forwards to its `F.` function
 * (functional_activation.ts) and prints PyTorch's extra_repr.
 */

import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";
import * as F from "./functional_activation.js";
import { pyFloat } from "./pyformat.js";

function inplaceOf(options: boolean | { inplace?: boolean }): boolean {
  return typeof options === "boolean" ? options : (options.inplace ?? false);
}

/**
 * Applies the rectified linear unit function element-wise: ReLU(x) = max(0, x).
 *
 * Args:
 *   inplace: can optionally do the operation in-place (default false); a boolean or
 *     `{ inplace }`.
 *
 * Shapes: input (*), output (*), the same shape.
 *
 * ```ts
 * const m = new nn.ReLU();
 * const output = m(torch.randn(2));
 * ```
 */
export class ReLU extends Module {
  declare inplace: boolean;

  constructor(inplace: boolean | { inplace?: boolean } = false) {
    super();
    this.inplace = inplaceOf(inplace);
  }

  override forward(input: Tensor): Tensor {
    return F.relu(input, { inplace: this.inplace });
  }

  override extra_repr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

/**
 * Applies element-wise LeakyReLU(x) = max(0, x) + negative_slope · min(0, x).
 *
 * Args:
 *   negative_slope: the slope of the negative part (default 0.01); or the options object.
 *   inplace: can optionally do the operation in-place (default false).
 *
 * ```ts
 * const m = new nn.LeakyReLU(0.1);
 * String(m)   // "LeakyReLU(negative_slope=0.1)"
 * ```
 */
export class LeakyReLU extends Module {
  declare negative_slope: number;
  declare inplace: boolean;

  constructor(negative_slope: number | { negative_slope?: number; inplace?: boolean } = 0.01, inplace = false) {
    super();
    const opts = typeof negative_slope === "object" ? negative_slope : { negative_slope, inplace };
    this.negative_slope = opts.negative_slope ?? 0.01;
    this.inplace = opts.inplace ?? false;
  }

  override forward(input: Tensor): Tensor {
    return F.leaky_relu(input, this.negative_slope, { inplace: this.inplace });
  }

  override extra_repr(): string {
    return `negative_slope=${pyFloat(this.negative_slope)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/**
 * Applies the Gaussian Error Linear Units function, GELU(x) = x · Φ(x), Φ the standard normal
 * CDF; with `approximate = "tanh"`, GELU(x) ≈ ½ x (1 + tanh(√(2/π) (x + 0.044715 x³))).
 *
 * Args:
 *   approximate: "none" (default) or "tanh"; or `{ approximate }`. Checked when called, as in
 *     PyTorch.
 *
 * ```ts
 * const m = new nn.GELU("tanh");
 * String(m)   // "GELU(approximate='tanh')"
 * ```
 */
export class GELU extends Module {
  declare approximate: F.GeluApproximate;

  constructor(approximate: F.GeluApproximate | { approximate?: F.GeluApproximate } = "none") {
    super();
    this.approximate = typeof approximate === "string" ? approximate : (approximate.approximate ?? "none");
  }

  override forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }

  override extra_repr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/**
 * Applies the Sigmoid Linear Unit (SiLU) function element-wise, silu(x) = x · σ(x) (the
 * "swish").
 *
 * Args:
 *   inplace: can optionally do the operation in-place (default false).
 */
export class SiLU extends Module {
  declare inplace: boolean;

  constructor(inplace: boolean | { inplace?: boolean } = false) {
    super();
    this.inplace = inplaceOf(inplace);
  }

  override forward(input: Tensor): Tensor {
    return F.silu(input, { inplace: this.inplace });
  }

  override extra_repr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

/** Applies element-wise σ(x) = 1 / (1 + exp(−x)). */
export class Sigmoid extends Module {
  override forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

/** Applies element-wise tanh(x) = (exp(x) − exp(−x)) / (exp(x) + exp(−x)). */
export class Tanh extends Module {
  override forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

function dimOf(dim: number | null | { dim?: number | null }): number | null {
  return typeof dim === "object" && dim !== null ? (dim.dim ?? null) : dim;
}

/**
 * Applies the softmax function to an n-dimensional input, rescaling it so that the elements
 * along `dim` lie in [0, 1] and sum to 1: softmax(x)_i = exp(x_i) / Σ_j exp(x_j).
 *
 * Args:
 *   dim: the dimension along which softmax is computed; or `{ dim }`. Left out (null), the
 *     deprecated implicit choice applies at every call, with PyTorch's warning.
 *
 * Shapes: input (*), output (*), the same shape, values in [0, 1].
 *
 * ```ts
 * const m = new nn.Softmax(1);
 * m(torch.randn(2, 3)).sum(1)   // tensor([1., 1.])
 * ```
 */
export class Softmax extends Module {
  declare dim: number | null;

  constructor(dim: number | null | { dim?: number | null } = null) {
    super();
    this.dim = dimOf(dim);
  }

  override forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim);
  }

  override extra_repr(): string {
    return `dim=${this.dim === null ? "None" : this.dim}`;
  }
}

/**
 * Applies log(softmax(x)) along `dim`: LogSoftmax(x)_i = x_i − log Σ_j exp(x_j).
 *
 * Args:
 *   dim: the dimension along which LogSoftmax is computed; or `{ dim }`.
 *
 * Shapes: input (*), output (*), values in [−inf, 0).
 */
export class LogSoftmax extends Module {
  declare dim: number | null;

  constructor(dim: number | null | { dim?: number | null } = null) {
    super();
    this.dim = dimOf(dim);
  }

  override forward(input: Tensor): Tensor {
    return F.log_softmax(input, this.dim);
  }

  override extra_repr(): string {
    return `dim=${this.dim === null ? "None" : this.dim}`;
  }
}
