/**
 * `torch.nn.init`: in-place initialisation of parameters, each run without recording a graph.
 *
 * Every random initialiser draws through `Tensor.uniform_` / `Tensor.normal_`, so with the
 * same seed (or `generator`) it gives PyTorch's values bit for bit: the bounds are computed in
 * binary64 exactly as Python evaluates them, then the float32 casts happen inside the draw.
 * `orthogonal_` is the exception: its QR runs here (Householder, binary64), not in LAPACK, so
 * its values match PyTorch's within rounding, not bit for bit.
 */

import { Tensor } from "../tensor/tensor.js";
import { eye, fromTypedArray } from "../tensor/creation.js";
import { float64 } from "../tensor/dtype.js";
import { no_grad } from "../autograd/grad_mode.js";
import { ValueError } from "../errors.js";
import { erf } from "../backend/js/math.js";
import type { Generator } from "../random/generator.js";
import { warn } from "../warnings.js";

export interface GeneratorOptions {
  /** The generator to draw from (default: the global one, seeded by `torch.manual_seed`). */
  generator?: Generator | null;
}

export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d"
  | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";

export type FanMode = "fan_in" | "fan_out";

function drawOptions(options: GeneratorOptions): { generator?: Generator } {
  return options.generator ? { generator: options.generator } : {};
}

function pyStr(x: unknown): string {
  if (x === true) return "True";
  if (x === false) return "False";
  if (x === null || x === undefined) return "None";
  return String(x);
}

/**
 * The recommended gain for a nonlinearity: 1 for linear, conv and sigmoid, 5/3 for tanh,
 * √2 for relu, √(2 / (1 + negative_slope²)) for leaky_relu (slope `param`, default 0.01), 3/4
 * for selu.
 *
 * ```ts
 * nn.init.calculate_gain("leaky_relu", 0.2)   // 1.3867504905630728
 * ```
 */
export function calculate_gain(nonlinearity: Nonlinearity | string, param: number | null = null): number {
  const linearFns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"];
  if (linearFns.includes(nonlinearity) || nonlinearity === "sigmoid") return 1;
  if (nonlinearity === "tanh") return 5.0 / 3;
  if (nonlinearity === "relu") return Math.sqrt(2.0);
  if (nonlinearity === "leaky_relu") {
    let slope: number;
    if (param === null || param === undefined) slope = 0.01;
    else if (typeof param === "number") slope = param;
    else throw new ValueError(`negative_slope ${pyStr(param)} not a valid number`);
    return Math.sqrt(2.0 / (1 + slope ** 2));
  }
  // Found empirically (pytorch#50664).
  if (nonlinearity === "selu") return 3.0 / 4;
  throw new ValueError(`Unsupported nonlinearity ${nonlinearity}`);
}

/**
 * Fills `tensor` with values from U(a, b) (defaults a = 0, b = 1).
 *
 * ```ts
 * const w = torch.empty(3, 5);
 * nn.init.uniform_(w, { a: -0.1, b: 0.1 });
 * ```
 */
export function uniform_(tensor: Tensor, options: { a?: number; b?: number } & GeneratorOptions = {}): Tensor {
  const { a = 0, b = 1 } = options;
  return no_grad(() => tensor.uniform_(a, b, drawOptions(options)));
}

/** Fills `tensor` with values from N(mean, std²) (defaults mean = 0, std = 1). */
export function normal_(tensor: Tensor, options: { mean?: number; std?: number } & GeneratorOptions = {}): Tensor {
  const { mean = 0, std = 1 } = options;
  return no_grad(() => tensor.normal_(mean, std, drawOptions(options)));
}

/**
 * Fills `tensor` from N(mean, std²) truncated to [a, b] (defaults 0, 1, -2, 2), by the inverse
 * CDF: uniform in [2Φ(α) − 1, 2Φ(β) − 1], then erfinv, scale by std·√2, shift by mean, clamp.
 * Warns when mean is more than 2 std outside [a, b]. The erfinv step computes in binary64 and
 * rounds once, where PyTorch's float32 kernel rounds at each step: values can differ by an ulp.
 */
export function trunc_normal_(
  tensor: Tensor,
  options: { mean?: number; std?: number; a?: number; b?: number } & GeneratorOptions = {},
): Tensor {
  const { mean = 0, std = 1, a = -2, b = 2 } = options;
  const normCdf = (x: number) => (1 + erf(x / Math.sqrt(2))) / 2;
  if (mean < a - 2 * std || mean > b + 2 * std) {
    warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may be incorrect.");
  }
  return no_grad(() => {
    const l = normCdf((a - mean) / std);
    const u = normCdf((b - mean) / std);
    tensor.uniform_(2 * l - 1, 2 * u - 1, drawOptions(options));
    tensor.erfinv_();
    tensor.mul_(std * Math.sqrt(2));
    tensor.add_(mean);
    tensor.clamp_(a, b);
    return tensor;
  });
}

