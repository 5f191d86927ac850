/**
 * Embedding lookup tables: `nn.Embedding` and `F.embedding` (node `EmbeddingBackward0`).
 */

import { Tensor } from "../tensor/tensor.js";
import { empty, fromTypedArray, zeros } from "../tensor/creation.js";
import { float64, int32, int64, type DType } from "../tensor/dtype.js";
import type { device } from "../tensor/device.js";
import { record } from "../autograd/graph.js";
import { no_grad } from "../autograd/grad_mode.js";
import { AssertionError, NotImplementedError, RuntimeError } from "../errors.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";
import * as init from "./init.js";
import { pyBool, pyFloat } from "./pyformat.js";

export interface EmbeddingFunctionalOptions {
  /** This row gets no gradient (default: none; negative counts from the end). */
  padding_idx?: number | null;
  /** Rows looked up whose norm exceeds max_norm are renormalised to it, in place. */
  max_norm?: number | null;
  /** The p of the p-norm for max_norm (default 2). */
  norm_type?: number;
  /** Scale each row's gradient by the inverse frequency of its index in the batch. */
  scale_grad_by_freq?: boolean;
  /** Sparse gradients: not supported (torch-ts has no sparse tensors). */
  sparse?: boolean;
}

function refuseSparse(sparse: boolean | undefined): void {
  if (sparse) {
    throw new NotImplementedError("sparse=True: torch-ts has no sparse tensors, so Embedding gradients are always dense");
  }
}

function checkPadding(padding_idx: number, num: number): number {
  if (padding_idx > 0 && !(padding_idx < num)) throw new AssertionError("Padding_idx must be within num_embeddings");
  if (padding_idx < 0) {
    if (!(padding_idx >= -num)) throw new AssertionError("Padding_idx must be within num_embeddings");
    return num + padding_idx;
  }
  return padding_idx;
}

/** The indices as plain numbers (they are read to count frequencies and renormalise rows). */
function indexValues(indices: Tensor): number[] {
  return Array.from(indices.contiguous()._values() as ArrayLike<number | bigint>, Number);
}

/**
 * `torch.embedding_renorm_`: each distinct row of `weight` that `indices` looks up, if its
 * p-norm exceeds max_norm, is scaled in place by max_norm / (norm + 1e-7).
 */
function embeddingRenorm(weight: Tensor, indices: Tensor, maxNorm: number, normType: number): void {
  const rows = [...new Set(indexValues(indices))].sort((a, b) => a - b);
  no_grad(() => {
    for (const i of rows) {
      const row = weight.select(0, i);
      const n = row.norm(normType).item() as number;
      if (n > maxNorm) row.mul_(maxNorm / (n + 1e-7));
    }
  });
}

/**
 * A simple lookup table that looks up embeddings in a fixed dictionary and size: row
 * `weight[i]` for each index i of `input`.
 *
 * Args:
 *   input: an int64 (or int32) tensor of indices into the weight, any shape.
 *   weight: the embedding matrix, (V, embedding_dim), V = max index + 1.
 *   options.padding_idx: entries at this index do not contribute to the gradient.
 *   options.max_norm: rows looked up whose norm is larger are renormalised to have norm
 *     max_norm; this modifies `weight` in place.
 *   options.norm_type: the p of the p-norm for max_norm (default 2).
 *   options.scale_grad_by_freq: scale gradients by the inverse of the words' frequency in
 *     the mini-batch (default false).
 *
 * Shapes: input (*), weight (V, D), output (*, D).
 *
 * Gradient for weight (node `EmbeddingBackward0`): the output's gradient rows summed into the
 * rows they were read from, skipping padding_idx.
 *
 * ```ts
 * const weight = torch.rand(10, 3);
 * F.embedding(torch.tensor([[1, 2, 4, 5], [4, 3, 2, 9]]), weight).shape   // torch.Size([2, 4, 3])
 * ```
 */
export function embedding(input: Tensor, weight: Tensor, options: EmbeddingFunctionalOptions = {}): Tensor {
  const { max_norm = null, norm_type = 2, scale_grad_by_freq = false, sparse = false } = options;
  let padding = -1;
  if (options.padding_idx !== undefined && options.padding_idx !== null) {
    padding = checkPadding(options.padding_idx, weight.size(0));
  }
  refuseSparse(sparse);
  if (max_norm !== null) embeddingRenorm(weight, input, max_norm, norm_type);
  if (weight.ndim !== 2) throw new RuntimeError("'weight' must be 2-D");
  if (input.dtype !== int64 && input.dtype !== int32) {
    throw new RuntimeError(
      "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; " +
        `but got torch.${input.dtype.scalarTypeName}Tensor instead (while checking arguments for embedding)`,
    );
  }
  const [num, dim] = [weight.size(0), weight.size(1)];
  const flat = input.reshape(-1);
  // (*) -> (N) -> (N, D) -> (*, D)
  const out = no_grad(() => weight.index_select(0, flat).view([...input._shape, dim]));
  return record("EmbeddingBackward0", [weight], out, ([g], [idx]) => {
    let rows = g!.reshape(-1, dim); // (*, D) -> (N, D)
    const values = scale_grad_by_freq || padding >= 0 ? indexValues(idx!) : [];
    if (padding >= 0 || scale_grad_by_freq) {
      const count = new Map<number, number>();
      for (const v of values) count.set(v, (count.get(v) ?? 0) + 1);
      const scale = new Float64Array(values.length);
      values.forEach((v, i) => (scale[i] = v === padding ? 0 : scale_grad_by_freq ? 1 / count.get(v)! : 1));
      rows = rows.mul(fromTypedArray(scale, [values.length, 1], float64).to(rows.dtype));
    }
    return [zeros([num, dim], { dtype: g!.dtype }).index_add(0, idx!, rows)];
  }, [flat]);
}

