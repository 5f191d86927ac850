/**
 * Binary elementwise ops with broadcasting and type promotion: arithmetic (`add`, `sub`, `mul`,
 * `div`, `floor_divide`, `remainder`, `fmod`, `pow`, `atan2`, `maximum`, `minimum`), comparisons
 * and logical/bitwise ops, their in-place `_` variants, and their gradients.
 */

import { Tensor, type Scalar } from "../tensor/tensor.js";
import type { BinaryOp } from "../backend/backend.js";
import { bool, DType, get_default_dtype } from "../tensor/dtype.js";
import { expandsTo } from "../tensor/shape.js";
import { needsGrad, record } from "../autograd/graph.js";
import { RuntimeError } from "../errors.js";
import { no_grad } from "../autograd/grad_mode.js";
import { zeros } from "../tensor/creation.js";
import { where } from "./where.js";
import {
  asTensor, broadcastAll, checkInplaceDtype, checkInplaceLeaf, checkNoInternalOverlap, checkNoPartialOverlap, expandedView, inplace,
  newOutput, newTensor, provablyDistinct, resultType, sameView, sumToShape, writeInPlace,
  type TensorOrScalar,
} from "./common.js";

/** Runs a binary kernel: both operands cast to `compute`, broadcast, into a new `out` tensor. */
function runBinary(op: BinaryOp, a: Tensor, b: Tensor, outDtype: DType): Tensor {
  const shape = broadcastAll(a, b);
  const out = newOutput(shape, outDtype);
  out._storage.backend.binary(op, out._view, expandedView(a, shape), expandedView(b, shape));
  return out;
}

/** The two operands as tensors of the promoted dtype (or of `force` when given). */
function operands(a: TensorOrScalar, b: TensorOrScalar, force?: DType): [Tensor, Tensor, DType] {
  const dtype = force ?? resultType(a, b);
  return [asTensor(a, dtype), asTensor(b, dtype), dtype];
}

function floatOf(d: DType): DType {
  return d.is_floating_point ? d : get_default_dtype();
}

/** PyTorch has no bool kernel for these; the message names its CPU kernel. */
function refuseBool(kernel: string, dtype: DType): void {
  if (dtype === bool) throw new RuntimeError(`"${kernel}" not implemented for 'Bool'`);
}

export interface AlphaOptions {
  alpha?: number;
}

/** `torch.add(input, other, { alpha })`: input + alpha · other. */
export function add(a: TensorOrScalar, b: TensorOrScalar, options?: AlphaOptions): Tensor {
  const alpha = options?.alpha;
  if (alpha !== undefined && alpha !== 1) b = mul(b, alpha);
  const [x, y, dtype] = operands(a, b);
  const out = runBinary("add", x, y, dtype);
  // (Before the node's arguments: its closure and lists were most of a small add's garbage.)
  if (!needsGrad(x, y)) return out;
  const [xs, ys] = [x._shape, y._shape];
  return record("AddBackward0", [x, y], out, ([g]) => [sumToShape(g!, xs), sumToShape(g!, ys)]);
}

/** `torch.sub(input, other, { alpha })`: input - alpha · other. */
export function sub(a: TensorOrScalar, b: TensorOrScalar, options: AlphaOptions = {}): Tensor {
  if (options.alpha !== undefined && options.alpha !== 1) b = mul(b, options.alpha);
  return subtract(a, b, a instanceof Tensor ? "SubBackward0" : "RsubBackward1");
}

/** a - b, recorded as `name` (PyTorch names `2 - t` and `torch.rsub` Rsub nodes). */
function subtract(a: TensorOrScalar, b: TensorOrScalar, name: string): Tensor {
  const [x, y, dtype] = operands(a, b);
  // Checked on the operands' own dtypes (a Python bool scalar counts as a bool tensor).
  const [aBool, bBool] = [a, b].map((v) => (v instanceof Tensor ? v.dtype === bool : typeof v === "boolean"));
  if (aBool && bBool) {
    throw new RuntimeError(
      "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.",
    );
  }
  if (aBool || bBool) {
    throw new RuntimeError(
      "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.",
    );
  }
  const out = runBinary("sub", x, y, dtype);
  if (!needsGrad(x, y)) return out;
  const [xs, ys] = [x._shape, y._shape];
  return record(name, [x, y], out, ([g]) => [sumToShape(g!, xs), sumToShape(g!.neg(), ys)]);
}

