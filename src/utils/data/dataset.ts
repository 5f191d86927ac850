/**
 * Datasets: `Dataset`, `IterableDataset`, `TensorDataset`, `StackDataset`, `ConcatDataset`,
 * `ChainDataset` and `Subset`, as in `torch/utils/data/dataset.py` (`random_split` has its own
 * file, random_split.ts).
 *
 * JavaScript has no `__getitem__` / `__len__` protocol, so a map-style dataset spells those two
 * methods out: a subclass of `Dataset` defines `__getitem__(index)` and `__len__()` exactly where
 * a PyTorch subclass defines them, and a port stays line by line. `ds.length` and
 * `for (const item of ds)` are the JavaScript-side conveniences built on them. Anything with
 * these two methods works where a dataset is expected (DataLoader, samplers, Subset,
 * random_split), and so does a plain array, as a Python list does.
 */

import { Tensor } from "../../tensor/tensor.js";
import { AssertionError, IndexError, NotImplementedError, ValueError } from "../../errors.js";

/** A map-style dataset as DataLoader sees it: indexable by integers, with a length. */
export interface MapStyleDataset<T> {
  __getitem__(index: number): T;
  __len__(): number;
  /** Optional batched fetch (PyTorch 2.x): DataLoader uses it for a whole batch of indices. */
  __getitems__?(indices: number[]): T[];
}

/** Anything usable as a map-style dataset: a `Dataset`, an object with the two methods, or an array. */
export type DatasetLike<T> = MapStyleDataset<T> | readonly T[];

/** Something with a length: a dataset, or an array (Python's `Sized`). */
export type Sized = { __len__(): number } | readonly unknown[];

function typeName(x: unknown): string {
  if (x === null) return "NoneType";
  if (typeof x === "object" || typeof x === "function") return (x as object).constructor?.name ?? "object";
  return typeof x;
}

/** Python's `len(x)` over datasets and arrays. */
export function lengthOf(x: Sized): number {
  if (Array.isArray(x)) return x.length;
  const len = (x as { __len__?: () => number }).__len__;
  if (typeof len !== "function") throw new TypeError(`object of type '${typeName(x)}' has no len()`);
  return len.call(x);
}

/** Python's `x[index]` over datasets and arrays (arrays take negative indices, as lists do). */
export function getItem<T>(dataset: DatasetLike<T>, index: number): T {
  if (Array.isArray(dataset)) return listItem(dataset as readonly T[], index);
  const get = (dataset as { __getitem__?: (i: number) => T }).__getitem__;
  if (typeof get !== "function") throw new TypeError(`'${typeName(dataset)}' object is not subscriptable`);
  return get.call(dataset, index);
}

/** `list[index]` with Python's negative indices and its error. */
export function listItem<T>(list: readonly T[], index: number): T {
  const i = index < 0 ? index + list.length : index;
  if (!Number.isInteger(i) || i < 0 || i >= list.length) throw new IndexError("list index out of range");
  return list[i]!;
}

/**
 * An abstract class representing a map-style dataset: a map from integer keys to samples.
 *
 * Subclasses define `__getitem__(index)`, which returns the sample for a key, and usually
 * `__len__()`, the number of samples, which `DataLoader`'s default samplers need.
 *
 * ```ts
 * class Squares extends torch.utils.data.Dataset<[number, number]> {
 *   __getitem__(i: number): [number, number] { return [i, i * i]; }
 *   __len__() { return 10; }
 * }
 * const loader = new torch.utils.data.DataLoader(new Squares(), { batch_size: 4 });
 * ```
 */
export abstract class Dataset<T = unknown> implements MapStyleDataset<T> {
  /** The sample at `index`. */
  abstract __getitem__(index: number): T;

  /** The number of samples. Not every dataset has one; this default refuses, as `len()` would. */
  __len__(): number {
    throw new TypeError(`object of type '${this.constructor.name}' has no len()`);
  }

  /** `len(dataset)`. */
  get length(): number {
    return this.__len__();
  }

  /** `dataset + other` in Python: the two concatenated. */
  __add__(other: DatasetLike<T>): ConcatDataset<T> {
    return new ConcatDataset<T>([this, other]);
  }

