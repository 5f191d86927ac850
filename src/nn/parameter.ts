/**
 * `torch.nn.Parameter` and `torch.nn.UninitializedParameter`: tensors that a Module registers
 * as its parameters when they are assigned to it.
 */

import { Tensor } from "../tensor/tensor.js";
import type { Size } from "../tensor/size.js";
import { empty } from "../tensor/creation.js";
import type { DType } from "../tensor/dtype.js";
import { checkDevice, type device } from "../tensor/device.js";
import { RuntimeError } from "../errors.js";

/**
 * A kind of Tensor that is to be considered a module parameter.
 *
 * Parameters are Tensor subclasses with one special property when used with Modules: assigned
 * as a Module attribute, they are added to the module's parameters and appear in
 * `parameters()`. A Parameter shares its storage with `data` (no copy) and is always a leaf.
 *
 * Args:
 *   data: the parameter tensor (an empty tensor when null or omitted).
 *   requires_grad: whether the parameter requires gradient. Default: true.
 *
 * ```ts
 * const w = new nn.Parameter(torch.zeros(2, 3));
 * w.requires_grad   // true
 * w instanceof torch.Tensor   // true
 * ```
 */
export class Parameter extends Tensor {
  constructor(data: Tensor | null = null, requires_grad = true) {
    const src = data ?? empty(0);
    // PyTorch's _make_subclass: an alias of data's memory, detached from data's graph.
    super(src._storage, src._shape, src._strides, src._offset);
    this.requires_grad_(requires_grad);
  }

  /** `Parameter containing:` followed by the tensor's repr. */
  override toString(): string {
    return "Parameter containing:\n" + super.toString();
  }
}

const UNINITIALIZED_SHAPE =
  "Can't access the shape of an uninitialized parameter or buffer. This error usually happens in " +
  "`load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call " +
  "`forward` to initialize the parameters before accessing their attributes.";

/**
 * An uninitialized parameter's dims until `materialize`: ops and kernels read a tensor's dims
 * (`_shape`), not its `shape`, so these throw `shape`'s error on any read, and an op on the
 * parameter (or loading one into an initialized module) fails with it instead of running on
 * an empty tensor. NO_DATA is the empty tensor that size() answers for.
 */
const NO_DATA = empty(0);
const NO_DIMS_YET = new Proxy([], {
  get(): never {
    throw new RuntimeError(UNINITIALIZED_SHAPE);
  },
}) as unknown as Tensor["_shape"];

/**
 * A parameter whose shape is not known yet, used by lazy modules (`nn.LazyLinear`). It holds
 * no data until `materialize(shape)` gives it storage, after which it is a plain `Parameter`
 * (its class changes, as PyTorch's `cls_to_become` does).
 */
export class UninitializedParameter extends Parameter {
  constructor(requires_grad = true, options: { device?: string | device; dtype?: DType } = {}) {
    checkDevice(options.device);
    super(empty(0, { dtype: options.dtype }), requires_grad);
    this._shape = NO_DIMS_YET;
  }

  override get shape(): never {
    throw new RuntimeError(UNINITIALIZED_SHAPE);
  }

  // size() answers for the empty tensor it holds, as PyTorch allows it; numel() did before the
  // dims above. (Everything else that reads the dims fails.)
  override size(): Size;
  override size(dim: number): number;
  override size(dim?: number): Size | number {
    return dim === undefined ? NO_DATA.size() : NO_DATA.size(dim);
  }

  override numel(): number {
    return 0;
  }

  /** Gives the parameter storage of `shape` (uninitialised values) and makes it a Parameter. */
  materialize(shape: readonly number[], options: { device?: string | device; dtype?: DType } = {}): Parameter {
    checkDevice(options.device);
    const data = empty([...shape], { dtype: options.dtype ?? this.dtype });
    this.data = data;
    Object.setPrototypeOf(this, Parameter.prototype);
    return this;
  }

  override toString(): string {
    return "<UninitializedParameter>";
  }
}

/** Whether `t` is an uninitialised (lazy) parameter, as `torch.nn.parameter.is_lazy`. */
export function is_lazy(t: unknown): boolean {
  return t instanceof UninitializedParameter;
}
