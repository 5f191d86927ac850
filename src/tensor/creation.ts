/**
 * Tensor factories: `tensor`, `zeros`, `ones`, `full`, `empty`, `arange`, `linspace`, `eye`
 * and the `*_like` family, with PyTorch's dtype inference and options
 * (`{ dtype, device, requires_grad }`).
 *
 * JavaScript has one number type, so `torch.tensor` infers as Python would from the value: an
 * integer-valued number is a Python int (int64), anything else a float (the default dtype).
 * `torch.tensor([1.0, 2.0])` therefore gives int64 here; pass `{ dtype: torch.float32 }`.
 */

import { Tensor, type NestedArray, type Scalar } from "./tensor.js";
import { bool, DType, float32, float64, get_default_dtype, int32, int64, scalarDtype, typedArrayFor, type TypedArray } from "./dtype.js";
import { parseShape, splitOptions, type ShapeArg } from "./shape.js";
import { checkDevice, type device } from "./device.js";
import { RuntimeError, ValueError } from "../errors.js";
import { fma32, fma64 } from "../random/fma.js";

export interface TensorOptions {
  dtype?: DType;
  device?: string | device;
  requires_grad?: boolean;
}

/** Applies the options every factory shares once the values are in place. */
function finish(t: Tensor, options: TensorOptions): Tensor {
  // The factories' requires_grad goes through autograd's own check, worded with a capital O.
  if (options.requires_grad) t._setRequiresGrad(true, "Only Tensors of floating point and complex dtype can require gradients");
  return t;
}

/** @internal A contiguous tensor holding `values` (already of the dtype's element type). */
export function fromTypedArray(values: TypedArray, shape: readonly number[], dtype: DType): Tensor {
  const t = Tensor._empty(shape, dtype);
  t._storage.backend.write(t._storage, 0, values);
  return t;
}

/** Converts JS scalars into the element representation of `dtype`'s storage. */
export function encodeScalar(v: Scalar, dtype: DType): number | bigint {
  if (dtype === int64) {
    if (typeof v === "bigint") return BigInt.asIntN(64, v);
    const x = Number(v);
    // NaN, ±inf and values beyond int64's range become INT64_MIN, as x86's conversion gives.
    return x >= -(2 ** 63) && x < 2 ** 63 ? BigInt(Math.trunc(x)) : -(2n ** 63n);
  }
  const x = typeof v === "bigint" ? Number(v) : Number(v);
  if (dtype === bool) return x !== 0 ? 1 : 0;
  if (dtype === int32) return Number.isFinite(x) ? Math.trunc(x) | 0 : -2147483648;
  return x;
}

function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0]!;
  }
  return shape;
}

function flatten(data: NestedArray, shape: readonly number[], out: Scalar[], dim = 0): void {
  if (dim === shape.length) {
    if (Array.isArray(data)) throw new ValueError(`too many dimensions '${typeof data}'`);
    const v = data as Scalar;
    if (typeof v !== "number" && typeof v !== "bigint" && typeof v !== "boolean") {
      throw new TypeError(`new(): invalid data type '${typeof v}'`);
    }
    out.push(v);
    return;
  }
  if (!Array.isArray(data)) {
    throw new ValueError(`expected sequence of length ${shape[dim]} at dim ${dim} (got ${typeof data})`);
  }
  if (data.length !== shape[dim]) {
    throw new ValueError(`expected sequence of length ${shape[dim]} at dim ${dim} (got ${data.length})`);
  }
  for (const item of data) flatten(item, shape, out, dim + 1);
}

/** The dtype PyTorch infers for a list of Python scalars: bool < int < float. */
function inferDtype(values: readonly Scalar[]): DType {
  let kind: DType = bool;
  for (const v of values) {
    const d = scalarDtype(v);
    if (d.is_floating_point) return get_default_dtype();
    if (d === int64) kind = int64;
  }
  return values.length === 0 ? get_default_dtype() : kind;
}

function dtypeOfTypedArray(a: ArrayBufferView): DType {
  if (a instanceof Float32Array) return float32;
  if (a instanceof Float64Array) return float64;
  if (a instanceof BigInt64Array) return int64;
  if (a instanceof Int32Array) return int32;
  throw new TypeError(`torch.tensor(): unsupported typed array ${a.constructor.name}`);
}

/**
 * `torch.tensor(data, { dtype, requires_grad })`: a new tensor holding a copy of `data`, a
 * scalar or nested arrays of numbers, bigints or booleans, or a typed array (1-D). The dtype
 * is inferred as PyTorch infers it unless given.
 *
 * ```ts
 * torch.tensor([[1.5, 2], [3, 4]])    // float32, shape [2, 2]
 * torch.tensor([0, 2, 1])             // int64
 * ```
 */