  /** Iterates the samples in index order, as Python's iteration over `__getitem__` does. */
  *[Symbol.iterator](): Iterator<T> {
    const n = this.__len__();
    for (let i = 0; i < n; i++) yield this.__getitem__(i);
  }
}

/**
 * An iterable-style dataset: a stream of samples, for data that cannot be indexed (read from a
 * socket, generated on the fly). Subclasses define `[Symbol.iterator]()` (the JavaScript way)
 * or `__iter__()` (a line-by-line port); either is enough.
 *
 * `DataLoader` batches what the iterator yields; it takes no sampler or shuffle for these.
 *
 * ```ts
 * class Range extends torch.utils.data.IterableDataset<number> {
 *   constructor(readonly start: number, readonly end: number) { super(); }
 *   *__iter__() { for (let i = this.start; i < this.end; i++) yield i; }
 * }
 * [...new torch.utils.data.DataLoader(new Range(3, 7))];  // [tensor([3]), tensor([4]), ...]
 * ```
 */
export abstract class IterableDataset<T = unknown> {
  /** The iterator over the samples. */
  __iter__(): Iterator<T> {
    throw new NotImplementedError(`${this.constructor.name} must define __iter__ or [Symbol.iterator]`);
  }

  [Symbol.iterator](): Iterator<T> {
    return this.__iter__();
  }

  /** `dataset + other` in Python: the two chained. */
  __add__(other: IterableDataset<T>): ChainDataset<T> {
    return new ChainDataset<T>([this, other]);
  }
}

/**
 * Dataset wrapping tensors. Each sample is retrieved by indexing the tensors along the first
 * dimension: sample `i` is `[t0[i], t1[i], ...]`.
 *
 * Args:
 *   tensors: tensors that have the same size of the first dimension.
 *
 * ```ts
 * const ds = new torch.utils.data.TensorDataset(x, y);   // x: (N, 784), y: (N,)
 * const [xi, yi] = ds.__getitem__(0);                       // (784,), ()
 * ```
 */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (!tensors.every((t) => t.size(0) === tensors[0]!.size(0))) {
      throw new AssertionError("Size mismatch between tensors");
    }
    this.tensors = tensors;
  }

  override __getitem__(index: number): Tensor[] {
    const size = this.tensors[0]!.size(0);
    if (!Number.isInteger(index) || index < -size || index >= size) {
      throw new IndexError(`index ${index} is out of bounds for dimension 0 with size ${size}`);
    }
    return this.tensors.map((t) => t.select(0, index));
  }

  override __len__(): number {
    return this.tensors[0]!.size(0);
  }
}

/**
 * Dataset as a stacking of multiple datasets: sample `i` is `[a[i], b[i], ...]` when built
 * from datasets, `{ key: ds[i], ... }` when built from one object of named datasets (Python's
 * keyword arguments).
 *
 * ```ts
 * const pairs = new StackDataset(images, texts);                 // pairs.__getitem__(0): [image, text]
 * const named = new StackDataset({ image: images, text: texts }); // { image, text }
 * ```
 */
export class StackDataset<T = unknown> extends Dataset<T> {
  readonly datasets: DatasetLike<unknown>[] | Record<string, DatasetLike<unknown>>;
  private readonly _length: number;

  constructor(...args: DatasetLike<unknown>[] | [Record<string, DatasetLike<unknown>>]) {
    super();
    const named = args.length === 1 && !isDatasetLike(args[0]);
    const list = named ? Object.values(args[0] as Record<string, DatasetLike<unknown>>) : (args as DatasetLike<unknown>[]);
    if (list.length === 0) throw new ValueError("At least one dataset should be passed");
    this._length = lengthOf(list[0]!);
    if (list.some((d) => lengthOf(d) !== this._length)) throw new ValueError("Size mismatch between datasets");
    this.datasets = named ? (args[0] as Record<string, DatasetLike<unknown>>) : list;
  }

  override __getitem__(index: number): T {
    if (Array.isArray(this.datasets)) return this.datasets.map((d) => getItem(d, index)) as T;
    const out: Record<string, unknown> = {};
    for (const [k, d] of Object.entries(this.datasets)) out[k] = getItem(d, index);
    return out as T;
  }