/** `torch.rsub(input, other)`: other - input. */
export function rsub(a: Tensor, b: TensorOrScalar, options: AlphaOptions = {}): Tensor {
  const scaled = options.alpha !== undefined && options.alpha !== 1 ? mul(a, options.alpha) : a;
  return subtract(b, scaled, b instanceof Tensor ? "RsubBackward0" : "RsubBackward1");
}

/** `torch.mul(input, other)` */
export function mul(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const [x, y, dtype] = operands(a, b);
  const out = runBinary("mul", x, y, dtype);
  if (!needsGrad(x, y)) return out;
  const [xs, ys] = [x._shape, y._shape];
  const [gx, gy] = [x.requires_grad, y.requires_grad];
  // Save only what a gradient will read, so `t.mul_(2)` leaves nothing stale behind.
  const saved = [gy ? x : null, gx ? y : null].filter((s): s is Tensor => s !== null);
  return record("MulBackward0", [x, y], out, ([g], s) => {
    const sx = gy ? s[0]! : null;
    const sy = gx ? s[gy ? 1 : 0]! : null;
    return [sy ? sumToShape(g!.mul(sy), xs) : null, sx ? sumToShape(g!.mul(sx), ys) : null];
  }, saved);
}

export interface DivOptions {
  rounding_mode?: "trunc" | "floor" | null;
}

/**
 * `torch.div(input, other, { rounding_mode })`: true division (integers give the default float
 * dtype), or rounded with "trunc" or "floor" in the promoted dtype.
 */
export function div(a: TensorOrScalar, b: TensorOrScalar, options: DivOptions = {}): Tensor {
  const mode = options.rounding_mode ?? null;
  if (mode !== null) {
    const [x, y, dtype] = operands(a, b);
    refuseBool(mode === "floor" ? "div_floor_cpu" : "div_trunc_cpu", dtype);
    const out = no_grad(() => (mode === "floor" ? floor_divide(x, y) : truncDivide(x, y, dtype)));
    // A rounded quotient is piecewise constant: PyTorch records DivBackward2 with zero gradients.
    const [xs, ys] = [x._shape, y._shape];
    return record("DivBackward2", [x, y], out, ([g]) => [
      x.requires_grad ? zeros(xs, { dtype: g!.dtype }) : null,
      y.requires_grad ? zeros(ys, { dtype: g!.dtype }) : null,
    ]);
  }
  const [x, y, dtype] = operands(a, b, floatOf(resultType(a, b)));
  const out = runBinary("div", x, y, dtype);
  if (!needsGrad(x, y)) return out;
  const [xs, ys] = [x._shape, y._shape];
  const [gx, gy] = [x.requires_grad, y.requires_grad];
  return record("DivBackward0", [x, y], out, ([g], [sx, sy]) => [
    gx ? sumToShape(g!.div(sy!), xs) : null,
    gy ? sumToShape(g!.neg().mul(sx!).div(sy!.mul(sy!)), ys) : null,
  ], [x, y]);
}

/** x / y rounded toward zero, in x's and y's (common) dtype. */
function truncDivide(x: Tensor, y: Tensor, dtype: DType): Tensor {
  if (dtype.is_floating_point) return runBinary("div", x, y, dtype).trunc();
  const q = runBinary("floor_divide", x, y, dtype);
  const r = runBinary("remainder", x, y, dtype);
  // floor and trunc differ when the remainder is non-zero and the signs differ.
  const signsDiffer = runBinary("lt", x, asTensor(0, dtype), bool).logical_xor(runBinary("lt", y, asTensor(0, dtype), bool));
  const fix = runBinary("ne", r, asTensor(0, dtype), bool).logical_and(signsDiffer);
  return q.add(fix.to(dtype));
}

/** `torch.floor_divide(input, other)`: Python's `//`, rounding toward minus infinity. */
export function floor_divide(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const [x, y, dtype] = operands(a, b);
  refuseBool("div_floor_cpu", dtype);
  return runBinary("floor_divide", x, y, dtype);
}

