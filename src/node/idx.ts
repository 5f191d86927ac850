/// <reference types="node" />
// (The library build compiles with no ambient types so that core code cannot lean on Node's;
// this entry is Node-only and says so here.)

/**
 * `load_idx(path)`: reads an IDX file (MNIST, Fashion-MNIST), plain or gzip-compressed, from
 * disk into a tensor. Node only; the format itself is decoded by `parse_idx` in the core.
 */

import { readFileSync, statSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { parse_idx } from "../utils/data/idx.js";
import { ValueError } from "../errors.js";

export interface LoadIdxOptions {
  /** The dtype of the result (default: int32 for the integer element types, else the file's). */
  dtype?: DType;
  /**
   * The most bytes the file, or its decompressed contents, may have (default 2 GiB): a guard
   * against a corrupt or hostile `.gz` that would inflate without bound.
   */
  max_bytes?: number;
}

const DEFAULT_MAX_BYTES = 2 ** 31;

/**
 * Loads an IDX file into a tensor of the file's shape. gzip-compressed files (`.gz`, as MNIST
 * is distributed) are recognised by their content, not their name, so a `.gz` file that was
 * already unpacked by a download tool still loads.
 *
 * Integer element types give int32 by default, float32 and float64 their own dtype; see
 * `torch.utils.data.parse_idx`. A truncated, malformed or oversized file throws a ValueError
 * that names the file and the problem.
 *
 * Args:
 *   path: the file to read.
 *   dtype: the dtype of the result.
 *   max_bytes: the largest file or decompressed size accepted (default 2 GiB).
 *
 * ```ts
 * import { load_idx } from "torch-ts/node";
 * const x = load_idx("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", { dtype: torch.float32 });
 * x.shape;   // [60000, 28, 28]
 * ```
 */
export function load_idx(path: string, options: LoadIdxOptions = {}): Tensor {
  const maxBytes = options.max_bytes ?? DEFAULT_MAX_BYTES;
  const size = statSync(path).size;
  if (size > maxBytes) throw new ValueError(`${path}: the file has ${size} bytes, more than max_bytes=${maxBytes}`);
  let bytes: Uint8Array = readFileSync(path);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzip(path, bytes, maxBytes);
  try {
    return parse_idx(bytes, { dtype: options.dtype });
  } catch (e) {
    if (e instanceof ValueError) throw new ValueError(`${path}: ${e.message}`);
    throw e;
  }
}

function gunzip(path: string, bytes: Uint8Array, maxBytes: number): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError) {
      throw new ValueError(`${path}: the decompressed data exceed max_bytes=${maxBytes}`);
    }
    throw new ValueError(`${path}: invalid gzip data (${err.message})`);
  }
}
