/**
 * `torch.isclose` and `torch.allclose`: elementwise closeness within a relative and an
 * absolute tolerance, evaluated in the inputs' dtype as ATen does (so float32 rounding of the
 * tolerance terms decides borderline cases exactly as in PyTorch).
 */

import { Tensor } from "../tensor/tensor.js";
import { bool, get_default_dtype } from "../tensor/dtype.js";
import { RuntimeError } from "../errors.js";
import { no_grad } from "../autograd/grad_mode.js";
import { eq } from "./arithmetic.js";
import { isfinite, isnan } from "./unary.js";

export interface IscloseOptions {
  rtol?: number;
  atol?: number;
  equal_nan?: boolean;
}

/**
 * Returns a bool tensor: where `input` and `other` are close,
 *
 *     |input − other| ≤ atol + rtol · |other|
 *
 * or equal (so equal infinities are close); NaNs are close to each other only with
 * `equal_nan`. The inputs must have the same dtype; they broadcast. Integer inputs are compared
 * in the default float dtype.
 *
 * ```ts
 * torch.isclose(torch.tensor([1, 2]), torch.tensor([1, 2.1]))   // tensor([ True, False])
 * ```
 */
export function isclose(input: Tensor, other: Tensor, options: IscloseOptions = {}): Tensor {
  const { rtol = 1e-5, atol = 1e-8, equal_nan = false } = options;
  if (input.dtype !== other.dtype) {
    throw new RuntimeError(`${input.dtype.scalarTypeName} did not match ${other.dtype.scalarTypeName}`);
  }
  if (rtol < 0) throw new RuntimeError(`rtol must be greater than or equal to zero, but got ${rtol}`);
  if (atol < 0) throw new RuntimeError(`atol must be greater than or equal to zero, but got ${atol}`);
  return no_grad(() => {
    let close = eq(input, other);
    if (equal_nan && input.dtype.is_floating_point) close = close.logical_or(isnan(input).logical_and(isnan(other)));
    if (input.dtype === bool || (rtol === 0 && atol === 0)) return close;
    let [a, b] = [input, other];
    if (!a.dtype.is_floating_point) [a, b] = [a.to(get_default_dtype()), b.to(get_default_dtype())];
    const allowed = b.mul(rtol).abs().add(atol);
    const actual = a.sub(b).abs();
    return close.logical_or(isfinite(actual).logical_and(actual.le(allowed)));
  });
}

/** Whether every element of `input` is close to `other` (see {@link isclose}); a boolean. */
export function allclose(input: Tensor, other: Tensor, options: IscloseOptions = {}): boolean {
  return isclose(input, other, options).all().item() as boolean;
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    /** See {@link isclose}. */
    isclose(other: Tensor, options?: IscloseOptions): Tensor;
    /** See {@link allclose}. */
    allclose(other: Tensor, options?: IscloseOptions): boolean;
  }
}

Tensor.prototype.isclose = function (other: Tensor, options?: IscloseOptions) {
  return isclose(this, other, options);
};
Tensor.prototype.allclose = function (other: Tensor, options?: IscloseOptions) {
  return allclose(this, other, options);
};
