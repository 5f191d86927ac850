/**
 * The pure-JS reference backend: every kernel, written plainly. It is the specification that
 * the fast backends are diffed against and the fallback for whatever they decline.
 */

import type { Backend, Storage } from "../backend.js";
import type { DType, TypedArray } from "../../tensor/dtype.js";
import { JsStorage } from "./storage.js";
import { binary, copy, fill, unary, where } from "./elementwise.js";
import { reduce } from "./reduce.js";
import { addmm, matmul } from "./matmul.js";
import { gather, indexAdd, indexSelect, scatter, scatterAdd } from "./index_ops.js";

export const jsBackend: Backend = {
  name: "js",
  allocate(dtype: DType, length: number, zeroed = true): Storage {
    return new JsStorage(jsBackend, dtype, length, zeroed);
  },
  read(storage: Storage, offset: number, length: number): TypedArray {
    return (storage as JsStorage).data.slice(offset, offset + length);
  },
  write(storage: Storage, offset: number, values: TypedArray): void {
    ((storage as JsStorage).data as Float64Array).set(values as Float64Array, offset);
  },
  borrow(storage: Storage, offset: number, length: number): TypedArray {
    return (storage as JsStorage).data.subarray(offset, offset + length);
  },
  fill,
  copy,
  unary,
  binary,
  where,
  reduce,
  matmul,
  addmm,
  indexSelect,
  gather,
  scatter,
  scatterAdd,
  indexAdd,
  supports: () => true,
};
