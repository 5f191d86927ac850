/**
 * The IDX file format of MNIST, Fashion-MNIST and their kin (LeCun's "idx-ubyte"): a 4-byte
 * magic number `0x00 0x00 <type> <ndim>`, `ndim` big-endian uint32 dimensions, then the
 * values in row-major order, big-endian.
 *
 * | type code | element | tensor dtype (default) |
 * |-----------|---------|------------------------|
 * | 0x08      | uint8   | int32                  |
 * | 0x09      | int8    | int32                  |
 * | 0x0B      | int16   | int32                  |
 * | 0x0C      | int32   | int32                  |
 * | 0x0D      | float32 | float32                |
 * | 0x0E      | float64 | float64                |
 *
 * torch-ts has no uint8, int8 or int16 dtype, so the integer types become int32, which holds
 * all of their values exactly (torchvision keeps MNIST's pixels as uint8; `x.float() / 255`
 * gives the same numbers). Pass `{ dtype }` to decode straight into another dtype (float32
 * images, int64 labels) without the intermediate int32 copy.
 *
 * This file runs in browsers too: it takes bytes, not paths. For files (and `.gz`) on Node use
 * `load_idx` from `torch-ts/node`; in a browser, decompress a `.gz` with
 * `new Response(blob.stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer()`.
 */

import { Tensor } from "../../tensor/tensor.js";
import { DType, float32, float64, int32, int64, bool, typedArrayFor, type TypedArray } from "../../tensor/dtype.js";
import { encodeScalar, fromTypedArray } from "../../tensor/creation.js";
import { ValueError } from "../../errors.js";

interface IdxType {
  name: string;
  size: number;
  dtype: DType;
  read(view: DataView, offset: number): number;
}

const IDX_TYPES: Record<number, IdxType> = {
  0x08: { name: "uint8", size: 1, dtype: int32, read: (v, o) => v.getUint8(o) },
  0x09: { name: "int8", size: 1, dtype: int32, read: (v, o) => v.getInt8(o) },
  0x0b: { name: "int16", size: 2, dtype: int32, read: (v, o) => v.getInt16(o, false) },
  0x0c: { name: "int32", size: 4, dtype: int32, read: (v, o) => v.getInt32(o, false) },
  0x0d: { name: "float32", size: 4, dtype: float32, read: (v, o) => v.getFloat32(o, false) },
  0x0e: { name: "float64", size: 8, dtype: float64, read: (v, o) => v.getFloat64(o, false) },
};

function hex(b: number): string {
  return "0x" + b.toString(16).padStart(2, "0");
}

/** The header of an IDX file: element type, dims, and where the data start. */
export interface IdxHeader {
  /** The element type's name: "uint8", "int8", "int16", "int32", "float32" or "float64". */
  type: string;
  /** The type code byte (0x08 ... 0x0E). */
  type_code: number;
  shape: number[];
  /** Byte offset of the first value. */
  data_offset: number;
}

/**
 * Reads and checks the header of IDX bytes, without decoding the values: the magic number,
 * the type code, the dimensions, and that the data that follow are exactly as long as the
 * dimensions say. Throws a ValueError naming what is wrong otherwise.
 */
export function parse_idx_header(bytes: Uint8Array): IdxHeader {
  const n = bytes.length;
  if (n < 4) throw new ValueError(`truncated IDX data: ${n} bytes, shorter than the 4-byte magic number`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const gz = bytes[0] === 0x1f && bytes[1] === 0x8b;
    throw new ValueError(
      `not IDX data: bad magic number ${hex(bytes[0]!)} ${hex(bytes[1]!)} ${hex(bytes[2]!)} ${hex(bytes[3]!)} ` +
        `(an IDX file starts with 0x00 0x00, then the type code and the number of dims)` +
        (gz ? "; these are gzip data, decompress them first (load_idx from torch-ts/node does)" : ""),
    );
  }
  const code = bytes[2]!;
  const type = IDX_TYPES[code];
  if (!type) {
    throw new ValueError(
      `unknown IDX type code ${hex(code)} (expected 0x08 uint8, 0x09 int8, 0x0b int16, 0x0c int32, 0x0d float32 or 0x0e float64)`,
    );
  }
  const ndim = bytes[3]!;
  const dataOffset = 4 + 4 * ndim;
  if (n < dataOffset) {
    throw new ValueError(`truncated IDX header: ${ndim} dims need ${dataOffset} header bytes, but the data have only ${n}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  // The byte count is computed exactly (BigInt), so dims whose product overflows are caught
  // here, before anything is allocated.
  let count = 1n;
  for (let d = 0; d < ndim; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    shape.push(size);
    count *= BigInt(size);
  }
  const need = count * BigInt(type.size);
  const have = BigInt(n - dataOffset);
  if (need !== have) {
    const what = `dims [${shape.join(", ")}] of ${type.name} need ${need} bytes after the ${dataOffset}-byte header, but there are ${have}`;
    throw new ValueError(need > have ? `truncated IDX data: ${what}` : `IDX data length mismatch: ${what} (trailing bytes)`);
  }
  return { type: type.name, type_code: code, shape, data_offset: dataOffset };
}

export interface ParseIdxOptions {
  /** The dtype of the result (default: int32 for the integer types, else the file's float type). */
  dtype?: DType;
}

/**
 * Decodes IDX bytes (the MNIST format, uncompressed) into a tensor of the file's shape.
 *
 * Integer element types (uint8, int8, int16, int32) give int32 by default, float32 and
 * float64 their own dtype; `dtype` decodes straight into another one, converting as `.to()`
 * would. Malformed data (short, bad magic number, unknown type code, a length that does not
 * match the dims) throw a ValueError saying which; nothing is allocated for them.
 *
 * Args:
 *   bytes: the file's contents.
 *   dtype: the dtype of the result.
 *
 * ```ts
 * const images = parse_idx(bytes, { dtype: torch.float32 });  // (60000, 28, 28), values 0..255
 * const x = images.reshape([-1, 784]).div(255);                // (N, 28, 28) -> (N, 784)
 * ```
 */
export function parse_idx(bytes: Uint8Array | ArrayBuffer, options: ParseIdxOptions = {}): Tensor {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const header = parse_idx_header(data);
  const type = IDX_TYPES[header.type_code]!;
  const dtype = options.dtype ?? type.dtype;
  const count = header.shape.reduce((a, b) => a * b, 1);
  const out = typedArrayFor(dtype, count);
  const offset = header.data_offset;
  if (type.name === "uint8" && !(out instanceof BigInt64Array) && dtype !== bool) {
    // The common case (MNIST pixels and labels): one conversion pass, no DataView.
    (out as Exclude<TypedArray, BigInt64Array>).set(data.subarray(offset, offset + count));
  } else {
    decodeInto(out, dtype, type, new DataView(data.buffer, data.byteOffset, data.byteLength), offset, count);
  }
  return fromTypedArray(out, header.shape, dtype);
}

function decodeInto(out: TypedArray, dtype: DType, type: IdxType, view: DataView, offset: number, count: number): void {
  const exact = !type.dtype.is_floating_point || dtype.is_floating_point;
  if (exact && dtype !== int64 && dtype !== bool) {
    // Integers into any number dtype, floats into floats: plain assignment rounds as .to() does.
    const o = out as Float32Array | Float64Array | Int32Array;
    for (let i = 0; i < count; i++) o[i] = type.read(view, offset + i * type.size);
    return;
  }
  const o = out as { [i: number]: number | bigint };
  for (let i = 0; i < count; i++) o[i] = encodeScalar(type.read(view, offset + i * type.size), dtype);
}
