/** Small `torch.*` helpers: `result_type`, `broadcast_shapes`, `is_tensor`, `numel`. */

import { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { makeSize, type Size } from "../tensor/size.js";
import { broadcastShapes } from "../tensor/shape.js";
import { resultType, type TensorOrScalar } from "./common.js";

/** `torch.result_type(a, b)`: the dtype an op on a and b computes in. */
export function result_type(a: TensorOrScalar, b: TensorOrScalar): DType {
  return resultType(a, b);
}

/** `torch.broadcast_shapes(*shapes)` */
export function broadcast_shapes(...shapes: readonly (readonly number[])[]): Size {
  let out: number[] = [];
  for (const s of shapes) out = broadcastShapes(out, s);
  return makeSize(out);
}

export function is_tensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

export function numel(t: Tensor): number {
  return t.numel();
}
