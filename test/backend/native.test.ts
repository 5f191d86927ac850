// The native backend's GEMM against the JS reference (random shapes, every operand layout,
// batches with broadcast strides, the blocking boundaries, 1 and 2 threads), and its dispatch:
// what stays on JS, and that tensors made on it are its own.

import { afterAll, describe, expect, it } from "vitest";
import torch from "../../src/index.js";
import type { StridedView } from "../../src/backend/backend.js";
import { jsBackend } from "../../src/backend/js/index.js";
import type { JsStorage } from "../../src/backend/js/storage.js";
import { createNativeBackend, nativeBackend, MIN_ELEMENTS, MIN_WORK } from "../../src/backend/native/index.js";
import { describeNativeMissing } from "../harness/native_missing.js";
import type { NativeAddon } from "../../src/backend/native/loader.js";
import { float32, float64 } from "../../src/tensor/dtype.js";
import { contiguous, elements, expectMatchesReference, expectWritesThroughStrides, layouts, operand, rng, type Layout } from "./wasm_testing.js";

if (nativeBackend === null) {
  describeNativeMissing("native backend");
} else {
  const native = nativeBackend;
  const addon = native.addon;
  // Every product goes to the addon here, however small.
  const eager = createNativeBackend(addon, "native-eager", { minElements: 0, minWork: 0 });
  const run = (out: StridedView, a: StridedView, b: StridedView): void => eager.matmul(out, a, b);
  const threadsBefore = torch.get_num_threads();
  afterAll(() => torch.set_num_threads(threadsBefore));

  describe.each([1, 2])("native GEMM, %i thread(s)", (threads) => {
    it("matches JS on 60 random shapes (1..130 each) and layouts", () => {
      torch.set_num_threads(threads);
      expect(addon.threads()).toBe(threads);
      const random = rng(threads);
      const dim = (): number => 1 + Math.floor(random() * 130);
      for (let t = 0; t < 60; t++) {
        const [M, N, K] = [dim(), dim(), dim()];
        const la = layouts[Math.floor(random() * layouts.length)]!;
        const lb = layouts[Math.floor(random() * layouts.length)]!;
        expectMatchesReference(run, operand(random, [M, K], la), operand(random, [K, N], lb));
      }
    });

    it.each([
      [1, 1, 1], [1, 50, 70], [50, 1, 70], [70, 50, 1], [1, 1, 300], [3, 5, 7], [6, 16, 8], [7, 17, 9], [5, 15, 7],
      [6, 16, 321], [12, 32, 641], [145, 20, 11], [289, 33, 300], [13, 3100, 17], [300, 300, 330],
      // the last rows of a block in a tile of their own (mr 1-5), over several K blocks
      [64, 512, 784], [5, 48, 700], [2, 32, 650], [3, 16, 321], [145, 32, 400], [13, 17, 641],
    ])("tails and block edges (MR 6, NR 16, KC 320, MC 144, NC 3072): %i x %i x %i", (M, N, K) => {
      torch.set_num_threads(threads);
      const random = rng(M * 10007 + N * 101 + K);
      const pairs: [Layout, Layout][] = [["contiguous", "contiguous"], ["contiguous", "transposed"], ["transposed", "stepped"], ["narrowed", "sparse"]];
      for (const [la, lb] of pairs) expectMatchesReference(run, operand(random, [M, K], la), operand(random, [K, N], lb));
    });

    it("batched, with broadcast batch strides and every layout", () => {
      torch.set_num_threads(threads);
      const random = rng(5 + threads);
      for (let t = 0; t < 16; t++) {
        const batch = [1 + Math.floor(random() * 3), 1 + Math.floor(random() * 4)];
        const [M, N, K] = [1 + Math.floor(random() * 60), 1 + Math.floor(random() * 60), 1 + Math.floor(random() * 60)];
        const la = layouts[t % layouts.length]!;
        const lb = layouts[(t * 3 + 1) % layouts.length]!;
        const broadcastA = t % 3 === 1 ? [1] : [];
        const broadcastB = t % 3 === 2 ? [0] : t % 4 === 0 ? [0, 1] : [];
        expectMatchesReference(
          run,
          operand(random, [...batch, M, K], la, { broadcast: broadcastA }),
          operand(random, [...batch, K, N], lb, { broadcast: broadcastB }),
        );
      }
      // Batches that split across threads (3 of them on 2 threads) and ones that do not.
      expectMatchesReference(run, operand(random, [3, 70, 90], "contiguous"), operand(random, [3, 90, 80], "transposed"));
      expectMatchesReference(run, operand(random, [8, 40, 50], "narrowed"), operand(random, [8, 50, 30], "contiguous", { broadcast: [0] }));
    });

    it("broadcast rows and columns (zero strides inside the matrices)", () => {
      torch.set_num_threads(threads);
      const random = rng(4);
      const a = operand(random, [1, 40], "contiguous");
      const b = operand(random, [40, 1], "contiguous");
      expectMatchesReference(run, { ...a, shape: [30, 40], strides: [0, 1] }, { ...b, shape: [40, 20], strides: [1, 0] });
    });

    it("writes a non-contiguous output through its strides, leaving the rest of its storage", () => {
      torch.set_num_threads(threads);
      expectWritesThroughStrides(run, rng(7), 300);
    });
  });

  describe("native GEMM, portable build (what CPUs without AVX2 or FMA run)", () => {
    it("matches JS on random shapes, layouts and batches", () => {
      const avx2 = addon.avx2();
      expect(addon.avx2(false)).toBe(false);
      try {
        const random = rng(31);
        const dim = (): number => 1 + Math.floor(random() * 100);
        for (let t = 0; t < 30; t++) {
          const la = layouts[Math.floor(random() * layouts.length)]!;
          const lb = layouts[Math.floor(random() * layouts.length)]!;
          expectMatchesReference(run, operand(random, [dim(), 40], la), operand(random, [40, dim()], lb));
        }
        expectMatchesReference(run, operand(random, [2, 3, 150, 330], "contiguous"), operand(random, [2, 3, 330, 70], "transposed", { broadcast: [1] }));
      } finally {
        addon.avx2(avx2);
      }
      expect(addon.avx2()).toBe(avx2);
    });
  });

  describe("native GEMM", () => {
    it("K = 0 writes zeros; an empty output is left alone", () => {
      const random = rng(3);
      const out = contiguous([3, 4], float32, NaN);
      run(out, operand(random, [3, 0], "contiguous"), operand(random, [0, 4], "contiguous"));
      expect(elements(out)).toEqual(new Array(12).fill(0));
      const empty = contiguous([0, 4]);
      run(empty, operand(random, [0, 5], "contiguous"), operand(random, [5, 4], "contiguous"));
      expect(empty.shape).toEqual([0, 4]);
    });

    it("one and two threads give the same bits (slices keep each element's order of additions)", () => {
      const random = rng(12);
      for (const [M, N, K, la, lb] of [[200, 190, 300, "contiguous", "transposed"], [64, 512, 784, "contiguous", "transposed"], [500, 40, 70, "stepped", "contiguous"]] as const) {
        const a = operand(random, [M, K], la);
        const b = operand(random, [K, N], lb);
        const [one, two] = [contiguous([M, N]), contiguous([M, N])];
        torch.set_num_threads(1);
        run(one, a, b);
        torch.set_num_threads(2);
        run(two, a, b);
        expect(elements(two)).toEqual(elements(one));
      }
    });

    // From 576 rows and 1e8 multiply-adds, two threads pack each block of B together and take
    // blocks of rows in turn (gemm.cc's shared-B schedule) instead of one slice of C each. The
    // shapes cross its thresholds, with a remainder block of rows and of k, and every layout
    // of A and B it packs differently.
    it("large products on two threads (shared blocks of B) match JS and give one thread's bits", () => {
      const random = rng(21);
      const cases = [
        [600, 500, 400, "contiguous", "contiguous"],
        [613, 333, 700, "transposed", "transposed"],
        [700, 300, 481, "contiguous", "transposed"],
        [577, 410, 430, "stepped", "sparse"],
      ] as const;
      for (const [M, N, K, la, lb] of cases) {
        const a = operand(random, [M, K], la);
        const b = operand(random, [K, N], lb);
        const [one, two] = [contiguous([M, N]), contiguous([M, N])];
        torch.set_num_threads(2);
        expectMatchesReference(run, a, b, two);
        torch.set_num_threads(1);
        run(one, a, b);
        expect(elements(two)).toEqual(elements(one));
      }
    });

    // Up to six rows read B where it lies (x·W) or transpose it in registers (x·Wᵀ) instead of
    // packing it; each element must still be the packed tile's chain of additions, so a row
    // does not change bits with the batch it comes in (nn.Linear on 1 row or on 13).
    it("a few rows get the bits those rows get in a larger product, B in place or packed", () => {
      const random = rng(21);
      const rowsOf = (v: StridedView, first: number, rows: number): StridedView => ({
        storage: v.storage, offset: v.offset + first * v.strides[0]!, shape: [rows, v.shape[1]!], strides: v.strides,
      });
      for (const threads of [1, 2]) {
        torch.set_num_threads(threads);
        for (const [N, K] of [[16, 7], [40, 300], [85, 650], [130, 33], [200, 784]] as const) {
          const a = operand(random, [13, K], "contiguous");
          for (const layout of ["contiguous", "transposed", "stepped"] as const) {
            const b = operand(random, [K, N], layout);
            const whole = contiguous([13, N]);
            run(whole, a, b);
            for (let rows = 1; rows <= 6; rows++) {
              const first = (rows * 5) % (14 - rows);
              const part = contiguous([rows, N]);
              run(part, rowsOf(a, first, rows), b);
              expect(elements(part), `${rows} of 13 rows from ${first}, N ${N}, K ${K}, B ${layout}, ${threads} thread(s)`)
                .toEqual(elements(whole).slice(first * N, (first + rows) * N));
            }
          }
        }
      }
    });
  });

  describe("native backend dispatch", () => {
    /** The default thresholds, over an addon that counts its calls. */
    function counting(): { backend: ReturnType<typeof createNativeBackend>; calls: Record<string, number> } {
      const calls: Record<string, number> = {};
      const spy: Record<string, unknown> = { params: addon.params };
      // The addon's functions are non-enumerable properties: list them.
      const names = ["matmul", "binary", "unary", "copy", "fill", "sum", "sgd", "adam", "threads", "avx2"] as const;
      for (const key of names) {
        const value = addon[key];
        spy[key] = (...args: unknown[]) => {
          calls[key] = (calls[key] ?? 0) + 1;
          return (value as (...a: unknown[]) => unknown).apply(addon, args);
        };
      }
      return { backend: createNativeBackend(spy as unknown as NativeAddon, "native-counting"), calls };
    }

    it("allocates JS storage that it owns, so ops dispatch back to it", () => {
      const s = native.allocate(float32, 6);
      expect(s.backend).toBe(native);
      expect((s as JsStorage).data).toBeInstanceOf(Float32Array);
    });

    it("is the default backend in Node, and torch.backends.native says so", () => {
      if (!process.env.TORCH_TS_BACKEND) expect(torch.backends.get_backend()).toBe("native");
      expect(torch.backends.list_backends()).toContain("native");
      expect(torch.backends.native.is_available()).toBe(true);
      expect(torch.backends.native.unavailable_reason()).toBeNull();
      expect(torch.backends.native.kernel()).toBe(native.avx2 ? "avx2" : "portable");
      torch.set_num_threads(1);
      expect(torch.backends.native.threads()).toBe(1);
      torch.set_num_threads(2);
      expect(torch.backends.native.threads()).toBe(2);
    });

    it("products below MIN_WORK multiply-adds, float64 ones and aliased outputs stay on JS", () => {
      const { backend, calls } = counting();
      const random = rng(9);
      const small = Math.floor(Math.cbrt(MIN_WORK - 1));
      backend.matmul(contiguous([small, small]), operand(random, [small, small], "contiguous"), operand(random, [small, small], "contiguous"));
      expect(calls.matmul ?? 0).toBe(0);
      const a = operand(random, [70, 60], "transposed", { dtype: float64 });
      const b = operand(random, [60, 50], "contiguous", { dtype: float64 });
      const [got, want] = [contiguous([70, 50], float64), contiguous([70, 50], float64)];
      backend.matmul(got, a, b);
      jsBackend.matmul(want, a, b);
      expect(elements(got)).toEqual(elements(want));
      expect(calls.matmul ?? 0).toBe(0);
      const x = operand(random, [20, 20], "contiguous");
      backend.matmul(x, x, operand(random, [20, 20], "contiguous"));
      expect(calls.matmul ?? 0).toBe(0);
      backend.matmul(contiguous([20, 20]), x, operand(random, [20, 20], "contiguous"));
      expect(calls.matmul).toBe(1);
    });

    it("says where its own kernels run", () => {
      expect(native.supports("matmul", float32, [8, 8, 8])).toBe(true);
      expect(native.supports("matmul", float32, [MIN_WORK - 1])).toBe(false);
      expect(native.supports("matmul", float64, [64, 64, 64])).toBe(false);
      expect(native.supports("binary", float32, [1 << 20])).toBe(true);
      expect(native.supports("binary", float32, [MIN_ELEMENTS - 1])).toBe(false);
      expect(native.supports("gather", float32, [1 << 20])).toBe(false);
    });

    it("nn.Linear's x·Wᵀ on native tensors matches JS", () => {
      const random = rng(10);
      const x = operand(random, [64, 784], "contiguous");
      const w = operand(random, [784, 512], "transposed");
      expectMatchesReference((o, a, b) => native.matmul(o, a, b), x, w);
    });
  });
}

