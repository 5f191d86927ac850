/**
 * PyTorch's random tensor functions: `rand`, `randn`, `randint`, `randperm`, `normal`, the
 * `*_like` family, and the in-place `uniform_`, `normal_` and `random_` (also Tensor methods),
 * each drawing exactly what PyTorch's CPU build draws, in the same order, for the same bits.
 *
 * Every function takes an optional `generator` (default: the global one of
 * `torch.manual_seed`). Values go into tensors in memory order, as PyTorch's kernels write them
 * (tensor_fill.ts); the samplers themselves are in distributions.ts and integers.ts.
 */

import { Tensor } from "../tensor/tensor.js";
import { DType, get_default_dtype, int64, typedArrayFor, type TypedArray } from "../tensor/dtype.js";
import { fromTypedArray, type TensorOptions } from "../tensor/creation.js";
import { checkDevice } from "../tensor/device.js";
import { broadcastShapes, numelOf, parseShape, splitOptions, type ShapeArg } from "../tensor/shape.js";
import { RuntimeError } from "../errors.js";
import { checkNoInternalOverlap, inplace } from "../ops/common.js";
import { add, mul } from "../ops/arithmetic.js";
import { no_grad } from "../autograd/grad_mode.js";
import { record } from "../autograd/graph.js";
import { zeros_like } from "../tensor/creation.js";
import { Generator, defaultGenerator } from "./generator.js";
import { checkNormalStd, checkUniformBounds } from "./checks.js";
import { normalFill, uniformFill } from "./distributions.js";
import { checkRandpermN, fillRandom, planRandom, randperm as randpermValues } from "./integers.js";
import { fillInVisitOrder, preservedStrides, randomDTypeOf } from "./tensor_fill.js";

/** The options of the random factories: a generator besides dtype, device and requires_grad. */
export interface RandomOptions extends TensorOptions {
  /** The generator to draw from; the global one (torch.manual_seed) when absent or null. */
  generator?: Generator | null;
}

/** The `generator=` keyword of the in-place samplers. */
export interface GeneratorOption {
  generator?: Generator | null;
}

function generatorOf(options: GeneratorOption | undefined): Generator {
  const g = options?.generator;
  if (g === undefined || g === null) return defaultGenerator;
  if (!(g instanceof Generator)) {
    throw new TypeError(`expected a torch.Generator as generator, but got ${typeof g}`);
  }
  return g;
}

/** A new tensor laid out like PyTorch's `empty` (contiguous) or `empty_like` (preserved strides). */
function newOutput(shape: readonly number[], dtype: DType, like?: Tensor): Tensor {
  if (!like) return Tensor._empty(shape, dtype);
  const strides = preservedStrides(like._shape, like._strides);
  const flat = Tensor._empty([numelOf(shape)], dtype);
  return new Tensor(flat._storage, shape, strides, 0);
}

function finish(t: Tensor, options: TensorOptions): Tensor {
  if (options.requires_grad) t.requires_grad_(true);
  return t;
}

/** AT_DISPATCH's refusal, with the kernel PyTorch names. */
function requireFloating(t: Tensor, kernel: string): void {
  if (!t.dtype.is_floating_point) {
    throw new RuntimeError(`"${kernel}" not implemented for '${t.dtype.scalarTypeName}'`);
  }
}

// ---------------------------------------------------------------------------------------------
// In-place samplers

/**
 * Fills `t` with numbers sampled from the continuous uniform distribution
 * ```
 *   f(x) = 1 / (to - from)   for from <= x < to
 * ```
 * in place, and returns it: `Tensor.uniform_(from=0, to=1, *, generator=None)`.
 *
 * Args:
 *   t: a floating-point tensor (any layout; filled in memory order).
 *   from, to: the bounds (default 0 and 1).
 *   options.generator: the generator to draw from.
 *
 * Example:
 * ```ts
 * torch.manual_seed(0);
 * torch.empty(3).uniform_(-1, 1);  // the same three values as PyTorch
 * ```
 */
export function uniform_(t: Tensor, from = 0, to = 1, options: GeneratorOption = {}): Tensor {
  const gen = generatorOf(options);
  inplace(t, () => {
    // PyTorch names the dtype dispatch of its bounds check.
    requireFloating(t, "check_uniform_bounds");
    const [f, tt] = checkUniformBounds(t.dtype.name as "float32" | "float64", from, to);
    checkNoInternalOverlap(t);
    fillInVisitOrder(t, (buffer) => uniformFill(buffer as Float32Array | Float64Array, f, tt, gen));
  });
  return t;
}

