/**
 * Storages in a checkpoint: PyTorch's storage classes (`torch.FloatStorage`, ...), decoding
 * their little-endian bytes into torch-ts's dtypes, and the persistent ids by which a pickle
 * names a storage record, each checked against the bytes that are really there.
 *
 * torch-ts has five dtypes; storages of the others are widened on load: float16 and bfloat16
 * to float32 (exactly), uint8, int8 and int16 to int32. Complex and quantized storages are
 * refused. Every storage is read once and shared by every tensor that views it, as in PyTorch.
 */

import { Tensor } from "../tensor/tensor.js";
import { DType, bool, float32, float64, int32, int64, type TypedArray } from "../tensor/dtype.js";
import { RuntimeError } from "../errors.js";
import { PyGlobal, pyTypeName, UnpicklingError } from "./pickle_nodes.js";

// ---- storage types ---------------------------------------------------------------------------

/** A storage type of the file: its PyTorch dtype name, bytes per element, and the dtype it loads as. */
export interface StorageType {
  readonly torchName: string;
  readonly itemsize: number;
  readonly loadsAs: DType;
}

const STORAGE_TYPES: Record<string, StorageType> = {
  DoubleStorage: { torchName: "float64", itemsize: 8, loadsAs: float64 },
  FloatStorage: { torchName: "float32", itemsize: 4, loadsAs: float32 },
  HalfStorage: { torchName: "float16", itemsize: 2, loadsAs: float32 },
  BFloat16Storage: { torchName: "bfloat16", itemsize: 2, loadsAs: float32 },
  LongStorage: { torchName: "int64", itemsize: 8, loadsAs: int64 },
  IntStorage: { torchName: "int32", itemsize: 4, loadsAs: int32 },
  ShortStorage: { torchName: "int16", itemsize: 2, loadsAs: int32 },
  CharStorage: { torchName: "int8", itemsize: 1, loadsAs: int32 },
  ByteStorage: { torchName: "uint8", itemsize: 1, loadsAs: int32 },
  BoolStorage: { torchName: "bool", itemsize: 1, loadsAs: bool },
  UntypedStorage: { torchName: "uint8", itemsize: 1, loadsAs: int32 },
};

/** The storage class torch.save names for each torch-ts dtype. */
export const STORAGE_CLASS_FOR: Record<string, string> = {
  float64: "DoubleStorage",
  float32: "FloatStorage",
  int64: "LongStorage",
  int32: "IntStorage",
  bool: "BoolStorage",
};

/** The dtype globals (`torch.float16`) by their name, for dtypes stored as values in a checkpoint. */
export const DTYPE_BY_TORCH_NAME: Record<string, StorageType> = Object.fromEntries([
  ...Object.values(STORAGE_TYPES).map((t) => [t.torchName, t] as const),
  ["float", STORAGE_TYPES["FloatStorage"]!],
  ["double", STORAGE_TYPES["DoubleStorage"]!],
  ["half", STORAGE_TYPES["HalfStorage"]!],
  ["long", STORAGE_TYPES["LongStorage"]!],
  ["int", STORAGE_TYPES["IntStorage"]!],
  ["short", STORAGE_TYPES["ShortStorage"]!],
]);

function storageTypeOf(g: unknown): StorageType {
  if (!(g instanceof PyGlobal) || !g.module.startsWith("torch") || !g.name.endsWith("Storage")) {
    throw new UnpicklingError(`a storage's type must be a torch storage class, got ${pyTypeName(g)}`);
  }
  const t = Object.hasOwn(STORAGE_TYPES, g.name) ? STORAGE_TYPES[g.name] : undefined;
  if (t === undefined) {
    throw new RuntimeError(
      `torch.load: ${g.fullName} is not supported by torch-ts (its dtypes are float32, float64, int64, int32 and ` +
        `bool; float16/bfloat16 load as float32 and uint8/int8/int16 as int32)`,
    );
  }
  return t;
}

// ---- decoding storage bytes ------------------------------------------------------------------

const latin1 = new TextDecoder("latin1");
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * IEEE halves (bits) as the float32s they equal exactly. NaNs keep their payload and come out
 * quiet, as the CPU's conversion (and so PyTorch's `.float()`) gives them.
 */
function halfsToFloats(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) {
    const h = src[i]!;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 31) bits[i] = ((h & 0x8000) << 16) | 0x7f800000 | (frac === 0 ? 0 : 0x400000 | (frac << 13));
    else out[i] = (h & 0x8000 ? -1 : 1) * (exp === 0 ? frac * 2 ** -24 : (1 + frac / 1024) * 2 ** (exp - 15));
  }
  return out;
}

/**
 * The `n` elements at the start of `raw` (little-endian, of `type`) as torch-ts's typed array.
 * Also the safetensors reader's decoder, so that both formats widen half and small-int types alike.
 */