describe("torch.set_num_threads with a huge count", () => {
  it("does not take the process down; products still run and agree", () => {
    const a = torch.randn([300, 200]);
    const b = torch.randn([200, 100]);
    const before = a.mm(b);
    const previous = torch.get_num_threads();
    torch.set_num_threads(2 ** 31 - 1);
    try {
      expect(torch.get_num_threads()).toBe(2 ** 31 - 1);
      expect(torch.allclose(a.mm(b), before, { rtol: 1e-5, atol: 1e-5 })).toBe(true);
    } finally {
      torch.set_num_threads(previous);
    }
  });
});

describe("views that leave their storage", () => {
  it("never reach the addon: the JS kernels take them (and write nothing out of range)", () => {
    if (nativeBackend === null) return;
    const n = 1000;
    const storage = nativeBackend.allocate(float32, 3 * n) as JsStorage;
    const neighbour = nativeBackend.allocate(float32, 3 * n) as JsStorage;
    (neighbour.data as Float32Array).fill(7);
    // a row view from offset 2.5 rows: half of it past the end (what a fractional select made)
    for (const offset of [2.5 * n, 2.999 * n, 3 * n - 10, -5]) {
      const view: StridedView = { storage, offset, shape: [n], strides: [1] };
      nativeBackend.binary("add", view, view, view);
      nativeBackend.unary("neg", view, view);
      nativeBackend.fill({ storage, offset, shape: [n / 2, 2], strides: [2, 1] }, 1);
    }
    expect((neighbour.data as Float32Array).every((v) => v === 7)).toBe(true);
  });
});

