/**
 * Matrix products: `mm`, `addmm`, `bmm`, `baddbmm`, `mv`, `dot`, `outer`, and `matmul` in all of
 * PyTorch's rank cases. Transposed operands reach the kernel as strides, never as copies.
 */

import { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { broadcastShapes, expandsTo, numelOf } from "../tensor/shape.js";
import { needsGrad, record } from "../autograd/graph.js";
import { is_grad_enabled } from "../autograd/grad_mode.js";
import type { StridedView } from "../backend/backend.js";
import { RuntimeError } from "../errors.js";
import { expandedView, newOutput, newTensor, sumToShape } from "./common.js";
import { unsafeView } from "./view.js";

/** PyTorch's lower-case C type names, used in dtype mismatch messages ("float != double"). */
function cName(d: DType): string {
  return { float32: "float", float64: "double", int64: "long int", int32: "int", bool: "bool" }[d.name];
}

function checkSameDtype(a: Tensor, b: Tensor, what = "mat1 and mat2"): void {
  if (a.dtype !== b.dtype) {
    throw new RuntimeError(`expected ${what} to have the same dtype, but got: ${cName(a.dtype)} != ${cName(b.dtype)}`);
  }
  if (a.dtype.name === "bool") throw new RuntimeError(`"addmm_impl_cpu_" not implemented for 'Bool'`);
}

/** Runs the batched kernel: a (..., M, K) · b (..., K, N) with batch dims already equal. */
function runMatmul(a: Tensor, b: Tensor, batch: readonly number[]): Tensor {
  const nd = a.ndim;
  const M = a._shape[nd - 2]!;
  const K = a._shape[nd - 1]!;
  const N = b._shape[nd - 1]!;
  // (Most products are 2-D, where the operands already have their kernel shapes.)
  if (batch.length === 0) return productOf(a._view, b._view, [M, N], a.dtype);
  return productOf(expandedView(a, [...batch, M, K]), expandedView(b, [...batch, K, N]), [...batch, M, N], a.dtype);
}

/** A new tensor of `shape` holding the kernel's product of the views `av` · `bv`. */
function productOf(av: StridedView, bv: StridedView, shape: number[], dtype: DType): Tensor {
  // An empty sum is zero: with K = 0 the output is the zero-filled tensor itself.
  if (av.shape[av.shape.length - 1] === 0 || numelOf(shape) === 0) return newTensor(shape, dtype);
  const out = newOutput(shape, dtype);
  out._storage.backend.matmul(out._view, av, bv);
  return out;
}

/** `torch.mm(input, mat2)`: (n×m)·(m×p) → (n×p). */
export function mm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 2) throw new RuntimeError("self must be a matrix");
  if (b.ndim !== 2) throw new RuntimeError("mat2 must be a matrix");
  if (a._shape[1] !== b._shape[0]) {
    throw new RuntimeError(
      `mat1 and mat2 shapes cannot be multiplied (${a._shape[0]}x${a._shape[1]} and ${b._shape[0]}x${b._shape[1]})`,
    );
  }
  checkSameDtype(a, b);
  const out = runMatmul(a, b, []);
  if (!needsGrad(a, b)) return out;
  const [ga, gb] = [a.requires_grad, b.requires_grad];
  const [aColumns, bColumns] = [columnMajor(a), columnMajor(b)];
  return record("MmBackward0", [a, b], out, ([g], s) => {
    const sa = gb ? s[0]! : null;
    const sb = ga ? s[gb ? 1 : 0]! : null;
    return [sb ? mat1Backward(g!, sb, 1, aColumns) : null, sa ? mat2Backward(g!, sa, 1, bColumns) : null];
  }, gb && ga ? [a, b] : gb ? [a] : ga ? [b] : []);
}

export interface AddmmOptions {
  beta?: number;
  alpha?: number;
}

