// PyTorch's tensor repr text (torch/_tensor_str.py), reproduced byte for byte as a pure
// function of shape, dtype, values and autograd state. No tensor core import: the lead wires
// it into Tensor.toString() and Node's inspect, and it must run in browsers.

import { formatExponent, formatFixed } from "./print_number.js";

/** What the printer needs to know about a tensor; see {@link formatTensor}. */
export interface TensorPrintInfo {
  shape: readonly number[];
  dtype: "float32" | "float64" | "int64" | "int32" | "bool";
  /** All elements in row-major (contiguous) order; int64 as a BigInt64Array. */
  values: ArrayLike<number> | BigInt64Array | ArrayLike<boolean>;
  /** Printed as `requires_grad=True` only when true and `gradFn` is null, as PyTorch does. */
  requiresGrad: boolean;
  /** The backward node's class name, e.g. `"AddmmBackward0"`, printed as `grad_fn=<...>`. */
  gradFn: string | null;
}

/** PyTorch's print options (`torch._tensor_str.PRINT_OPTS`). */
export interface PrintOptions {
  /** Digits after the decimal point for floating point output (default 4). */
  precision: number;
  /** Element count above which the output is summarized with `...` (default 1000). */
  threshold: number;
  /** Items kept at the start and end of each summarized dimension (default 3). */
  edgeitems: number;
  /** Characters per line used to wrap rows and suffixes (default 80). */
  linewidth: number;
  /** Force (true) or forbid (false) scientific notation; null lets the values decide. */
  sci_mode: boolean | null;
}

type PrintProfile = "default" | "short" | "full";
type Dtype = TensorPrintInfo["dtype"];
type Scalar = number | bigint | boolean;

const PROFILES: Record<PrintProfile, Omit<PrintOptions, "sci_mode">> = {
  default: { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 },
  short: { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 },
  full: { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 },
};

const opts: PrintOptions = { ...PROFILES.default, sci_mode: null };

/**
 * Set options for printing tensors, as `torch.set_printoptions`.
 *
 * A `profile` (`"default"`, `"short"` or `"full"`) is applied first, then any options given.
 * As in PyTorch, every call also sets `sci_mode`: leaving it out resets it to `null`.
 *
 * @example
 * set_printoptions({ precision: 2 });
 * formatTensor(info);                       // tensor([1.12])
 * set_printoptions({ profile: "default" }); // restore
 */
export function set_printoptions(
  options: Partial<PrintOptions> & { profile?: PrintProfile },
): void {
  // PyTorch ignores an unknown profile name; so do we.
  if (options.profile !== undefined && options.profile in PROFILES) {
    Object.assign(opts, PROFILES[options.profile]);
  }
  if (options.precision !== undefined) opts.precision = options.precision;
  if (options.threshold !== undefined) opts.threshold = options.threshold;
  if (options.edgeitems !== undefined) opts.edgeitems = options.edgeitems;
  if (options.linewidth !== undefined) opts.linewidth = options.linewidth;
  opts.sci_mode = options.sci_mode ?? null;
}

/** A copy of the current print options. */
export function get_printoptions(): PrintOptions {
  return { ...opts };
}

/** Formats one element and knows the common width, as PyTorch's `_Formatter`. */
interface Formatter {
  width: number;
  format(value: Scalar): string;
}

function pad(s: string, width: number): string {
  return s.length >= width ? s : " ".repeat(width - s.length) + s;
}

function plainString(value: Scalar): string {
  if (typeof value === "boolean") return value ? "True" : "False";
  return value.toString();
}

function makeFormatter(dtype: Dtype, visible: readonly Scalar[]): Formatter {
  if (dtype !== "float32" && dtype !== "float64") {
    let width = 1;
    for (const v of visible) width = Math.max(width, plainString(v).length);
    return { width, format: (v) => pad(plainString(v), width) };
  }

  const { precision } = opts;
  let intMode = true;
  let sciMode = false;
  let width = 1;
  const finite: number[] = [];
  for (const v of visible) {
    const x = v as number;
    if (Number.isFinite(x) && x !== 0) finite.push(x);
  }
  if (finite.length > 0) {
    let min = Infinity;
    let max = 0;
    for (const x of finite) {
      const a = Math.abs(x);
      if (a < min) min = a;
      if (a > max) max = a;
      if (x !== Math.ceil(x)) intMode = false;
    }
    // The ratio and bounds are computed in double, even for float32, as PyTorch does.
    const wide = max / min > 1000 || max > 1e8;
    if (intMode) {
      sciMode = wide;
      for (const x of finite) {
        // Integer-valued floats print as `3.`: the dot counts toward the width.
        const len = sciMode ? formatExponent(x, precision).length : formatFixed(x, 0).length + 1;
        width = Math.max(width, len);
      }
    } else {
      sciMode = wide || min < 1e-4;
      for (const x of finite) {
        const s = sciMode ? formatExponent(x, precision) : formatFixed(x, precision);
        width = Math.max(width, s.length);
      }
    }
    // PyTorch returns before reading sci_mode when no element is finite and nonzero, so an
    // all-zero or all-nan tensor ignores the option.
    if (opts.sci_mode !== null) sciMode = opts.sci_mode;
  }

  const format = (v: Scalar): string => {
    const x = v as number;
    let s: string;
    if (sciMode) s = formatExponent(x, precision);
    else if (intMode) s = formatFixed(x, 0) + (Number.isFinite(x) ? "." : "");
    else s = formatFixed(x, precision);
    return pad(s, width);
  };
  return { width, format };
}

/** Index ranges shown along one dimension of size n. */
interface Shown {
  head: number[];
  ellipsis: boolean;
  tail: number[];
}

function range(start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i++) out.push(i);
  return out;
}