/**
 * Fills `t` with elements sampled from the normal distribution with mean `mean` and
 * standard deviation `std`, in place, and returns it: `Tensor.normal_(mean=0, std=1, *,
 * generator=None)`.
 *
 * Float32 tensors of 16 or more contiguous elements use PyTorch's vectorised Box–Muller (float32
 * arithmetic); smaller or non-contiguous tensors use its scalar one (binary64, with the value
 * cached on the generator); see distributions.normalFill.
 *
 * Args:
 *   t: a floating-point tensor.
 *   mean, std: the distribution's mean (default 0) and standard deviation (default 1, >= 0).
 *   options.generator: the generator to draw from.
 *
 * Example: `torch.empty(2, 3).normal_(0, 0.02)`.
 */
export function normal_(t: Tensor, mean = 0, std = 1, options: GeneratorOption = {}): Tensor {
  const gen = generatorOf(options);
  inplace(t, () => {
    checkNormalStd(std);
    requireFloating(t, "normal_kernel_cpu");
    // Contiguous tensors of 16+ elements take the block paths, which never overlap.
    if (!(t.numel() >= 16 && t.is_contiguous())) checkNoInternalOverlap(t);
    fillInVisitOrder(t, (buffer, contiguous) =>
      normalFill(buffer as Float32Array | Float64Array, mean, std, gen, contiguous),
    );
  });
  return t;
}

/**
 * Fills `t` with numbers sampled from the discrete uniform distribution, in place:
 *
 * * `random_()`: over [0, 2^mantissa] for floating types (2^24 for float32, 2^53 for float64)
 *   and [0, max] for integer types;
 * * `random_(to)`: over [0, to - 1];
 * * `random_(from, to)`: over [from, to - 1]; `to = null` means up to the dtype's maximum.
 *
 * Args:
 *   t: the tensor (any dtype).
 *   from, to: integers (number or bigint) in int64 range.
 *   options.generator: the generator to draw from.
 *
 * Example: `torch.empty([5], { dtype: torch.int64 }).random_(0, 10)`.
 */
export function random_(t: Tensor, options?: GeneratorOption): Tensor;
export function random_(t: Tensor, to: number | bigint, options?: GeneratorOption): Tensor;
export function random_(t: Tensor, from: number | bigint, to: number | bigint | null, options?: GeneratorOption): Tensor;
export function random_(t: Tensor, ...args: (number | bigint | null | GeneratorOption | undefined)[]): Tensor {
  const last = args[args.length - 1];
  const options = typeof last === "object" && last !== null ? (args.pop() as GeneratorOption) : {};
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
  const gen = generatorOf(options);
  const dtype = randomDTypeOf(t.dtype);
  let range: { from?: number | bigint; to?: number | bigint | null } = {};
  if (args.length === 1) range = { to: args[0] as number | bigint };
  else if (args.length === 2) range = { from: args[0] as number | bigint, to: args[1] as number | bigint | null };
  else if (args.length > 2) throw new TypeError(`random_() takes at most 2 positional arguments (${args.length} given)`);
  inplace(t, () => {
    const plan = planRandom(dtype, range); // checked even when t is empty, as in PyTorch
    checkNoInternalOverlap(t);
    fillInVisitOrder(t, (buffer) => fillRandom(buffer, plan, dtype, gen));
  });
  return t;
}

// ---------------------------------------------------------------------------------------------
// Factories

type SizeArgs = (ShapeArg | RandomOptions)[];

/**
 * A tensor filled with random numbers from a uniform distribution on the interval [0, 1):
 * `torch.rand(*size, *, generator=None, dtype=None, device=None, requires_grad=False)`.
 *
 * Float32 values are multiples of 2^-24 (24 bits of one 32-bit draw each), float64 values
 * multiples of 2^-53 (two draws each).
 *
 * Example:
 * ```ts
 * torch.manual_seed(0);
 * torch.rand(2, 3);                         // shape [2, 3], PyTorch's values
 * torch.rand([4], { dtype: torch.float64, generator: g });
 * ```
 */
export function rand(...args: SizeArgs): Tensor {
  const [sizes, options] = splitOptions<RandomOptions>(args);
  checkDevice(options.device);
  const t = Tensor._empty(parseShape(sizes), options.dtype ?? get_default_dtype());
  uniform_(t, 0, 1, options);
  return finish(t, options);
}

/**
 * A tensor filled with random numbers from a normal distribution with mean 0 and variance 1:
 * `torch.randn(*size, *, generator=None, dtype=None, device=None, requires_grad=False)`.
 *
 * Example: `torch.randn(4, 2)` (after `torch.manual_seed(0)`, PyTorch's 8 values).
 */