/** Fills `tensor` with `val`. */
export function constant_(tensor: Tensor, val: number): Tensor {
  return no_grad(() => tensor.fill_(val));
}

/** Fills `tensor` with ones. */
export function ones_(tensor: Tensor): Tensor {
  return no_grad(() => tensor.fill_(1));
}

/** Fills `tensor` with zeros. */
export function zeros_(tensor: Tensor): Tensor {
  return no_grad(() => tensor.zero_());
}

/** Fills a 2-D `tensor` with the identity matrix (as many inputs preserved as possible). */
export function eye_(tensor: Tensor): Tensor {
  if (tensor.ndim !== 2) throw new ValueError("Only tensors with 2 dimensions are supported");
  no_grad(() => tensor.copy_(eye(tensor._shape[0]!, tensor._shape[1]!, { dtype: tensor.dtype })));
  return tensor;
}

/**
 * Fills a {3, 4, 5}-D `tensor` with the Dirac delta: the identity of a convolution, per group
 * of output channels when `groups` > 1.
 */
export function dirac_(tensor: Tensor, options: { groups?: number } = {}): Tensor {
  const { groups = 1 } = options;
  const nd = tensor.ndim;
  if (nd < 3 || nd > 5) throw new ValueError("Only tensors with 3, 4, or 5 dimensions are supported");
  const sizes = tensor._shape;
  if (sizes[0]! % groups !== 0) throw new ValueError("dim 0 must be divisible by groups");
  const outPerGroup = sizes[0]! / groups;
  const minDim = Math.min(outPerGroup, sizes[1]!);
  no_grad(() => {
    tensor.zero_();
    for (let g = 0; g < groups; g++) {
      for (let d = 0; d < minDim; d++) {
        let cell = tensor.select(0, g * outPerGroup + d).select(0, d);
        for (let k = 2; k < nd; k++) cell = cell.select(0, Math.floor(sizes[k]! / 2));
        cell.fill_(1);
      }
    }
  });
  return tensor;
}

/**
 * `(fan_in, fan_out)` of a weight: for 2-D `(out, in)` they are `in` and `out`; higher ranks
 * multiply both by the receptive field (the product of the trailing dims).
 */
export function _calculate_fan_in_and_fan_out(tensor: Tensor): [number, number] {
  if (tensor.ndim < 2) {
    throw new ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  }
  let receptive = 1;
  for (const s of tensor._shape.slice(2)) receptive *= s;
  return [tensor._shape[1]! * receptive, tensor._shape[0]! * receptive];
}

function calculateCorrectFan(tensor: Tensor, mode: string): number {
  const m = mode.toLowerCase();
  if (m !== "fan_in" && m !== "fan_out") {
    throw new ValueError(`Mode ${m} not supported, please use one of ['fan_in', 'fan_out']`);
  }
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(tensor);
  return m === "fan_in" ? fanIn : fanOut;
}

/**
 * Glorot uniform: U(−a, a) with a = gain·√(6 / (fan_in + fan_out)).
 *
 * ```ts
 * nn.init.xavier_uniform_(w, { gain: nn.init.calculate_gain("relu") });
 * ```
 */
export function xavier_uniform_(tensor: Tensor, options: { gain?: number } & GeneratorOptions = {}): Tensor {
  const { gain = 1 } = options;
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return no_grad(() => tensor.uniform_(-a, a, drawOptions(options)));
}

/** Glorot normal: N(0, std²) with std = gain·√(2 / (fan_in + fan_out)). */
export function xavier_normal_(tensor: Tensor, options: { gain?: number } & GeneratorOptions = {}): Tensor {
  const { gain = 1 } = options;
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  return no_grad(() => tensor.normal_(0, std, drawOptions(options)));
}

