/**
 * `DataLoader`: combines a dataset and a sampler and iterates over batches, as in
 * `torch/utils/data/dataloader.py`, single-process only.
 *
 * What reproducibility rests on, as in PyTorch 2.x: every pass (`for ... of loader`) creates a
 * fresh iterator, and creating it draws a 64-bit "base seed" from `loader.generator` (the global
 * generator when none is given) with `torch.empty((), dtype=torch.int64).random_(generator)`,
 * even though only worker processes would use it. A shuffling sampler then draws its own seed
 * when the first batch is requested. So after `manual_seed(s)` and one epoch the global stream
 * is where PyTorch's is, and the shuffled order is PyTorch's.
 */

import type { Generator } from "../../random/generator.js";
import { NotImplementedError, ValueError } from "../../errors.js";
import { IterableDataset, lengthOf, type DatasetLike, type MapStyleDataset } from "./dataset.js";
import { END, IterableDatasetFetcher, MapDatasetFetcher, type Fetcher } from "./fetch.js";
import { BatchSampler, drawSeed, RandomSampler, Sampler, SequentialSampler, type SamplerLike } from "./sampler.js";
import { default_collate, default_convert, type Collated } from "./collate.js";

export interface DataLoaderOptions<T, B> {
  /** How many samples per batch (default 1); `null` turns automatic batching off. */
  batch_size?: number | null;
  /** Reshuffle the data at every epoch (default false). */
  shuffle?: boolean | null;
  /** The strategy to draw samples; mutually exclusive with `shuffle`. */
  sampler?: SamplerLike<number> | null;
  /** Like `sampler`, but yields lists of indices; exclusive with batch_size, shuffle, sampler, drop_last. */
  batch_sampler?: SamplerLike<number[]> | null;
  /** Only 0: torch-ts loads in the calling thread. */
  num_workers?: number;
  /** Merges a list of samples into a batch (default `default_collate`). */
  collate_fn?: ((batch: T[]) => B) | null;
  /** Drop the last incomplete batch (default false). */
  drop_last?: boolean;
  /** The generator RandomSampler and the base-seed draw use (default: the global one). */
  generator?: Generator | null;
}

/** A dataset DataLoader accepts: map-style (with `__getitem__` / `__len__`, or an array) or iterable. */
export type LoaderDataset<T> = DatasetLike<T> | IterableDataset<T>;

/**
 * Data loader: combines a dataset and a sampler, and provides an iterable over the given
 * dataset, in batches.
 *
 * Args:
 *   dataset: the dataset from which to load the data (map-style or iterable-style).
 *   batch_size: how many samples per batch to load (default 1; `null` disables batching).
 *   shuffle: set to true to have the data reshuffled at every epoch (default false).
 *   sampler: defines the strategy to draw samples from the dataset (any iterable of indices).
 *   batch_sampler: like sampler, but returns a batch of indices at a time.
 *   num_workers: must be 0; multi-process loading is not supported.
 *   collate_fn: merges a list of samples to form a mini-batch (default `default_collate`).
 *   drop_last: drop the last incomplete batch if the dataset size is not divisible by the
 *     batch size (default false).
 *   generator: the generator used by RandomSampler and for the iterator's base seed.
 *
 * ```ts
 * const loader = new torch.utils.data.DataLoader(new TensorDataset(x, y), { batch_size: 64, shuffle: true });
 * for (const [xb, yb] of loader) { ... }   // xb: (64, ...), yb: (64,)
 * loader.length;                            // number of batches, PyTorch's len(loader)
 * ```
 */
export class DataLoader<T = unknown, B = Collated<T>> implements Iterable<B> {
  readonly dataset: LoaderDataset<T>;
  readonly batch_size: number | null;
  readonly drop_last: boolean;
  readonly sampler: SamplerLike<number>;
  readonly batch_sampler: SamplerLike<number[]> | null;
  readonly num_workers: number;
  readonly collate_fn: (batch: T[]) => B;
  readonly generator: Generator | null;
  /** @internal Whether the dataset is iterable-style (PyTorch's `_DatasetKind.Iterable`). */
  readonly _iterable: boolean;

