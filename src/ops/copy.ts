/**
 * Copies and conversions: `clone`, `contiguous`, `to(dtype)`, `float`/`double`/`long`/`int`/
 * `bool`, `copy_`, `detach`, `detach_`, and `data`.
 */

import { Tensor } from "../tensor/tensor.js";
import { DType, bool, float32, float64, int32, int64 } from "../tensor/dtype.js";
import { checkDevice, device } from "../tensor/device.js";
import { record } from "../autograd/graph.js";
import { broadcastShapes } from "../tensor/shape.js";
import { RuntimeError } from "../errors.js";
import { zeros_like } from "../tensor/creation.js";
import {
  checkInplaceLeaf, checkNoInternalOverlap, checkNoPartialOverlap, expandedView, inplace, newOutput, newTensor, sumToShape,
} from "./common.js";

/** A contiguous copy in `dtype`, not recorded. */
function copyAs(t: Tensor, dtype: DType): Tensor {
  const out = newOutput(t._shape, dtype);
  out._storage.backend.copy(out._view, t._view);
  return out;
}

/** `t.clone()`: a contiguous copy with its own storage; the gradient passes through. */
export function clone(t: Tensor): Tensor {
  return record("CloneBackward0", [t], copyAs(t, t.dtype), ([g]) => [g!]);
}

/** `t.contiguous()`: `t` itself when already row-major, else a contiguous clone. */
export function contiguous(t: Tensor): Tensor {
  return t.is_contiguous() ? t : clone(t);
}

export interface ToOptions {
  dtype?: DType;
  device?: string | device;
  copy?: boolean;
  non_blocking?: boolean;
}

/**
 * `t.to(dtype)`, `t.to(device)`, `t.to(other)` or `t.to({ dtype, device, copy })`. Returns `t`
 * itself when nothing changes, unless `copy` is set.
 */
export function to(t: Tensor, arg?: DType | string | device | Tensor | ToOptions, options: ToOptions = {}): Tensor {
  let dtype: DType | undefined;
  if (arg instanceof DType) dtype = arg;
  else if (arg instanceof Tensor) dtype = arg.dtype;
  else if (typeof arg === "string" || arg instanceof device) checkDevice(arg);
  else if (arg) options = { ...arg, ...options };
  checkDevice(options.device);
  dtype = options.dtype ?? dtype ?? t.dtype;
  if (dtype === t.dtype && !options.copy) return t;
  const from = t.dtype;
  const out = copyAs(t, dtype);
  if (!dtype.is_floating_point) return out;
  return record("ToCopyBackward0", [t], out, ([g]) => [g!.to(from)]);
}

/**
 * `t.copy_(src)`: writes src (broadcast to t's shape, cast to t's dtype) into t's memory.
 */
export function copy_(t: Tensor, src: Tensor): Tensor {
  // PyTorch's order: the autograd leaf rule, then TensorIterator's overlap checks (skipped for
  // `t.copy_(t)`, which returns at once), then the shapes.
  checkInplaceLeaf(t);
  if (src !== t) {
    checkNoInternalOverlap(t);
    checkNoPartialOverlap(t, src);
  }
  broadcastShapes(t._shape, src._shape);
  if (src.ndim > t.ndim || src._shape.some((s, i) => s !== 1 && s !== t._shape[t.ndim - src.ndim + i])) {
    throw new RuntimeError(
      `The size of tensor a (${t._shape.join(", ")}) must match the size of tensor b (${src._shape.join(", ")})`,
    );
  }
  inplace(t, () => t._storage.backend.copy(t._view, expandedView(src, t._shape)));
  const srcShape = src._shape;
  const srcDtype = src.dtype;
  if (src.requires_grad || t.requires_grad) {
    record("CopyBackwards", [t, src], t, ([g]) => [zeros_like(g!), sumToShape(g!, srcShape).to(srcDtype)]);
  }
  return t;
}

/** `t.detach()`: the same memory, cut off from the graph. */
export function detach(t: Tensor): Tensor {
  return new Tensor(t._storage, t._shape, t._strides, t._offset);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    clone(): Tensor;
    contiguous(): Tensor;
    to(arg?: DType | string | device | Tensor | ToOptions, options?: ToOptions): Tensor;
    float(): Tensor;
    double(): Tensor;
    long(): Tensor;
    int(): Tensor;
    bool(): Tensor;
    type(dtype: DType): Tensor;
    cpu(): Tensor;
    copy_(src: Tensor): Tensor;
    detach(): Tensor;
    detach_(): Tensor;
    /** The tensor's values without its graph; assigning replaces them (as `param.data = x`). */
    data: Tensor;
  }
}

const P = Tensor.prototype;
P.clone = function () { return clone(this); };
P.contiguous = function () { return contiguous(this); };
P.to = function (arg, options) { return to(this, arg, options); };
P.float = function () { return to(this, float32); };
P.double = function () { return to(this, float64); };
P.long = function () { return to(this, int64); };
P.int = function () { return to(this, int32); };
P.bool = function () { return to(this, bool); };
P.type = function (dtype) { return to(this, dtype); };
P.cpu = function () { return this; };
P.copy_ = function (src) { return copy_(this, src); };
P.detach = function () { return detach(this); };
P.detach_ = function () {
  this._gradFn = null;
  this._requiresGrad = false;
  return this;
};
Object.defineProperty(P, "data", {
  get(this: Tensor) {
    return detach(this);
  },
  set(this: Tensor, value: Tensor) {
    this._storage = value._storage;
    this._shape = value._shape;
    this._strides = value._strides.slice();
    this._offset = value._offset;
  },
});
