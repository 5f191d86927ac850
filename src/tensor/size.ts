/**
 * `torch.Size`: the array of a tensor's dimensions, printed the way PyTorch prints it.
 */

import { contiguousStrides } from "./shape.js";

export class Size extends Array<number> {
  // Array methods that build new arrays (map, slice, filter) give plain arrays, as tuples do.
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  /** The number of elements a tensor of this size holds (`torch.Size.numel()`). */
  numel(): number {
    let n = 1;
    for (let d = 0; d < this.length; d++) n *= this[d]!;
    return n;
  }

  override toString(): string {
    return `torch.Size([${this.join(", ")}])`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

// The array methods that the library (and code ported from Python, where a Size is a tuple)
// calls on shapes, as index loops with Array's results (plain arrays, as the species says).
// Why: on an Array subclass V8 runs the built-in ones on its generic path, and those that make
// an array ask Symbol.species through its getter: on a 2-dim Size, map took 525 ns, slice,
// some and reduce 130-160 ns, against 13-27 ns for the same call on a plain array (Node 20);
// a small op calls several. Defined on the prototype (not as class members) so that a Size
// keeps Array's method types. test/tensor/size.test.ts checks each against Array.prototype's.
// The loops hold for what makeSize makes: a frozen Size (no holes, a fixed length), called with
// a function or numeric bounds. Anything else (`new torch.Size(3)`, a callback that is not a
// function, a BigInt bound) goes to Array's own method, errors included.
type Callback<R> = (value: number, index: number, array: Size) => R;
const ArrayMethods = Array.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
const isBound = (v: unknown): boolean => v === undefined || typeof v === "number";
const methods = {
  map(this: Size, f: Callback<unknown>, thisArg?: unknown): unknown[] {
    if (!Object.isFrozen(this) || typeof f !== "function") return ArrayMethods.map!.call(this, f, thisArg) as unknown[];
    const n = this.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = f.call(thisArg, this[i]!, i, this);
    return out;
  },
  some(this: Size, f: Callback<unknown>, thisArg?: unknown): boolean {
    if (!Object.isFrozen(this) || typeof f !== "function") return ArrayMethods.some!.call(this, f, thisArg) as boolean;
    const n = this.length;
    for (let i = 0; i < n; i++) if (f.call(thisArg, this[i]!, i, this)) return true;
    return false;
  },
  every(this: Size, f: Callback<unknown>, thisArg?: unknown): boolean {
    if (!Object.isFrozen(this) || typeof f !== "function") return ArrayMethods.every!.call(this, f, thisArg) as boolean;
    const n = this.length;
    for (let i = 0; i < n; i++) if (!f.call(thisArg, this[i]!, i, this)) return false;
    return true;
  },
  forEach(this: Size, f: Callback<void>, thisArg?: unknown): void {
    if (!Object.isFrozen(this) || typeof f !== "function") return void ArrayMethods.forEach!.call(this, f, thisArg);
    const n = this.length;
    for (let i = 0; i < n; i++) f.call(thisArg, this[i]!, i, this);
  },
  filter(this: Size, f: Callback<unknown>, thisArg?: unknown): number[] {
    if (!Object.isFrozen(this) || typeof f !== "function") return ArrayMethods.filter!.call(this, f, thisArg) as number[];
    const n = this.length;
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (f.call(thisArg, this[i]!, i, this)) out.push(this[i]!);
    return out;
  },
  reduce(this: Size, f: (acc: unknown, value: number, index: number, array: Size) => unknown, ...initial: unknown[]): unknown {
    if (!Object.isFrozen(this) || typeof f !== "function") return ArrayMethods.reduce!.call(this, f, ...initial);
    const n = this.length;
    let i = 0;
    let acc: unknown;
    if (initial.length > 0) acc = initial[0];
    else if (n === 0) throw new TypeError("Reduce of empty array with no initial value");
    else acc = this[i++];
    for (; i < n; i++) acc = f(acc, this[i]!, i, this);
    return acc;
  },
  slice(this: Size, start?: number, end?: number): number[] {
    if (!Object.isFrozen(this) || !isBound(start) || !isBound(end)) return ArrayMethods.slice!.call(this, start, end) as number[];
    const from = relativeIndex(start, 0, this.length);
    const to = relativeIndex(end, this.length, this.length);
    const out = new Array<number>(Math.max(0, to - from));
    for (let i = from; i < to; i++) out[i - from] = this[i]!;
    return out;
  },
  indexOf(this: Size, value: unknown, fromIndex?: number): number {
    if (!Object.isFrozen(this) || !isBound(fromIndex)) return ArrayMethods.indexOf!.call(this, value, fromIndex) as number;
    for (let i = relativeIndex(fromIndex, 0, this.length); i < this.length; i++) if (this[i] === value) return i;
    return -1;
  },
  includes(this: Size, value: unknown, fromIndex?: number): boolean {
    if (!Object.isFrozen(this) || !isBound(fromIndex)) return ArrayMethods.includes!.call(this, value, fromIndex) as boolean;
    for (let i = relativeIndex(fromIndex, 0, this.length); i < this.length; i++) {
      const v = this[i]!;
      if (v === value || (v !== v && value !== value)) return true;
    }
    return false;
  },
};
for (const [name, value] of Object.entries(methods)) {
  Object.defineProperty(Size.prototype, name, { value, writable: true, configurable: true, enumerable: false });
}

/** Array.prototype.slice's reading of a start or end argument: undefined as `fallback`, negatives from the end, clamped. */
function relativeIndex(value: number | undefined, fallback: number, length: number): number {
  if (value === undefined) return fallback;
  const v = Math.trunc(value) || 0;
  if (v === -Infinity) return 0;
  return v < 0 ? Math.max(length + v, 0) : Math.min(v, length);
}

/**
 * @internal A tensor's own record of its dims: a plain array, never changed after it is made,
 * that ops and kernels read; `Tensor.shape` hands out its frozen `torch.Size` twin instead.
 * Why two arrays: V8 (Node 20) reads an element of a frozen array at a computed index ~4 ns
 * slower than a plain one's, and the shape and stride loops of one small op read dozens of
 * them (a 4x2·2x3 product's kernel took 116 ns reading a frozen shape and strides, 55 ns
 * reading plain ones; the tiny Linear's training step 3.4 µs against 2.4). Frozen, the Size can
 * be shared by every tensor of its shape without a user's `t.shape[0] = 5` reaching them.
 */
export interface Dims extends ReadonlyArray<number> {
  /** Row-major strides for these dims, shared by every contiguous tensor of them. */
  readonly [CONTIGUOUS]: readonly number[];
  /** The dims themselves (a Size's points to its twin): how a Tensor finds them from either. */
  readonly [DIMS]: Dims;
  /** The frozen Size with these dims, made on first use. */
  [SIZE]: Size | null;
}

/** @internal The row-major strides kept on every Dims (a plain array, never changed in place). */
export const CONTIGUOUS = Symbol("torch-ts contiguous strides");
/** @internal The Dims an array stands for: on a Dims itself, and on a Size made for one. */
export const DIMS = Symbol("torch-ts dims");
/** @internal A Dims's Size twin. */
const SIZE = Symbol("torch-ts size");

/** Makes a frozen `torch.Size` holding `dims` (linked to `twin`, the Dims it is the Size of). */
export function makeSize(dims: readonly number[], twin?: Dims): Size {
  const s = Object.setPrototypeOf(Array.from(dims), Size.prototype) as Size;
  // Not enumerable: a Size still shows, spreads and compares as its dims alone.
  if (twin) Object.defineProperty(s, DIMS, { value: twin });
  return Object.freeze(s);
}

/** @internal A new Dims holding `dims` (the same properties in the same order, so one hidden class). */
function makeDims(dims: readonly number[]): Dims {
  const d = Array.from(dims);
  Object.defineProperty(d, CONTIGUOUS, { value: contiguousStrides(dims) });
  Object.defineProperty(d, DIMS, { value: d });
  Object.defineProperty(d, SIZE, { value: null, writable: true });
  return d as unknown as Dims;
}

/** @internal The frozen `torch.Size` of a tensor's Dims. */
export function sizeOf(dims: Dims): Size {
  return dims[SIZE] ?? (dims[SIZE] = makeSize(dims, dims));
}

/**
 * @internal The Dims for `dims`: its own when it is a Dims or a Size made for one, otherwise
 * a shared one found through a trie of Maps keyed by each dimension. Why shared: making one
 * (an array with three properties and its strides) was the largest single cost of a small op's
 * new tensor; a training loop uses a handful of shapes over and over. The trie is dropped when
 * it grows past MAX_INTERNED shapes, so a program of ever-new shapes keeps bounded memory.
 */
export function internDims(dims: readonly number[]): Dims {
  const own = (dims as { [DIMS]?: Dims })[DIMS];
  if (own !== undefined) return own;
  // One- and two-dim shapes (most of a small model's) first look in a direct-mapped cache of
  // recent ones: a compare instead of the trie's Map lookups, which were ~5% of a small
  // Linear's training step. A stale entry (the trie dropped) still holds the right dims.
  const n = dims.length;
  if (n === 1 || n === 2) {
    const a = dims[0]!;
    const b = n === 2 ? dims[1]! : -1;
    const slot = (n === 2 ? (a * 31) ^ b : a) & (RECENT_SLOTS - 1);
    const cache = n === 2 ? recent2 : recent1;
    const hit = cache[slot]!;
    if (hit !== null && hit[0] === a && (n === 1 || hit[1] === b)) return hit;
    return (cache[slot] = lookup(dims));
  }
  return lookup(dims);
}

const RECENT_SLOTS = 64;
const recent1: (Dims | null)[] = new Array<Dims | null>(RECENT_SLOTS).fill(null);
const recent2: (Dims | null)[] = new Array<Dims | null>(RECENT_SLOTS).fill(null);

/** The trie's Dims for `dims`, made and added on first use. */
function lookup(dims: readonly number[]): Dims {
  let node = trie;
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i]!;
    const next = node.next ?? (node.next = new Map());
    let child = next.get(d);
    if (child === undefined) {
      if (++interned > MAX_INTERNED) {
        trie = {};
        interned = 0;
        return makeDims(dims);
      }
      next.set(d, (child = {}));
    }
    node = child;
  }
  return node.dims ?? (node.dims = makeDims(dims));
}

interface TrieNode {
  dims?: Dims;
  next?: Map<number, TrieNode>;
}
const MAX_INTERNED = 20000;
let trie: TrieNode = {};
let interned = 0;