/** `torch.remainder(input, other)`: Python's `%`; the result has the divisor's sign. */
export function remainder(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const [x, y, dtype] = operands(a, b);
  refuseBool("remainder_cpu", dtype);
  const [xs, ys] = [x._shape, y._shape];
  return record(b instanceof Tensor ? "RemainderBackward1" : "RemainderBackward0", [x, y], runBinary("remainder", x, y, dtype), ([g], [sx, sy]) => [
    sumToShape(g!, xs),
    sumToShape(g!.neg().mul(floor_divide(sx!, sy!)), ys),
  ], [x, y]);
}

/** `torch.fmod(input, other)`: C's fmod; the result has the dividend's sign. */
export function fmod(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const [x, y, dtype] = operands(a, b);
  refuseBool("fmod_cpu", dtype);
  const [xs, ys] = [x._shape, y._shape];
  return record(b instanceof Tensor ? "FmodBackward1" : "FmodBackward0", [x, y], runBinary("fmod", x, y, dtype), ([g], [sx, sy]) => [
    sumToShape(g!, xs),
    sumToShape(g!.neg().mul(sx!.div(sy!).trunc()), ys),
  ], [x, y]);
}

/**
 * A floating tensor to a Python-number power, as PyTorch's pow_tensor_scalar kernel computes it:
 * exponents 2, 3, 0.5, -0.5, -1, -2 by multiplication, sqrt and division in the tensor's dtype
 * (so pow(-inf, 0.5) is NaN, like sqrt); any other exponent in the tensor's dtype, as its
 * vectorized loop does (its scalar tail keeps a float32 tensor's exponent in double, which can
 * move the last bits of up to 15 trailing elements).
 */
function powScalar(x: Tensor, e: number): Tensor {
  const dtype = x.dtype;
  const mulx = (t: Tensor) => runBinary("mul", t, x, dtype);
  const recip = (t: Tensor) => runBinary("div", asTensor(1, dtype), t, dtype);
  switch (e) {
    case 2:
      return mulx(x);
    case 3:
      return mulx(mulx(x));
    case 0.5:
      return x.sqrt();
    case -0.5:
      return x.rsqrt();
    case -1:
      return recip(x);
    case -2:
      return recip(mulx(x));
  }
  return runBinary("pow", x, asTensor(e, dtype), dtype);
}

/** `torch.pow(input, exponent)`: either may be a scalar. */
export function pow(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const [x, y, dtype] = operands(a, b);
  refuseBool("pow", dtype);
  const [xs, ys] = [x._shape, y._shape];
  const [gx, gy] = [x.requires_grad, y.requires_grad];
  const out = typeof b === "number" && dtype.is_floating_point ? no_grad(() => powScalar(x, b)) : runBinary("pow", x, y, dtype);
  const name = !(b instanceof Tensor) ? "PowBackward0" : a instanceof Tensor ? "PowBackward1" : "PowBackward2";
  return record(name, [x, y], out, ([g], [sx, sy, so]) => [
    gx ? sumToShape(g!.mul(sy!).mul(sx!.pow(sy!.sub(1))).masked_fill(sy!.eq(0), 0), xs) : null,
    gy ? sumToShape(g!.mul(so!).mul(sx!.log()).masked_fill(sx!.eq(0).logical_and(sy!.ge(0)), 0), ys) : null,
  ], [x, y, out]);
}

/** `torch.atan2(input, other)`: the angle of (other, input), elementwise. */
export function atan2(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const [x, y, dtype] = operands(a, b, floatOf(resultType(a, b)));
  const [xs, ys] = [x._shape, y._shape];
  return record("Atan2Backward0", [x, y], runBinary("atan2", x, y, dtype), ([g], [sx, sy]) => {
    const r = sx!.square().add(sy!.square());
    return [sumToShape(g!.mul(sy!).div(r), xs), sumToShape(g!.neg().mul(sx!).div(r), ys)];
  }, [x, y]);
}

/** maximum/minimum: NaN propagates; at ties each side gets half the gradient, as PyTorch. */
function extremum(op: "maximum" | "minimum", a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const [x, y, dtype] = operands(a, b);
  const [xs, ys] = [x._shape, y._shape];
  const name = op === "maximum" ? "MaximumBackward0" : "MinimumBackward0";
  return record(name, [x, y], runBinary(op, x, y, dtype), ([g], [sx, sy]) => {
    const xWins = op === "maximum" ? sx!.gt(sy!) : sx!.lt(sy!);
    const tie = sx!.eq(sy!);
    const half = g!.div(2);
    const gradX = where(xWins, g!, where(tie, half, 0));
    const gradY = where(xWins.logical_not().logical_and(tie.logical_not()), g!, where(tie, half, 0));
    return [sumToShape(gradX, xs), sumToShape(gradY, ys)];
  }, [x, y]);
}

