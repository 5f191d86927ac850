/**
 * The integer checks of PyTorch's Python argument parser, for arguments that arrive as JS
 * numbers. JS has one number type, so `x.select(0, 2.5)` would otherwise reach a kernel with a
 * fractional offset; PyTorch refuses it with a TypeError, and so do we, with its message.
 */

import { Tensor } from "../tensor/tensor.js";

/** Python's name for a JS value's type, as the parser prints it. */
function pyType(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "str";
  if (v === null || v === undefined) return "NoneType";
  if (v instanceof Tensor) return "Tensor";
  if (Array.isArray(v)) return "list";
  return typeof v;
}

function accepts(type: string, v: unknown): boolean {
  if (type === "int") return typeof v === "number" && Number.isInteger(v);
  if (type === "name") return typeof v === "string";
  if (type === "Tensor") return v instanceof Tensor;
  return true;
}

/**
 * Throws PyTorch's "received an invalid combination of arguments" TypeError unless `args` fit
 * one of `overloads` (each a list of `[type, name]`, in PyTorch's order).
 */
export function checkOverloads(fn: string, args: readonly unknown[], overloads: readonly (readonly [string, string][])[]): void {
  if (overloads.some((o) => o.every(([type], i) => accepts(type, args[i])))) return;
  const got = args.map(pyType).join(", ");
  let text = `${fn}() received an invalid combination of arguments - got (${got}), but expected one of:\n`;
  for (const o of overloads) {
    text += ` * (${o.map(([type, name]) => `${type} ${name}`).join(", ")})\n`;
    const marked = o.map(([type], i) => (accepts(type, args[i]) ? pyType(args[i]) : `!${pyType(args[i])}!`));
    text += `      didn't match because some of the arguments have invalid types: (${marked.join(", ")})\n`;
  }
  throw new TypeError(text);
}

/** `fn(): argument 'name' (position p) must be int, not float`, for a one-signature function. */
export function checkInt(fn: string, name: string, position: number, v: unknown): void {
  if (typeof v === "number" && Number.isInteger(v)) return;
  throw new TypeError(`${fn}(): argument '${name}' (position ${position}) must be int, not ${pyType(v)}`);
}

/** `fn(): argument 'name' (position p) must be tuple of ints, not list` where an entry is no int. */
export function checkInts(fn: string, name: string, position: number, vs: readonly unknown[]): void {
  if (vs.every((v) => typeof v === "number" && Number.isInteger(v))) return;
  throw new TypeError(`${fn}(): argument '${name}' (position ${position}) must be tuple of ints, not list`);
}