  override __len__(): number {
    return this._length;
  }
}

function isDatasetLike(x: unknown): boolean {
  return Array.isArray(x) || (typeof x === "object" && x !== null && typeof (x as MapStyleDataset<unknown>).__getitem__ === "function");
}

/**
 * Dataset as a concatenation of multiple datasets: indices run through the first, then the
 * second, and so on.
 *
 * Args:
 *   datasets: a non-empty list of map-style datasets.
 */
export class ConcatDataset<T = unknown> extends Dataset<T> {
  readonly datasets: DatasetLike<T>[];
  /** The running totals of the datasets' lengths. */
  readonly cumulative_sizes: number[];

  /** The running totals of the sequence's lengths. */
  static cumsum(sequence: readonly Sized[]): number[] {
    const r: number[] = [];
    let s = 0;
    for (const e of sequence) {
      const l = lengthOf(e);
      r.push(l + s);
      s += l;
    }
    return r;
  }

  constructor(datasets: Iterable<DatasetLike<T>>) {
    super();
    this.datasets = [...datasets];
    if (this.datasets.length === 0) throw new AssertionError("datasets should not be an empty iterable");
    for (const d of this.datasets) {
      if (d instanceof IterableDataset) throw new AssertionError("ConcatDataset does not support IterableDataset");
    }
    this.cumulative_sizes = ConcatDataset.cumsum(this.datasets);
  }

  override __len__(): number {
    return this.cumulative_sizes[this.cumulative_sizes.length - 1]!;
  }

  override __getitem__(idx: number): T {
    if (idx < 0) {
      if (-idx > this.__len__()) throw new ValueError("absolute value of index should not exceed dataset length");
      idx = this.__len__() + idx;
    }
    const datasetIdx = bisectRight(this.cumulative_sizes, idx);
    const sampleIdx = datasetIdx === 0 ? idx : idx - this.cumulative_sizes[datasetIdx - 1]!;
    return getItem(listItem(this.datasets, datasetIdx), sampleIdx);
  }
}

/** Python's bisect.bisect_right: the first position whose value exceeds x. */
function bisectRight(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x < sorted[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Dataset for chaining multiple iterable datasets, one after the other, on the fly.
 *
 * Args:
 *   datasets: the iterable datasets to chain.
 */
export class ChainDataset<T = unknown> extends IterableDataset<T> {
  readonly datasets: Iterable<IterableDataset<T>>;

  constructor(datasets: Iterable<IterableDataset<T>>) {
    super();
    this.datasets = datasets;
  }

  override *__iter__(): Iterator<T> {
    for (const d of this.datasets) {
      if (!(d instanceof IterableDataset)) throw new AssertionError("ChainDataset only supports IterableDataset");
      yield* d as Iterable<T>;
    }
  }

  __len__(): number {
    let total = 0;
    for (const d of this.datasets) {
      if (!(d instanceof IterableDataset)) throw new AssertionError("ChainDataset only supports IterableDataset");
      total += lengthOf(d as unknown as Sized);
    }
    return total;
  }
}

/**
 * Subset of a dataset at specified indices: sample `i` is `dataset[indices[i]]`.
 *
 * Args:
 *   dataset: the whole dataset.
 *   indices: indices in the whole set selected for the subset.
 */
export class Subset<T = unknown> extends Dataset<T> {
  readonly dataset: DatasetLike<T>;
  readonly indices: readonly number[];

  constructor(dataset: DatasetLike<T>, indices: readonly number[]) {
    super();
    this.dataset = dataset;
    this.indices = indices;
  }

  override __getitem__(idx: number): T {
    return getItem(this.dataset, listItem(this.indices, idx));
  }

  /** Batched fetch: hands the whole batch to the parent's `__getitems__` when it has one. */
  __getitems__(indices: number[]): T[] {
    const parent = this.dataset as MapStyleDataset<T>;
    const mapped = indices.map((i) => listItem(this.indices, i));
    if (!Array.isArray(parent) && typeof parent.__getitems__ === "function") return parent.__getitems__(mapped);
    return mapped.map((i) => getItem(this.dataset, i));
  }

  override __len__(): number {
    return this.indices.length;
  }
}
