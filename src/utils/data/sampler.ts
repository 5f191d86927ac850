/**
 * Samplers: the index streams a DataLoader reads, as in `torch/utils/data/sampler.py`.
 * `SequentialSampler`, `RandomSampler`, `SubsetRandomSampler` and `BatchSampler`.
 *
 * A sampler is iterable (`[Symbol.iterator]`) and usually has a length (`__len__()`, also
 * `length`). The random ones draw from torch-ts's PyTorch-exact generator in the order PyTorch
 * does, so the same seed gives the same order.
 */

import type { Generator } from "../../random/generator.js";
import { Generator as GeneratorClass } from "../../random/generator.js";
import { randint, randperm } from "../../random/functions.js";
import { empty } from "../../tensor/creation.js";
import { int64 } from "../../tensor/dtype.js";
import { ValueError } from "../../errors.js";
import { lengthOf, type Sized } from "./dataset.js";

/**
 * Base class for all samplers. Every subclass provides an iterator over indices (or lists of
 * indices) and, where it can, `__len__()`, the length of that iterator.
 */
export abstract class Sampler<T = number> implements Iterable<T> {
  abstract [Symbol.iterator](): Iterator<T>;

  /** The number of indices the iterator yields (not every sampler knows it). */
  __len__(): number {
    throw new TypeError(`object of type '${this.constructor.name}' has no len()`);
  }

  /** `len(sampler)`. */
  get length(): number {
    return this.__len__();
  }
}

/** Anything DataLoader accepts as a sampler: a Sampler, or any iterable of indices. */
export type SamplerLike<T = number> = Sampler<T> | Iterable<T>;

/**
 * The seed PyTorch draws from a generator for a derived one:
 * `int(torch.empty((), dtype=torch.int64).random_(generator=g).item())`, a 64-bit draw taken
 * modulo 2^63 (two 32-bit draws).
 */
export function drawSeed(generator?: Generator | null): number | bigint {
  return empty([], { dtype: int64 }).random_({ generator: generator ?? null }).item() as number | bigint;
}

/**
 * Samples elements sequentially, always in the same order: `0, 1, ..., len(data_source) - 1`.
 *
 * Args:
 *   data_source: the dataset to sample from.
 */
export class SequentialSampler extends Sampler<number> {
  readonly data_source: Sized;

  constructor(data_source: Sized) {
    super();
    this.data_source = data_source;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = lengthOf(this.data_source);
    for (let i = 0; i < n; i++) yield i;
  }

  override __len__(): number {
    return lengthOf(this.data_source);
  }
}

export interface RandomSamplerOptions {
  /** Samples are drawn on demand with replacement if true (default false). */
  replacement?: boolean;
  /** Number of samples to draw (default `len(data_source)`). */
  num_samples?: number | null;
  /** Generator used in sampling (default: a fresh one seeded from the global generator). */
  generator?: Generator | null;
}

/**
 * Samples elements randomly. Without replacement, it is a shuffled dataset; with replacement,
 * `num_samples` indices are drawn independently.
 *
 * Seeding follows PyTorch exactly: without a `generator`, each pass draws a 64-bit seed from
 * the global generator (`torch.empty((), dtype=torch.int64).random_()`) and shuffles with a
 * fresh `torch.Generator` seeded with it; with one, it draws from that generator directly.
 * The draws happen when iteration starts, not when the sampler is made. Without replacement a
 * pass is `randperm(n).tolist()` (whole permutations while `num_samples` exceeds n, then the
 * head of one more); with replacement, `randint(0, n, (32,))` chunks and a last shorter one.
 *
 * Args:
 *   data_source: the dataset to sample from.
 *   replacement: draw with replacement (default false).
 *   num_samples: number of samples to draw (default `len(data_source)`).
 *   generator: the generator used in sampling.
 *
 * ```ts
 * torch.manual_seed(0);
 * [...new RandomSampler([0, 1, 2, 3, 4])];   // PyTorch's order for seed 0
 * ```
 */
export class RandomSampler extends Sampler<number> {
  readonly data_source: Sized;
  readonly replacement: boolean;
  readonly generator: Generator | null;
  private readonly _num_samples: number | null;

