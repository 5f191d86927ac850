/**
 * Dropout: `nn.Dropout` and `F.dropout`.
 *
 * On the CPU PyTorch computes dropout as a composite (ATen's `_dropout_impl`): a row-major
 * noise tensor of the input's shape, `noise.bernoulli_(1 - p)`, `noise.div_(1 - p)`, then
 * `input * noise`. Its node is therefore `MulBackward0`, in 1.13 and in 2.x alike: 2.x keeps
 * the fused `native_dropout` (node `NativeDropoutBackward0`) for CUDA, XPU, lazy and
 * privateuse1 tensors only (`is_fused_kernel_acceptable` in aten/src/ATen/native/Dropout.cpp).
 * Reproducing the composite also reproduces its masks bit for bit (random/bernoulli.ts).
 */

import { Tensor } from "../tensor/tensor.js";
import { zeros } from "../tensor/creation.js";
import { ValueError } from "../errors.js";
import { bernoulli_ } from "../random/bernoulli.js";
import { Module } from "./module.js";
import { pyBool, pyFloat } from "./pyformat.js";

export interface DropoutOptions {
  /** Probability of an element to be zeroed (default 0.5). */
  p?: number;
  /** Apply dropout if true (default true); otherwise return the input. */
  training?: boolean;
  /** Do the operation in place (default false). */
  inplace?: boolean;
}

function checkP(p: number): void {
  if (p < 0 || p > 1) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${pyFloat(p)}`);
}

/**
 * During training, randomly zeroes some elements of the input with probability `p`, using
 * samples from a Bernoulli distribution, and scales the others by 1/(1 − p):
 *
 *     out_i = input_i · m_i / (1 − p),  m_i ~ Bernoulli(1 − p)
 *
 * With `training = false`, `p = 0`, or an empty input, the input itself is returned.
 *
 * Args:
 *   input: the tensor.
 *   p: probability of an element to be zeroed (default 0.5); also accepted in the options.
 *   options.training: apply dropout if true (default true).
 *   options.inplace: if true, do this operation in place (default false).
 *
 * The masks are PyTorch's for the same seed (see random/bernoulli.ts for the kernel choice).
 *
 * ```ts
 * torch.manual_seed(0);
 * F.dropout(torch.ones(8), 0.2);   // tensor([1.2500, 1.2500, 0.0000, ...]) as in PyTorch
 * F.dropout(x, { p: 0.1, training: model.training });
 * ```
 */
export function dropout(input: Tensor, p: number | DropoutOptions = 0.5, options: DropoutOptions = {}): Tensor {
  const opts = typeof p === "object" ? p : { ...options, p };
  const { p: prob = 0.5, training = true, inplace = false } = opts;
  checkP(prob);
  if (prob === 0 || !training || input.numel() === 0) return input;
  if (prob === 1) {
    const z = zeros([], { dtype: input.dtype });
    return inplace ? input.mul_(z) : input.mul(z);
  }
  // `empty_like(input, LEGACY_CONTIGUOUS_MEMORY_FORMAT)`: row-major whatever the input's
  // layout, so the draws follow the logical order (a transposed input gets the same mask).
  const noise = Tensor._empty(input._shape, input.dtype);
  bernoulli_(noise, 1 - prob);
  noise.div_(1 - prob);
  return inplace ? input.mul_(noise) : input.mul(noise);
}

/**
 * During training, randomly zeroes some of the elements of the input tensor with probability
 * `p`, using samples from a Bernoulli distribution, and scales the outputs by 1/(1 − p). Each
 * element is zeroed independently on every forward call. In evaluation mode (`eval()`) the
 * module computes an identity function.
 *
 * This has proven an effective technique for regularization and preventing the co-adaptation
 * of neurons (Hinton et al., "Improving neural networks by preventing co-adaptation of feature
 * detectors").
 *
 * Args:
 *   p: probability of an element to be zeroed (default 0.5); or the options object.
 *   inplace: if true, do the operation in place (default false).
 *
 * Shapes: input (*), output (*), the same shape.
 *
 * ```ts
 * const m = new nn.Dropout(0.2);
 * const output = m(torch.randn(20, 16));
 * String(m)   // "Dropout(p=0.2, inplace=False)"
 * ```
 */
export class Dropout extends Module {
  declare p: number;
  declare inplace: boolean;

  constructor(p: number | { p?: number; inplace?: boolean } = 0.5, inplace = false) {
    super();
    const opts = typeof p === "object" ? p : { p, inplace };
    const prob = opts.p ?? 0.5;
    checkP(prob);
    this.p = prob;
    this.inplace = opts.inplace ?? false;
  }

  override forward(input: Tensor): Tensor {
    return dropout(input, this.p, { training: this.training, inplace: this.inplace });
  }

  override extra_repr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}