/**
 * `torch.addmm(input, mat1, mat2, { beta = 1, alpha = 1 })`: β·input + α·(mat1 · mat2), with
 * input broadcast to the product's shape. This is `nn.Linear`'s forward for 2-D input:
 * `addmm(bias, x, weight.t())`. With β = 0, input is ignored (NaN in it does not propagate).
 */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, options?: AddmmOptions): Tensor {
  const beta = options?.beta ?? 1;
  const alpha = options?.alpha ?? 1;
  const shape = addmmShape(input, mat1, mat2, mat2._shape[0]!, mat2._shape[1]!);
  const fused = beta === 1 && alpha === 1 ? fusedAddmm(input, mat1, mat2._view, shape) : null;
  const out = fused ?? scaledAddmm(input, mat1, mat2, shape, beta, alpha);
  if (!needsGrad(beta !== 0 ? input : null, mat1, mat2)) return out;
  const inputShape = input._shape;
  const [g0, g1, g2] = [beta !== 0 && input.requires_grad, mat1.requires_grad, mat2.requires_grad];
  const [columns1, columns2] = [columnMajor(mat1), columnMajor(mat2)];
  return record("AddmmBackward0", [beta !== 0 ? input : null, mat1, mat2], out, ([g], [m1, m2]) => [
    g0 ? sumToShape(beta === 1 ? g! : g!.mul(beta), inputShape) : null,
    g1 ? mat1Backward(g!, m2!, alpha, columns1) : null,
    g2 ? mat2Backward(g!, m1!, alpha, columns2) : null,
  ], [mat1, mat2]);
}

/**
 * @internal `F.linear`'s 2-D case when nothing records a gradient: `addmm(bias, input,
 * weight.t())`, the same checks, messages, kernel and bits, without making the `weight.t()`
 * tensor (for a small nn.Linear in inference, an eighth of the call). `weight` is 2-D.
 */
export function addmmTransposed(bias: Tensor, input: Tensor, weight: Tensor): Tensor {
  const shape = addmmShape(bias, input, weight, weight._shape[1]!, weight._shape[0]!);
  return fusedAddmm(bias, input, transposedView(weight), shape) ?? addmm(bias, input, weight.t());
}

/**
 * addmm's checks, in ATen's order, for mat2 of `rows2` x `cols2` (mat2's own dims, or a
 * weight's swapped): the output's shape [mat1's rows, cols2].
 */
function addmmShape(input: Tensor, mat1: Tensor, mat2: Tensor, rows2: number, cols2: number): number[] {
  if (mat1.ndim !== 2) throw new RuntimeError(`mat1 must be a matrix, got ${mat1.ndim}-D tensor`);
  if (mat2.ndim !== 2) throw new RuntimeError(`mat2 must be a matrix, got ${mat2.ndim}-D tensor`);
  if (mat1._shape[1] !== rows2) {
    throw new RuntimeError(
      `mat1 and mat2 shapes cannot be multiplied (${mat1._shape[0]}x${mat1._shape[1]} and ${rows2}x${cols2})`,
    );
  }
  checkSameDtype(mat1, mat2);
  checkSameDtype(input, mat1, "self and mat2");
  const shape = [mat1._shape[0]!, cols2];
  if (!expandsTo(input._shape, shape)) {
    broadcastShapes(input._shape, shape); // its own message first, where the shapes do not broadcast at all
    throw new RuntimeError(
      `The expanded size of the tensor (${shape[1]}) must match the existing size (${input._shape[input.ndim - 1]}) at non-singleton dimension 1.  Target sizes: [${shape.join(", ")}].  Tensor sizes: [${input._shape.join(", ")}]`,
    );
  }
  return shape;
}

/**
 * input + mat1·mat2 in the backend's fused kernel (the bits of its product and add, one call
 * instead of two: a third of a small nn.Linear's forward), or null for a backend without one.
 */
