// The native backend keeps a right-hand operand packed between products (src/backend/native/
// packed.ts): packed on its second product at one version, read on later ones. These check that
// the bits never change (packed, unpacked and the first product agree exactly), that a write
// drops the packing, which products are packed at all, the addon's checks of a packed buffer,
// and the TORCH_TS_CHECK_STAGED safety net that the suite runs with (vitest.config.ts).

import { afterAll, describe, expect, it } from "vitest";
import torch from "../../src/index.js";
import type { StridedView } from "../../src/backend/backend.js";
import type { JsStorage } from "../../src/backend/js/storage.js";
import { createNativeBackend, nativeBackend } from "../../src/backend/native/index.js";
import { PACKED_CACHE_BYTES, packedFloats } from "../../src/backend/native/packed.js";
import { describeNativeMissing } from "../harness/native_missing.js";
import { contiguous, elements, expectMatchesReference, operand, rng, type Layout } from "./wasm_testing.js";

if (nativeBackend === null) {
  describeNativeMissing("native packed operands");
} else {
  const native = nativeBackend;
  const addon = native.addon;
  const threadsBefore = torch.get_num_threads();
  afterAll(() => torch.set_num_threads(threadsBefore));
  /** A backend of its own (its own cache) that sends every product to the addon. */
  const fresh = () => createNativeBackend(addon, "native-packed-test", { minElements: 0, minWork: 0 });
  const bits = (v: StridedView): Uint32Array => new Uint32Array(Float32Array.from(elements(v)).buffer);
  const write = (v: StridedView, at: number, value: number): void => {
    ((v.storage as JsStorage).data as Float32Array)[at] = value;
    v.storage.version++;
  };

  describe("native packed right-hand operands", () => {
    it.each([1, 2])("the same bits unpacked, while packing, and packed (%i thread(s)), both builds", (threads) => {
      torch.set_num_threads(threads);
      const random = rng(40 + threads);
      const avx2 = addon.avx2();
      try {
        for (const build of avx2 ? [true, false] : [false]) {
          addon.avx2(build);
          // M 1-7 (the few-row paths), 13 and 64 (packed tiles and row tails); K with tails and
          // over one KC block (320); N with an edge panel; B as x·Wᵀ, x·W and stepped.
          const cases: [number, number, number, Layout][] = [
            [1, 512, 784, "transposed"], [2, 520, 300, "transposed"], [3, 136, 650, "contiguous"],
            [4, 64, 333, "transposed"], [5, 200, 256, "stepped"], [6, 48, 700, "transposed"], [7, 40, 641, "contiguous"],
            [13, 130, 500, "transposed"], [64, 512, 784, "transposed"], [64, 260, 129, "contiguous"],
            [200, 136, 333, "transposed"],
          ];
          for (const [M, N, K, layout] of cases) {
            const backend = fresh();
            const b = operand(random, [K, N], layout);
            const a = operand(random, [M, K], "contiguous");
            const runs = [0, 1, 2].map(() => {
              const out = contiguous([M, N]);
              backend.matmul(out, a, b);
              return bits(out);
            });
            const what = `${M}x${N}x${K} B ${layout}, ${build ? "avx2" : "portable"}`;
            expect(backend.packed.packs, what).toBe(1);
            expect(backend.packed.hits, what).toBe(1);
            expect(runs[1], what).toEqual(runs[0]);
            expect(runs[2], what).toEqual(runs[0]);
            expectMatchesReference((o, x, y) => backend.matmul(o, x, y), a, b);
            expect(backend.packed.hits, what).toBe(2);
          }
        }
      } finally {
        addon.avx2(avx2);
      }
    });

    // Without AVX2 and FMA the addon runs its portable build only: there is no second build to cross to.
    it.skipIf(!addon.avx2())("panels packed by one kernel build are read alike by the other (the addon switches builds at run time)", () => {
      const avx2 = addon.avx2();
      torch.set_num_threads(1);
      const random = rng(17);
      const b = operand(random, [650, 136], "transposed");
      const a = operand(random, [9, 650], "contiguous");
      const product = (backend: ReturnType<typeof fresh>): Uint32Array => {
        const out = contiguous([9, 136]);
        backend.matmul(out, a, b);
        return bits(out);
      };
      try {
        const packedUnderAvx2 = fresh();
        product(packedUnderAvx2);
        product(packedUnderAvx2);
        expect(packedUnderAvx2.packed.packs).toBe(1);
        addon.avx2(false);
        const portable = product(fresh());
        expect(product(packedUnderAvx2)).toEqual(portable);
        expect(packedUnderAvx2.packed.hits).toBe(1);
      } finally {
        addon.avx2(avx2);
      }
    });

    it.each([1, 2])("the addon reads the panels it is given, not b (%i thread(s))", (threads) => {
      torch.set_num_threads(threads);
      const random = rng(50 + threads);
      const { params } = addon;
      const values = (n: number): Float32Array => Float32Array.from({ length: n }, () => random() * 2 - 1);
      // M 1-3 (panels side by side), 5-6 (row tiles), 7 and 13 (full tiles and tails); N = 3100
      // has a second column block of 3072 at one thread, and at two the second slice starts at
      // column 1552; K = 650 has a shorter last K block.
      const shapes = [[1, 200, 300], [2, 64, 100], [3, 96, 650], [5, 48, 333], [6, 32, 40], [7, 3100, 40], [13, 40, 70]];
      for (const [M, N, K] of shapes as [number, number, number][]) {
        const a = values(M * K);
        const given = values(K * N);
        const other = values(K * N);
        const panels = new Float32Array(packedFloats(K, N));
        // B = Wᵀ of a row-major N x K weight (x·Wᵀ): strides (1, K).
        params.set([K, N, 0, 1, K]);
        addon.packB(panels, given);
        const layout = [2, M, N, K, 0, K, 1, 0, 1, K, 0, N, 1];
        const fromPanels = new Float32Array(M * N);
        params.set(layout);
        addon.matmul(fromPanels, a, other, panels);
        const plain = new Float32Array(M * N);
        params.set(layout);
        addon.matmul(plain, a, given);
        const what = `${M}x${N}x${K}`;
        expect(new Uint32Array(fromPanels.buffer), what).toEqual(new Uint32Array(plain.buffer));
        const ofOther = new Float32Array(M * N);
        params.set(layout);
        addon.matmul(ofOther, a, other);
        expect(new Uint32Array(fromPanels.buffer), what).not.toEqual(new Uint32Array(ofOther.buffer));
      }
    });

    it("a write to the operand's storage drops its packing; the next products pack it again", () => {
      torch.set_num_threads(1);
      const backend = fresh();
      const random = rng(7);
      const b = operand(random, [300, 100], "transposed");
      const a = operand(random, [8, 300], "contiguous");
      const product = (): Uint32Array => {
        const out = contiguous([8, 100]);
        backend.matmul(out, a, b);
        return bits(out);
      };
      product();
      product();
      const before = product();
      expect(backend.packed.hits).toBe(1);
      write(b, 5, 3.5);
      const changed = product();
      expect(changed).not.toEqual(before);
      expect(backend.packed.hits).toBe(1);
      expect(product()).toEqual(changed);
      expect(backend.packed.packs).toBe(2);
      expect(product()).toEqual(changed);
      expect(backend.packed.hits).toBe(2);
      expectMatchesReference((o, x, y) => backend.matmul(o, x, y), a, b);
    });

    it("a layer at inference is packed; a training step (weights written each step) is not", () => {
      torch.set_num_threads(1);
      const packed = native.packed;
      torch.manual_seed(3);
      const layer = new torch.nn.Linear(200, 100);
      const x = torch.randn(16, 200);
      const hits = packed.hits;
      const packs = packed.packs;
      const outs = [0, 1, 2, 3].map(() => layer.forward(x));
      // TORCH_TS_BACKEND picks another backend in some CI runs: then nothing goes native.
      if (torch.backends.get_backend() === "native") {
        expect(packed.packs - packs).toBe(1);
        expect(packed.hits - hits).toBe(2);
      }
      for (const y of outs) expect(torch.equal(y, outs[0]!)).toBe(true);
      const opt = new torch.optim.SGD(layer.parameters(), { lr: 0.1 });
      const packsBefore = packed.packs;
      for (let step = 0; step < 4; step++) {
        opt.zero_grad();
        layer.forward(x).square().sum().backward();
        opt.step();
      }
      expect(packed.packs).toBe(packsBefore);
      // After the steps the weight is new: inference packs it again and matches an unpacked product.
      const y0 = layer.forward(x);
      layer.forward(x);
      const y2 = layer.forward(x);
      expect(torch.equal(y2, y0)).toBe(true);
      expect(torch.allclose(y2, x.matmul(layer.weight.detach().t().contiguous()).add(layer.bias!.detach()), { atol: 1e-5 })).toBe(true);
    });

    it("training on new inputs packs nothing and registers nothing per step", () => {
      torch.set_num_threads(1);
      const backend = fresh();
      const random = rng(19);
      const W = operand(random, [512, 300], "contiguous");
      const g = operand(random, [64, 512], "contiguous");
      const gT: StridedView = { ...g, shape: [512, 64], strides: [1, 512] };
      for (let step = 0; step < 20; step++) {
        const x = operand(random, [64, 300], "contiguous"); // 75 KiB, a new storage each step
        backend.matmul(contiguous([512, 300]), gT, x); // the weight gradient gᵀ·x
        write(W, step, 0.5); // the optimizer's step
        backend.matmul(contiguous([64, 300]), g, W); // g·W
      }
      expect(backend.packed.packs).toBe(0);
      expect(backend.packed.watched).toBe(0);
    });

    it("a B shared by every batch is packed; a batch of different B is not", () => {
      torch.set_num_threads(2);
      const backend = fresh();
      const random = rng(9);
      const shared = operand(random, [3, 200, 90], "transposed", { broadcast: [0] });
      const a = operand(random, [3, 5, 200], "contiguous");
      const runs = [0, 1, 2].map(() => {
        const out = contiguous([3, 5, 90]);
        backend.matmul(out, a, shared);
        return bits(out);
      });
      expect(backend.packed.hits).toBe(1);
      expect(runs[2]).toEqual(runs[0]);
      expectMatchesReference((o, x, y) => backend.matmul(o, x, y), a, shared);
      const own = operand(random, [3, 200, 90], "transposed");
      for (let i = 0; i < 3; i++) expectMatchesReference((o, x, y) => backend.matmul(o, x, y), a, own);
      expect(backend.packed.hits).toBe(2);
      expect(backend.packed.packs).toBe(1);
    });

    it("small operands are packed as the product runs; copies stay within the room, and idle ones make room", () => {
      torch.set_num_threads(1);
      const backend = fresh();
      const random = rng(11);
      const small = operand(random, [100, 100], "transposed");
      const a = operand(random, [4, 100], "contiguous");
      for (let i = 0; i < 3; i++) backend.matmul(contiguous([4, 100]), a, small);
      expect(backend.packed.packs).toBe(0);
      // 20 operands of 4 MiB each, two products each: 15 copies fill the 64 MiB.
      const K = 1024;
      const N = 1024;
      const copy = packedFloats(K, N) * 4;
      const fit = Math.floor(PACKED_CACHE_BYTES / copy);
      const big = [];
      for (let i = 0; i < 20; i++) big.push(operand(random, [K, N], "transposed"));
      const one = operand(random, [1, K], "contiguous");
      const product = (b: StridedView): void => backend.matmul(contiguous([1, N]), one, b);
      for (const b of big) for (let i = 0; i < 2; i++) product(b);
      expect(backend.packed.packs).toBe(fit);
      expect(backend.packed.heldBytes).toBe(fit * copy);
      // The ones that did not fit are not packed at the expense of copies in use: no copy is
      // made and dropped on every product when the operands in use exceed the room.
      for (let round = 0; round < 2; round++) for (const b of big) product(b);
      expect(backend.packed.packs).toBe(fit);
      expect(backend.packed.hits).toBe(2 * fit);
      // Once the others are idle (not used for 64 lookups), the one in use takes a place.
      const last = big[19]!;
      for (let i = 0; i < 70; i++) product(last);
      expect(backend.packed.packs).toBe(fit + 1);
      expect(backend.packed.heldBytes).toBeLessThanOrEqual(PACKED_CACHE_BYTES);
      const hits = backend.packed.hits;
      product(last);
      expect(backend.packed.hits).toBe(hits + 1);
    });

    it("TORCH_TS_CHECK_STAGED catches a storage written without a version bump", () => {
      expect(process.env.TORCH_TS_CHECK_STAGED, "vitest.config.ts sets it for the suite").toBe("1");
      torch.set_num_threads(1);
      const backend = fresh();
      const random = rng(13);
      const b = operand(random, [256, 128], "transposed");
      const a = operand(random, [2, 256], "contiguous");
      backend.matmul(contiguous([2, 128]), a, b);
      backend.matmul(contiguous([2, 128]), a, b);
      backend.matmul(contiguous([2, 128]), a, b);
      ((b.storage as JsStorage).data as Float32Array)[100] += 1;
      expect(() => backend.matmul(contiguous([2, 128]), a, b)).toThrow(/packed operand is stale/);
    });

    it("the addon checks a packed buffer's length and that B is one matrix", () => {
      const { params } = addon;
      const b = new Float32Array(40 * 20);
      // Too short wherever the array's data starts (the addon may skip up to 7 floats to align it).
      const short = new Float32Array(packedFloats(40, 20) - 8);
      params.set([40, 20, 0, 20, 1]);
      expect(() => addon.packB(short, b)).toThrow(new RangeError("torch-ts-native packB: dst has 1279 elements; a packed 40 x 20 B needs 1287"));
      params.set([40, 20, 0, 20, 1]);
      expect(() => addon.packB(new Float32Array(packedFloats(40, 20)), new Float32Array(10))).toThrow(RangeError);
      // Nothing to pack: K or N zero, any dst (K = 0 once divided by zero in the blocking).
      for (const [K, N] of [[0, 20], [40, 0], [0, 0]]) {
        params.set([K!, N!, 0, N!, 1]);
        expect(addon.packB(new Float32Array(0), new Float32Array(0))).toBe(0);
      }
      const put = (layout: number[]): void => params.set(layout);
      const out = new Float32Array(3 * 20);
      const a = new Float32Array(3 * 40);
      // [nd, M, N, K, offA, aRow, aCol, offB, bRow, bCol, offOut, oRow, oCol]
      put([2, 3, 20, 40, 0, 40, 1, 0, 20, 1, 0, 20, 1]);
      expect(() => addon.matmul(out, a, b, short)).toThrow(/^torch-ts-native matmul: packed has \d+ elements; a packed 40 x 20 b needs 1287$/);
      put([2, 3, 20, 40, 0, 40, 1, 0, 20, 1, 0, 20, 1]);
      expect(() => addon.matmul(out, a, b, new Float32Array(0))).toThrow(/packed has 0 elements/);
      put([2, 3, 20, 40, 0, 40, 1, 0, 20, 1, 0, 20, 1]);
      expect(() => addon.matmul(out, a, b, new Float64Array(2000) as unknown as Float32Array)).toThrow(TypeError);
      // Two batches with their own B.
      const out2 = new Float32Array(2 * 3 * 20);
      const a2 = new Float32Array(2 * 3 * 40);
      const b2 = new Float32Array(2 * 40 * 20);
      put([3, 2, 3, 20, 40, 0, 120, 40, 1, 0, 800, 20, 1, 0, 60, 20, 1]);
      expect(() => addon.matmul(out2, a2, b2, new Float32Array(packedFloats(40, 20)))).toThrow(/batch stride 0 is 800/);
    });
  });
}