  constructor(data_source: Sized, options: RandomSamplerOptions = {}) {
    super();
    this.data_source = data_source;
    this.replacement = options.replacement ?? false;
    this._num_samples = options.num_samples ?? null;
    this.generator = options.generator ?? null;
    if (typeof this.replacement !== "boolean") {
      throw new TypeError(`replacement should be a boolean value, but got replacement=${String(this.replacement)}`);
    }
    const num = this.num_samples;
    if (!Number.isInteger(num) || num <= 0) {
      throw new ValueError(`num_samples should be a positive integer value, but got num_samples=${num}`);
    }
  }

  /** The number of samples per pass; follows the dataset's length when not given. */
  get num_samples(): number {
    return this._num_samples ?? lengthOf(this.data_source);
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = lengthOf(this.data_source);
    let generator: Generator;
    if (this.generator === null) {
      generator = new GeneratorClass();
      generator.manual_seed(drawSeed());
    } else {
      generator = this.generator;
    }
    const numSamples = this.num_samples;
    if (this.replacement) {
      for (let i = 0; i < Math.floor(numSamples / 32); i++) {
        yield* randint(0, n, [32], { dtype: int64, generator }).tolist() as number[];
      }
      yield* randint(0, n, [numSamples % 32], { dtype: int64, generator }).tolist() as number[];
    } else {
      for (let i = 0; i < Math.floor(numSamples / n); i++) {
        yield* randperm(n, { generator }).tolist() as number[];
      }
      yield* (randperm(n, { generator }).tolist() as number[]).slice(0, numSamples % n);
    }
  }

  override __len__(): number {
    return this.num_samples;
  }
}

/**
 * Samples elements randomly from a given list of indices, without replacement:
 * `indices[randperm(len(indices))[k]]` for each k.
 *
 * Args:
 *   indices: a sequence of indices.
 *   generator: the generator used in sampling (default: the global generator).
 */
export class SubsetRandomSampler extends Sampler<number> {
  readonly indices: readonly number[];
  readonly generator: Generator | null;

  constructor(indices: readonly number[], options: { generator?: Generator | null } = {}) {
    super();
    this.indices = indices;
    this.generator = options.generator ?? null;
  }

  *[Symbol.iterator](): Iterator<number> {
    const perm = randperm(this.indices.length, { generator: this.generator }).tolist() as number[];
    for (const i of perm) yield this.indices[i]!;
  }

  override __len__(): number {
    return this.indices.length;
  }
}

/**
 * Wraps another sampler to yield mini-batches of indices.
 *
 * Args:
 *   sampler: the base sampler, or any iterable of indices.
 *   batch_size: size of a mini-batch.
 *   drop_last: if true, drop the last batch when it would be smaller than `batch_size`.
 *
 * ```ts
 * [...new BatchSampler(new SequentialSampler(range10), 3, false)];  // [[0,1,2],[3,4,5],[6,7,8],[9]]
 * [...new BatchSampler(new SequentialSampler(range10), 3, true)];   // [[0,1,2],[3,4,5],[6,7,8]]
 * ```
 */
export class BatchSampler extends Sampler<number[]> {
  readonly sampler: SamplerLike<number>;
  readonly batch_size: number;
  readonly drop_last: boolean;

  constructor(sampler: SamplerLike<number>, batch_size: number, drop_last: boolean) {
    super();
    if (typeof batch_size !== "number" || !Number.isInteger(batch_size) || batch_size <= 0) {
      throw new ValueError(`batch_size should be a positive integer value, but got batch_size=${String(batch_size)}`);
    }
    if (typeof drop_last !== "boolean") {
      throw new ValueError(`drop_last should be a boolean value, but got drop_last=${String(drop_last)}`);
    }
    this.sampler = sampler;
    this.batch_size = batch_size;
    this.drop_last = drop_last;
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const idx of this.sampler) {
      batch.push(idx);
      if (batch.length === this.batch_size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.drop_last) yield batch;
  }

  override __len__(): number {
    const n = lengthOf(this.sampler as unknown as Sized);
    return this.drop_last ? Math.floor(n / this.batch_size) : Math.ceil(n / this.batch_size);
  }
}