function fusedAddmm(input: Tensor, mat1: Tensor, mat2: StridedView, shape: number[]): Tensor | null {
  const out = newOutput(shape, mat1.dtype);
  const backend = out._storage.backend;
  if (!backend.addmm) return null;
  backend.addmm(out._view, expandedView(input, shape), mat1._view, mat2);
  return out;
}

/** β·input + α·(mat1·mat2) as the product, then a multiply and an add. */
function scaledAddmm(input: Tensor, mat1: Tensor, mat2: Tensor, shape: number[], beta: number, alpha: number): Tensor {
  const product = runMatmul(mat1, mat2, []);
  const backend = product._storage.backend;
  let out = product;
  if (alpha !== 1) {
    out = newOutput(shape, product.dtype);
    backend.binary("mul", out._view, product._view, expandedView(scalarLike(alpha, product), shape));
  }
  if (beta !== 0) {
    const scaled = beta === 1 ? input : input.detach().mul(beta);
    const view = out._view;
    backend.binary("add", view, expandedView(scaled, shape), view);
  }
  return out;
}

/** Whether a matrix is stored column-major (a transposed view of a contiguous one). */
function columnMajor(t: Tensor): boolean {
  return t._strides[0] === 1 && t._strides[1] === t._shape[0] && t._shape[0]! > 1 && t._shape[1]! > 1;
}

/**
 * ∂(mat1·mat2)/∂mat1 = grad·mat2ᵀ. As ATen's mm_mat1_backward: when mat1 itself is column-major,
 * the gradient is computed as (mat2·gradᵀ)ᵀ, so that it comes out in mat1's layout.
 */
function mat1Backward(g: Tensor, mat2: Tensor, alpha: number, mat1ColumnMajor: boolean): Tensor {
  if (!is_grad_enabled()) {
    return scale(mat1ColumnMajor ? gradProduct(mat2, false, g, true).t() : gradProduct(g, false, mat2, true), alpha);
  }
  if (mat1ColumnMajor) return scale(mat2.mm(g.t()).t(), alpha);
  return scale(g.mm(mat2.t()), alpha);
}

/**
 * ∂(mat1·mat2)/∂mat2 = mat1ᵀ·grad. As ATen's mm_mat2_backward: when mat2 is column-major (Linear's
 * `weight.t()`), it is computed as (gradᵀ·mat1)ᵀ, so that after TBackward the weight's gradient
 * is contiguous [out, in] and accumulating it into `.grad` needs no transposing copy.
 */
function mat2Backward(g: Tensor, mat1: Tensor, alpha: number, mat2ColumnMajor: boolean): Tensor {
  if (!is_grad_enabled()) {
    return scale(mat2ColumnMajor ? gradProduct(g, true, mat1, false).t() : gradProduct(mat1, true, g, false), alpha);
  }
  if (mat2ColumnMajor) return scale(g.t().mm(mat1).t(), alpha);
  return scale(mat1.t().mm(g), alpha);
}

/**
 * `a·b`, or with aT / bT the transpose of that operand, for the backward formulas above when
 * they build no graph (grad mode off: every backward pass but a create_graph one). The same
 * kernel on the same views as `g.mm(mat2.t())` and the like, so the same bits, without the
 * public ops' transpose views, checks and graph tests around it: the forward checked the
 * shapes and dtypes (the engine casts a gradient to its output's dtype). For a small Linear
 * those were a third of the backward pass.
 */
function gradProduct(a: Tensor, aT: boolean, b: Tensor, bT: boolean): Tensor {
  const av = aT ? transposedView(a) : a._view;
  const bv = bT ? transposedView(b) : b._view;
  return productOf(av, bv, [av.shape[0]!, bv.shape[1]!], a.dtype);
}

function transposedView(t: Tensor): StridedView {
  return { storage: t._storage, offset: t._offset, shape: [t._shape[1]!, t._shape[0]!], strides: [t._strides[1]!, t._strides[0]!] };
}

function scalarLike(v: number, t: Tensor): Tensor {
  const s = newTensor([], t.dtype);
  s._storage.backend.fill(s._view, v);
  return s;
}

