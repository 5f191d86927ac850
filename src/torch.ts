/**
 * The `torch` namespace: everything `import torch from "torch-ts"` exposes, in one list.
 * Importing the op files here also installs their Tensor methods.
 */

export { Tensor } from "./tensor/tensor.js";
export type { Scalar, NestedArray } from "./tensor/tensor.js";
export { Size } from "./tensor/size.js";
export { device } from "./tensor/device.js";
export {
  DType as dtype, float32, float64, int64, int32, bool, float, double, long, int,
  get_default_dtype, set_default_dtype, promote_types,
} from "./tensor/dtype.js";
export {
  tensor, empty, zeros, ones, full, empty_like, zeros_like, ones_like, full_like, arange, linspace, eye,
  scalar_tensor,
} from "./tensor/creation.js";
export type { TensorOptions } from "./tensor/creation.js";
export { set_printoptions, get_printoptions } from "./tensor/print.js";
export { RuntimeError, IndexError, ValueError, NotImplementedError, KeyError } from "./errors.js";

// Ops (each file also adds its Tensor methods).
export { result_type, broadcast_shapes, is_tensor, numel } from "./ops/misc.js";
export {
  view, reshape, transpose, t, permute, expand, narrow, select, squeeze, unsqueeze, flatten, unflatten,
  movedim, movedim as moveaxis, transpose as swapaxes, transpose as swapdims,
} from "./ops/view.js";
export { clone, contiguous, detach } from "./ops/copy.js";
export {
  add, sub, sub as subtract, rsub, mul, mul as multiply, div, div as divide, div as true_divide, floor_divide,
  remainder, fmod, pow, atan2, maximum, minimum, eq, ne, lt, le, gt, ge, gt as greater, ge as greater_equal,
  lt as less, le as less_equal, ne as not_equal, logical_and, logical_or, logical_xor, bitwise_and, bitwise_or,
  bitwise_xor, equal,
} from "./ops/arithmetic.js";
export {
  neg, negative, abs, absolute, sign, sgn, exp, expm1, log, log2, log10, log1p, sqrt, rsqrt, sin, cos, tan, asin,
  acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, sigmoid, relu, floor, ceil, round, trunc, frac, reciprocal,
  square, erf, erfc, erfinv, logical_not, bitwise_not, isnan, isinf, isfinite, signbit,
} from "./ops/unary.js";
export { where, masked_fill, clamp, clip, clamp_min, clamp_max } from "./ops/where.js";
export { sum, any, all } from "./ops/reduce.js";
export { mm, addmm, bmm, baddbmm, dot, mv, outer, matmul } from "./ops/matmul.js";

// Autograd.
export { no_grad, enable_grad, set_grad_enabled, is_grad_enabled } from "./autograd/grad_mode.js";
export * as autograd from "./autograd/index.js";
