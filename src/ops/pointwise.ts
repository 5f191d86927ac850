/**
 * Ternary pointwise ops: `addcmul`, `addcdiv` and `lerp`, their in-place `_` variants and their
 * gradients. The optimizers are written with them, as PyTorch's are.
 *
 * Each forward follows the arithmetic order of PyTorch's CPU kernel (`self + value * t1 * t2`,
 * `self + value * t1 / t2`, and lerp's two-sided formula), one float operation at a time in the
 * operands' dtype, so that float32 results agree with PyTorch's to rounding.
 */

import { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { record } from "../autograd/graph.js";
import { no_grad } from "../autograd/grad_mode.js";
import { RuntimeError } from "../errors.js";
import { applyInplace, directComposite } from "./arithmetic.js";
import { where } from "./where.js";
import { asTensor, resultType, sumToShape } from "./common.js";

export interface ValueOptions {
  /** The multiplier of the product or quotient (default 1). */
  value?: number;
}

/** The operands cast to their common dtype, as PyTorch's ternary ops promote them. */
function promoted(input: Tensor, tensor1: Tensor, tensor2: Tensor): [Tensor, Tensor, Tensor] {
  const dtype = resultType(input, tensor1, tensor2);
  return [asTensor(input, dtype), asTensor(tensor1, dtype), asTensor(tensor2, dtype)];
}

/**
 * `torch.addcmul(input, tensor1, tensor2, { value })`: the elementwise product of tensor1 and
 * tensor2, times value, added to input.
 *
 *     out_i = input_i + value × tensor1_i × tensor2_i
 *
 * The three shapes broadcast together.
 *
 * @example
 * const v = torch.zeros([3]);
 * const g = torch.tensor([1, 2, 3], { dtype: torch.float32 });
 * v.mul_(0.999).addcmul_(g, g, { value: 0.001 }); // Adam's second moment
 */
export function addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, options: ValueOptions = {}): Tensor {
  const value = options.value ?? 1;
  const [x, a, b] = promoted(input, tensor1, tensor2);
  const out = no_grad(() => x.add((value === 1 ? a : a.mul(value)).mul(b)));
  const [xs, as, bs] = [x._shape, a._shape, b._shape];
  const [ga, gb] = [a.requires_grad, b.requires_grad];
  return record("AddcmulBackward0", [x, a, b], out, ([g], [sa, sb]) => [
    sumToShape(g!, xs),
    ga ? sumToShape(g!.mul(sb!.mul(value)), as) : null,
    gb ? sumToShape(g!.mul(sa!.mul(value)), bs) : null,
  ], [a, b]);
}

/**
 * `torch.addcdiv(input, tensor1, tensor2, { value })`: tensor1 divided elementwise by tensor2,
 * times value, added to input.
 *
 *     out_i = input_i + value × tensor1_i / tensor2_i
 *
 * The three shapes broadcast together. Integer tensor1 and tensor2 are refused, as in PyTorch.
 *
 * @example
 * // Adam's update: param -= step_size · exp_avg / denom
 * param.addcdiv_(exp_avg, denom, { value: -step_size });
 */
export function addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, options: ValueOptions = {}): Tensor {
  if (!tensor1.dtype.is_floating_point && !tensor2.dtype.is_floating_point) {
    throw new RuntimeError(
      "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform " +
        "a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as " +
        "(input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as " +
        "(input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter " +
        "implementation: (input + value * tensor1 / tensor2), for all dtypes.",
    );
  }
  const value = options.value ?? 1;
  const [x, a, b] = promoted(input, tensor1, tensor2);
  const out = no_grad(() => x.add((value === 1 ? a : a.mul(value)).div(b)));
  const [xs, as, bs] = [x._shape, a._shape, b._shape];
  const [ga, gb] = [a.requires_grad, b.requires_grad];
  return record("AddcdivBackward0", [x, a, b], out, ([g], [sa, sb]) => [
    sumToShape(g!, xs),
    ga ? sumToShape(g!.mul(value).div(sb!), as) : null,
    gb ? sumToShape(g!.neg().mul(value).mul(sa!).div(sb!.mul(sb!)), bs) : null,
  ], [a, b]);
}

/** How ATen names a dtype in lerp's messages (c10's TypeMeta names). */
function typeMetaName(d: DType): string {
  const names: Record<string, string> = { float32: "float", float64: "double", int64: "long int", int32: "int", bool: "bool" };
  return names[d.name] ?? d.name;
}

function checkLerpOperand(input: Tensor, other: Tensor, what: "end" | "weight"): void {
  if (other.dtype !== input.dtype) {
    throw new RuntimeError(
      `expected dtype ${typeMetaName(input.dtype)} for \`${what}\` but got dtype ${typeMetaName(other.dtype)}`,
    );
  }
}

