/**
 * `nn.Flatten` and `nn.Unflatten`: reshaping layers for use inside `nn.Sequential`.
 */

import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";

/**
 * Flattens a contiguous range of dims into one: (*, S_start, ..., S_end, *) ->
 * (*, ∏ S_start..S_end, *). Defaults keep the batch dim: start_dim = 1, end_dim = -1.
 *
 * ```ts
 * const m = new nn.Flatten();                 // or new nn.Flatten(0, 2), new nn.Flatten({ start_dim: 0 })
 * m(torch.randn(32, 1, 5, 5)).shape           // torch.Size([32, 25])
 * ```
 */
export class Flatten extends Module {
  declare start_dim: number;
  declare end_dim: number;

  constructor(start_dim: number | { start_dim?: number; end_dim?: number } = 1, end_dim = -1) {
    super();
    const opts = typeof start_dim === "object" ? start_dim : { start_dim, end_dim };
    this.start_dim = opts.start_dim ?? 1;
    this.end_dim = opts.end_dim ?? -1;
  }

  override forward(input: Tensor): Tensor {
    return input.flatten(this.start_dim, this.end_dim);
  }

  override extra_repr(): string {
    return `start_dim=${this.start_dim}, end_dim=${this.end_dim}`;
  }
}

/**
 * Unflattens one dim into several: (*, S_dim, *) -> (*, U_1, ..., U_n, *) with ∏ U = S_dim
 * (one size may be -1).
 *
 * ```ts
 * const m = new nn.Unflatten(1, [2, 5, 5]);
 * m(torch.randn(2, 50)).shape                 // torch.Size([2, 2, 5, 5])
 * ```
 */
export class Unflatten extends Module {
  declare dim: number;
  declare unflattened_size: number[];

  constructor(dim: number, unflattened_size: readonly number[]) {
    super();
    if (!Array.isArray(unflattened_size) || unflattened_size.some((s) => !Number.isInteger(s))) {
      throw new TypeError(`unflattened_size must be tuple of ints, but found type ${typeof unflattened_size}`);
    }
    this.dim = dim;
    this.unflattened_size = [...unflattened_size];
  }

  override forward(input: Tensor): Tensor {
    return input.unflatten(this.dim, this.unflattened_size);
  }

  /** The sizes print as the Python tuple PyTorch's docs pass: `(2, 5, 5)`, `(5,)`. */
  override extra_repr(): string {
    const s = this.unflattened_size;
    return `dim=${this.dim}, unflattened_size=(${s.join(", ")}${s.length === 1 ? "," : ""})`;
  }
}
