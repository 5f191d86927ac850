/**
 * The safetensors format (huggingface/safetensors), as `safetensors.torch` reads and writes it:
 *
 *     [8 bytes: N, little-endian u64] [N bytes: UTF-8 JSON header] [the tensors' bytes]
 *
 * The header maps each name to `{"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}`
 * (offsets into the byte buffer that follows the header) and may hold `"__metadata__"`, a map
 * of strings to strings. Data are little-endian and row-major ("C" order).
 *
 * The writer lays a file out byte for byte as the Rust crate does (`tensor.rs`, `prepare`):
 * tensors sorted by dtype, widest alignment first in the crate's `Dtype` order (I64, F64, F32,
 * I32, BOOL for the dtypes here), then by name; the JSON written compactly with `__metadata__`
 * first; the header padded with spaces to a multiple of 8 so that every tensor starts aligned.
 *
 * The reader also loads F16, BF16, I16, I8 and U8, which have no torch-ts dtype: half types are
 * widened to float32 on load (exactly: every half is a float32; NaNs keep their payload and come
 * out quiet, as PyTorch's `.float()` gives them) and the small integers to int32, as torch.load
 * widens their storages, with the same decoder (pt_storage.ts). torch-ts has no half dtype; were
 * one added, halves would load as it. Saving writes only torch-ts's dtypes (F64, F32, I64, I32,
 * BOOL), so a widened tensor is saved back as F32 or I32.
 *
 * The reader checks what the crate's `read_metadata` checks, and fails with a `SafetensorError`
 * named after the crate's error variant (as Python shows `SafetensorError: Error while
 * deserializing header: HeaderTooLarge`), followed by what exactly is wrong.
 */

import { Tensor } from "../tensor/tensor.js";
import { bool, float32, float64, int32, int64, type DType } from "../tensor/dtype.js";
import { fromTypedArray } from "../tensor/creation.js";
import { numelOf } from "../tensor/shape.js";
import { NotImplementedError, RuntimeError, ValueError } from "../errors.js";
import { decodeStorage, DTYPE_BY_TORCH_NAME, type StorageType } from "./pt_storage.js";
import { isWebFile, readWebFile, type WebFile } from "./from_web.js";

/** What the reader throws for a malformed file: Python's `safetensors_rust.SafetensorError`. */
export class SafetensorError extends Error {
  override name = "SafetensorError";
}

/** The crate's cap on the header: anything larger is refused before it is parsed. */
export const MAX_HEADER_SIZE = 100_000_000;

/**
 * Every dtype the format defines, in the crate's `Dtype` order (increasing alignment; the
 * writer sorts by it, descending), with its element size. torch-ts writes those that have a
 * torch-ts dtype and reads those and the ones it widens; the others are recognised, so that a
 * valid file with, say, U16 fails with "not supported yet" rather than "malformed".
 */
const FORMAT_DTYPES: readonly (readonly [string, number])[] = [
  ["BOOL", 1], ["U8", 1], ["I8", 1], ["F8_E5M2", 1], ["F8_E4M3", 1], ["I16", 2], ["U16", 2],
  ["F16", 2], ["BF16", 2], ["I32", 4], ["U32", 4], ["F32", 4], ["F64", 8], ["I64", 8], ["U64", 8],
];
const FORMAT_RANK = new Map(FORMAT_DTYPES.map(([name], rank) => [name, rank]));
const FORMAT_SIZE = new Map(FORMAT_DTYPES);

const TO_FORMAT = new Map<DType, string>([[float64, "F64"], [float32, "F32"], [int64, "I64"], [int32, "I32"], [bool, "BOOL"]]);
/** How each readable format dtype is decoded: as the storage of this PyTorch dtype (its `loadsAs` is ours). */
const FROM_FORMAT = new Map<string, StorageType>(
  ([
    ["F64", "float64"], ["F32", "float32"], ["I64", "int64"], ["I32", "int32"], ["BOOL", "bool"],
    ["F16", "float16"], ["BF16", "bfloat16"], ["I16", "int16"], ["I8", "int8"], ["U8", "uint8"],
  ] as const).map(([name, torchName]) => [name, DTYPE_BY_TORCH_NAME[torchName]!]),
);
const SUPPORTED = [...FROM_FORMAT.keys()].join(", ");