/**
 * `torch.lerp(input, end, weight)`: linear interpolation from input towards end.
 *
 *     out_i = input_i + weight_i × (end_i − input_i)
 *
 * As PyTorch computes it: `input + w·(end − input)` when |w| < 0.5, else
 * `end − (end − input)·(1 − w)`, which is exact at both ends. `weight` is a number or a tensor;
 * input, end (and a tensor weight) must share one floating dtype, and broadcast together.
 *
 * @example
 * exp_avg.lerp_(grad, 1 - beta1); // Adam's first moment
 */
export function lerp(input: Tensor, end: Tensor, weight: number | Tensor): Tensor {
  checkLerpOperand(input, end, "end");
  const kernel = weight instanceof Tensor ? "lerp_kernel_tensor" : "lerp_kernel_scalar";
  if (!input.dtype.is_floating_point) {
    throw new RuntimeError(`"${kernel}" not implemented for '${input.dtype.scalarTypeName}'`);
  }
  const [xs, es] = [input._shape, end._shape];
  if (weight instanceof Tensor) {
    checkLerpOperand(input, weight, "weight");
    const ws = weight._shape;
    const out = no_grad(() => {
      const diff = end.sub(input);
      const small = weight.abs().lt(0.5);
      return where(small, input.add(weight.mul(diff)), end.sub(diff.mul(weight.neg().add(1))));
    });
    return record("LerpBackward1", [input, end, weight], out, ([g], [sx, se, sw]) => [
      sumToShape(g!.mul(sw!.neg().add(1)), xs),
      sumToShape(g!.mul(sw!), es),
      sumToShape(g!.mul(se!.sub(sx!)), ws),
    ], [input, end, weight]);
  }
  // The kernel casts the weight to the operands' dtype and forms 1 - w there, not in binary64.
  const w = input.dtype.itemsize === 4 ? Math.fround(weight) : weight;
  const oneMinusW = input.dtype.itemsize === 4 ? Math.fround(1 - w) : 1 - w;
  const out = no_grad(() => {
    const diff = end.sub(input);
    return Math.abs(w) < 0.5 ? input.add(diff.mul(w)) : end.sub(diff.mul(oneMinusW));
  });
  // derivatives.yaml forms 1 - weight in double for the gradient.
  return record("LerpBackward0", [input, end], out, ([g]) => [
    sumToShape(g!.mul(1 - weight), xs),
    sumToShape(g!.mul(weight), es),
  ]);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    addcmul(tensor1: Tensor, tensor2: Tensor, options?: ValueOptions): Tensor;
    addcmul_(tensor1: Tensor, tensor2: Tensor, options?: ValueOptions): Tensor;
    addcdiv(tensor1: Tensor, tensor2: Tensor, options?: ValueOptions): Tensor;
    addcdiv_(tensor1: Tensor, tensor2: Tensor, options?: ValueOptions): Tensor;
    lerp(end: Tensor, weight: number | Tensor): Tensor;
    lerp_(end: Tensor, weight: number | Tensor): Tensor;
  }
}

/** addcmul's and addcdiv's term, `value · t1 (× or ÷) t2` after promotion, when t keeps its dtype. */
function ternaryTerm(t: Tensor, t1: Tensor, t2: Tensor, value: number, op: "mul" | "div"): Tensor | null {
  const [x, a, b] = promoted(t, t1, t2);
  if (x !== t) return null;
  return (value === 1 ? a : a.mul(value))[op](b);
}

/** lerp's `diff · w` when the scalar weight takes the `input + w·(end − input)` side. */
function lerpTerm(t: Tensor, end: Tensor, weight: number | Tensor): Tensor | null {
  if (weight instanceof Tensor || end.dtype !== t.dtype) return null;
  const w = t.dtype.itemsize === 4 ? Math.fround(weight) : weight;
  return Math.abs(w) < 0.5 ? end.sub(t).mul(w) : null;
}

const P = Tensor.prototype;
P.addcmul = function (t1, t2, opt) { return addcmul(this, t1, t2, opt); };
P.addcmul_ = function (t1, t2, opt) {
  return directComposite("add", this, [t1, t2], () => ternaryTerm(this, t1, t2, opt?.value ?? 1, "mul"))
    ?? applyInplace(this, () => addcmul(this, t1, t2, opt), { inputs: [t1, t2] });
};
P.addcdiv = function (t1, t2, opt) { return addcdiv(this, t1, t2, opt); };
P.addcdiv_ = function (t1, t2, opt) {
  // Integer t1 and t2 are refused by addcdiv itself, on the general path.
  const floating = t1.dtype.is_floating_point || t2.dtype.is_floating_point;
  return (floating && directComposite("add", this, [t1, t2], () => ternaryTerm(this, t1, t2, opt?.value ?? 1, "div")))
    || applyInplace(this, () => addcdiv(this, t1, t2, opt), { inputs: [t1, t2] });
};
P.lerp = function (end, weight) { return lerp(this, end, weight); };
P.lerp_ = function (end, weight) {
  return directComposite("add", this, [end, weight], () => lerpTerm(this, end, weight))
    ?? applyInplace(this, () => lerp(this, end, weight), { inputs: [end, weight] });
};
