/**
 * `torch.Size`: the array of a tensor's dimensions, printed the way PyTorch prints it.
 */

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

/** Makes a frozen `torch.Size` holding `dims`. */
export function makeSize(dims: readonly number[]): Size {
  const s = Object.setPrototypeOf(Array.from(dims), Size.prototype) as Size;
  return Object.freeze(s);
}

/**
 * A shared frozen `torch.Size` for `dims`: tensors of one shape share one (they are immutable),
 * found through a trie of Maps keyed by each dimension. Why: making a Size (a prototype change
 * and a freeze) was the largest single cost of a small op's new tensor; a training loop uses a
 * handful of shapes over and over. The trie is dropped when it grows past MAX_INTERNED shapes,
 * so a program of ever-new shapes keeps bounded memory.
 */
export function internSize(dims: readonly number[]): Size {
  let node = trie;
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i]!;
    const next = node.next ?? (node.next = new Map());
    let child = next.get(d);
    if (child === undefined) {
      if (++interned > MAX_INTERNED) {
        trie = {};
        interned = 0;
        return makeSize(dims);
      }
      next.set(d, (child = {}));
    }
    node = child;
  }
  return node.size ?? (node.size = makeSize(dims));
}

interface TrieNode {
  size?: Size;
  next?: Map<number, TrieNode>;
}
const MAX_INTERNED = 20000;
let trie: TrieNode = {};
let interned = 0;