export function tensor(data: NestedArray | ArrayBufferView | Tensor, options: TensorOptions = {}): Tensor {
  checkDevice(options.device);
  if (data instanceof Tensor) {
    // PyTorch warns and copies; we copy.
    return finish(data.detach().to(options.dtype ?? data.dtype).clone(), options);
  }
  if (ArrayBuffer.isView(data)) {
    const src = data as unknown as TypedArray;
    const own = dtypeOfTypedArray(src);
    const dtype = options.dtype ?? own;
    const t = fromTypedArray(src.slice() as TypedArray, [src.length], own);
    return finish(dtype === own ? t : t.to(dtype), options);
  }
  const shape = inferShape(data as NestedArray);
  const flat: Scalar[] = [];
  flatten(data as NestedArray, shape, flat);
  const dtype = options.dtype ?? inferDtype(flat);
  const values = typedArrayFor(dtype, flat.length) as { [i: number]: number | bigint } & TypedArray;
  for (let i = 0; i < flat.length; i++) values[i] = encodeScalar(flat[i]!, dtype);
  return finish(fromTypedArray(values, shape, dtype), options);
}

type SizeArgs = (ShapeArg | TensorOptions)[];

/** `torch.empty(*size, { dtype, requires_grad })`. Memory is zero-filled in torch-ts. */
export function empty(...args: SizeArgs): Tensor {
  const [sizes, options] = splitOptions<TensorOptions>(args);
  checkDevice(options.device);
  return finish(Tensor._empty(parseShape(sizes), options.dtype ?? get_default_dtype()), options);
}

/** `torch.zeros(*size, { dtype, requires_grad })` */
export function zeros(...args: SizeArgs): Tensor {
  return empty(...args);
}

/** `torch.ones(*size, { dtype, requires_grad })` */
export function ones(...args: SizeArgs): Tensor {
  const [sizes, options] = splitOptions<TensorOptions>(args);
  return full(parseShape(sizes), 1, { ...options, dtype: options.dtype ?? get_default_dtype() });
}

/** `torch.full(size, fill_value, { dtype })`: the dtype follows fill_value when not given. */
export function full(size: readonly number[], fill_value: Scalar, options: TensorOptions = {}): Tensor {
  checkDevice(options.device);
  const dtype = options.dtype ?? scalarDtype(fill_value);
  const t = Tensor._empty(parseShape([size]), dtype);
  t._storage.backend.fill(t._view, encodeScalar(fill_value, dtype));
  return finish(t, options);
}

function likeOptions(t: Tensor, options: TensorOptions): TensorOptions {
  return { ...options, dtype: options.dtype ?? t.dtype };
}

export function empty_like(t: Tensor, options: TensorOptions = {}): Tensor {
  return empty(t.shape, likeOptions(t, options));
}

export function zeros_like(t: Tensor, options: TensorOptions = {}): Tensor {
  return zeros(t.shape, likeOptions(t, options));
}

export function ones_like(t: Tensor, options: TensorOptions = {}): Tensor {
  return ones(t.shape, likeOptions(t, options));
}

export function full_like(t: Tensor, fill_value: Scalar, options: TensorOptions = {}): Tensor {
  return full(t.shape, fill_value, likeOptions(t, options));
}