export interface KaimingOptions extends GeneratorOptions {
  /** The negative slope of the rectifier after this layer (only used with leaky_relu). */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

/**
 * He uniform: U(−bound, bound) with bound = gain·√(3 / fan_mode), gain from
 * `calculate_gain(nonlinearity, a)` (defaults a = 0, mode "fan_in", nonlinearity
 * "leaky_relu"). `nn.Linear` uses `{ a: Math.sqrt(5) }`. A tensor with a zero dimension is
 * left as it is (no draws).
 */
export function kaiming_uniform_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  const { a = 0, mode = "fan_in", nonlinearity = "leaky_relu" } = options;
  if (tensor._shape.includes(0)) {
    warn("Initializing zero-element tensors is a no-op");
    return tensor;
  }
  const fan = calculateCorrectFan(tensor, mode);
  const gain = calculate_gain(nonlinearity, a);
  const std = gain / Math.sqrt(fan);
  const bound = Math.sqrt(3.0) * std;
  return no_grad(() => tensor.uniform_(-bound, bound, drawOptions(options)));
}

/** He normal: N(0, std²) with std = gain / √fan_mode. */
export function kaiming_normal_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  const { a = 0, mode = "fan_in", nonlinearity = "leaky_relu" } = options;
  if (tensor._shape.includes(0)) {
    warn("Initializing zero-element tensors is a no-op");
    return tensor;
  }
  const fan = calculateCorrectFan(tensor, mode);
  const gain = calculate_gain(nonlinearity, a);
  const std = gain / Math.sqrt(fan);
  return no_grad(() => tensor.normal_(0, std, drawOptions(options)));
}

/**
 * Fills `tensor` (2-D or more; trailing dims flattened) with a (semi-)orthogonal matrix times
 * `gain`: the Q of the QR decomposition of a standard normal matrix, with Q's columns signed
 * by R's diagonal so the result is uniformly distributed. The normal draws are PyTorch's; the
 * QR is a Householder one in binary64 (PyTorch calls LAPACK), so values match to rounding.
 */
export function orthogonal_(tensor: Tensor, options: { gain?: number } & GeneratorOptions = {}): Tensor {
  const { gain = 1 } = options;
  if (tensor.ndim < 2) throw new ValueError("Only tensors with 2 or more dimensions are supported");
  if (tensor.numel() === 0) return tensor;
  const rows = tensor._shape[0]!;
  const cols = tensor.numel() / rows;
  return no_grad(() => {
    const flat = Tensor._empty([rows, cols], tensor.dtype).normal_(0, 1, drawOptions(options));
    const values = Float64Array.from(flat._values() as ArrayLike<number>);
    // Factor the tall orientation: A (rows × cols), or Aᵀ when rows < cols.
    const [m, n] = rows < cols ? [cols, rows] : [rows, cols];
    const A = new Float64Array(m * n);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) A[rows < cols ? j * n + i : i * n + j] = values[i * cols + j]!;
    }
    const q = householderQ(A, m, n);
    const out = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) out[i * cols + j] = rows < cols ? q[j * n + i]! : q[i * n + j]!;
    }
    const result = fromTypedArray(out, [rows, cols], float64).to(tensor.dtype);
    tensor.view_as(result).copy_(result);
    tensor.mul_(gain);
    return tensor;
  });
}

/**
 * The reduced Q (m × n, m ≥ n) of A = QR by Householder reflections, with each column of Q
 * multiplied by sign(R_jj) (PyTorch's `q *= r.diag().sign()`; sign(0) = 0 as torch.sign).
 */
function householderQ(A: Float64Array, m: number, n: number): Float64Array {
  const R = A.slice();
  const vs: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += R[i * n + k]! ** 2;
    norm = Math.sqrt(norm);
    const v = new Float64Array(m);
    // LAPACK's choice: beta = -sign(alpha)·‖x‖, so R_kk = beta (may be negative).
    const alpha = R[k * n + k]!;
    const beta = alpha >= 0 ? -norm : norm;
    if (norm === 0) {
      vs.push(v);
      continue;
    }
    v[k] = alpha - beta;
    for (let i = k + 1; i < m; i++) v[i] = R[i * n + k]!;
    let vv = 0;
    for (let i = k; i < m; i++) vv += v[i]! ** 2;
    for (let j = k; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i]! * R[i * n + j]!;
      const f = (2 * dot) / vv;
      for (let i = k; i < m; i++) R[i * n + j] = R[i * n + j]! - f * v[i]!;
    }
    vs.push(vv === 0 ? new Float64Array(m) : v.map((x) => x / Math.sqrt(vv / 2)));
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity.
  const Q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) Q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k]!;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i]! * Q[i * n + j]!;
      for (let i = k; i < m; i++) Q[i * n + j] = Q[i * n + j]! - dot * v[i]!;
    }
  }
  for (let j = 0; j < n; j++) {
    const s = Math.sign(R[j * n + j]!);
    for (let i = 0; i < m; i++) Q[i * n + j] = Q[i * n + j]! * s;
  }
  return Q;
}