describe("the generator's bulk draws in C++", () => {
  it("give the JS loop's draws and state, across twists, for every size", async () => {
    if (nativeBackend === null) return;
    const { Generator, setBulkDraws } = await import("../../src/random/generator.js");
    for (const sizes of [[64, 560, 1, 700, 5000], [624, 624, 624], [100, 1249, 3]]) {
      const viaNative = new Generator().manual_seed(11);
      const viaJs = new Generator().manual_seed(11);
      for (const n of sizes) {
        const a = new Uint32Array(n);
        const b = new Uint32Array(n);
        viaNative.fillUint32(a);
        const native = setBulkDraws(null);
        expect(native).not.toBeNull();
        try {
          viaJs.fillUint32(b);
        } finally {
          setBulkDraws(native);
        }
        expect(a).toEqual(b);
      }
      expect(Array.from(viaNative.get_state())).toEqual(Array.from(viaJs.get_state()));
    }
  });
});

describe("bernoulli_ masks in C++", () => {
  it("are the JS kernel's, and leave the generator where it would", async () => {
    if (nativeBackend === null) return;
    const { setBulkDraws } = await import("../../src/random/generator.js");
    for (const [n, p] of [[64 * 256, 0.8], [1000, 0.5], [70, 0.01], [5000, 1], [300, 0]] as const) {
      const gen1 = new torch.Generator().manual_seed(5);
      const gen2 = new torch.Generator().manual_seed(5);
      const a = torch.empty([n]).bernoulli_(p, { generator: gen1 });
      const native = setBulkDraws(null);
      expect(native).not.toBeNull();
      let b;
      try {
        b = torch.empty([n]).bernoulli_(p, { generator: gen2 });
      } finally {
        setBulkDraws(native);
      }
      expect(Array.from(a._values() as Float32Array)).toEqual(Array.from(b._values() as Float32Array));
      expect(Array.from(gen1.get_state())).toEqual(Array.from(gen2.get_state()));
    }
  });
});