  constructor(dataset: LoaderDataset<T>, options: DataLoaderOptions<T, B> = {}) {
    const numWorkers = options.num_workers ?? 0;
    if (numWorkers < 0) {
      throw new ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.");
    }
    if (numWorkers > 0) {
      throw new NotImplementedError(
        `DataLoader: num_workers=${numWorkers} is not supported; torch-ts loads data in the calling thread only (use num_workers=0)`,
      );
    }
    let batchSize = options.batch_size === undefined ? 1 : options.batch_size;
    let shuffle = options.shuffle ?? null;
    let sampler = options.sampler ?? null;
    let batchSampler = options.batch_sampler ?? null;
    let dropLast = options.drop_last ?? false;
    const generator = options.generator ?? null;

    this._iterable = dataset instanceof IterableDataset;
    if (this._iterable) {
      if (shuffle !== null && shuffle !== false) {
        throw new ValueError(`DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=${shuffle}`);
      }
      if (sampler !== null) {
        throw new ValueError(`DataLoader with IterableDataset: expected unspecified sampler option, but got sampler=${String(sampler)}`);
      }
      if (batchSampler !== null) {
        throw new ValueError(
          `DataLoader with IterableDataset: expected unspecified batch_sampler option, but got batch_sampler=${String(batchSampler)}`,
        );
      }
    } else {
      shuffle = Boolean(shuffle);
    }
    if (sampler !== null && shuffle) throw new ValueError("sampler option is mutually exclusive with shuffle");
    if (batchSampler !== null) {
      if (batchSize !== 1 || shuffle || sampler !== null || dropLast) {
        throw new ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last");
      }
      batchSize = null;
      dropLast = false;
    } else if (batchSize === null && dropLast) {
      throw new ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last");
    }
    if (sampler === null) {
      if (this._iterable) sampler = new InfiniteConstantSampler();
      else if (shuffle) sampler = new RandomSampler(dataset as DatasetLike<T>, { generator });
      else sampler = new SequentialSampler(dataset as DatasetLike<T>);
    }
    if (batchSize !== null && batchSampler === null) batchSampler = new BatchSampler(sampler, batchSize, dropLast);

    this.dataset = dataset;
    this.num_workers = 0;
    this.batch_size = batchSize;
    this.drop_last = dropLast;
    this.sampler = sampler;
    this.batch_sampler = batchSampler;
    this.generator = generator;
    const collate = options.collate_fn ?? (this._auto_collation ? default_collate : default_convert);
    this.collate_fn = collate as (batch: T[]) => B;
  }

  /** @internal Batches are formed from the batch sampler's index lists. */
  get _auto_collation(): boolean {
    return this.batch_sampler !== null;
  }

  /** @internal What the fetcher reads indices from: the batch sampler when batching. */
  get _index_sampler(): SamplerLike<number> | SamplerLike<number[]> {
    return this.batch_sampler ?? this.sampler;
  }

  /** A fresh pass over the data (PyTorch's `iter(loader)`); draws the base seed now. */
  [Symbol.iterator](): DataLoaderIterator<T, B> {
    return new DataLoaderIterator(this);
  }

  /** `iter(loader)`, for line-by-line ports. */
  __iter__(): DataLoaderIterator<T, B> {
    return this[Symbol.iterator]();
  }

  /**
   * `len(loader)`: the number of batches (the index sampler's length). For an iterable
   * dataset it is estimated from `len(dataset)` and batch_size, as PyTorch does.
   */
  __len__(): number {
    if (this._iterable) {
      const length = lengthOf(this.dataset as unknown as MapStyleDataset<T>);
      if (this.batch_size === null) return length;
      return this.drop_last ? Math.floor(length / this.batch_size) : Math.ceil(length / this.batch_size);
    }
    return lengthOf(this._index_sampler as unknown as MapStyleDataset<T>);
  }

  /** `len(loader)`. */
  get length(): number {
    return this.__len__();
  }
}

/** PyTorch's `_InfiniteConstantSampler`: the dummy index stream of iterable-style datasets. */
class InfiniteConstantSampler extends Sampler<number> {
  *[Symbol.iterator](): Iterator<number> {
    for (;;) yield 0;
  }
}

/**
 * One pass over a DataLoader (PyTorch's `_SingleProcessDataLoaderIter`). Iterable, with
 * `next()`, and `__len__()` / `length` giving the loader's length.
 */
export class DataLoaderIterator<T, B> implements IterableIterator<B> {
  private readonly loader: DataLoader<T, B>;
  private readonly samplerIter: Iterator<number | number[]>;
  private readonly fetcher: Fetcher<B>;
  private ended = false;
  /** The seed PyTorch hands worker processes; drawn here for the generator stream's sake. */
  readonly _base_seed: number | bigint;

  constructor(loader: DataLoader<T, B>) {
    this.loader = loader;
    // The order of PyTorch's __init__: the sampler's iterator (lazy: a shuffling sampler draws
    // its seed on the first next()), the base seed, then the fetcher (which starts an iterable
    // dataset's iterator).
    this.samplerIter = (loader._index_sampler as Iterable<number | number[]>)[Symbol.iterator]();
    this._base_seed = drawSeed(loader.generator);
    this.fetcher = loader._iterable
      ? new IterableDatasetFetcher(loader.dataset as IterableDataset<T>, loader._auto_collation, loader.collate_fn, loader.drop_last)
      : new MapDatasetFetcher(loader.dataset as DatasetLike<T>, loader._auto_collation, loader.collate_fn);
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<B, undefined> {
    if (this.ended) return { done: true, value: undefined };
    const index = this.samplerIter.next();
    const data = index.done ? END : this.fetcher.fetch(index.value);
    if (data === END) {
      this.ended = true;
      return { done: true, value: undefined };
    }
    return { done: false, value: data };
  }

  /** `next(it)` for line-by-line ports: the next batch, or at the end a StopIteration error. */
  __next__(): B {
    const r = this.next();
    if (r.done) throw new StopIteration();
    return r.value;
  }

  __len__(): number {
    return this.loader.__len__();
  }

  get length(): number {
    return this.__len__();
  }
}

/** What `__next__()` throws at the end of a pass, as Python raises StopIteration. */
export class StopIteration extends Error {
  override name = "StopIteration";
}