/** Typed arrays are host-endian; the format is little-endian, as every engine torch-ts runs on. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function checkHost(): void {
  if (!LITTLE_ENDIAN) throw new RuntimeError("safetensors: big-endian hosts are not supported");
}

/** One tensor's entry in the header. */
interface TensorInfo {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Rust orders `String`s by their UTF-8 bytes, which JS's `<` on UTF-16 does not always match. */
function compareUtf8(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return "<class 'NoneType'>";
  if (typeof v === "number") return Number.isInteger(v) ? "<class 'int'>" : "<class 'float'>";
  if (typeof v === "string") return "<class 'str'>";
  if (typeof v === "boolean") return "<class 'bool'>";
  if (Array.isArray(v)) return "<class 'list'>";
  return `<class '${(v as object).constructor?.name ?? "object"}'>`;
}

/** The tensors' bytes, little-endian, row-major. */
function tensorBytes(name: string, t: Tensor): Uint8Array {
  if (!t.is_contiguous()) {
    // safetensors.torch refuses rather than silently packing a view; so do we, in its words.
    throw new ValueError(
      `You are trying to save a non contiguous tensor: \`${name}\` which is not allowed. It either means you ` +
        "are trying to save tensors which are reference of each other in which case it's recommended to save " +
        "only the full tensors, and reslice at load time, or simply call `.contiguous()` on your tensor to " +
        "pack it before saving.",
    );
  }
  const values = t._values();
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** safetensors.torch's check that no two entries share memory (which a file cannot express). */
function checkShared(entries: readonly (readonly [string, Tensor])[]): void {
  const byStorage = new Map<unknown, [string, Tensor][]>();
  for (const [name, t] of entries) {
    if (t.numel() === 0) continue;
    const list = byStorage.get(t._storage) ?? [];
    list.push([name, t]);
    byStorage.set(t._storage, list);
  }
  const failing: string[][] = [];
  for (const list of byStorage.values()) {
    if (list.length < 2) continue;
    // Contiguous tensors occupy [offset, offset + numel) of their storage; overlapping ranges share memory.
    list.sort((a, b) => a[1]._offset - b[1]._offset);
    let group: string[] = [list[0]![0]];
    let end = list[0]![1]._offset + list[0]![1].numel();
    for (const [name, t] of list.slice(1)) {
      if (t._offset < end) group.push(name);
      else {
        if (group.length > 1) failing.push(group);
        group = [name];
      }
      end = Math.max(end, t._offset + t.numel());
    }
    if (group.length > 1) failing.push(group);
  }
  if (failing.length > 0) {
    const sets = failing.map((g) => `{${g.map((n) => `'${n}'`).join(", ")}}`).join(", ");
    throw new RuntimeError(
      "Some tensors share memory, this will lead to duplicate memory on disk and potential differences when " +
        `loading them again: [${sets}].`,
    );
  }
}

/**
 * Saves a dictionary of tensors into the bytes of a safetensors file
 * (`safetensors.torch.save`).
 *
 * Args:
 *   tensors: names to tensors. Each must be contiguous, of dtype float64, float32, int64,
 *     int32 or bool, and share no memory with another entry.
 *   metadata: optional text-only information (string keys to string values) stored in the
 *     header under `__metadata__`.
 *
 * Returns: the file's bytes; tensors are laid out as the reference writer lays them out, so
 * the bytes equal what `safetensors.torch.save` writes for the same tensors and metadata.
 *
 * ```ts
 * const bytes = torch.safetensors.save({ embedding: torch.zeros(512, 1024), attention: torch.zeros(256, 256) });
 * const loaded = torch.safetensors.load(bytes);
 * ```
 */
export function save(tensors: Record<string, Tensor>, metadata: Record<string, string> | null = null): Uint8Array {
  checkHost();
  if (tensors === null || typeof tensors !== "object" || Array.isArray(tensors) || tensors instanceof Tensor) {
    throw new ValueError(`Expected a dict of [str, torch.Tensor] but received ${pyTypeName(tensors)}`);
  }
  const entries = Object.entries(tensors);
  // The header keeps `__metadata__` for the metadata; a tensor of that name could not be read back.
  if (Object.hasOwn(tensors, "__metadata__")) throw new ValueError("safetensors.save: `__metadata__` is reserved and cannot name a tensor");
  for (const [name, t] of entries) {
    if (!(t instanceof Tensor)) throw new ValueError(`Key \`${name}\` is invalid, expected torch.Tensor but received ${pyTypeName(t)}`);
    if (!TO_FORMAT.has(t.dtype)) throw new TypeError(`safetensors.save: tensor \`${name}\` has unsupported dtype ${t.dtype}`);
  }
  if (metadata !== null && metadata !== undefined) {
    if (typeof metadata !== "object" || Array.isArray(metadata)) {
      throw new TypeError(`argument 'metadata': expected a dict of str to str, got ${pyTypeName(metadata)}`);
    }
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== "string") {
        throw new TypeError(`argument 'metadata': the value of '${key}' is ${pyTypeName(value)}, expected a str`);
      }
    }
  }
  checkShared(entries);