export function randn(...args: SizeArgs): Tensor {
  const [sizes, options] = splitOptions<RandomOptions>(args);
  checkDevice(options.device);
  const t = Tensor._empty(parseShape(sizes), options.dtype ?? get_default_dtype());
  normal_(t, 0, 1, options);
  return finish(t, options);
}

/**
 * A tensor filled with random integers generated uniformly between `low` (inclusive) and
 * `high` (exclusive): `torch.randint(low=0, high, size, *, generator=None, dtype=torch.int64)`.
 *
 * Each value is low + draw mod (high - low), with one 32-bit draw, or one 64-bit draw when
 * high - low >= 2^32 and the dtype is int64 or floating.
 *
 * Example:
 * ```ts
 * torch.randint(10, [3]);          // in [0, 10)
 * torch.randint(-5, 5, [2, 2], { generator: g });
 * ```
 */
export function randint(high: number | bigint, size: readonly number[], options?: RandomOptions): Tensor;
export function randint(low: number | bigint, high: number | bigint, size: readonly number[], options?: RandomOptions): Tensor;
export function randint(
  a: number | bigint,
  b: number | bigint | readonly number[],
  c?: readonly number[] | RandomOptions,
  d?: RandomOptions,
): Tensor {
  const [low, high, size, options] = Array.isArray(b)
    ? [0, a, b as readonly number[], (c as RandomOptions | undefined) ?? {}]
    : [a, b as number | bigint, c as readonly number[], d ?? {}];
  if (!Array.isArray(size)) throw new TypeError("randint(): argument 'size' must be a tuple of ints");
  checkDevice(options.device);
  const t = Tensor._empty(parseShape([size]), options.dtype ?? int64);
  random_(t, low, high, options);
  return finish(t, options);
}

/**
 * A random permutation of the integers 0 to n - 1:
 * `torch.randperm(n, *, generator=None, dtype=torch.int64)`. Uses n - 1 draws.
 *
 * Example: `torch.randperm(4)` (e.g. tensor([2, 1, 0, 3])).
 */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  checkDevice(options.device);
  const dtype = options.dtype ?? int64;
  if (!Number.isInteger(n) || n < 0) {
    throw new RuntimeError(`Trying to create tensor with negative dimension ${n}: [${n}]`);
  }
  checkRandpermN(n, randomDTypeOf(dtype));
  const perm = randpermValues(n, generatorOf(options));
  const values = typedArrayFor(dtype, n) as TypedArray;
  if (values instanceof BigInt64Array) for (let i = 0; i < n; i++) values[i] = BigInt(perm[i]!);
  else values.set(perm);
  return finish(fromTypedArray(values, [n], dtype), options);
}

/**
 * Random numbers drawn from separate normal distributions:
 *
 * * `normal(mean: number, std: number, size, options?)`: all of one N(mean, std²);
 * * `normal(mean: Tensor, std = 1)`, `normal(mean: number, std: Tensor)`,
 *   `normal(mean: Tensor, std: Tensor)`: element i from N(mean_i, std_i²), the shapes
 *   broadcast. As in PyTorch, these draw N(0, 1) (or N(0, std) for a scalar std) and then
 *   scale and shift with tensor ops, and their gradient with respect to mean and std is zero.
 *
 * Example:
 * ```ts
 * torch.normal(2, 3, [2]);
 * torch.normal(torch.tensor([0, 10], { dtype: torch.float32 }), torch.tensor([1, 2], { dtype: torch.float32 }));
 * ```
 */
export function normal(mean: number, std: number, size: readonly number[], options?: RandomOptions): Tensor;
export function normal(mean: Tensor, std?: number | Tensor, options?: GeneratorOption): Tensor;
export function normal(mean: number, std: Tensor, options?: GeneratorOption): Tensor;
export function normal(
  mean: number | Tensor,
  std: number | Tensor = 1,
  c?: readonly number[] | RandomOptions | GeneratorOption,
  d?: RandomOptions,
): Tensor {
  if (typeof mean === "number" && typeof std === "number") {
    if (!Array.isArray(c)) throw new TypeError("normal(): a float mean and std need a size");
    const options = d ?? {};
    checkDevice(options.device);
    const t = Tensor._empty(parseShape([c as readonly number[]]), options.dtype ?? get_default_dtype());
    normal_(t, mean, std, options);
    return finish(t, options);
  }
  const options = (c ?? {}) as GeneratorOption;
  if (mean instanceof Tensor && typeof std === "number") {
    // normal.Tensor_float: empty_like(mean).normal_(0, std).add_(mean)
    checkNormalStd(std);
    const out = no_grad(() => {
      const z = normal_(Tensor._empty(mean._shape, mean.dtype), 0, std, options); // empty_like(contiguous)
      return add(z, mean).to(mean.dtype);
    });
    return record("NormalBackward1", [mean], out, ([g]) => [zeros_like(g!)]);
  }
  if (typeof mean === "number" && std instanceof Tensor) {
    // normal.float_Tensor: empty_like(std).normal_(0, 1).mul_(std).add_(mean)
    checkTensorStd(std);
    const out = no_grad(() => {
      const z = normal_(Tensor._empty(std._shape, std.dtype), 0, 1, options); // empty_like(contiguous)
      return add(mul(z, std).to(z.dtype), mean).to(z.dtype);
    });
    return record("NormalBackward2", [std], out, ([g]) => [zeros_like(g!)]);
  }
  if (mean instanceof Tensor && std instanceof Tensor) {
    // normal.Tensor_Tensor: empty(broadcast shape, mean's dtype).normal_(0, 1).mul_(std).add_(mean)
    checkTensorStd(std);
    const shape = broadcastShapes(mean._shape, std._shape);
    const out = no_grad(() => {
      const z = normal_(Tensor._empty(shape, mean.dtype), 0, 1, options);
      return add(mul(z, std).to(z.dtype), mean).to(z.dtype);
    });
    return record("NormalBackward3", [mean, std], out, () => [zeros_like(mean), zeros_like(std)]);
  }
  throw new TypeError("normal(): expected mean and std to be numbers or Tensors");
}

