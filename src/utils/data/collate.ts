/**
 * `default_collate` and `default_convert`, as in `torch/utils/data/_utils/collate.py`: how a
 * list of samples becomes one batch.
 *
 * PyTorch dispatches on the Python type of the batch's first element. The JavaScript values
 * map onto those types as torch-ts's `torch.tensor` maps them:
 *
 * | first element            | PyTorch type      | result                                        |
 * |--------------------------|-------------------|-----------------------------------------------|
 * | Tensor                   | Tensor            | `torch.stack(batch, 0)`                       |
 * | typed array              | NumPy array       | each made a tensor, then stacked              |
 * | number                   | int / float       | int64 tensor when every number in the batch is an integer, else float64 (PyTorch's `collate_float_fn`) |
 * | bigint                   | int               | int64 tensor                                  |
 * | boolean                  | bool              | bool tensor                                   |
 * | string                   | str               | the batch unchanged (an array of strings)     |
 * | array                    | list / tuple      | collated position by position, as an array    |
 * | plain object, Map        | dict (Mapping)    | collated key by key                           |
 *
 * JavaScript has one number type: an integer-valued number counts as a Python int, as in
 * `torch.tensor`, so `[1, 2]` collates to int64 and `[0.5, 2]` to float64.
 */

import { Tensor, type Scalar } from "../../tensor/tensor.js";
import { tensor } from "../../tensor/creation.js";
import { bool, float64, int64 } from "../../tensor/dtype.js";
import { stack } from "../../ops/cat.js";
import { RuntimeError } from "../../errors.js";

/** How PyTorch's error message shows the element's type: `<class 'NoneType'>`. */
function pythonTypeName(x: unknown): string {
  let name: string = typeof x;
  if (x === null || x === undefined) name = "NoneType";
  else if (typeof x === "object" || typeof x === "function") name = (x as object).constructor?.name ?? "object";
  return `<class '${name}'>`;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function isTypedArray(x: unknown): x is ArrayBufferView {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/**
 * Puts each data field into a tensor with an outer dimension of batch size (see the table in
 * this file's header for how each kind of element is batched).
 *
 * Args:
 *   batch: a list of samples.
 *
 * ```ts
 * default_collate([0, 1, 2, 3]);                        // tensor([0, 1, 2, 3])
 * default_collate([[0, 1.5], [2, 3.5]]);                // [tensor([0, 2]), tensor([1.5, 3.5], float64)]
 * default_collate([{ A: 0, B: 1 }, { A: 100, B: 100 }]); // { A: tensor([0, 100]), B: tensor([1, 100]) }
 * ```
 */
export function default_collate(batch: readonly unknown[]): unknown {
  const elem = batch[0];
  if (elem instanceof Tensor) return stack(batch as Tensor[], 0);
  if (isTypedArray(elem)) return stack(batch.map((b) => tensor(b as ArrayBufferView)), 0);
  if (typeof elem === "number") {
    const ints = batch.every((b) => typeof b === "number" && Number.isInteger(b));
    return ints ? tensor(batch as number[], { dtype: int64 }) : tensor(batch as Scalar[], { dtype: float64 });
  }
  if (typeof elem === "bigint") return tensor(batch as Scalar[], { dtype: int64 });
  if (typeof elem === "boolean") return tensor(batch as Scalar[], { dtype: bool });
  if (typeof elem === "string") return batch;
  if (elem instanceof Map) {
    const out = new Map();
    for (const key of elem.keys()) out.set(key, default_collate(batch.map((d) => (d as Map<unknown, unknown>).get(key))));
    return out;
  }
  if (isPlainObject(elem)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(elem)) out[key] = default_collate(batch.map((d) => (d as Record<string, unknown>)[key]));
    return out;
  }
  if (Array.isArray(elem)) {
    const size = elem.length;
    if (!batch.every((b) => Array.isArray(b) && b.length === size)) {
      throw new RuntimeError("each element in list of batch should be of equal size");
    }
    const out: unknown[] = [];
    for (let i = 0; i < size; i++) out.push(default_collate(batch.map((b) => (b as unknown[])[i])));
    return out;
  }
  throw new TypeError(
    `default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found ${pythonTypeName(elem)}`,
  );
}

/**
 * Converts each typed array in a sample into a tensor, recursing into arrays, plain objects
 * and Maps and leaving everything else unchanged: DataLoader's collation when automatic
 * batching is off (`batch_size: null`). PyTorch's converts NumPy arrays the same way.
 */
export function default_convert(data: unknown): unknown {
  if (data instanceof Tensor) return data;
  if (isTypedArray(data)) return tensor(data);
  if (data instanceof Map) {
    const out = new Map();
    for (const [k, v] of data) out.set(k, default_convert(v));
    return out;
  }
  if (isPlainObject(data)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(data)) out[k] = default_convert(v);
    return out;
  }
  if (Array.isArray(data)) return data.map(default_convert);
  return data;
}

/**
 * The batch type `default_collate` makes from samples of type `T`: tensors and numbers
 * become tensors, strings arrays of strings, arrays and objects are mapped element-wise.
 */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | bigint | boolean | ArrayBufferView
    ? Tensor
    : T extends string
      ? string[]
      : T extends readonly unknown[]
        ? { -readonly [K in keyof T]: Collated<T[K]> }
        : T extends Map<infer K, infer V>
          ? Map<K, Collated<V>>
          : T extends object
            ? { [K in keyof T]: Collated<T[K]> }
            : unknown;