  const encoder = new TextEncoder();
  const sorted = entries
    .map(([name, t]) => ({ name, t, key: encoder.encode(name), rank: FORMAT_RANK.get(TO_FORMAT.get(t.dtype)!)! }))
    .sort((a, b) => b.rank - a.rank || compareUtf8(a.key, b.key));

  // The header is written entry by entry: a JS object would put integer-like names ("0", "10")
  // first, in numeric order, where serde keeps the writer's order.
  const parts: string[] = [];
  if (metadata) parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  const datas: Uint8Array[] = [];
  let offset = 0;
  for (const { name, t } of sorted) {
    const data = tensorBytes(name, t);
    const info: TensorInfo = { dtype: TO_FORMAT.get(t.dtype)!, shape: [...t.shape], data_offsets: [offset, offset + data.length] };
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(info)}`);
    datas.push(data);
    offset += data.length;
  }

  const json = encoder.encode(`{${parts.join(",")}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let pos = 8 + padded;
  for (const data of datas) {
    out.set(data, pos);
    pos += data.length;
  }
  return out;
}

/** A parsed header: entries in offset order, the metadata, and where the data begin. */
interface Header {
  tensors: [string, TensorInfo][];
  metadata: Record<string, string> | null;
  dataStart: number;
}

function headerError(variant: string, detail: string): SafetensorError {
  return new SafetensorError(`Error while deserializing header: ${variant}: ${detail}`);
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/** Reads and validates the header of a safetensors file (the crate's `read_metadata`). */
/**
 * Where a reader takes a file's bytes from: a whole buffer, or (for `safe_open` on a large file)
 * something that reads byte ranges on demand, so only the header and the tensors asked for are
 * ever in memory.
 */
export interface ByteSource {
  /** The file's size in bytes. */
  readonly length: number;
  /** Bytes [begin, end) of the file (a view or a fresh copy; callers copy what they keep). */
  read(begin: number, end: number): Uint8Array;
}

function sourceOf(data: Uint8Array | ArrayBuffer): ByteSource {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`safetensors: expected the file's bytes as a Uint8Array or ArrayBuffer, got ${pyTypeName(bytes)}`);
  }
  return { length: bytes.length, read: (begin, end) => bytes.subarray(begin, end) };
}

