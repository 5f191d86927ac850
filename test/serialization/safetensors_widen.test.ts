/**
 * safetensors files of the dtypes torch-ts widens on load (F16, BF16 to float32; I16, I8, U8 to
 * int32), against a file and values written by real PyTorch (scripts/golden/safetensors.py).
 */

import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import torch, { Tensor } from "../../src/index.js";

const { load, save, SafeOpen } = torch.safetensors;

const DIR = new URL("../golden/safetensors/", import.meta.url);
const bytes = new Uint8Array(readFileSync(new URL("widened.safetensors", DIR)));
const expected = JSON.parse(readFileSync(new URL("expected.json", DIR), "utf8")) as {
  file_metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
};

/** float32 values as uint32 bit patterns, integers as numbers: the fixture's encoding. */
function encoded(t: Tensor): number[] {
  const v = t._values();
  if (v instanceof Float32Array) return Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));
  return Array.from(v as Int32Array);
}

describe("safetensors: half and small-integer dtypes load widened, bit for bit as PyTorch widens them", () => {
  const loaded = load(bytes);

  it("loads every tensor of PyTorch's file", () => {
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(expected.tensors).sort());
    expect(Object.keys(expected.tensors)).toContain("f16.special");
  });

  for (const [name, want] of Object.entries(expected.tensors)) {
    it(`${name} (${want.dtype} [${want.shape}])`, () => {
      const t = loaded[name]!;
      const widenedTo = want.dtype === "F16" || want.dtype === "BF16" || want.dtype === "F32" ? torch.float32 : torch.int32;
      expect(t.dtype).toBe(widenedTo);
      expect([...t.shape]).toEqual(want.shape);
      expect(encoded(t)).toEqual(want.values);
    });
  }

  it("half NaNs keep their payload and come out quiet; infinities and subnormals are exact", () => {
    // Bit patterns here are the fixture's; spot-check that the cases the script names are there.
    const special = expected.tensors["f16.special"]!.values;
    expect(special).toContain(0x7f800000); // +inf
    expect(special).toContain(0x33800000); // 2^-24, the smallest half subnormal
    expect(special.filter((b) => (b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0).length).toBeGreaterThan(3);
    expect(encoded(loaded["f16.special"]!)).toEqual(special);
  });

  it("SafeOpen.get_tensor widens the same way, and the metadata is read", () => {
    const f = new SafeOpen(bytes);
    expect(f.metadata()).toEqual(expected.file_metadata);
    for (const name of ["bf16.rounded", "i8", "u8"]) expect(encoded(f.get_tensor(name))).toEqual(expected.tensors[name]!.values);
  });

  it("a widened tensor saves back as F32 or I32 with the same values", () => {
    const again = load(save({ h: loaded["f16.random"]!, b: loaded["u8"]! }));
    expect(again["h"]!.dtype).toBe(torch.float32);
    expect(encoded(again["h"]!)).toEqual(expected.tensors["f16.random"]!.values);
    expect(again["b"]!.dtype).toBe(torch.int32);
    expect(encoded(again["b"]!)).toEqual(expected.tensors["u8"]!.values);
  });

  it("widens from unaligned file bytes (an odd offset into a larger buffer)", () => {
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    const view = big.subarray(3);
    expect(encoded(load(view)["i16"]!)).toEqual(expected.tensors["i16"]!.values);
    expect(encoded(load(view)["bf16.special"]!)).toEqual(expected.tensors["bf16.special"]!.values);
  });
});
