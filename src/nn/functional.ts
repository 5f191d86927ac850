/**
 * `torch.nn.functional` (also importable as `F`): the stateless forms of the layers.
 * This file holds the linear family; other families add their functions here.
 */

import type { Tensor } from "../tensor/tensor.js";
import { RuntimeError } from "../errors.js";
import { add } from "../ops/arithmetic.js";
import { addmm, addmmTransposed, matmul } from "../ops/matmul.js";
import { needsGrad } from "../autograd/graph.js";

/**
 * ATen's `_flatten_nd_linear`: folds all leading dims into the rows of one `addmm`, then views
 * the result back. `reshape` rather than `view(-1, ...)` because a dim may be 0.
 */
function flattenNdLinear(input: Tensor, weight: Tensor, bias: Tensor): Tensor {
  const sizes = input._shape;
  let rows = 1;
  for (let i = 0; i < sizes.length - 1; i++) rows *= sizes[i]!;
  const result = addmm(bias, input.reshape(rows, sizes[sizes.length - 1]!), weight.t());
  // (*, in) -> (prod(*), in) -> (prod(*), out) -> (*, out)
  return result.view([...sizes.slice(0, -1), result._shape[1]!]);
}

/**
 * Applies a linear transformation to the incoming data: y = x Aᵀ + b.
 *
 * Shapes:
 *   - input: (*, in_features), * any number of dims including none
 *   - weight: (out_features, in_features) or (in_features)
 *   - bias: (out_features) or ()
 *   - output: (*, out_features) or (*), following the weight's shape
 *
 * Dispatches as ATen's `linear`: a 2-D input with bias is one `addmm(bias, input, weight.t())`
 * (grad_fn `AddmmBackward0`); a contiguous input with a 1-D bias (or any 3-D contiguous one)
 * is flattened into one `addmm` and viewed back (`ViewBackward0`); anything else is
 * `matmul(input, weight.t())` plus bias. A shape mismatch is reported by the matrix product:
 * `mat1 and mat2 shapes cannot be multiplied (4x2 and 3x3)` (rows folded, second is weightᵀ).
 *
 * ```ts
 * const y = F.linear(torch.randn(4, 2), torch.randn(3, 2), torch.zeros(3));   // (4, 3)
 * ```
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const inputDim = input.ndim;
  const weightDim = weight.ndim;
  if (inputDim === 0 || weightDim === 0) {
    throw new RuntimeError(
      `both arguments to linear need to be at least 1D, but they are ${inputDim}D and ${weightDim}D`,
    );
  }
  // The fused op is marginally faster (ATen's comment); it also names the node AddmmBackward0.
  if (inputDim === 2 && bias !== null) {
    if (weightDim === 2 && !needsGrad(bias, input, weight)) return addmmTransposed(bias, input, weight);
    return addmm(bias, input, weight.t());
  }
  if (bias !== null && input.is_contiguous() && (inputDim === 3 || bias.ndim === 1)) {
    return flattenNdLinear(input, weight, bias);
  }
  const output = matmul(input, weight.t());
  if (bias === null) return output;
  // ATen adds in place (`output.add_(bias)`): the bias may not grow the output's shape.
  const result = add(output, bias);
  if (result.ndim !== output.ndim || result._shape.some((s, i) => s !== output._shape[i])) {
    throw new RuntimeError(
      `output with shape [${output._shape.join(", ")}] doesn't match the broadcast shape [${result._shape.join(", ")}]`,
    );
  }
  return result;
}

/**
 * Applies a bilinear transformation to the incoming data: y = x₁ᵀ A x₂ + b, that is
 * y[..., o] = Σᵢⱼ x₁[..., i] A[o, i, j] x₂[..., j] + b[o].
 *
 * Shapes:
 *   - input1: (*, in1_features); input2: (*, in2_features), the same leading dims
 *   - weight: (out_features, in1_features, in2_features); bias: (out_features)
 *   - output: (*, out_features)
 *
 * ```ts
 * F.bilinear(torch.randn(4, 3), torch.randn(4, 2), torch.randn(5, 3, 2)).shape   // [4, 5]
 * ```
 */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const nd = input1.ndim;
  if (nd !== input2.ndim) {
    throw new RuntimeError(`bilinear(): input dimensions do not match: got ${nd} and ${input2.ndim}`);
  }
  for (let i = 0; i < nd - 1; i++) {
    if (input1._shape[i] !== input2._shape[i]) {
      throw new RuntimeError(
        `bilinear(): input batch dimensions do not match at dim ${i}: got ${input1._shape[i]} and ${input2._shape[i]}`,
      );
    }
  }
  const [out, in1, in2] = [weight._shape[0]!, weight._shape[1]!, weight._shape[2]!];
  if (input1._shape[nd - 1] !== in1) {
    throw new RuntimeError(`bilinear(): input1 size does not match weight size: got ${input1._shape[nd - 1]} but expected ${in1}`);
  }
  if (input2._shape[nd - 1] !== in2) {
    throw new RuntimeError(`bilinear(): input2 size does not match weight size: got ${input2._shape[nd - 1]} but expected ${in2}`);
  }
  if (bias !== null && bias._shape[0] !== out) {
    throw new RuntimeError(`bilinear(): bias size does not match weight size: got ${bias._shape[0]} but expected ${out}`);
  }
  const batch = input1._shape.slice(0, -1);
  // (*, in1) -> (B, in1) · (in1, out·in2) -> (B, out, in2); times x2 (B, 1, in2), summed over in2.
  const x1 = input1.reshape(-1, in1);
  const x2 = input2.reshape(-1, in2);
  const mixed = x1.matmul(weight.permute(1, 0, 2).reshape(in1, out * in2)).view(-1, out, in2);
  const y = mixed.mul(x2.unsqueeze(1)).sum(-1).reshape([...batch, out]); // (B, out) -> (*, out)
  return bias === null ? y : y.add(bias);
}

// Activations, losses, dropout, layer_norm and embedding live in their own files.
export * from "./functional_activation.js";
export * from "./functional_loss.js";
export { dropout } from "./dropout.js";
export type { DropoutOptions } from "./dropout.js";
export { layer_norm } from "./normalization.js";
export type { LayerNormFunctionalOptions } from "./normalization.js";
export { embedding } from "./sparse.js";
export type { EmbeddingFunctionalOptions } from "./sparse.js";
