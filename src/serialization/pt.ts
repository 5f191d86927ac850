/**
 * `torch.load` and `torch.save` for PyTorch's `.pt` / `.pth` files: the zip format PyTorch has
 * written since 1.6 (src/serialization/inline_container.ts) and the legacy format before it, with
 * pickles read by the restricted unpickler (pickle.ts) and written by pickler.ts.
 *
 * Loading never executes anything: it accepts exactly what PyTorch's `weights_only=True` accepts
 * and rebuilds tensors only through src/serialization/pt_rebuild.ts. Paths work in Node (20.16+)
 * through `process.getBuiltinModule`, so this file imports no Node module and runs in browsers;
 * `torch-ts/node` exports the same functions for older Node.
 */

import { Tensor } from "../tensor/tensor.js";
import { DType } from "../tensor/dtype.js";
import { Size } from "../tensor/size.js";
import { device } from "../tensor/device.js";
import type { Storage } from "../backend/backend.js";
import { Parameter, UninitializedParameter } from "../nn/parameter.js";
import { Module } from "../nn/module.js";
import { RuntimeError, ValueError } from "../errors.js";
import { crc32, PyTorchFileReader, writeArchive } from "./inline_container.js";
import { unpickle, UnpicklingError } from "./pickle.js";
import { Pickler, PickleGlobal, PickleReduce } from "./pickler.js";
import { finalizeTorchLeaf, TORCH_REDUCERS } from "./pt_rebuild.js";
import { STORAGE_CLASS_FOR, storageLoader, StorageRef } from "./pt_storage.js";
import { isWebFile, readWebFile, type WebFile } from "./from_web.js";

export interface LoadOptions {
  /**
   * Where storages go. torch-ts has only the CPU, so every storage loads there whatever device
   * it was saved from (`cuda:0`, `mps`), as PyTorch's `map_location='cpu'` does.
   */
  map_location?: string | device | null;
  /** Must be true or left out: torch-ts only loads as `weights_only=True` does. */
  weights_only?: boolean;
}

/** What `torch.load` reads from: bytes, or a file path in Node. */
export type FileLike = Uint8Array | ArrayBuffer | ArrayBufferView | string;

/**
 * Loads an object saved with `torch.save` (PyTorch's or torch-ts's): a state_dict, an optimizer
 * state_dict, a tensor, or nested dicts, lists and tuples of them and of numbers, strings,
 * booleans and None.
 *
 * It loads as PyTorch's `torch.load(f, weights_only=True)` does (the default since PyTorch 2.6):
 * only tensors, storages, containers, `OrderedDict`, `torch.Size` and primitive types; any other
 * global in the file (`os.system`, `builtins.eval`, a custom class) is refused with
 * `UnpicklingError("Weights only load failed ... GLOBAL ... was not an allowed global by default")`,
 * and nothing in the file is ever run. Malformed files raise a RuntimeError naming what is wrong.
 *
 * Dtypes: float32, float64, int64, int32 and bool load as themselves; float16 and bfloat16
 * storages are widened to float32 (exactly), uint8, int8 and int16 to int32; complex and
 * quantized tensors are refused. Views keep their storage offset and strides, and tensors that
 * shared a storage when saved share one storage again. Python values become JS values as
 * described in src/serialization/pickle.ts (dict → plain object or Map, tuple → frozen array).
 *
 * Args:
 *   f: the file's bytes (`Uint8Array`, `ArrayBuffer`, a Node `Buffer`), in Node a path, or a
 *     web file: a `fetch` Response or a Blob / File, for which `load` returns a Promise (the
 *     body is read asynchronously; see src/serialization/from_web.ts).
 *   map_location: accepted for PyTorch code; everything loads on the CPU.
 *   weights_only: true (the default); false is refused, since torch-ts cannot run pickled code.
 *
 * ```ts
 * const model = new nn.Linear(4, 2);
 * model.load_state_dict(torch.load<nn.StateDict>("linear.pt"));   // saved by PyTorch
 * model.load_state_dict(await torch.load<nn.StateDict>(await fetch("linear.pt")));   // browser
 * ```
 */