export interface EmbeddingOptions extends EmbeddingFunctionalOptions {
  /** Initial weights (num_embeddings, embedding_dim), used as the parameter as they are. */
  _weight?: Tensor | null;
  /** With _weight, whether the parameter does not require grad (default false). */
  _freeze?: boolean;
  device?: string | device;
  dtype?: DType;
}

/**
 * A simple lookup table that stores embeddings of a fixed dictionary and size, often used to
 * store word embeddings and retrieve them using indices. The input is a tensor of indices,
 * the output the corresponding embedding vectors.
 *
 * Args:
 *   num_embeddings: size of the dictionary of embeddings.
 *   embedding_dim: the size of each embedding vector.
 *   options.padding_idx: the entries at padding_idx do not contribute to the gradient, so the
 *     embedding vector there is not updated during training (a fixed "pad"); it is
 *     initialised to zeros.
 *   options.max_norm, options.norm_type, options.scale_grad_by_freq: see `F.embedding`.
 *
 * Variables:
 *   weight: (num_embeddings, embedding_dim), initialised from N(0, 1) (`init.normal_`, the
 *     same draws as PyTorch's).
 *
 * Shapes: input (*) of int64 or int32 indices, output (*, H), H = embedding_dim.
 *
 * ```ts
 * const embedding = new nn.Embedding(10, 3, { padding_idx: 0 });
 * embedding(torch.tensor([[0, 2, 0, 5]])).shape   // torch.Size([1, 4, 3])
 * String(embedding)                               // "Embedding(10, 3, padding_idx=0)"
 * ```
 */
export class Embedding extends Module {
  declare num_embeddings: number;
  declare embedding_dim: number;
  declare padding_idx: number | null;
  declare max_norm: number | null;
  declare norm_type: number;
  declare scale_grad_by_freq: boolean;
  declare sparse: boolean;
  declare weight: Parameter;

  constructor(num_embeddings: number, embedding_dim: number, options: EmbeddingOptions = {}) {
    super();
    const {
      padding_idx = null, max_norm = null, norm_type = 2, scale_grad_by_freq = false, sparse = false,
      _weight = null, _freeze = false, device, dtype,
    } = options;
    refuseSparse(sparse);
    this.num_embeddings = num_embeddings;
    this.embedding_dim = embedding_dim;
    this.padding_idx = padding_idx === null ? null : checkPadding(padding_idx, num_embeddings);
    this.max_norm = max_norm;
    this.norm_type = norm_type;
    this.scale_grad_by_freq = scale_grad_by_freq;
    if (_weight === null) {
      this.weight = new Parameter(empty([num_embeddings, embedding_dim], { device, dtype }), !_freeze);
      this.reset_parameters();
    } else {
      if (_weight.ndim !== 2 || _weight.size(0) !== num_embeddings || _weight.size(1) !== embedding_dim) {
        throw new AssertionError("Shape of weight does not match num_embeddings and embedding_dim");
      }
      this.weight = new Parameter(_weight, !_freeze);
    }
    this.sparse = sparse;
  }

  /** weight from N(0, 1), then the padding row zeroed. */
  reset_parameters(): void {
    init.normal_(this.weight);
    this._fill_padding_idx_with_zero();
  }

  _fill_padding_idx_with_zero(): void {
    if (this.padding_idx !== null) no_grad(() => this.weight.select(0, this.padding_idx!).fill_(0));
  }

  override forward(input: Tensor): Tensor {
    return embedding(input, this.weight, {
      padding_idx: this.padding_idx, max_norm: this.max_norm, norm_type: this.norm_type,
      scale_grad_by_freq: this.scale_grad_by_freq, sparse: this.sparse,
    });
  }

  override extra_repr(): string {
    let s = `${this.num_embeddings}, ${this.embedding_dim}`;
    if (this.padding_idx !== null) s += `, padding_idx=${this.padding_idx}`;
    if (this.max_norm !== null) s += `, max_norm=${pyFloat(this.max_norm)}`;
    if (this.norm_type !== 2) s += `, norm_type=${pyFloat(this.norm_type)}`;
    if (this.scale_grad_by_freq) s += `, scale_grad_by_freq=${pyBool(this.scale_grad_by_freq)}`;
    if (this.sparse) s += ", sparse=True";
    return s;
  }

  /**
   * Creates an Embedding from a 2-D tensor of weights: `num_embeddings` and `embedding_dim`
   * are its sizes, and it becomes the parameter (requires_grad = !freeze; freeze defaults to
   * true).
   *
   * ```ts
   * const e = nn.Embedding.from_pretrained(torch.tensor([[1, 2.3, 3], [4, 5.1, 6.3]]));
   * e(torch.tensor([1]))   // tensor([[4.0000, 5.1000, 6.3000]])
   * ```
   */
  static from_pretrained(embeddings: Tensor, options: EmbeddingFunctionalOptions & { freeze?: boolean } = {}): Embedding {
    if (embeddings.ndim !== 2) throw new AssertionError("Embeddings parameter is expected to be 2-dimensional");
    const { freeze = true, ...rest } = options;
    return new Embedding(embeddings.size(0), embeddings.size(1), { ...rest, _weight: embeddings, _freeze: freeze });
  }
}
