import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import torch from "../../../src/index.js";
import { load_idx } from "../../../src/node/index.js";
import { goldenDir, hasGolden, loadGolden } from "./golden.js";

const { parse_idx, parse_idx_header } = torch.utils.data;

interface IdxFile {
  file: string;
  type?: string;
  shape?: number[];
  values?: number[];
  error?: "truncated" | "magic" | "type" | "length" | "gzip";
}

const idxDir = fileURLToPath(new URL("idx/", goldenDir));
const files = loadGolden<{ files: IdxFile[] }>("idx.json").files;

/** What each kind of refusal must say. */
const ERROR_TEXT: Record<string, RegExp> = {
  truncated: /truncated IDX (data|header)/,
  magic: /bad magic number/,
  type: /unknown IDX type code 0x07/,
  length: /IDX data length mismatch|truncated IDX data/,
  gzip: /invalid gzip data/,
};

const DTYPE_OF: Record<string, string> = {
  uint8: "int32",
  int8: "int32",
  int16: "int32",
  int32: "int32",
  float32: "float32",
  float64: "float64",
};

describe("IDX fixtures written by scripts/golden/data.py", () => {
  for (const f of files) {
    const path = join(idxDir, f.file);
    if (f.error === undefined) {
      it(`${f.file}: ${f.type} ${JSON.stringify(f.shape)}`, () => {
        const t = load_idx(path);
        expect(t.dtype.name).toBe(DTYPE_OF[f.type!]);
        expect([...t.shape]).toEqual(f.shape);
        expect(t.flatten().tolist()).toEqual(f.values);
        if (!f.file.endsWith(".gz")) {
          expect(parse_idx(readFileSync(path)).flatten().tolist()).toEqual(f.values);
          expect(parse_idx_header(readFileSync(path)).type).toBe(f.type);
        }
      });
    } else {
      it(`${f.file}: refused (${f.error})`, () => {
        expect(() => load_idx(path)).toThrow(torch.ValueError);
        expect(() => load_idx(path)).toThrow(ERROR_TEXT[f.error!]!);
        expect(() => load_idx(path)).toThrow(path);
        if (!f.file.endsWith(".gz")) expect(() => parse_idx(readFileSync(path))).toThrow(ERROR_TEXT[f.error!]!);
      });
    }
  }

  const images = files.find((f) => f.file === "images-u8.idx3")!;
  const floats = files.find((f) => f.file === "f32.idx2")!;

  it("decodes straight into another dtype", () => {
    const asFloat = load_idx(join(idxDir, images.file), { dtype: torch.float32 });
    expect(asFloat.dtype).toBe(torch.float32);
    expect(asFloat.flatten().tolist()).toEqual(images.values);
    const asLong = load_idx(join(idxDir, "labels-u8.idx1"), { dtype: torch.int64 });
    expect(asLong.dtype).toBe(torch.int64);
    expect(asLong.tolist()).toEqual(files.find((f) => f.file === "labels-u8.idx1")!.values);
    // float32 data into int32 truncates toward zero, as .to(torch.int32) does
    const truncated = load_idx(join(idxDir, floats.file), { dtype: torch.int32 });
    expect(truncated.flatten().tolist()).toEqual(floats.values!.map((v) => Math.trunc(v) | 0));
    const asDouble = load_idx(join(idxDir, floats.file), { dtype: torch.float64 });
    expect(asDouble.flatten().tolist()).toEqual(floats.values);
  });

  it("names gzip data handed to parse_idx", () => {
    const gz = readFileSync(join(idxDir, "images-u8.idx3.gz"));
    expect(() => parse_idx(gz)).toThrow(/these are gzip data, decompress them first/);
  });

  it("accepts an ArrayBuffer and a Uint8Array that is a window of a larger buffer", () => {
    const bytes = readFileSync(join(idxDir, images.file));
    const padded = new Uint8Array(bytes.length + 10);
    padded.set(bytes, 5);
    expect(parse_idx(padded.subarray(5, 5 + bytes.length)).flatten().tolist()).toEqual(images.values);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
    expect(parse_idx(buffer).flatten().tolist()).toEqual(images.values);
  });

  it("refuses a file or a decompressed stream over max_bytes, without inflating it", () => {
    const dir = mkdtempSync(join(tmpdir(), "torch-ts-idx-"));
    try {
      // 16 MiB of zeros compress to about 16 KiB: a small gzip bomb.
      const bomb = join(dir, "bomb.idx1.gz");
      const header = Buffer.from([0, 0, 8, 1, 0x01, 0, 0, 0]);
      const gz = gzipSync(Buffer.concat([header, Buffer.alloc(2 ** 24)]));
      expect(gz.length).toBeLessThan(2 ** 20);
      writeFileSync(bomb, gz);
      expect(() => load_idx(bomb, { max_bytes: 2 ** 20 })).toThrow(/decompressed data exceed max_bytes=1048576/);
      expect(load_idx(bomb).shape).toEqual([2 ** 24]);
      expect(() => load_idx(join(idxDir, images.file), { max_bytes: 10 })).toThrow(/more than max_bytes=10/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

interface FashionFile {
  type_code: number;
  shape: number[];
  total: number;
  first?: number[];
  counts?: number[];
  image_sums?: number[];
  first_row14?: number[];
}

const FASHION_ROOT = "/usr/share/datasets/fashion-mnist";
const haveFashion = existsSync(FASHION_ROOT) && hasGolden("fashion_mnist.json");

// Debian's dataset-fashion-mnist package provides the real files (`.ci/run` installs it); where
// it is absent these tests are skipped, and the small fixtures above still cover the reader.
describe.skipIf(!haveFashion)("real Fashion-MNIST files (Debian's dataset-fashion-mnist)", () => {
  const golden = haveFashion ? loadGolden<{ files: Record<string, FashionFile> }>("fashion_mnist.json").files : {};
  for (const [name, info] of Object.entries(golden)) {
    it(name, () => {
      const t = load_idx(join(FASHION_ROOT, name));
      expect(t.dtype).toBe(torch.int32);
      expect([...t.shape]).toEqual(info.shape);
      let total = 0;
      for (const v of t._values() as Int32Array) total += v;
      expect(total).toBe(info.total);
      if (info.first) {
        expect(t.narrow(0, 0, 20).tolist()).toEqual(info.first);
        const counts = new Array(10).fill(0);
        for (const v of t._values() as Int32Array) counts[v]++;
        expect(counts).toEqual(info.counts);
        expect(Number(t.sum().item())).toBe(info.total);
      } else {
        const sums = t.narrow(0, 0, 5).reshape([5, -1]).sum(1);
        expect(sums.tolist()).toEqual(info.image_sums);
        expect(t.select(0, 0).select(0, 14).tolist()).toEqual(info.first_row14);
      }
    });
  }
});
