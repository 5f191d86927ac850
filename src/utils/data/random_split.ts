/**
 * `random_split`, from `torch/utils/data/dataset.py`: a dataset cut into random, non-overlapping
 * Subsets, by counts or by fractions.
 */

import type { Generator } from "../../random/generator.js";
import { defaultGenerator } from "../../random/generator.js";
import { randperm } from "../../random/functions.js";
import { ValueError } from "../../errors.js";
import { warn } from "../../warnings.js";
import { lengthOf, Subset, type DatasetLike } from "./dataset.js";

/** Python 3.12's `sum()` of floats: Neumaier-compensated, so [0.1] * 10 sums to exactly 1. */
function pythonSum(xs: readonly number[]): number {
  let s = 0;
  let c = 0;
  for (const x of xs) {
    const t = s + x;
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
  }
  return c !== 0 && Number.isFinite(c) ? s + c : s;
}

/** Python's math.isclose(a, b) with its defaults (rel_tol 1e-9, abs_tol 0). */
function isClose(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

export interface RandomSplitOptions {
  /** Generator used for the random permutation (default: the global generator). */
  generator?: Generator;
}

/**
 * Randomly splits a dataset into non-overlapping new datasets of given lengths.
 *
 * If `lengths` are fractions that sum up to 1, the lengths are computed as
 * `floor(frac * len(dataset))` for each fraction, and any remainder is then distributed one
 * count at a time, round-robin, from the first split on. The splits are consecutive slices of
 * `torch.randperm(len(dataset), { generator })`, so they equal PyTorch's for the same seed.
 *
 * Args:
 *   dataset: the dataset to split.
 *   lengths: lengths, or fractions, of the splits to be produced.
 *   generator: the generator used for the random permutation.
 *
 * ```ts
 * const [train, test] = random_split(ds, [0.8, 0.2], { generator: new torch.Generator().manual_seed(42) });
 * ```
 *
 * The fractions are summed as Python 3.12+ sums floats (compensated); Python 3.11 summed them
 * naively, which can differ in the last bit and only matters for fractions whose naive sum
 * lands just above 1.
 */
export function random_split<T>(dataset: DatasetLike<T>, lengths: readonly number[], options: RandomSplitOptions = {}): Subset<T>[] {
  const generator = options.generator ?? defaultGenerator;
  const n = lengthOf(dataset);
  let counts = lengths.slice();
  const total = pythonSum(lengths);
  if (isClose(total, 1) && total <= 1) {
    counts = lengths.map((frac, i) => {
      if (frac < 0 || frac > 1) throw new ValueError(`Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(n * frac);
    });
    const remainder = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) counts[i % counts.length]! += 1;
    counts.forEach((length, i) => {
      if (length === 0) warn(`Length of split at index ${i} is 0. This might result in an empty dataset.`);
    });
  }
  const sum = pythonSum(counts);
  if (sum !== n) throw new ValueError("Sum of input lengths does not equal the length of the input dataset!");
  if (!counts.every((c) => Number.isInteger(c) && c >= 0)) {
    // Python fails inside randperm or list slicing on these; say what is wrong instead.
    throw new ValueError(`random_split(): lengths must be non-negative integers or fractions summing to 1, got [${lengths.join(", ")}]`);
  }
  const indices = randperm(sum, { generator }).tolist() as number[];
  const out: Subset<T>[] = [];
  let offset = 0;
  for (const length of counts) {
    out.push(new Subset(dataset, indices.slice(offset, offset + length)));
    offset += length;
  }
  return out;
}
