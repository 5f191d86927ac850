/**
 * Selection ops: `where`, `masked_fill`, `clamp` (and `clamp_min`, `clamp_max`), plus the
 * in-place fills `fill_` and `zero_`.
 */

import { Tensor, type Scalar } from "../tensor/tensor.js";
import { bool } from "../tensor/dtype.js";
import { needsGrad, record } from "../autograd/graph.js";
import { RuntimeError } from "../errors.js";
import { no_grad } from "../autograd/grad_mode.js";
import { zeros_like } from "../tensor/creation.js";
import { encodeScalar } from "../tensor/creation.js";
import {
  asTensor, broadcastAll, expandedView, floatValues, hasInternalOverlap, inplace, isScalar, newTensor, resultType,
  sameView, sumToShape, writeInPlace, type TensorOrScalar,
} from "./common.js";
import { expandsTo } from "../tensor/shape.js";
import { applyInplace } from "./arithmetic.js";
import { warn } from "../warnings.js";

/**
 * `torch.where(condition, input, other)`: input where condition holds, other elsewhere, all
 * three broadcast together. `torch.where(condition)` alone is `nonzero(as_tuple=True)` and is
 * not provided.
 */
export function where(condition: Tensor, input: TensorOrScalar, other: TensorOrScalar): Tensor {
  if (condition.dtype !== bool) {
    throw new RuntimeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${condition.dtype.scalarTypeName}`);
  }
  const dtype = resultType(input, other);
  const x = asTensor(input, dtype);
  const y = asTensor(other, dtype);
  const shape = broadcastAll(condition, x, y);
  const out = newTensor(shape, dtype);
  out._storage.backend.where(out._view, expandedView(condition, shape), expandedView(x, shape), expandedView(y, shape));
  const [xs, ys] = [x._shape, y._shape];
  return record("WhereBackward0", [x, y], out, ([g], [c]) => [
    sumToShape(where(c!, g!, 0), xs),
    sumToShape(where(c!, 0, g!), ys),
  ], [condition]);
}

/** `t.masked_fill(mask, value)`: value where mask (broadcast to t's shape) is true. */
export function masked_fill(t: Tensor, mask: Tensor, value: Scalar | Tensor): Tensor {
  if (mask.dtype !== bool) {
    throw new RuntimeError(`masked_fill_ only supports boolean masks, but got mask with dtype ${mask.dtype.scalarTypeName}`);
  }
  if (value instanceof Tensor && value.ndim !== 0) {
    throw new RuntimeError(
      `masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.ndim} dimension(s).`,
    );
  }
  const shape = broadcastAll(t, mask);
  if (shape.length !== t.ndim || shape.some((s, i) => s !== t._shape[i])) {
    throw new RuntimeError(`The expanded size of the mask must match the existing size of the tensor`);
  }
  const fill = asTensor(value instanceof Tensor ? value : isScalar(value) ? value : 0, t.dtype);
  const out = newTensor(shape, t.dtype);
  out._storage.backend.where(out._view, expandedView(mask, shape), expandedView(fill, shape), t._view);
  return record("MaskedFillBackward0", [t, value instanceof Tensor ? fill : null], out, ([g], [m]) => [
    g!.masked_fill(m!, 0),
    value instanceof Tensor ? where(m!, g!, 0).sum() : null,
  ], [mask]);
}

/**
 * `torch.clamp(input, min, max)`: each element limited to [min, max]; either bound may be
 * omitted (null) or a tensor. NaN stays NaN. If min > max every element becomes max.
 */
export function clamp(t: Tensor, min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor {
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  }
  const dtype = resultType(t, ...[min, max].filter((b): b is TensorOrScalar => b !== undefined && b !== null));
  const x = asTensor(t, dtype);
  const lo = min === undefined || min === null ? null : asTensor(min, dtype);
  const hi = max === undefined || max === null ? null : asTensor(max, dtype);
  const shape = broadcastAll(...[x, lo, hi].filter((b): b is Tensor => b !== null));
  let out = newTensor(shape, dtype);
  const src = numberBounds(min, max) ? floatValues(x) : null;
  const dst = src === null ? null : floatValues(out);
  if (src !== null && dst !== null) {
    clampLoop(src, dst, min as number | null | undefined, max as number | null | undefined);
  } else {
    out._storage.backend.copy(out._view, expandedView(x, shape));
    clampPasses(out, lo, hi);
  }
  const tensorBounds = min instanceof Tensor || max instanceof Tensor;
  const xs = x._shape;
  out = record(tensorBounds ? "ClampBackward0" : "ClampBackward1", [x, lo, hi], out, ([g], [sx]) => {
    let inside = lo ? sx!.ge(lo) : null;
    if (hi) inside = inside ? inside.logical_and(sx!.le(hi)) : sx!.le(hi);
    const gx = sumToShape(where(inside!, g!, 0), xs);
    return [
      gx,
      lo && lo.requires_grad ? sumToShape(where(sx!.lt(lo), g!, 0), lo._shape) : null,
      hi && hi.requires_grad ? sumToShape(where(sx!.gt(hi), g!, 0), hi._shape) : null,
    ];
  }, [x]);
  return out;
}

export const clip = clamp;

/**
 * clamp's general form, in place on `out`: min(max(out, lo), hi) as PyTorch's kernel takes it,
 * out itself on ties (so -0 stays -0) and NaN kept, which is what "replace where out < lo, then
 * where out > hi" gives. The bounds have out's dtype and broadcast to its shape.
 */
function clampPasses(out: Tensor, lo: Tensor | null, hi: Tensor | null): void {
  const backend = out._storage.backend;
  const mask = newTensor(out._shape, bool);
  for (const [bound, op] of [[lo, "lt"], [hi, "gt"]] as const) {
    if (!bound) continue;
    const view = expandedView(bound, out._shape);
    backend.binary(op, mask._view, out._view, view);
    backend.where(out._view, mask._view, view, out._view);
  }
}

/** Both bounds numbers (or absent): clamp's one-pass loop can take a dense floating tensor. */
const numberBounds = (min: TensorOrScalar | null | undefined, max: TensorOrScalar | null | undefined): boolean =>
  (min === undefined || min === null || typeof min === "number") && (max === undefined || max === null || typeof max === "number");

/**
 * clamp over dense values in one pass, `src` into `dst` (which may be `src`): the two passes of
 * the general path in one, in their order (below lo: lo; then above hi: hi, so hi wins when
 * lo > hi), x itself on ties and NaN kept. The bounds are rounded to float32 for a float32
 * array first, as clamp's bound tensors are, so the comparisons are the same.
 */
function clampLoop(src: Float32Array | Float64Array, dst: Float32Array | Float64Array, min: number | null | undefined, max: number | null | undefined): void {
  const f32 = src instanceof Float32Array;
  const lo = min === undefined || min === null ? -Infinity : f32 ? Math.fround(min) : min;
  const hi = max === undefined || max === null ? Infinity : f32 ? Math.fround(max) : max;
  // An absent bound compares false against everything, as no pass at all; NaN bounds too.
  const hasLo = min !== undefined && min !== null;
  const hasHi = max !== undefined && max !== null;
  for (let i = 0; i < src.length; i++) {
    let v = src[i]!;
    if (hasLo && v < lo) v = lo;
    if (hasHi && v > hi) v = hi;
    dst[i] = v;
  }
}

/**
 * clamp_ with clamp's passes (clampLoop, or clampPasses) run on t itself instead of on a copy that
 * is then copied back, when nothing needs a gradient, t is floating, the bounds are numbers or
 * tensors that broadcast to t's shape without sharing its storage (unless as t's very view), and
 * the result keeps t's dtype; the same kernels on the same values, so the same bits. Null where
 * the general path must run (its errors included).
 */
function directClamp(t: Tensor, min: TensorOrScalar | null | undefined, max: TensorOrScalar | null | undefined): Tensor | null {
  const bounds = [min, max].filter((b): b is TensorOrScalar => b !== undefined && b !== null);
  if (bounds.length === 0 || !t.dtype.is_floating_point || needsGrad(t)) return null;
  for (const b of bounds) {
    if (b instanceof Tensor) {
      if (b.requires_grad || (b._storage === t._storage && !sameView(t, b)) || !expandsTo(b._shape, t._shape)) return null;
    } else if (typeof b !== "number") {
      return null;
    }
  }
  if (resultType(t, ...bounds) !== t.dtype) return null;
  return writeInPlace(t, () => {
    const values = numberBounds(min, max) ? floatValues(t) : null;
    if (values !== null) return clampLoop(values, values, min as number | null | undefined, max as number | null | undefined);
    const bound = (b: TensorOrScalar | null | undefined) => (b === undefined || b === null ? null : asTensor(b, t.dtype));
    clampPasses(t, bound(min), bound(max));
  });
}

export function clamp_min(t: Tensor, min: TensorOrScalar): Tensor {
  return clamp(t, min, null);
}

export function clamp_max(t: Tensor, max: TensorOrScalar): Tensor {
  return clamp(t, null, max);
}

/** `t.fill_(value)`: every element set to value; the gradient to t's old values is zero. */
export function fill_(t: Tensor, value: Scalar | Tensor, name = "FillBackward2"): Tensor {
  if (value instanceof Tensor) {
    if (value.ndim !== 0) {
      throw new RuntimeError(`fill_ only supports 0-dimension value tensor but got tensor with ${value.ndim} dimensions.`);
    }
    // The new values come from `value`: its gradient is the sum of t's (PyTorch's FillBackward3).
    const v = value;
    const filled = record("FillBackward3", [t, v], no_grad(() => v.to(t.dtype).expand(t._shape).clone()), ([g]) => [
      zeros_like(g!),
      v.requires_grad ? g!.sum().to(v.dtype) : null,
    ]);
    return applyInplace(t, () => filled, { selfOverlapOk: true });
  }
  inplace(t, () => t._storage.backend.fill(t._view, encodeScalar(value, t.dtype)));
  if (t.requires_grad && !t.is_leaf) {
    record(name, [t], t, ([g]) => [zeros_like(g!)]);
  }
  return t;
}

/** `t.zero_()`: fills with zeros (PyTorch's ZeroBackward0 node). */
export function zero_(t: Tensor): Tensor {
  return fill_(t, 0, "ZeroBackward0");
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    /** `x.where(condition, y)`: PyTorch's method form of `torch.where(condition, x, y)`. */
    where(condition: Tensor, other: TensorOrScalar): Tensor;
    masked_fill(mask: Tensor, value: Scalar | Tensor): Tensor;
    masked_fill_(mask: Tensor, value: Scalar | Tensor): Tensor;
    clamp(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor;
    clamp_(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor;
    clip(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor;
    clip_(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor;
    clamp_min(min: TensorOrScalar): Tensor;
    clamp_min_(min: TensorOrScalar): Tensor;
    clamp_max(max: TensorOrScalar): Tensor;
    clamp_max_(max: TensorOrScalar): Tensor;
    fill_(value: Scalar | Tensor): Tensor;
    zero_(): Tensor;
  }
}

const P = Tensor.prototype;
P.where = function (condition, other) { return where(condition, this, other); };
P.masked_fill = function (mask, value) { return masked_fill(this, mask, value); };
P.masked_fill_ = function (mask, value) {
  // Deprecated rather than refused, as in PyTorch (a TORCH_WARN, once per message in Python).
  if (hasInternalOverlap(this)) {
    warn(
      "Use of masked_fill_ on expanded tensors is deprecated. Please clone() the tensor before performing this " +
        "operation. This also applies to advanced indexing e.g. tensor[mask] = scalar",
    );
  }
  return applyInplace(this, () => masked_fill(this, mask, value), { selfOverlapOk: true });
};
P.clamp = function (min, max) { return clamp(this, min, max); };
P.clamp_ = function (min, max) { return directClamp(this, min, max) ?? applyInplace(this, () => clamp(this, min, max), { inputs: [min, max] }); };
P.clip = P.clamp;
P.clip_ = P.clamp_;
P.clamp_min = function (min) { return clamp(this, min, null); };
P.clamp_min_ = function (min) { return directClamp(this, min, null) ?? applyInplace(this, () => clamp(this, min, null), { inputs: [min] }); };
P.clamp_max = function (max) { return clamp(this, null, max); };
P.clamp_max_ = function (max) { return directClamp(this, null, max) ?? applyInplace(this, () => clamp(this, null, max), { inputs: [max] }); };
P.fill_ = function (value) { return fill_(this, value); };
P.zero_ = function () { return zero_(this); };