function readHeader(source: ByteSource): Header {
  const bytes = { length: source.length }; // only the size: the header's bytes are read below
  if (bytes.length < 8) throw headerError("HeaderTooSmall", `the data have ${bytes.length} bytes, fewer than the 8 of the header length`);
  const prefix = source.read(0, 8);
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_SIZE)) {
    throw headerError("HeaderTooLarge", `the header length is ${n} bytes, more than the ${MAX_HEADER_SIZE} allowed`);
  }
  const headerLength = Number(n);
  if (8 + headerLength > bytes.length) {
    throw headerError(
      "InvalidHeaderLength",
      `the header length is ${headerLength} bytes but the data after the length have only ${bytes.length - 8}`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(source.read(8, 8 + headerLength));
  } catch {
    throw headerError("InvalidHeader", "the header is not valid UTF-8");
  }
  if (!text.startsWith("{")) throw headerError("InvalidHeaderStart", `the header must start with '{', got ${JSON.stringify(text.slice(0, 1))}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw headerError("InvalidHeaderDeserialization", `the header is not valid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw headerError("InvalidHeaderDeserialization", "the header is not a JSON object");
  }

  let metadata: Record<string, string> | null = null;
  const tensors: [string, TensorInfo][] = [];
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (value === null) continue;
      if (typeof value !== "object" || Array.isArray(value)) {
        throw headerError("InvalidHeaderDeserialization", "`__metadata__` must be an object of strings");
      }
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== "string") throw headerError("InvalidHeaderDeserialization", `\`__metadata__\` value of '${k}' is not a string`);
      }
      metadata = { ...(value as Record<string, string>) };
      continue;
    }
    tensors.push([name, checkInfo(name, value)]);
  }

  // As the crate does: order by offsets, then require them to tile the buffer from 0 with no
  // gap and no overlap, each as long as its shape and dtype say.
  tensors.sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0] || a[1].data_offsets[1] - b[1].data_offsets[1]);
  let start = 0;
  for (const [name, info] of tensors) {
    const [begin, end] = info.data_offsets;
    if (begin !== start || end < begin) {
      const why = begin > start ? `a gap: it begins at ${begin}, the previous tensor ends at ${start}`
        : begin < start ? `an overlap: it begins at ${begin}, before the previous tensor ends at ${start}`
        : `it ends at ${end}, before it begins at ${begin}`;
      throw headerError("InvalidOffset", `tensor '${name}': data_offsets [${begin}, ${end}] leave ${why}`);
    }
    start = end;
    const numel = info.shape.reduce((a, b) => a * b, 1);
    const nbytes = numel * FORMAT_SIZE.get(info.dtype)!;
    if (!Number.isSafeInteger(nbytes)) throw headerError("ValidationOverflow", `tensor '${name}': shape [${info.shape}] is too large`);
    if (end - begin !== nbytes) {
      throw headerError(
        "TensorInvalidInfo",
        `tensor '${name}': shape [${info.shape}] of ${info.dtype} needs ${nbytes} bytes, data_offsets [${begin}, ${end}] give ${end - begin}`,
      );
    }
  }
  const dataStart = 8 + headerLength;
  if (dataStart + start !== bytes.length) {
    throw headerError(
      "MetadataIncompleteBuffer",
      `the tensors cover ${start} bytes after the header, but the data after the header have ${bytes.length - dataStart}`,
    );
  }
  return { tensors, metadata, dataStart };
}

function checkInfo(name: string, value: unknown): TensorInfo {
  const bad = (what: string) => headerError("InvalidHeaderDeserialization", `tensor '${name}': ${what}`);
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw bad("its entry is not an object");
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== "string") throw bad("missing or non-string `dtype`");
  if (!FORMAT_SIZE.has(dtype)) throw bad(`unknown dtype '${dtype}'`);
  if (!Array.isArray(shape) || !shape.every(isCount)) throw bad("`shape` must be a list of non-negative integers");
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw bad("`data_offsets` must be two non-negative integers [begin, end]");
  }
  return { dtype, shape: shape as number[], data_offsets: [offsets[0] as number, offsets[1] as number] };
}

function toTensor(source: ByteSource, dataStart: number, name: string, info: TensorInfo): Tensor {
  const type = FROM_FORMAT.get(info.dtype);
  if (type === undefined) {
    throw new NotImplementedError(`safetensors: tensor '${name}' has dtype ${info.dtype}, which torch-ts does not support yet (supported: ${SUPPORTED})`);
  }
  const [begin, end] = info.data_offsets;
  // A copy into a fresh buffer: aligned for the typed array, and independent of the file's
  // bytes. (Not `bytes.slice`: on a Node Buffer that returns a view into Node's shared pool.)
  const raw = new Uint8Array(end - begin);
  raw.set(source.read(dataStart + begin, dataStart + end));
  // Widens halves and small integers, and keeps bools 0 or 1, exactly as torch.load does.
  return fromTypedArray(decodeStorage(raw, type, numelOf(info.shape)), info.shape, type.loadsAs);
}

