/**
 * Scalar functions that JavaScript's Math lacks, with PyTorch's semantics: round half to even,
 * Python's floor division and modulo, erf, erfc, erfinv.
 */

export { erf, erfc, erfinv } from "./erf.js";

/** torch.round: halves go to the even neighbour (0.5 -> 0, 1.5 -> 2, -2.5 -> -2). */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  // Math.round sends halves up; pull a half that landed on an odd number back down.
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r === 0 ? (x < 0 || Object.is(x, -0) ? -0 : 0) : r;
}

/** Python's float `a // b`: floor of the exact quotient, computed through fmod like CPython. */
export function floorDivide(a: number, b: number): number {
  if (b === 0) return a / b;
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
  if (div === 0) {
    // copysign(0, a / b): the quotient's sign, -0 included.
    const q = a / b;
    return q < 0 || Object.is(q, -0) ? -0 : 0;
  }
  const floordiv = Math.floor(div);
  return div - floordiv > 0.5 ? floordiv + 1 : floordiv;
}

/** Python's float `a % b`: the result takes the divisor's sign. */
export function remainder(a: number, b: number): number {
  const mod = a % b;
  if (mod !== 0 && b < 0 !== mod < 0) return mod + b;
  return mod;
}