export function load<T = unknown>(f: WebFile, options?: LoadOptions): Promise<T>;
export function load<T = unknown>(f: FileLike, options?: LoadOptions): T;
export function load<T = unknown>(f: FileLike | WebFile, options?: LoadOptions): T | Promise<T>;
export function load<T = unknown>(f: FileLike | WebFile, options: LoadOptions = {}): T | Promise<T> {
  if (isWebFile(f)) return readWebFile(f, "torch.load").then((bytes) => load<T>(bytes, options));
  if (options.weights_only === false) {
    throw new ValueError(
      "torch-ts cannot load with weights_only=False: it never runs code from a checkpoint, so it loads only " +
        "what weights_only=True allows",
    );
  }
  const bytes = typeof f === "string" ? nodeFs("load").readFileSync(f) : asBytes(f);
  return loadBytes(bytes) as T;
}

/**
 * Saves `obj` in PyTorch's zip format, which PyTorch's `torch.load(f, weights_only=True)` reads
 * back: state_dicts, optimizer state_dicts, tensors, and nested plain objects, Maps, arrays,
 * numbers, strings, booleans and null. Each storage is written once, whole, so views keep their
 * offsets and strides and tensors sharing a storage share it again when loaded.
 *
 * Without `f` it returns the file's bytes; with a path (Node) it writes the file there.
 * Integer-valued numbers are written as Python ints and others as floats; frozen arrays as
 * tuples; plain-object keys that look like array indices (`"0"`) as int keys.
 *
 * ```ts
 * const bytes = torch.save(model.state_dict());   // Uint8Array
 * torch.save(model.state_dict(), "model.pt");     // Node: writes the file
 * ```
 */
export function save(obj: unknown): Uint8Array;
export function save(obj: unknown, f: string): void;
export function save(obj: unknown, f?: string): Uint8Array | void {
  if (f === undefined) return saveBytes(obj);
  nodeFs("save").writeFileSync(f, saveBytes(obj, archiveNameFor(f)));
}

// ---- Node files without importing Node ------------------------------------------------------

interface NodeFs {
  readFileSync(path: string): Uint8Array;
  writeFileSync(path: string, data: Uint8Array): void;
}

function nodeFs(fn: "load" | "save"): NodeFs {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.("node:fs") as NodeFs | undefined;
  if (fs === undefined) {
    throw new TypeError(
      `torch.${fn}(path) needs Node 20.16 or newer; pass the file's bytes instead, ` +
        `or use ${fn}(...) from "torch-ts/node"`,
    );
  }
  return fs;
}

/** PyTorch names the archive's folder after the file, without its extension (`model.pt` → `model`). */
export function archiveNameFor(path: string): string {
  const base = path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
  const dot = base.lastIndexOf(".");
  const stem = dot >= 0 ? base.slice(0, dot) : base;
  return stem.length > 0 ? stem : "archive";
}

function asBytes(f: Uint8Array | ArrayBuffer | ArrayBufferView): Uint8Array {
  if (f instanceof Uint8Array) return f;
  if (f instanceof ArrayBuffer) return new Uint8Array(f);
  if (ArrayBuffer.isView(f)) return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
  throw new TypeError(`torch.load expects bytes (Uint8Array, ArrayBuffer) or a path, got ${typeof f}`);
}

// ---- loading ---------------------------------------------------------------------------------

/** @internal The bytes path of `load`, shared with torch-ts/node. */
export function loadBytes(bytes: Uint8Array): unknown {
  const zip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  try {
    return zip ? loadZip(bytes) : loadLegacy(bytes);
  } catch (e) {
    if (e instanceof UnpicklingError) throw new UnpicklingError(weightsOnlyMessage(e.message));
    throw e;
  }
}

/** PyTorch's `_get_wo_message`, without the advice to rerun with weights_only=False. */
function weightsOnlyMessage(message: string): string {
  return (
    "Weights only load failed. torch-ts loads checkpoints only as PyTorch's torch.load(weights_only=True) " +
    "does and never runs code from a file.\n\tWeightsUnpickler error: " +
    message
  );
}

const MAX_FILE_FORMAT_VERSION = 10; // PyTorch's kMaxSupportedFileFormatVersion