/**
 * Loads the tensors from the bytes of a safetensors file (`safetensors.torch.load`).
 *
 * The header is validated first (its length against the data, JSON syntax, known dtypes,
 * offsets that tile the data exactly, sizes that match shape and dtype, the 100 MB header cap);
 * a malformed file throws a `SafetensorError` that says what is wrong. F16 and BF16 tensors
 * load widened to float32 (exactly), I16, I8 and U8 to int32: torch-ts has no half or small
 * integer dtype. The format's other dtypes (U16, U32, U64, F8_E5M2, F8_E4M3) throw
 * NotImplementedError.
 *
 * Args:
 *   data: the file's bytes (`Uint8Array` or `ArrayBuffer`), or a web file: a `fetch` Response
 *     or a Blob / File, for which `load` returns a Promise (see src/serialization/from_web.ts).
 *
 * Returns: names to new tensors (copies: they do not share memory with `data`), in the order
 * of their offsets in the file.
 *
 * ```ts
 * const state = torch.safetensors.load(bytes);
 * model.load_state_dict(state);
 * model.load_state_dict(await torch.safetensors.load(await fetch("model.safetensors")));  // browser
 * ```
 */
export function load(data: WebFile): Promise<Record<string, Tensor>>;
export function load(data: Uint8Array | ArrayBuffer): Record<string, Tensor>;
export function load(data: Uint8Array | ArrayBuffer | WebFile): Record<string, Tensor> | Promise<Record<string, Tensor>>;
export function load(data: Uint8Array | ArrayBuffer | WebFile): Record<string, Tensor> | Promise<Record<string, Tensor>> {
  if (isWebFile(data)) return readWebFile(data, "safetensors.load").then((bytes) => load(bytes));
  checkHost();
  const source = sourceOf(data);
  const header = readHeader(source);
  const out: Record<string, Tensor> = {};
  for (const [name, info] of header.tensors) out[name] = toTensor(source, header.dataStart, name, info);
  return out;
}

/**
 * A safetensors file opened for reading one tensor at a time, as Python's
 * `safetensors.safe_open(...)` gives: `keys()`, `metadata()` and `get_tensor(name)`. The header
 * is validated when it is made. `torch-ts/node`'s `safe_open(filename)` makes one from a file.
 *
 * ```ts
 * const f = new torch.safetensors.SafeOpen(bytes);
 * f.metadata();            // { format: "pt" } or null
 * f.get_tensor("weight");
 * ```
 */
function isByteSource(x: unknown): x is ByteSource {
  return typeof x === "object" && x !== null && typeof (x as ByteSource).read === "function" &&
    typeof (x as ByteSource).length === "number";
}

export class SafeOpen {
  private readonly source: ByteSource;
  private readonly header: Header;
  private readonly infos: Map<string, TensorInfo>;

  /** Over a whole buffer, or a ByteSource that reads ranges on demand (what safe_open uses). */
  constructor(data: Uint8Array | ArrayBuffer | ByteSource) {
    checkHost();
    this.source = data instanceof Uint8Array || !isByteSource(data) ? sourceOf(data as Uint8Array | ArrayBuffer) : data;
    this.header = readHeader(this.source);
    this.infos = new Map(this.header.tensors);
  }

  /** The tensor names, sorted by their UTF-8 bytes (as the Python binding returns them). */
  keys(): string[] {
    const encoder = new TextEncoder();
    return [...this.infos.keys()]
      .map((name) => ({ name, key: encoder.encode(name) }))
      .sort((a, b) => compareUtf8(a.key, b.key))
      .map((e) => e.name);
  }

  /** The `__metadata__` map, or null when the file has none. */
  metadata(): Record<string, string> | null {
    return this.header.metadata === null ? null : { ...this.header.metadata };
  }

  /** The tensor `name`, as a new tensor. */
  get_tensor(name: string): Tensor {
    const info = this.infos.get(name);
    if (info === undefined) throw new SafetensorError(`File does not contain tensor ${name}`);
    return toTensor(this.source, this.header.dataStart, name, info);
  }
}