function scale(t: Tensor, alpha: number): Tensor {
  return alpha === 1 ? t : t.mul(alpha);
}

/** `torch.bmm(input, mat2)`: (b×n×m)·(b×m×p) → (b×n×p), no broadcasting. */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 3) throw new RuntimeError("batch1 must be a 3D tensor");
  if (b.ndim !== 3) throw new RuntimeError("batch2 must be a 3D tensor");
  if (a._shape[0] !== b._shape[0] || a._shape[2] !== b._shape[1]) {
    throw new RuntimeError(
      `Expected size for first two dimensions of batch2 tensor to be: [${a._shape[0]}, ${a._shape[2]}] but got: [${b._shape[0]}, ${b._shape[1]}].`,
    );
  }
  checkSameDtype(a, b);
  return record("BmmBackward0", [a, b], runMatmul(a, b, [a._shape[0]!]), ([g], [sa, sb]) => [
    g!.bmm(sb!.mT),
    sa!.mT.bmm(g!),
  ], [a, b]);
}

/** `torch.baddbmm(input, batch1, batch2, { beta, alpha })`: β·input + α·bmm(batch1, batch2). */
export function baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, options: AddmmOptions = {}): Tensor {
  const { beta = 1, alpha = 1 } = options;
  const product = scale(bmm(batch1, batch2), alpha);
  return beta === 0 ? product : product.add(beta === 1 ? input : input.mul(beta));
}

/** `torch.dot(input, other)`: the inner product of two 1-D tensors, as a 0-d tensor. */
export function dot(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1) {
    throw new RuntimeError(`1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors`);
  }
  if (a._shape[0] !== b._shape[0]) {
    throw new RuntimeError(
      `inconsistent tensor size, expected tensor [${a._shape[0]}] and src [${b._shape[0]}] to have the same number of elements, but got ${a._shape[0]} and ${b._shape[0]} elements respectively`,
    );
  }
  if (a.dtype !== b.dtype) {
    throw new RuntimeError(`dot : expected both vectors to have same dtype, but found ${a.dtype.scalarTypeName} and ${b.dtype.scalarTypeName}`);
  }
  const out = runMatmul(a.detach().unsqueeze(0), b.detach().unsqueeze(1), []);
  const result = new Tensor(out._storage, []);
  return record("DotBackward0", [a, b], result, ([g], [sa, sb]) => [g!.mul(sb!), g!.mul(sa!)], [a, b]);
}

/** `torch.mv(input, vec)`: (n×m)·(m) → (n). */
export function mv(a: Tensor, v: Tensor): Tensor {
  if (a.ndim !== 2 || v.ndim !== 1) {
    throw new RuntimeError(`vector + matrix @ vector expected, got 1, ${a.ndim}, ${v.ndim}`);
  }
  if (a._shape[1] !== v._shape[0]) {
    throw new RuntimeError(`size mismatch, got input (${a._shape[0]}), mat (${a._shape[0]}x${a._shape[1]}), vec (${v._shape[0]})`);
  }
  checkSameDtype(a, v);
  const out = runMatmul(a.detach(), v.detach().unsqueeze(1), []);
  const result = new Tensor(out._storage, [a._shape[0]!]);
  return record("MvBackward0", [a, v], result, ([g], [sa, sv]) => [
    g!.unsqueeze(1).mul(sv!.unsqueeze(0)),
    sa!.t().mv(g!),
  ], [a, v]);
}

/** `torch.outer(input, vec2)`: the outer product of two 1-D tensors. */
export function outer(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1) throw new RuntimeError("outer: Expected 1-D argument self, but got " + a.ndim + "-D");
  return a.unsqueeze(1).mul(b.unsqueeze(0));
}