/** CHECK_NORMAL_TENSOR_STD. */
function checkTensorStd(std: Tensor): void {
  requireFloating(std, "normal_kernel_cpu");
  const values = std._values() as Float32Array | Float64Array;
  for (let i = 0; i < values.length; i++) {
    if (!(values[i]! >= 0)) throw new RuntimeError("normal expects all elements of std >= 0.0");
  }
}

/** `torch.rand_like(input)`: `rand` with input's shape, dtype and (dense) layout. */
export function rand_like(input: Tensor, options: RandomOptions = {}): Tensor {
  checkDevice(options.device);
  const t = newOutput(input._shape, options.dtype ?? input.dtype, input);
  uniform_(t, 0, 1, options);
  return finish(t, options);
}

/** `torch.randn_like(input)`: `randn` with input's shape, dtype and (dense) layout. */
export function randn_like(input: Tensor, options: RandomOptions = {}): Tensor {
  checkDevice(options.device);
  const t = newOutput(input._shape, options.dtype ?? input.dtype, input);
  normal_(t, 0, 1, options);
  return finish(t, options);
}

/**
 * `torch.randint_like(input, low=0, high)`: `randint` with input's shape, dtype and layout.
 *
 * Example: `torch.randint_like(x, 10)`, `torch.randint_like(x, -3, 3)`.
 */
export function randint_like(input: Tensor, high: number | bigint, options?: RandomOptions): Tensor;
export function randint_like(input: Tensor, low: number | bigint, high: number | bigint, options?: RandomOptions): Tensor;
export function randint_like(
  input: Tensor,
  a: number | bigint,
  b?: number | bigint | RandomOptions,
  c?: RandomOptions,
): Tensor {
  const [low, high, options] =
    typeof b === "number" || typeof b === "bigint" ? [a, b, c ?? {}] : [0, a, (b as RandomOptions | undefined) ?? {}];
  checkDevice(options.device);
  const t = newOutput(input._shape, options.dtype ?? input.dtype, input);
  random_(t, low, high, options);
  return finish(t, options);
}

// ---------------------------------------------------------------------------------------------
// Tensor methods

declare module "../tensor/tensor.js" {
  interface Tensor {
    /** In place: uniform on [from, to) (see torch-ts `uniform_`). */
    uniform_(from?: number, to?: number, options?: GeneratorOption): Tensor;
    /** In place: normal with mean and std (see torch-ts `normal_`). */
    normal_(mean?: number, std?: number, options?: GeneratorOption): Tensor;
    /** In place: discrete uniform, `random_()`, `random_(to)` or `random_(from, to)`. */
    random_(options?: GeneratorOption): Tensor;
    random_(to: number | bigint, options?: GeneratorOption): Tensor;
    random_(from: number | bigint, to: number | bigint | null, options?: GeneratorOption): Tensor;
  }
}

const P = Tensor.prototype;
P.uniform_ = function (this: Tensor, from?: number, to?: number, options?: GeneratorOption) {
  return uniform_(this, from, to, options);
};
P.normal_ = function (this: Tensor, mean?: number, std?: number, options?: GeneratorOption) {
  return normal_(this, mean, std, options);
};
P.random_ = function (this: Tensor, ...args: (number | bigint | null | GeneratorOption | undefined)[]) {
  return (random_ as (t: Tensor, ...a: typeof args) => Tensor)(this, ...args);
};
