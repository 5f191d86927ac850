/**
 * Which PyTorch release the samplers reproduce where releases differ.
 *
 * * Path S of normal_ (scalar Box–Muller, used for fewer than 16 elements or non-contiguous
 *   tensors): 1.13 computes the radius with log(1 - u2), 2.x with log1p(-u2)
 *   (docs/pytorch-rng.md section 15). The same number mathematically (1 - u2 is exact), but
 *   different C functions: glibc's log1p is one ulp off in about 7 % of these inputs, and about
 *   3 % of float64 values from path S change. torch-ts uses a correctly rounded log for 1.13
 *   and a port of glibc's (FMA build) log1p for 2.x. Float32 values practically never change.
 * * randperm(n) for n >= 2^32 / 20: 2.x uses an inside-out shuffle with 64-bit draws.
 *
 * Everything else is identical between 1.13 and 2.x. The default is "2.x" (what users run);
 * the golden fixtures come from Debian's 1.13, and their tests select "1.13".
 */

export type PyTorchCompat = "1.13" | "2.x";

let compat: PyTorchCompat = "2.x";

/** Selects the PyTorch release whose random streams are reproduced (see above). */
export function setCompat(version: PyTorchCompat): void {
  if (version !== "1.13" && version !== "2.x") {
    throw new TypeError(`setCompat: expected "1.13" or "2.x", got ${String(version)}`);
  }
  compat = version;
}

/** The PyTorch release being reproduced. */
export function getCompat(): PyTorchCompat {
  return compat;
}