export function decodeStorage(raw: Uint8Array, type: StorageType, n: number): TypedArray {
  if (!LITTLE_ENDIAN_HOST) throw new RuntimeError("torch.load: torch-ts reads checkpoints on little-endian hosts only");
  const aligned = (raw.byteOffset % type.itemsize === 0 ? raw : raw.slice()) as Uint8Array;
  const at = aligned.byteOffset;
  const buf = aligned.buffer;
  switch (type.torchName) {
    case "float64":
      return new Float64Array(buf, at, n);
    case "float32":
      return new Float32Array(buf, at, n);
    case "int64":
      return new BigInt64Array(buf, at, n);
    case "int32":
      return new Int32Array(buf, at, n);
    case "bool": {
      // Bytes other than 0 and 1 are not valid bools; keep the storage's invariant.
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = aligned[i]! !== 0 ? 1 : 0;
      return out;
    }
    case "float16":
      return halfsToFloats(new Uint16Array(buf, at, n));
    case "bfloat16": {
      const src = new Uint16Array(buf, at, n);
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = src[i]! << 16;
      return new Float32Array(bits.buffer);
    }
    case "int16":
      return Int32Array.from(new Int16Array(buf, at, n));
    case "int8":
      return Int32Array.from(new Int8Array(buf, at, n));
    default: // uint8
      return Int32Array.from(new Uint8Array(buf, at, n));
  }
}

// ---- storages by persistent id ---------------------------------------------------------------

/**
 * A storage record named by the pickle, shared by every tensor viewing it. In the zip format its
 * bytes are read on first use; in the legacy format they follow the pickle, so the storage is
 * allocated first (its size already checked against the bytes left) and filled afterwards.
 */
export class StorageRef {
  private loaded: Tensor | null = null;
  private filled: boolean;
  constructor(
    readonly key: string,
    readonly type: StorageType,
    readonly numel: number,
    private readonly read: (() => Uint8Array) | null,
  ) {
    this.filled = read !== null;
  }

  /** A flat tensor over the whole storage (its `_storage` is what views share). */
  tensor(): Tensor {
    if (this.loaded === null) {
      this.loaded = Tensor._empty([this.numel], this.type.loadsAs);
      if (this.read !== null) this.write(this.read());
    }
    return this.loaded;
  }

  get isFilled(): boolean {
    return this.filled;
  }

  /** Legacy format: the storage's bytes, once the reader reaches them. */
  fill(raw: Uint8Array): void {
    this.tensor();
    this.write(raw);
    this.filled = true;
  }

  private write(raw: Uint8Array): void {
    const t = this.loaded!;
    t._storage.backend.write(t._storage, 0, decodeStorage(raw, this.type, this.numel));
  }
}

export function nonNegativeInt(x: unknown, what: string): number {
  if ((typeof x === "bigint" && x > 0n) || (typeof x === "number" && x > Number.MAX_SAFE_INTEGER)) {
    throw new RuntimeError(`torch.load: ${what} is ${String(x)}, more than torch-ts can address`);
  }
  if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0) {
    throw new RuntimeError(`torch.load: ${what} must be a non-negative integer, got ${String(x)}`);
  }
  return x;
}

/**
 * The persistent-id handler for one archive: `('storage', type, key, location, numel)` (zip
 * format; the legacy format adds `view_metadata` and has no `read`: its bytes come later).
 * `sizeOf(key)` is the byte count there is for the storage, which must be numel × itemsize
 * (legacy: the bytes left in the file, which must be at least that). A key seen again must
 * agree on type and size. Locations (`cuda:0`, `mps`) all load on the CPU, as
 * `map_location='cpu'` would.
 */
export function storageLoader(
  sizeOf: (key: string) => number,
  read: ((key: string) => Uint8Array) | null,
  seen = new Map<string, StorageRef>(),
): (pid: readonly unknown[]) => StorageRef {
  return (pid) => {
    // The legacy format adds a sixth field, view_metadata, which is None for every tensor since 1.0.
    const legacy = read === null;
    if (pid.length !== (legacy ? 6 : 5)) {
      throw new UnpicklingError(`a storage's persistent id must have ${legacy ? 6 : 5} fields, got ${pid.length}`);
    }
    if (legacy && pid[5] !== null) throw new RuntimeError("torch.load: legacy storage views are not supported by torch-ts");
    // Python 2 files hold key and location as bytes, which PyTorch decodes as ASCII.
    const [, typeGlobal, key, location, numelArg] = pid.map((x) => (x instanceof Uint8Array ? latin1.decode(x) : x));
    const type = storageTypeOf(typeGlobal);
    if (typeof key !== "string") throw new UnpicklingError(`a storage key must be a str, got ${pyTypeName(key)}`);
    if (typeof location !== "string") throw new UnpicklingError(`a storage location must be a str, got ${pyTypeName(location)}`);
    const numel = nonNegativeInt(numelArg, `the element count of storage ${key}`);
    const previous = seen.get(key);
    if (previous !== undefined) {
      if (previous.type !== type || previous.numel !== numel) {
        throw new RuntimeError(
          `torch.load: storage ${key} is referenced as ${previous.numel} elements of ${previous.type.torchName} ` +
            `and as ${numel} elements of ${type.torchName}`,
        );
      }
      return previous;
    }
    const nbytes = numel * type.itemsize;
    const actual = sizeOf(key);
    if (legacy ? nbytes > actual : actual !== nbytes) {
      throw new RuntimeError(
        `torch.load: storage ${key} declares ${numel} elements of ${type.torchName} (${nbytes} bytes) ` +
          `but ${legacy ? "the file has" : "its record holds"} ${actual} bytes`,
      );
    }
    const ref = new StorageRef(key, type, numel, read === null ? null : () => read(key));
    seen.set(key, ref);
    return ref;
  };
}

