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
    for (const s of this) n *= s;
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
