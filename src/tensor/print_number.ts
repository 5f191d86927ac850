// Python's float formatting (`'{:.4f}'`, `'{:.4e}'`, `'{:.0f}'`) reproduced exactly.
//
// JS `toFixed`/`toExponential` are correctly rounded, but they break exact ties upward while
// Python breaks them to even (`'{:.4f}'.format(0.03125)` is `0.0312`, `toFixed(4)` gives
// `0.0313`), they drop the sign of -0, and `toFixed` switches to exponent notation from 1e21.
// So we round the exact binary value ourselves with BigInt; every double is num / 2^k.

const POW10: bigint[] = [1n];

function pow10(k: number): bigint {
  for (let i = POW10.length; i <= k; i++) POW10.push(POW10[i - 1]! * 10n);
  return POW10[k]!;
}

const view = new DataView(new ArrayBuffer(8));

/** |x| as num / den exactly, den a power of two; x must be finite. */
function exactAbs(x: number): [bigint, bigint] {
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp = -1074; // subnormals have no implicit bit and the smallest exponent
  if (biased !== 0) {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  return exp >= 0 ? [mant << BigInt(exp), 1n] : [mant, 1n << BigInt(-exp)];
}

/** round(num * 10^scale / den), ties to even. */
function roundScaled(num: bigint, den: bigint, scale: number): bigint {
  const n = scale >= 0 ? num * pow10(scale) : num;
  const d = scale >= 0 ? den : den * pow10(-scale);
  const q = n / d;
  const twiceRem = 2n * (n - q * d);
  if (twiceRem > d || (twiceRem === d && (q & 1n) === 1n)) return q + 1n;
  return q;
}

function signOf(x: number): string {
  // Python keeps the sign of -0 and of negatives that round to zero: '-0.0000'.
  return x < 0 || Object.is(x, -0) ? "-" : "";
}

function nonFinite(x: number): string | null {
  // Python prints every NaN as 'nan', whatever its sign bit.
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return null;
}

/** Python's `'{:.<precision>f}'.format(x)`. */
export function formatFixed(x: number, precision: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  const [num, den] = exactAbs(x);
  let digits = roundScaled(num, den, precision).toString();
  if (precision === 0) return signOf(x) + digits;
  if (digits.length <= precision) digits = "0".repeat(precision + 1 - digits.length) + digits;
  const cut = digits.length - precision;
  return signOf(x) + digits.slice(0, cut) + "." + digits.slice(cut);
}

/** Python's `'{:.<precision>e}'.format(x)`: at least two exponent digits, `1.0000e+05`. */
export function formatExponent(x: number, precision: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  let digits: string;
  let exp = 0;
  if (x === 0) {
    digits = "0".repeat(precision + 1);
  } else {
    const [num, den] = exactAbs(x);
    // log10 only guesses the exponent; the loop settles it on the rounded digits so that a
    // value such as 9.99996 rounding up to 10.000 moves to the next exponent.
    exp = Math.floor(Math.log10(Math.abs(x)));
    const lower = pow10(precision);
    const upper = pow10(precision + 1);
    let mant = roundScaled(num, den, precision - exp);
    for (;;) {
      if (mant >= upper) exp += 1;
      else if (mant < lower) exp -= 1;
      else break;
      mant = roundScaled(num, den, precision - exp);
    }
    digits = mant.toString();
  }
  const mantissa = precision === 0 ? digits : digits[0] + "." + digits.slice(1);
  const expDigits = String(Math.abs(exp)).padStart(2, "0");
  return signOf(x) + mantissa + "e" + (exp < 0 ? "-" : "+") + expDigits;
}