function shownIndices(n: number, summarize: boolean, vector: boolean): Shown {
  const edge = opts.edgeitems;
  if (!summarize || n <= 2 * edge) return { head: range(0, n), ellipsis: false, tail: [] };
  // PyTorch slices rows with `t[-edge:]`, which is the whole row when edge is 0, but walks
  // higher dimensions with `range(n - edge, n)`, which is then empty.
  const tailStart = vector && edge === 0 ? 0 : n - edge;
  return { head: range(0, Math.min(edge, n)), ellipsis: true, tail: range(tailStart, n) };
}

function shapeTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/** Joins suffixes after the text, wrapping one onto its own line when it would pass linewidth. */
function addSuffixes(text: string, suffixes: readonly string[], indent: number): string {
  let out = text;
  // PyTorch's count is two more than the last line's length (`len - rfind("\n") + 1`).
  let lastLineLen = text.length - text.lastIndexOf("\n") + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > opts.linewidth) {
      out += ",\n" + " ".repeat(indent) + suffix;
      lastLineLen = indent + suffix.length;
    } else {
      out += ", " + suffix;
      lastLineLen += suffix.length + 2;
    }
  }
  return out + ")";
}

/**
 * The text of `repr(t)` (also `str(t)`) for a CPU tensor in PyTorch, byte for byte.
 *
 * Follows the current print options ({@link set_printoptions}) and the default dtype
 * float32: `dtype=` is printed for float64 and int32 and, for empty tensors, for every
 * dtype but float32. Float32 values are formatted after widening to double, as PyTorch does,
 * so 0.1f prints as `0.1000` with precision 4 but `0.1000000015` with precision 10.
 *
 * @example
 * formatTensor({ shape: [2], dtype: "float32", values: new Float32Array([1, 2.5]),
 *                requiresGrad: true, gradFn: null });
 * // "tensor([1.0000, 2.5000], requires_grad=True)"
 */
export function formatTensor(info: TensorPrintInfo): string {
  const { shape, dtype, values } = info;
  const numel = shape.reduce((a, b) => a * b, 1);
  if (values.length !== numel) {
    throw new RangeError(
      `formatTensor: shape ${shapeTuple(shape)} has ${numel} elements but ${values.length} values were given`,
    );
  }
  const prefix = "tensor(";
  const indent = prefix.length;
  const suffixes: string[] = [];
  let body: string;

  if (numel === 0) {
    // Explicit size unless 1-D, to match NumPy; the dtype cannot be guessed from no values.
    if (shape.length !== 1) suffixes.push("size=" + shapeTuple(shape));
    if (dtype !== "float32") suffixes.push("dtype=torch." + dtype);
    body = "[]";
  } else {
    if (dtype === "float64" || dtype === "int32") suffixes.push("dtype=torch." + dtype);
    body = tensorBody(info, indent);
  }
  if (info.gradFn !== null) suffixes.push(`grad_fn=<${info.gradFn}>`);
  else if (info.requiresGrad) suffixes.push("requires_grad=True");
  return addSuffixes(prefix + body, suffixes, indent);
}

function tensorBody(info: TensorPrintInfo, indent: number): string {
  const { shape, dtype } = info;
  const ndim = shape.length;
  const get = (i: number): Scalar => {
    const v = (info.values as ArrayLike<Scalar>)[i]!;
    // A plain number[] may hold doubles; float32 tensors are formatted as their float32 value.
    if (dtype === "float32") return Math.fround(v as number);
    if (dtype === "bool") return Boolean(v);
    return v;
  };
  const strides: number[] = new Array<number>(ndim);
  for (let d = ndim - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  const numel = info.values.length;
  const summarize = numel > opts.threshold;
  if (summarize && opts.edgeitems === 0 && ndim >= 2) {
    // PyTorch's get_summarized_data stacks an empty list of rows here and fails.
    throw new Error("stack expects a non-empty TensorList");
  }

  // The formatter sees only the elements that will be printed (get_summarized_data).
  const visible: Scalar[] = [];
  const collect = (d: number, offset: number): void => {
    const { head, tail } = shownIndices(shape[d]!, summarize, d === ndim - 1);
    for (const i of [...head, ...tail]) {
      if (d === ndim - 1) visible.push(get(offset + i * strides[d]!));
      else collect(d + 1, offset + i * strides[d]!);
    }
  };
  if (ndim === 0) visible.push(get(0));
  else collect(0, 0);
  const formatter = makeFormatter(dtype, visible);
  if (ndim === 0) return formatter.format(get(0));

  const render = (d: number, offset: number, ind: number): string => {
    const shown = shownIndices(shape[d]!, summarize, d === ndim - 1);
    if (d === ndim - 1) return renderVector(shown, (i) => formatter.format(get(offset + i)), formatter.width, ind);
    const slices = shown.head.map((i) => render(d + 1, offset + i * strides[d]!, ind + 1));
    if (shown.ellipsis) slices.push("...");
    for (const i of shown.tail) slices.push(render(d + 1, offset + i * strides[d]!, ind + 1));
    // Slices of a k-D tensor are separated by k-1 newlines: blank lines between matrices.
    return "[" + slices.join("," + "\n".repeat(ndim - d - 1) + " ".repeat(ind + 1)) + "]";
  };
  return render(0, 0, indent);
}

function renderVector(shown: Shown, format: (i: number) => string, width: number, indent: number): string {
  // Each element takes its width plus ", "; a row holds as many as fit in linewidth.
  const perLine = Math.max(1, Math.floor((opts.linewidth - indent) / (width + 2)));
  const items = shown.head.map(format);
  if (shown.ellipsis) items.push(" ...");
  for (const i of shown.tail) items.push(format(i));
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(", "));
  return "[" + lines.join(",\n" + " ".repeat(indent + 1)) + "]";
}
