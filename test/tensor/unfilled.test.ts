// Outputs that their kernel overwrites whole are allocated without a zero fill (newOutput).
// The suite's setup (test/harness/setup.ts) poisons such allocations, so every other test that
// reads an op's result also checks that its kernel wrote every element; these tests check the
// allocation itself.
import { afterEach, describe, expect, it } from "vitest";
import torch from "../../src/index.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { poisonUnfilled } from "../../src/backend/js/storage.js";
import { float32, float64, int64, int32, bool } from "../../src/tensor/dtype.js";

const dataOf = (t: Tensor) => (t._storage as unknown as { data: ArrayBufferView & { length: number } }).data;

describe("unfilled allocations", () => {
  afterEach(() => poisonUnfilled(true));

  it("are poisoned while the test suite runs, in every dtype and size", () => {
    for (const n of [1, 7, 5000, 70000]) {
      const f = dataOf(Tensor._empty([n], float32, false)) as Float32Array;
      expect(Number.isNaN(f[0]) && Number.isNaN(f[n - 1])).toBe(true);
      const d = dataOf(Tensor._empty([n], float64, false)) as Float64Array;
      expect(Number.isNaN(d[n - 1])).toBe(true);
      expect((dataOf(Tensor._empty([n], int64, false)) as BigInt64Array)[n - 1]).toBe(-1n);
      expect((dataOf(Tensor._empty([n], int32, false)) as Int32Array)[n - 1]).toBe(-1);
      expect((dataOf(Tensor._empty([n], bool, false)) as Uint8Array)[n - 1]).toBe(255);
    }
  });

  it("zero-filled ones stay zero", () => {
    const z = dataOf(Tensor._empty([70000], float32)) as Float32Array;
    expect(z.every((v) => v === 0)).toBe(true);
  });

  it("without the poison, own exactly their elements (byteOffset 0, a buffer of their own)", () => {
    poisonUnfilled(false);
    for (const [dtype, size] of [[float32, 4], [float64, 8], [int64, 8], [int32, 4], [bool, 1]] as const) {
      for (const n of [3, 100000]) {
        const a = dataOf(Tensor._empty([n], dtype, false));
        expect(a.length).toBe(n);
        expect(a.byteOffset).toBe(0);
        expect(a.buffer.byteLength).toBe(n * size);
      }
    }
  });

  it("do not change results: large products, elementwise ops and copies match zero-filled runs", () => {
    torch.manual_seed(0);
    const a = torch.randn(300, 200);
    const b = torch.randn(200, 150);
    const bias = torch.randn(150);
    const run = () => {
      const y = torch.mm(a, b);
      const z = y.relu().add(y.t().contiguous().t()).mul(2);
      return [y, z, torch.addmm(bias, a, b, { alpha: 0.5 })].map((t) => Array.from(dataOf(t) as Float32Array));
    };
    const poisoned = run();
    poisonUnfilled(false);
    // A large garbage-filled region first, so the unfilled buffers below are likely reused memory.
    Tensor._empty([1 << 20], float32, false);
    expect(run()).toEqual(poisoned);
  });
});