/**
 * `torch.matmul(input, other)` (the `@` operator), by rank as PyTorch defines it:
 * 1-D·1-D is `dot`; 2-D·2-D is `mm`; 1-D·2-D prepends a 1 to the vector and removes it after;
 * 2-D·1-D is `mv`; N-D·(1-D or 2-D) folds the batch into the rows of one `mm`; otherwise the
 * batch dims broadcast and a batched product runs (a 1-D operand gets a temporary dim).
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const [da, db] = [a.ndim, b.ndim];
  if (da === 0 || db === 0) {
    throw new RuntimeError(`both arguments to matmul need to be at least 1D, but they are ${da}D and ${db}D`);
  }
  if (da === 1 && db === 1) return dot(a, b);
  if (da === 2 && db === 2) return mm(a, b);
  if (da === 1 && db === 2) return mm(a.unsqueeze(0), b).squeeze(0);
  if (da === 2 && db === 1) return mv(a, b);
  if (da >= 3 && (db === 1 || db === 2)) {
    // (..., n, m)·(m, p) or ·(m): one mm (or mv) over the folded rows, then the batch shape back.
    const rows = a.reshape(-1, a._shape[da - 1]!);
    if (db === 1) return unsafeView(rows.mv(b), a._shape.slice(0, -1));
    if (rows._shape[1] !== b._shape[0]) {
      throw new RuntimeError(
        `mat1 and mat2 shapes cannot be multiplied (${rows._shape[0]}x${rows._shape[1]} and ${b._shape[0]}x${b._shape[1]})`,
      );
    }
    return unsafeView(rows.mm(b), [...a._shape.slice(0, -1), b._shape[1]!]);
  }
  // Batched: broadcast the batch dims, run (B, n, m)·(B, m, p).
  const a3 = da === 1 ? a.unsqueeze(0) : a;
  const b3 = db === 1 ? b.unsqueeze(1) : b;
  const [n, m] = [a3._shape[a3.ndim - 2]!, a3._shape[a3.ndim - 1]!];
  const [m2, p] = [b3._shape[b3.ndim - 2]!, b3._shape[b3.ndim - 1]!];
  if (m !== m2) {
    throw new RuntimeError(`Expected size for first two dimensions of batch2 tensor to be: [${numelOf(broadcastShapes(a3._shape.slice(0, -2), b3._shape.slice(0, -2)))}, ${m}] but got: [${numelOf(broadcastShapes(a3._shape.slice(0, -2), b3._shape.slice(0, -2)))}, ${m2}].`);
  }
  const batch = broadcastShapes(a3._shape.slice(0, -2), b3._shape.slice(0, -2));
  const B = numelOf(batch);
  const x = a3.expand([...batch, n, m]).reshape(B, n, m);
  const y = b3.expand([...batch, m, p]).reshape(B, m, p);
  let out = unsafeView(x.bmm(y), [...batch, n, p]);
  if (da === 1) out = out.squeeze(-2);
  if (db === 1) out = out.squeeze(-1);
  return out;
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    mm(mat2: Tensor): Tensor;
    addmm(mat1: Tensor, mat2: Tensor, options?: AddmmOptions): Tensor;
    bmm(mat2: Tensor): Tensor;
    baddbmm(batch1: Tensor, batch2: Tensor, options?: AddmmOptions): Tensor;
    dot(other: Tensor): Tensor;
    mv(vec: Tensor): Tensor;
    outer(other: Tensor): Tensor;
    matmul(other: Tensor): Tensor;
  }
}

const P = Tensor.prototype;
P.mm = function (b) { return mm(this, b); };
P.addmm = function (m1, m2, options) { return addmm(this, m1, m2, options); };
P.bmm = function (b) { return bmm(this, b); };
P.baddbmm = function (b1, b2, options) { return baddbmm(this, b1, b2, options); };
P.dot = function (b) { return dot(this, b); };
P.mv = function (v) { return mv(this, v); };
P.outer = function (b) { return outer(this, b); };
P.matmul = function (b) { return matmul(this, b); };