export function maximum(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return extremum("maximum", a, b);
}

export function minimum(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return extremum("minimum", a, b);
}

/** Comparisons and logical ops: compared in the promoted dtype, result bool, no gradient. */
function predicate(op: BinaryOp, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const [x, y] = operands(a, b);
  return runBinary(op, x, y, bool);
}

export const eq = (a: TensorOrScalar, b: TensorOrScalar) => predicate("eq", a, b);
export const ne = (a: TensorOrScalar, b: TensorOrScalar) => predicate("ne", a, b);
export const lt = (a: TensorOrScalar, b: TensorOrScalar) => predicate("lt", a, b);
export const le = (a: TensorOrScalar, b: TensorOrScalar) => predicate("le", a, b);
export const gt = (a: TensorOrScalar, b: TensorOrScalar) => predicate("gt", a, b);
export const ge = (a: TensorOrScalar, b: TensorOrScalar) => predicate("ge", a, b);
export const logical_and = (a: TensorOrScalar, b: TensorOrScalar) => predicate("logical_and", a, b);
export const logical_or = (a: TensorOrScalar, b: TensorOrScalar) => predicate("logical_or", a, b);
export const logical_xor = (a: TensorOrScalar, b: TensorOrScalar) => predicate("logical_xor", a, b);

/** Bitwise ops on integer and bool tensors, in the promoted dtype. */
function bitwise(op: BinaryOp, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const [x, y, dtype] = operands(a, b);
  if (dtype.is_floating_point) throw new RuntimeError(`"${op}_cpu" not implemented for '${dtype.scalarTypeName}'`);
  return runBinary(op, x, y, dtype);
}

export const bitwise_and = (a: TensorOrScalar, b: TensorOrScalar) => bitwise("bitwise_and", a, b);
export const bitwise_or = (a: TensorOrScalar, b: TensorOrScalar) => bitwise("bitwise_or", a, b);
export const bitwise_xor = (a: TensorOrScalar, b: TensorOrScalar) => bitwise("bitwise_xor", a, b);

/** `torch.equal(a, b)`: same shape and same values. */
export function equal(a: Tensor, b: Tensor): boolean {
  if (a.ndim !== b.ndim || a._shape.some((s, i) => s !== b._shape[i])) return false;
  return !(eq(a, b).logical_not().any().item() as boolean);
}

/** What `applyInplace` checks of the memory an in-place op writes, beyond t's own grad rules. */
export interface InplaceChecks {
  /** The op's other operands: a tensor among them that partly overlaps t is refused. */
  inputs?: readonly unknown[];
  /** The op accepts a t with elements that share memory (expanded): tril_, masked_fill_, fill_. */
  selfOverlapOk?: boolean;
}

/**
 * Runs an out-of-place op (`compute`) and writes its result into `t`, which then carries the
 * op's node. This is how every `op_` variant is made: PyTorch's semantics (the result is cast to
 * t's dtype, must keep t's shape, and bumps t's version) without a second kernel per op. The
 * checks come in PyTorch's order: the autograd leaf rule, then TensorIterator's memory overlap
 * (before the op's own shape checks), then the result's shape and dtype.
 */
export function applyInplace(t: Tensor, compute: () => Tensor, checks: InplaceChecks = {}): Tensor {
  checkInplaceLeaf(t);
  if (!checks.selfOverlapOk) checkNoInternalOverlap(t);
  for (const input of checks.inputs ?? []) checkNoPartialOverlap(t, input);
  const result = compute();
  if (result.ndim !== t.ndim || result._shape.some((s, i) => s !== t._shape[i])) {
    throw new RuntimeError(
      `output with shape [${t._shape.join(", ")}] doesn't match the broadcast shape [${result._shape.join(", ")}]`,
    );
  }
  checkInplaceDtype(t, result.dtype);
  if (result.requires_grad && t._base && t._base.requires_grad) {
    throw new RuntimeError(
      "torch-ts does not yet rebase the history of a view's base after an in-place op on the view; " +
        "use the out-of-place op or clone() the view first",
    );
  }
  const node = result._gradFn;
  // The op may have saved t itself (sin_, mul_ by a tensor that requires grad): keep a copy of
  // the values about to be overwritten, recorded so that double backward still reaches t.
  if (node) node._keepOriginals(t, (s) => s.clone());
  inplace(t, () => t._storage.backend.copy(t._view, result._view));
  if (node) {
    t._gradFn = node;
    t._outputNr = result._outputNr;
    node._rebindOutput(result, t);
  }
  return t;
}

