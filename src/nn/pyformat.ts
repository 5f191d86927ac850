/**
 * How Python prints the hyperparameters of layers and losses in reprs and messages: floats as
 * `repr(float)` (`0.5`, `1.0`, `1e-05`), tuples as `(10,)`, booleans as `True`/`False`.
 */

/**
 * Python's `repr` of a float. JavaScript numbers carry no int/float distinction, so an
 * integer value prints as a float (`1.0`): these parameters are floats in PyTorch. Python
 * switches to exponent form below 1e-4 and from 1e16, with a two-digit exponent (`1e-05`).
 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, expText] = x.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  const sign = x < 0 ? "-" : "";
  const digits = mantissa.replace("-", "").replace(".", "");
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  return `${sign}${whole}.${digits.slice(exp + 1) || "0"}`;
}

/** Python's `str(bool)`. */
export function pyBool(b: boolean): string {
  return b ? "True" : "False";
}

/** Python's `repr(tuple_of_ints)`: `(10,)`, `(3, 4)`, `()`. */
export function pyTuple(xs: readonly number[]): string {
  return `(${xs.join(", ")}${xs.length === 1 ? "," : ""})`;
}

/** How ATen prints an IntArrayRef in messages: `[2, 3]`. */
export function shapeText(xs: readonly number[]): string {
  return `[${xs.join(", ")}]`;
}