/** A double as C++'s `ostream <<` prints it (`%g`, six significant digits), for messages. */
function cppDouble(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const [mant, expText] = x.toExponential(5).split("e") as [string, string];
  const exp = Number(expText);
  const trim = (t: string) => (t.includes(".") ? t.replace(/0+$/, "").replace(/\.$/, "") : t);
  if (exp < -4 || exp >= 6) return `${trim(mant)}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return trim(x.toFixed(5 - exp));
}

/**
 * `torch.arange(end)`, `arange(start, end)`, `arange(start, end, step)`, each with options:
 * `[start, start + step, ...)` up to but excluding `end`, with ⌈(end − start) / step⌉ elements.
 * Integer arguments give int64, any fractional one the default float dtype.
 *
 * ```ts
 * torch.arange(5)              // tensor([0, 1, 2, 3, 4])
 * torch.arange(1, 2.5, 0.5)    // tensor([1.0000, 1.5000, 2.0000])
 * ```
 *
 * Values are bit-identical to PyTorch's AVX2 CPU kernel, which computes in double
 * (`start + step·i`, contracted to one FMA) and vectorizes: each block of 2·W elements
 * (W = 32 bytes / element size) is two vectors built as `base + k·step` from
 * `base = start + step·j`. PyTorch's AVX512 kernel (W twice as wide) and its parallel split
 * past 32768 elements (which depends on the thread count) can differ in the last bit.
 */
export function arange(...args: (number | TensorOptions)[]): Tensor {
  const [nums, options] = splitOptions<TensorOptions>(args) as unknown as [number[], TensorOptions];
  const [start, end, step] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? 1];
  checkDevice(options.device);
  const dtype = options.dtype ?? ([start, end, step].every(Number.isInteger) ? int64 : get_default_dtype());
  // The kernel first converts the arguments to its accumulate type: int64 for integer dtypes
  // (truncating, so a step of 0.5 becomes 0), double for floating ones.
  const integral = !dtype.is_floating_point;
  const [xs, xe, xst] = integral ? [Math.trunc(start), Math.trunc(end), Math.trunc(step)] : [start, end, step];
  if (!(xst > 0 || xst < 0)) throw new RuntimeError("step must be nonzero");
  if (!Number.isFinite(xs) || !Number.isFinite(xe)) {
    throw new RuntimeError(`unsupported range: ${cppDouble(xs)} -> ${cppDouble(xe)}`);
  }
  if (!((xst > 0 && xe >= xs) || (xst < 0 && xe <= xs))) {
    throw new RuntimeError("upper bound and larger bound inconsistent with step sign");
  }
  // int64 counts in its own (exact) arithmetic; every other dtype from the arguments as doubles.
  const n = Math.ceil(dtype === int64 ? (xe - xs) / xst : (end - start) / step);
  const values = typedArrayFor(dtype, n) as { [i: number]: number | bigint } & TypedArray;
  if (integral) {
    for (let i = 0; i < n; i++) values[i] = encodeScalar(dtype === int64 ? BigInt(xs) + BigInt(i) * BigInt(xst) : xs + i * xst, dtype);
  } else {
    const r = dtype === float32 ? Math.fround : (x: number) => x;
    const width = 32 / dtype.itemsize;
    let i = 0;
    for (; i + 2 * width <= n; i += 2 * width) {
      for (const j of [i, i + width]) {
        const base = r(fma64(step, j, start));
        for (let k = 0; k < width; k++) values[j + k] = r(fma64(k, step, base));
      }
    }
    for (; i < n; i++) values[i] = r(fma64(step, i, start));
  }
  return finish(fromTypedArray(values, [n], dtype), options);
}

/**
 * `torch.linspace(start, end, steps)`: `steps` evenly spaced values from start to end
 * inclusive, with step (end − start) / (steps − 1).
 *
 * ```ts
 * torch.linspace(0, 1, 5)   // tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
 * ```
 *
 * Computed as PyTorch 2.x's CPU kernel does, in the output dtype (double for integer dtypes):
 * the first half as `start + step·i` and the second as `end − step·(steps − 1 − i)`, each one
 * FMA (GCC contracts them in the AVX2 and AVX512 builds), so both ends are exact. PyTorch 1.13
 * vectorized this kernel and differs in the last bit for some elements (pytorch/pytorch#89048).
 */
export function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new RuntimeError("number of steps must be non-negative");
  checkDevice(options.device);
  const dtype = options.dtype ?? get_default_dtype();
  const values = typedArrayFor(dtype, steps) as { [i: number]: number | bigint } & TypedArray;
  if (steps === 1) values[0] = encodeScalar(start, dtype);
  if (steps > 1) {
    const is32 = dtype === float32;
    const r = is32 ? Math.fround : (x: number) => x;
    const fma = is32 ? fma32 : fma64;
    // start and end in the output dtype first (integers truncate); the step in that dtype too,
    // except that integer dtypes step in double.
    const [s, e] = dtype.is_floating_point ? [r(start), r(end)] : [Math.trunc(start), Math.trunc(end)];
    const step = r(r(e - s) / (steps - 1));
    const half = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++) {
      values[i] = encodeScalar(i < half ? fma(step, i, s) : fma(-step, steps - i - 1, e), dtype);
    }
  }
  return finish(fromTypedArray(values, [steps], dtype), options);
}

/** `torch.eye(n, m = n)`: ones on the diagonal. */
export function eye(n: number, m?: number | TensorOptions, options: TensorOptions = {}): Tensor {
  if (typeof m === "object") [m, options] = [undefined, m];
  const cols = m ?? n;
  if (n < 0) throw new RuntimeError(`n must be greater or equal to 0, got ${n}`);
  if (cols < 0) throw new RuntimeError(`m must be greater or equal to 0, got ${cols}`);
  const dtype = options.dtype ?? get_default_dtype();
  const values = typedArrayFor(dtype, n * cols) as { [i: number]: number | bigint } & TypedArray;
  for (let i = 0; i < Math.min(n, cols); i++) values[i * cols + i] = encodeScalar(1, dtype);
  return finish(fromTypedArray(values, [n, cols], dtype), options);
}

/** `torch.scalar_tensor(v)`: a 0-d tensor. */
export function scalar_tensor(value: Scalar, options: TensorOptions = {}): Tensor {
  return full([], value, { ...options, dtype: options.dtype ?? get_default_dtype() });
}