type Other = TensorOrScalar;

/**
 * `t.add_(o)`, `sub_`, `mul_`, `div_` with the kernel writing into t (common.ts writeInPlace),
 * or null where the general path must run: a floating t, a number or a non-bool tensor `o`
 * that is not in t's storage (unless it is t's very view), nothing that needs a gradient, a
 * promoted dtype that is t's own, and `o` broadcasting to t's shape. Everything else (integer
 * and bool tensors, rounding modes, a result that must be cast or broadcast larger, the
 * errors) goes through applyInplace, out of place and copied back. The values are the same
 * either way: the same kernel on the same operands; only the temporary and the copy are saved.
 */
export function directInplace(op: "add" | "sub" | "mul" | "div", t: Tensor, o: Other): Tensor | null {
  if (!t.dtype.is_floating_point) return null;
  if (o instanceof Tensor) {
    if (o.dtype === bool || (o._storage === t._storage && !sameView(t, o)) || !expandsTo(o._shape, t._shape) || needsGrad(t, o)) return null;
  } else if (typeof o !== "number" || needsGrad(t)) {
    return null;
  }
  if (resultType(t, o) !== t.dtype) return null;
  return writeInPlace(t, () => t._storage.backend.binary(op, t._view, t._view, expandedView(asTensor(o, t.dtype), t._shape)));
}

/** No alpha, or alpha 1: what the direct path of add_ / sub_ takes. */
const plain = (opt?: AlphaOptions) => opt === undefined || opt.alpha === undefined || opt.alpha === 1;

/**
 * The in-place form of a composite whose last step is `t.add(term)` (or `sub`), that step's
 * kernel writing straight into t: add_ / sub_ with an alpha (`p.add_(g, { alpha: -lr })`, whose
 * term is `o · alpha`), addcmul_, addcdiv_, lerp_ (./pointwise.ts). Null where the general path
 * must run: t not floating or possibly sharing memory between its elements (the general path
 * raises PyTorch's overlap error before any shape error the term would), anything needing a
 * gradient, a bool operand, an operand in t's storage other than t's very view (PyTorch checks
 * the operands themselves: the general path raises that overlap error), a null term, or what
 * directInplace declines. `term` is computed from the operands exactly as the out-of-place op
 * computes it, so the bits are that op's.
 */
export function directComposite(
  op: "add" | "sub", t: Tensor, operands: readonly unknown[], term: () => Tensor | null,
): Tensor | null {
  if (!t.dtype.is_floating_point || !provablyDistinct(t) || needsGrad(t)) return null;
  for (const o of operands) {
    if (o instanceof Tensor && (o.requires_grad || o.dtype === bool || (o._storage === t._storage && !sameView(t, o)))) return null;
  }
  const made = no_grad(term);
  return made === null ? null : directInplace(op, t, made);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    add(other: Other, options?: AlphaOptions): Tensor;
    add_(other: Other, options?: AlphaOptions): Tensor;
    sub(other: Other, options?: AlphaOptions): Tensor;
    sub_(other: Other, options?: AlphaOptions): Tensor;
    subtract(other: Other, options?: AlphaOptions): Tensor;
    rsub(other: Other, options?: AlphaOptions): Tensor;
    mul(other: Other): Tensor;
    mul_(other: Other): Tensor;
    multiply(other: Other): Tensor;
    div(other: Other, options?: DivOptions): Tensor;
    div_(other: Other, options?: DivOptions): Tensor;
    divide(other: Other, options?: DivOptions): Tensor;
    true_divide(other: Other): Tensor;
    floor_divide(other: Other): Tensor;
    floor_divide_(other: Other): Tensor;
    remainder(other: Other): Tensor;
    remainder_(other: Other): Tensor;
    fmod(other: Other): Tensor;
    fmod_(other: Other): Tensor;
    pow(exponent: Other): Tensor;
    pow_(exponent: Other): Tensor;
    atan2(other: Other): Tensor;
    atan2_(other: Other): Tensor;
    maximum(other: Other): Tensor;
    minimum(other: Other): Tensor;
    eq(other: Other): Tensor;
    ne(other: Other): Tensor;
    lt(other: Other): Tensor;
    le(other: Other): Tensor;
    gt(other: Other): Tensor;
    ge(other: Other): Tensor;
    greater(other: Other): Tensor;
    greater_equal(other: Other): Tensor;
    less(other: Other): Tensor;
    less_equal(other: Other): Tensor;
    not_equal(other: Other): Tensor;
    logical_and(other: Other): Tensor;
    logical_or(other: Other): Tensor;
    logical_xor(other: Other): Tensor;
    bitwise_and(other: Other): Tensor;
    bitwise_or(other: Other): Tensor;
    bitwise_xor(other: Other): Tensor;
    equal(other: Tensor): boolean;
  }
}

