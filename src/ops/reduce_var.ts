/**
 * Spread reductions: `var`, `std`, `var_mean`, `std_mean`, with PyTorch 2.x's signature
 * `var(input, dim?, { correction = 1, keepdim = false })` and the older `unbiased` flag.
 *
 * The forward runs in binary64 (mean first, then the squared deviations), as accurate as
 * PyTorch's double-accumulating Welford pass; the gradients are PyTorch's var_backward and
 * std_backward formulas, written with ops.
 */

import { Tensor } from "../tensor/tensor.js";
import { float64 } from "../tensor/dtype.js";
import { record } from "../autograd/graph.js";
import { no_grad } from "../autograd/grad_mode.js";
import { RuntimeError } from "../errors.js";
import { where } from "./where.js";
import { reduceDims, reducedCount, unsqueezeReduced, type DimArg } from "./reduce.js";

export interface VarOptions {
  /** Subtracted from N in the divisor: 1 (Bessel's correction) by default, 0 for the population variance. */
  correction?: number;
  keepdim?: boolean;
  /** The pre-2.0 spelling: `unbiased: false` is `correction: 0`. */
  unbiased?: boolean;
}

interface Spread {
  dims: number[];
  /** Whether a dim was given (PyTorch's backward differs when it was not). */
  hasDim: boolean;
  keepdim: boolean;
  correction: number;
}

/** Reads `(dim?, options?)`, where dim may also be the legacy `unbiased` boolean or the options. */
function spreadArgs(fn: string, t: Tensor, dim: DimArg | boolean | VarOptions, options: VarOptions): Spread {
  if (typeof dim === "boolean") [dim, options] = [undefined, { ...options, unbiased: dim }];
  else if (typeof dim === "object" && dim !== null && !Array.isArray(dim)) [dim, options] = [undefined, dim as VarOptions];
  if (!t.dtype.is_floating_point) throw new RuntimeError("std and var only support floating point and complex dtypes");
  if (options.unbiased !== undefined && options.correction !== undefined) {
    throw new TypeError(`${fn}() received an invalid combination of arguments - got both 'unbiased' and 'correction'`);
  }
  const correction = options.correction ?? (options.unbiased === false ? 0 : 1);
  const d = dim as DimArg;
  const hasDim = d !== undefined && d !== null && t.ndim > 0;
  return { dims: reduceDims(t, d), hasDim, keepdim: options.keepdim ?? false, correction };
}

/**
 * The variance (or, with `root`, the standard deviation) and the mean of `t` over `dims`,
 * computed in binary64 and returned in t's dtype.
 */
function spreadAndMean(t: Tensor, s: Spread, root: boolean): [Tensor, Tensor] {
  return no_grad(() => {
    const x = t.to(float64);
    const m = x.mean(s.dims, { keepdim: true });
    const dev = x.sub(m);
    const dof = Math.max(0, reducedCount(t._shape, s.dims) - s.correction);
    let v = dev.mul(dev).sum(s.dims, { keepdim: s.keepdim }).div(dof);
    if (root) v = v.sqrt();
    const meanOut = s.keepdim ? m : new Tensor(m._storage, v._shape);
    return [v.to(t.dtype), meanOut.to(t.dtype)];
  });
}

/**
 * d var / d x: `2 / (N - correction) · grad · (x - mean)`. Without a dim and with no degrees of
 * freedom left, PyTorch gives NaN where x equals the mean and infinity elsewhere.
 */
function varBackward(g: Tensor, x: Tensor, s: Spread): Tensor {
  const n = reducedCount(x._shape, s.dims);
  if (!s.hasDim) {
    const dof = n - s.correction;
    if (dof <= 0) return g.mul(where(x.eq(x.mean()), NaN, Infinity));
    return g.mul(2 / dof).mul(x.sub(x.mean()));
  }
  const gk = unsqueezeReduced(g, x._shape, s.dims, s.keepdim);
  return gk.mul(2 / (n - s.correction)).mul(x.sub(x.mean(s.dims, { keepdim: true })));
}

/** d std / d x = d var / d x scaled by `1 / (2 std)`, zero where std is zero. */
function stdBackward(g: Tensor, std: Tensor, x: Tensor, s: Spread): Tensor {
  return varBackward(g.div(std.mul(2)).masked_fill(std.eq(0), 0), x, s);
}

function meanBackward(g: Tensor, x: Tensor, s: Spread): Tensor {
  const n = reducedCount(x._shape, s.dims);
  return unsqueezeReduced(g, x._shape, s.dims, s.keepdim).expand(x._shape).div(n);
}

/**
 * `torch.var(input, dim?, { correction = 1, keepdim = false })`: the variance over `dim` (all
 * elements when omitted),
 *
 *     var = Σ (x_i - mean)² / max(0, N - correction)
 *
 * `correction = 1` is the unbiased sample variance, `0` the population variance; the legacy
 * `{ unbiased: false }` (or a boolean in dim's place) means `correction = 0`.
 *
 * ```ts
 * torch.tensor([1, 2, 3, 4], { dtype: torch.float32 }).var()                    // tensor(1.6667)
 * torch.var(x, 1, { correction: 0, keepdim: true })
 * ```
 */
export function var_(t: Tensor, dim?: DimArg | boolean | VarOptions, options: VarOptions = {}): Tensor {
  const s = spreadArgs("var", t, dim, options);
  const [v] = spreadAndMean(t, s, false);
  return record("VarBackward0", [t], v, ([g], [x]) => [varBackward(g!, x!, s)], [t]);
}

/** `torch.std(input, dim?, { correction = 1, keepdim = false })`: the square root of {@link var_}. */
export function std(t: Tensor, dim?: DimArg | boolean | VarOptions, options: VarOptions = {}): Tensor {
  const s = spreadArgs("std", t, dim, options);
  const [out] = spreadAndMean(t, s, true);
  return record("StdBackward0", [t], out, ([g], [x, result]) => [stdBackward(g!, result!, x!, s)], [t, out]);
}

/**
 * `torch.var_mean(input, dim?, { correction = 1, keepdim = false })`: `[var, mean]` in one pass,
 * as a two-element array (PyTorch returns a tuple).
 */
export function var_mean(t: Tensor, dim?: DimArg | boolean | VarOptions, options: VarOptions = {}): [Tensor, Tensor] {
  const s = spreadArgs("var_mean", t, dim, options);
  const [v, m] = spreadAndMean(t, s, false);
  record("VarMeanBackward0", [t], [v, m], ([gv, gm], [x]) => [varBackward(gv!, x!, s).add(meanBackward(gm!, x!, s))], [t]);
  return [v, m];
}

/** `torch.std_mean(input, dim?, { correction = 1, keepdim = false })`: `[std, mean]`. */
export function std_mean(t: Tensor, dim?: DimArg | boolean | VarOptions, options: VarOptions = {}): [Tensor, Tensor] {
  const s = spreadArgs("std_mean", t, dim, options);
  const [sd, m] = spreadAndMean(t, s, true);
  record("StdMeanBackward0", [t], [sd, m], ([gs, gm], [x, result]) => [
    stdBackward(gs!, result!, x!, s).add(meanBackward(gm!, x!, s)),
  ], [t, sd]);
  return [sd, m];
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    var(dim?: DimArg | boolean | VarOptions, options?: VarOptions): Tensor;
    std(dim?: DimArg | boolean | VarOptions, options?: VarOptions): Tensor;
  }
}

const P = Tensor.prototype;
P.var = function (dim, options) { return var_(this, dim, options); };
P.std = function (dim, options) { return std(this, dim, options); };
