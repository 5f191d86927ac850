import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import torch from "../../src/index.js";
import { SafeOpen, type ByteSource } from "../../src/serialization/safetensors.js";
import { safe_open } from "../../src/node/safetensors.js";

// A file with one large tensor and one small one: reading the small one lazily must not touch
// the large one's bytes.
function twoTensorFile(): Uint8Array {
  return torch.safetensors.save({
    big: torch.arange(250_000, { dtype: torch.float32 }),
    small: torch.tensor([1.5, -2, 3.25], { dtype: torch.float32 }),
  });
}

describe("safe_open reads lazily", () => {
  it("reads only the header and the requested tensor's byte range", () => {
    const bytes = twoTensorFile();
    let read = 0;
    const source: ByteSource = {
      length: bytes.length,
      read(begin, end) {
        read += end - begin;
        return bytes.subarray(begin, end);
      },
    };
    const f = new SafeOpen(source);
    const headerBytes = read;
    expect(headerBytes).toBeLessThan(1000);
    expect(f.keys()).toEqual(["big", "small"]);
    expect(f.get_tensor("small").tolist()).toEqual([1.5, -2, 3.25]);
    expect(read - headerBytes).toBe(12);
    expect(bytes.length).toBeGreaterThan(1_000_000);
  });

  it("on a file, gives the same tensors as load", () => {
    const bytes = twoTensorFile();
    const path = join(mkdtempSync(join(tmpdir(), "torch-ts-st-")), "two.safetensors");
    writeFileSync(path, bytes);
    const f = safe_open(path, "pt");
    const all = torch.safetensors.load(bytes);
    expect(f.get_tensor("small").equal(all.small!)).toBe(true);
    expect(f.get_tensor("big").equal(all.big!)).toBe(true);
  });

  it("still validates the header against the file's size", () => {
    const bytes = twoTensorFile();
    const truncated: ByteSource = { length: bytes.length - 4, read: (b, e) => bytes.subarray(b, e) };
    expect(() => new SafeOpen(truncated)).toThrow(/Error while deserializing header/);
  });
});