const P = Tensor.prototype;
P.add = function (o, opt) { return add(this, o, opt); };
P.add_ = function (o, opt) {
  const direct = plain(opt) ? directInplace("add", this, o) : directComposite("add", this, [o], () => mul(o, opt!.alpha!));
  return direct || applyInplace(this, () => add(this, o, opt), { inputs: [o] });
};
P.sub = function (o, opt) { return sub(this, o, opt); };
P.sub_ = function (o, opt) {
  const direct = plain(opt) ? directInplace("sub", this, o) : directComposite("sub", this, [o], () => mul(o, opt!.alpha!));
  return direct || applyInplace(this, () => sub(this, o, opt), { inputs: [o] });
};
P.subtract = P.sub;
P.rsub = function (o, opt) { return rsub(this, o, opt); };
P.mul = function (o) { return mul(this, o); };
P.mul_ = function (o) { return directInplace("mul", this, o) ?? applyInplace(this, () => mul(this, o), { inputs: [o] }); };
P.multiply = P.mul;
P.div = function (o, opt) { return div(this, o, opt); };
P.div_ = function (o, opt) { return ((opt === undefined || (opt.rounding_mode ?? null) === null) && directInplace("div", this, o)) || applyInplace(this, () => div(this, o, opt), { inputs: [o] }); };
P.divide = P.div;
P.true_divide = function (o) { return div(this, o); };
P.floor_divide = function (o) { return floor_divide(this, o); };
P.floor_divide_ = function (o) { return applyInplace(this, () => floor_divide(this, o), { inputs: [o] }); };
P.remainder = function (o) { return remainder(this, o); };
P.remainder_ = function (o) { return applyInplace(this, () => remainder(this, o), { inputs: [o] }); };
P.fmod = function (o) { return fmod(this, o); };
P.fmod_ = function (o) { return applyInplace(this, () => fmod(this, o), { inputs: [o] }); };
P.pow = function (o) { return pow(this, o); };
P.pow_ = function (o) { return applyInplace(this, () => pow(this, o), { inputs: [o] }); };
P.atan2 = function (o) { return atan2(this, o); };
P.atan2_ = function (o) { return applyInplace(this, () => atan2(this, o), { inputs: [o] }); };
P.maximum = function (o) { return maximum(this, o); };
P.minimum = function (o) { return minimum(this, o); };
P.eq = function (o) { return eq(this, o); };
P.ne = function (o) { return ne(this, o); };
P.lt = function (o) { return lt(this, o); };
P.le = function (o) { return le(this, o); };
P.gt = function (o) { return gt(this, o); };
P.ge = function (o) { return ge(this, o); };
P.greater = P.gt;
P.greater_equal = P.ge;
P.less = P.lt;
P.less_equal = P.le;
P.not_equal = P.ne;
P.logical_and = function (o) { return logical_and(this, o); };
P.logical_or = function (o) { return logical_or(this, o); };
P.logical_xor = function (o) { return logical_xor(this, o); };
P.bitwise_and = function (o) { return bitwise_and(this, o); };
P.bitwise_or = function (o) { return bitwise_or(this, o); };
P.bitwise_xor = function (o) { return bitwise_xor(this, o); };
P.equal = function (o) { return equal(this, o); };

export type { Scalar };