function loadZip(bytes: Uint8Array): unknown {
  const reader = new PyTorchFileReader(bytes);
  if (reader.hasRecord("constants.pkl")) {
    throw new RuntimeError(
      "Cannot use ``weights_only=True`` with TorchScript archives passed to ``torch.load``. torch-ts cannot " +
        "load TorchScript (torch.jit.save) archives; save the model's state_dict() with torch.save instead.",
    );
  }
  const versionName = reader.hasRecord(".data/version") ? ".data/version" : "version";
  const versionText = new TextDecoder().decode(reader.getRecord(versionName)).trim();
  const version = Number(versionText);
  if (!/^\d+$/.test(versionText) || version < 1 || version > MAX_FILE_FORMAT_VERSION) {
    throw new RuntimeError(
      `Attempted to read a PyTorch file with version ${versionText}, but the supported versions for reading ` +
        `are 1 to ${MAX_FILE_FORMAT_VERSION}.`,
    );
  }
  if (reader.hasRecord("byteorder")) {
    const order = new TextDecoder().decode(reader.getRecord("byteorder"));
    if (order === "big") {
      throw new RuntimeError(
        "torch.load: the checkpoint was saved on a big-endian machine (byteorder 'big'); torch-ts reads " +
          "little-endian checkpoints only (load and re-save it with PyTorch on a little-endian machine)",
      );
    }
    if (order !== "little") throw new ValueError(`Unknown endianness type: ${order}`);
  }
  const pickle = reader.getRecord("data.pkl");
  const persistentLoad = storageLoader(
    (key) => reader.recordSize(`data/${key}`),
    (key) => reader.getRecord(`data/${key}`),
  );
  return unpickle(pickle, 0, { reducers: TORCH_REDUCERS, persistentLoad, finalizeLeaf: finalizeTorchLeaf }).value;
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

/**
 * The format before 1.6: pickles of the magic number, the protocol version and sys_info, then
 * the object (storages by `('storage', type, key, location, numel, None)`), then the list of
 * storage keys, then each storage as an 8-byte element count and its bytes.
 */
function loadLegacy(bytes: Uint8Array): unknown {
  if (bytes.length === 0) throw new RuntimeError("torch.load: the file is empty");
  if (bytes[0] !== 0x80) {
    const b = bytes[0]!;
    const shown = b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`;
    throw new UnpicklingError(`invalid load key, '${shown}'.`);
  }
  const magic = unpickle(bytes, 0);
  if (magic.value !== LEGACY_MAGIC) throw new RuntimeError("Invalid magic number; corrupt file?");
  const protocol = unpickle(bytes, magic.end);
  if (protocol.value !== LEGACY_PROTOCOL) throw new RuntimeError(`Invalid protocol version: ${String(protocol.value)}`);
  const sysInfo = unpickle(bytes, protocol.end);
  const info = sysInfo.value as Record<string, unknown> | null;
  if (info === null || typeof info !== "object" || info["little_endian"] !== true) {
    throw new RuntimeError(
      "torch.load: the checkpoint was saved on a big-endian machine (or lacks its sys_info); torch-ts reads " +
        "little-endian checkpoints only",
    );
  }

  // Storages are allocated while the object is read, so each must fit in the bytes still left.
  const refs = new Map<string, StorageRef>();
  let budget = bytes.length - sysInfo.end;
  const claim = storageLoader(() => budget, null, refs);
  const main = unpickle(bytes, sysInfo.end, {
    reducers: TORCH_REDUCERS,
    persistentLoad: (pid) => {
      const known = refs.size;
      const ref = claim(pid);
      if (refs.size > known) budget -= ref.numel * ref.type.itemsize + 8;
      return ref;
    },
    finalizeLeaf: finalizeTorchLeaf,
  });
  const keysPickle = unpickle(bytes, main.end);
  const keys = keysPickle.value;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === "string")) {
    throw new RuntimeError("torch.load: the legacy storage key list is not a list of str");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = keysPickle.end;
  for (const key of keys as string[]) {
    const ref = refs.get(key);
    if (ref === undefined) throw new RuntimeError(`torch.load: storage ${key} is listed but no tensor uses it`);
    if (ref.isFilled) throw new RuntimeError(`torch.load: storage ${key} is listed twice`);
    if (pos + 8 > bytes.length) throw new RuntimeError(`torch.load: the file ends before storage ${key}`);
    const count = view.getUint32(pos, true) + view.getUint32(pos + 4, true) * 2 ** 32;
    if (count !== ref.numel) {
      throw new RuntimeError(`torch.load: storage ${key} has ${count} elements in the file, not ${ref.numel}`);
    }
    const nbytes = count * ref.type.itemsize;
    if (pos + 8 + nbytes > bytes.length) throw new RuntimeError(`torch.load: the file ends inside storage ${key}`);
    ref.fill(bytes.subarray(pos + 8, pos + 8 + nbytes));
    pos += 8 + nbytes;
  }
  for (const [key, ref] of refs) {
    if (!ref.isFilled) throw new RuntimeError(`torch.load: storage ${key} has no data in the file`);
  }
  return main.value;
}

// ---- saving ----------------------------------------------------------------------------------

/** A tensor's storage as its pickle refers to it: by persistent id. */
class StorageOut {
  constructor(readonly storage: Storage) {}
}

/** @internal The bytes path of `save`, shared with torch-ts/node. */
export function saveBytes(obj: unknown, archiveName = "archive"): Uint8Array {
  const storages = new Map<Storage, string>();
  const ordered: Storage[] = [];
  const orderedDict = new PickleGlobal("collections", "OrderedDict");

  const pickler = new Pickler({
    persistentId: (x) => {
      if (!(x instanceof StorageOut)) return undefined;
      let key = storages.get(x.storage);
      if (key === undefined) {
        key = String(storages.size);
        storages.set(x.storage, key);
        ordered.push(x.storage);
      }
      const cls = STORAGE_CLASS_FOR[x.storage.dtype.name]!;
      return ["storage", new PickleGlobal("torch", cls), key, "cpu", x.storage.length];
    },
    reduce: (x) => {
      if (x instanceof UninitializedParameter) {
        throw new RuntimeError("torch.save: cannot save an uninitialized parameter; run a forward pass first");
      }
      if (x instanceof Parameter) {
        return new PickleReduce(new PickleGlobal("torch._utils", "_rebuild_parameter"), [
          x.detach(),
          x.requires_grad,
          new PickleReduce(orderedDict, []),
        ]);
      }
      if (x instanceof Tensor) {
        return new PickleReduce(new PickleGlobal("torch._utils", "_rebuild_tensor_v2"), [
          new StorageOut(x._storage),
          x._offset,
          Object.freeze([...x.shape]),
          Object.freeze([...x._strides]),
          x.requires_grad,
          new PickleReduce(orderedDict, []),
        ]);
      }
      if (x instanceof Size) return new PickleReduce(new PickleGlobal("torch", "Size"), [Object.freeze([...x])]);
      if (x instanceof DType) return new PickleGlobal("torch", x.name);
      if (x instanceof device) {
        return new PickleReduce(new PickleGlobal("torch", "device"), x.index === null ? [x.type] : [x.type, x.index]);
      }
      if (x instanceof Module) {
        throw new TypeError(
          "torch.save: cannot save a Module itself; save its state_dict() (what PyTorch recommends, and all that " +
            "torch.load(weights_only=True) reads)",
        );
      }
      // A dict loaded from an OrderedDict with `_metadata` (a PyTorch state_dict) is written back as one.
      const metadata = Object.getOwnPropertyDescriptor(x, "_metadata");
      if (metadata !== undefined && !metadata.enumerable && (x instanceof Map || isPlainObject(x))) {
        const entries =
          x instanceof Map
            ? [...x.entries()]
            : Object.entries(x).map(([k, v]) => [/^(0|[1-9][0-9]*)$/.test(k) ? Number(k) : k, v] as const);
        return new PickleReduce(orderedDict, [], entries, { _metadata: metadata.value });
      }
      return undefined;
    },
  });
  const pickle = pickler.dump(obj);

  const text = (s: string) => new TextEncoder().encode(s);
  const records: [string, Uint8Array][] = [
    ["data.pkl", pickle],
    [".format_version", text("1")],
    [".storage_alignment", text("64")],
    ["byteorder", text("little")],
  ];
  ordered.forEach((storage, i) => {
    const values = storage.backend.read(storage, 0, storage.length);
    records.push([`data/${i}`, new Uint8Array(values.buffer, values.byteOffset, values.byteLength)]);
  });
  records.push(["version", text("3\n")]);
  // PyTorch writes a random id and the records' combined CRC; an id derived from the contents keeps
  // torch-ts's output reproducible.
  let combined = 0;
  for (const [, data] of records) combined = (combined ^ crc32(data)) >>> 0;
  const id = String(crc32(pickle)).padStart(20, "0") + String(combined).padStart(20, "0");
  records.push([".data/serialization_id", text(id)]);
  return writeArchive(archiveName, records);
}

function isPlainObject(x: object): boolean {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}
