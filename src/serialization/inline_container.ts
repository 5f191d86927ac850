/**
 * The zip container of PyTorch's `torch.save` format (PyTorch's `caffe2/serialize/inline_container`,
 * `PyTorchStreamReader` / `PyTorchStreamWriter`): every record sits under one top-level folder
 * (`archive/data.pkl`, `archive/data/0`, ...), stored uncompressed, its data aligned to 64 bytes
 * by padding in a `FB` extra field so that PyTorch can mmap storages.
 *
 * The reader is written for untrusted files. It walks the central directory itself (rather than
 * trusting an unzip routine) so that every size and offset is checked against the bytes that are
 * there before anything is read or allocated: entries that run past the data area, overlap each
 * other, claim a stored size different from their data, or inflate to more than they declare are
 * refused with the record's name in the message. CRC-32s are checked on every record read.
 * fflate inflates the (rare) deflated record and writes the archive.
 */

import { Inflate, zipSync, type Zippable } from "fflate";
import { RuntimeError } from "../errors.js";

// ---- CRC-32 (the zip polynomial) -------------------------------------------------------------

const CRC_TABLES = (() => {
  // Slicing-by-4: four tables let the loop consume a 32-bit word per step (about 4x a byte loop).
  const t = new Int32Array(4 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 4; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
})();

/** The CRC-32 of `data` as an unsigned 32-bit number. */
export function crc32(data: Uint8Array): number {
  const t = CRC_TABLES;
  let c = -1;
  let i = 0;
  const n = data.length;
  for (; i + 4 <= n; i += 4) {
    c ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    c = t[768 + (c & 0xff)]! ^ t[512 + ((c >>> 8) & 0xff)]! ^ t[256 + ((c >>> 16) & 0xff)]! ^ t[c >>> 24]!;
  }
  for (; i < n; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

// ---- reading ---------------------------------------------------------------------------------

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const CENTRAL_HEADER_SIZE = 46;
const LOCAL_HEADER_SIZE = 30;
/** No DEFLATE stream expands by more than this factor (a run of 258-byte matches). */
const MAX_DEFLATE_RATIO = 1032;

interface Entry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  headerOffset: number;
  dataStart: number;
}

function fail(what: string): never {
  throw new RuntimeError(`PytorchStreamReader failed ${what}`);
}

/**
 * PyTorch's `PyTorchStreamReader`: the records of a `torch.save` zip, looked up by their name
 * inside the archive's top-level folder (`reader.getRecord("data.pkl")`).
 */
export class PyTorchFileReader {
  /** The top-level folder every record is read from (`archive` for files saved to a buffer). */
  readonly archiveName: string;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly entries = new Map<string, Entry>();
  private readonly checked = new Set<string>();

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const names = this.readCentralDirectory();
    if (names.length === 0) throw new RuntimeError("archive does not contain any files");
    const first = names[0]!;
    const slash = first.indexOf("/");
    if (slash < 0) throw new RuntimeError(`file in archive is not in a subdirectory: ${first}`);
    this.archiveName = first.slice(0, slash);
  }

  /** Whether `<archive>/<name>` is in the archive. */
  hasRecord(name: string): boolean {
    return this.entries.has(`${this.archiveName}/${name}`);
  }

  /** Every record's full name, in central-directory order. */
  getAllRecords(): string[] {
    return [...this.entries.keys()];
  }

  /** The byte length a record declares (its uncompressed size), without reading it. */
  recordSize(name: string): number {
    return this.entry(name).size;
  }

  /**
   * The bytes of `<archive>/<name>`, checked against its CRC-32. A stored record is a view of
   * the file's bytes (no copy); a deflated one is inflated, never beyond its declared size.
   */
  getRecord(name: string): Uint8Array {
    const e = this.entry(name);
    let data: Uint8Array;
    if (e.method === 0) {
      data = this.bytes.subarray(e.dataStart, e.dataStart + e.size);
    } else {
      data = inflateBounded(this.bytes.subarray(e.dataStart, e.dataStart + e.compressedSize), e.size, e.name);
    }
    if (!this.checked.has(e.name)) {
      const crc = crc32(data);
      if (crc !== e.crc) fail(`reading file ${e.name}: CRC-32 check failed (the record is corrupted)`);
      this.checked.add(e.name);
    }
    return data;
  }

  private entry(name: string): Entry {
    const full = `${this.archiveName}/${name}`;
    const e = this.entries.get(full);
    if (e === undefined) throw new RuntimeError(`PytorchStreamReader failed locating file ${name}: file not found`);
    return e;
  }

  private u16(at: number): number {
    return this.view.getUint16(at, true);
  }

  private u32(at: number): number {
    return this.view.getUint32(at, true);
  }

  private u64(at: number, what: string): number {
    const lo = this.view.getUint32(at, true);
    const hi = this.view.getUint32(at + 4, true);
    // Anything past 2^53 bytes is beyond any file a JS runtime can hold.
    if (hi >= 0x200000) fail(`reading zip archive: ${what} ${hi * 2 ** 32 + lo} is out of range`);
    return hi * 2 ** 32 + lo;
  }

  /** Fills `entries` from the central directory and checks every entry's extent; returns names in order. */
  private readCentralDirectory(): string[] {
    const n = this.bytes.length;
    let eocd = -1;
    // The end record is the last 22 bytes plus a comment of at most 65535 bytes.
    for (let p = n - 22; p >= 0 && p >= n - 22 - 65535; p--) {
      if (this.u32(p) === SIG_EOCD && p + 22 + this.u16(p + 20) <= n) {
        eocd = p;
        break;
      }
    }
    if (eocd < 0) fail("reading zip archive: failed finding central directory");

    let count = this.u16(eocd + 10);
    let cdSize = this.u32(eocd + 12);
    let cdOffset = this.u32(eocd + 16);
    let dataEnd = eocd; // where the last entry's data must end
    const locator = eocd - 20;
    if (locator >= 0 && this.u32(locator) === SIG_ZIP64_LOCATOR) {
      const z = this.u64(locator + 8, "zip64 end of central directory offset");
      if (z + 56 > locator || this.u32(z) !== SIG_ZIP64_EOCD) {
        fail("reading zip archive: invalid zip64 end of central directory record");
      }
      count = this.u64(z + 32, "entry count");
      cdSize = this.u64(z + 40, "central directory size");
      cdOffset = this.u64(z + 48, "central directory offset");
      dataEnd = z;
    }
    if (cdOffset + cdSize > dataEnd) {
      fail(`reading zip archive: the central directory (offset ${cdOffset}, ${cdSize} bytes) runs past the end of the file`);
    }
    if (count * CENTRAL_HEADER_SIZE > cdSize) {
      fail(`reading zip archive: the archive claims ${count} entries, more than its ${cdSize}-byte central directory can hold`);
    }

    const names: string[] = [];
    const utf8 = new TextDecoder("utf-8");
    let p = cdOffset;
    const cdEnd = cdOffset + cdSize;
    for (let i = 0; i < count; i++) {
      if (p + CENTRAL_HEADER_SIZE > cdEnd || this.u32(p) !== SIG_CENTRAL) {
        fail(`reading zip archive: central directory entry ${i} is invalid`);
      }
      const flags = this.u16(p + 8);
      const method = this.u16(p + 10);
      const crc = this.u32(p + 16);
      let compressedSize = this.u32(p + 20);
      let size = this.u32(p + 24);
      const nameLen = this.u16(p + 28);
      const extraLen = this.u16(p + 30);
      const commentLen = this.u16(p + 32);
      let headerOffset = this.u32(p + 42);
      const next = p + CENTRAL_HEADER_SIZE + nameLen + extraLen + commentLen;
      if (next > cdEnd) fail(`reading zip archive: central directory entry ${i} runs past the directory`);
      const name = utf8.decode(this.bytes.subarray(p + CENTRAL_HEADER_SIZE, p + CENTRAL_HEADER_SIZE + nameLen));
      // Zip64: sizes and offset that do not fit 32 bits live in extra field 0x0001, in this order.
      if (compressedSize === 0xffffffff || size === 0xffffffff || headerOffset === 0xffffffff) {
        let q = p + CENTRAL_HEADER_SIZE + nameLen;
        const extraEnd = q + extraLen;
        let found = false;
        while (q + 4 <= extraEnd) {
          const id = this.u16(q);
          const len = this.u16(q + 2);
          if (q + 4 + len > extraEnd) break;
          if (id === 0x0001) {
            let r = q + 4;
            const take = (): number => {
              if (r + 8 > q + 4 + len) fail(`reading zip archive: zip64 field of ${name} is too short`);
              const v = this.u64(r, `a size of ${name}`);
              r += 8;
              return v;
            };
            if (size === 0xffffffff) size = take();
            if (compressedSize === 0xffffffff) compressedSize = take();
            if (headerOffset === 0xffffffff) headerOffset = take();
            found = true;
            break;
          }
          q += 4 + len;
        }
        if (!found) fail(`reading zip archive: ${name} has 32-bit overflow sizes but no zip64 field`);
      }
      if (flags & 1) fail(`reading file ${name}: encrypted records are not supported`);
      if (method !== 0 && method !== 8) fail(`reading file ${name}: unsupported compression method ${method}`);
      if (method === 0 && compressedSize !== size) {
        fail(`reading file ${name}: a stored record declares ${size} bytes but holds ${compressedSize}`);
      }
      if (method === 8 && size > compressedSize * MAX_DEFLATE_RATIO + 64) {
        fail(`reading file ${name}: it claims to inflate ${compressedSize} bytes to ${size}, more than deflate can produce`);
      }
      if (this.entries.has(name)) fail(`reading zip archive: duplicate record ${name}`);

      // The local header gives the data's start; everything must end before the central directory.
      if (headerOffset + LOCAL_HEADER_SIZE > cdOffset || this.u32(headerOffset) !== SIG_LOCAL) {
        fail(`reading file ${name}: its local header at offset ${headerOffset} is missing or out of range`);
      }
      const dataStart = headerOffset + LOCAL_HEADER_SIZE + this.u16(headerOffset + 26) + this.u16(headerOffset + 28);
      if (dataStart + compressedSize > cdOffset) {
        fail(
          `reading file ${name}: the record claims ${compressedSize} bytes at offset ${dataStart}, ` +
            `but the archive's data ends at offset ${cdOffset}`,
        );
      }
      this.entries.set(name, { name, method, crc, compressedSize, size, headerOffset, dataStart });
      names.push(name);
      p = next;
    }

    // Records may not share bytes: overlapping entries are how zip bombs multiply their size.
    const sorted = [...this.entries.values()].sort((a, b) => a.headerOffset - b.headerOffset);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      if (prev.dataStart + prev.compressedSize > sorted[i]!.headerOffset) {
        fail(`reading zip archive: records ${prev.name} and ${sorted[i]!.name} overlap`);
      }
    }
    return names;
  }
}

