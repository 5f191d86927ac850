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
export { isclose, allclose } from "./ops/isclose.js";
export {
  neg, negative, abs, absolute, sign, sgn, exp, expm1, log, log2, log10, log1p, sqrt, rsqrt, sin, cos, tan, asin,
  acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, sigmoid, relu, floor, ceil, round, trunc, frac, reciprocal,
  square, erf, erfc, erfinv, logical_not, bitwise_not, isnan, isinf, isfinite, signbit,
} from "./ops/unary.js";
export { where, masked_fill, clamp, clip, clamp_min, clamp_max } from "./ops/where.js";
// Reductions and einsum (reduce*.ts, einsum.ts).
export { sum, mean, prod, any, all } from "./ops/reduce.js";
export { max, min, amax, amin, argmax, argmin, ValuesIndices } from "./ops/reduce_max.js";
export { var_ as var, std, var_mean, std_mean } from "./ops/reduce_var.js";
export { logsumexp } from "./ops/reduce_logsumexp.js";
export { norm } from "./ops/reduce_norm.js";
export { cumsum } from "./ops/reduce_cumsum.js";
export { einsum } from "./ops/einsum.js";
export { mm, addmm, bmm, baddbmm, dot, mv, outer, matmul } from "./ops/matmul.js";

// Joining, splitting and indexing (cat.ts, split.ts, indexing.ts, diagonal.ts).
export { cat, concat, concatenate, stack, hstack, vstack, row_stack } from "./ops/cat.js";
export { split, split_with_sizes, chunk, unbind, tensor_split } from "./ops/split.js";
export {
  index_select, index_add, gather, scatter, scatter_add, take_along_dim, masked_select,
} from "./ops/indexing.js";
export { diagonal, diag_embed, diag, tril, triu } from "./ops/diagonal.js";

// Autograd.
export { no_grad, enable_grad, set_grad_enabled, is_grad_enabled } from "./autograd/grad_mode.js";
export * as autograd from "./autograd/index.js";

// Backend selection (src/backends.ts): torch.backends.set_backend("js" | "wasm"), get_backend().
export * as backends from "./backends.js";
// Intra-op threads (src/backend/threads.ts), shared by the native and WebAssembly thread pools.
export { set_num_threads, get_num_threads } from "./backend/threads.js";

// torch.nn (src/nn): modules, nn.functional (also exported as F) and nn.init.
export * as nn from "./nn/index.js";
export * as F from "./nn/functional.js";
export { AttributeError } from "./errors.js";

// torch.optim (src/optim): SGD, Adam, AdamW, the Optimizer base and optim.lr_scheduler; and the
// pointwise ops the optimizers are written with (pointwise.ts).
export { addcmul, addcdiv, lerp } from "./ops/pointwise.js";
export * as optim from "./optim/index.js";

// torch.utils.data (src/utils/data): Dataset, TensorDataset, DataLoader, samplers, random_split,
// default_collate, parse_idx. Node-only file reading (load_idx) is in the "torch-ts/node" entry.
export * as utils from "./utils/index.js";

// Random numbers (src/random): PyTorch's CPU generator bit for bit. Importing functions.ts also
// installs Tensor.uniform_, normal_ and random_ (which torch has only as Tensor methods).
export {
  Generator, default_generator, manual_seed, seed, initial_seed, get_rng_state, set_rng_state,
} from "./random/generator.js";
export { rand, randn, randint, randperm, normal, rand_like, randn_like, randint_like } from "./random/functions.js";
export type { RandomOptions, GeneratorOption } from "./random/functions.js";

// Layers (src/nn/functional_activation.ts, src/random/bernoulli.ts): torch.softmax and
// torch.log_softmax, and the choice of PyTorch's Bernoulli kernel that Tensor.bernoulli_ and
// F.dropout reproduce ("default", or "mkl" for the x86-64 wheels on Intel CPUs).
export { softmax, log_softmax } from "./nn/functional_activation.js";
export { set_bernoulli_kernel, get_bernoulli_kernel } from "./random/bernoulli.js";
export type { BernoulliKernel } from "./random/bernoulli.js";

// Serialization (src/serialization): `torch.safetensors` mirrors Python's `safetensors.torch`
// on bytes (save, load, SafeOpen); save_file / load_file / safe_open are in "torch-ts/node".
export { safetensors } from "./serialization/index.js";

// ONNX export (src/onnx): torch.onnx.export(model, args, f?, options?) returns the model bytes;
// given a path it loads the Node writer on demand (or use onnx.export of "torch-ts/node").
export * as onnx from "./onnx/index.js";

// PyTorch checkpoints (src/serialization/pt.ts): torch.load(bytes | path) loads .pt / .pth files
// as weights_only=True does (never running code from them); torch.save(obj) returns the zip's
// bytes and torch.save(obj, path) writes it. Paths work in Node 20.16+ (process.getBuiltinModule,
// no Node import here); "torch-ts/node" exports load / save for files too.
export { load, save, UnpicklingError } from "./serialization/index.js";
export type { LoadOptions, FileLike } from "./serialization/index.js";
// In the browser (src/serialization/from_web.ts): torch.load and torch.safetensors.load also take a
// fetch Response or a Blob / File and then return a Promise: `await torch.load(await fetch(url))`.
export type { WebFile } from "./serialization/index.js";