/** Inflates `data`, refusing output beyond `size` bytes, and requires exactly `size` bytes. */
function inflateBounded(data: Uint8Array, size: number, name: string): Uint8Array {
  let buf = new Uint8Array(Math.min(size, 1 << 16));
  let len = 0;
  const inflater = new Inflate((chunk) => {
    if (len + chunk.length > size) fail(`reading file ${name}: it inflates to more than its declared ${size} bytes`);
    if (len + chunk.length > buf.length) {
      // Grow geometrically, but never past the declared size (which the ratio check bounded).
      const grown = new Uint8Array(Math.min(size, Math.max(buf.length * 2, len + chunk.length)));
      grown.set(buf.subarray(0, len));
      buf = grown;
    }
    buf.set(chunk, len);
    len += chunk.length;
  });
  try {
    // Small input chunks keep each burst of output small, so the bound is checked as it grows.
    const step = 1 << 14;
    for (let i = 0; i < data.length; i += step) inflater.push(data.subarray(i, i + step), i + step >= data.length);
    if (data.length === 0) inflater.push(data, true);
  } catch (e) {
    if (e instanceof RuntimeError) throw e;
    fail(`reading file ${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (len !== size) fail(`reading file ${name}: it inflates to ${len} bytes, not the ${size} it declares`);
  return buf.subarray(0, len);
}

// ---- writing ---------------------------------------------------------------------------------

/** PyTorch's `kFieldAlignment`: record data starts at a multiple of this. */
export const STORAGE_ALIGNMENT = 64;
/** The `FB` extra-field id PyTorch pads with ('F' = 0x46, 'B' = 0x42, little-endian). */
const PADDING_FIELD_ID = 0x4246;

/**
 * Writes a `torch.save` zip: `records` in order, each under `archiveName/`, stored, with its data
 * aligned to 64 bytes by an `FB` extra field filled with `Z`, as PyTorch's writer pads.
 */
export function writeArchive(archiveName: string, records: [string, Uint8Array][]): Uint8Array {
  const files: Zippable = {};
  const encoder = new TextEncoder();
  // A fixed timestamp keeps the output a function of its contents (zip dates start in 1980).
  const mtime = new Date(1980, 0, 1, 0, 0, 0);
  let offset = 0;
  for (const [name, data] of records) {
    const full = `${archiveName}/${name}`;
    const nameLen = encoder.encode(full).length;
    const start = offset + LOCAL_HEADER_SIZE + nameLen + 4;
    const pad = (STORAGE_ALIGNMENT - (start % STORAGE_ALIGNMENT)) % STORAGE_ALIGNMENT;
    files[full] = [data, { level: 0, mtime, extra: { [PADDING_FIELD_ID]: new Uint8Array(pad).fill(0x5a) } }];
    offset = start + pad + data.length;
  }
  // fflate writes no zip64 records, so the archive must stay under 4 GiB.
  if (offset >= 0xffffffff - 65536) {
    throw new RuntimeError(`torch.save: the archive would be ${offset} bytes; torch-ts writes archives under 4 GiB`);
  }
  return zipSync(files);
}
