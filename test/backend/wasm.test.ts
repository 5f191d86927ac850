// The WebAssembly GEMM against the JS reference: both kernel builds, random shapes, every operand
// layout, batches with broadcast strides, the blocking boundaries, and the dispatch around it.

import { describe, expect, it } from "vitest";
import type { StridedView } from "../../src/backend/backend.js";
import { jsBackend } from "../../src/backend/js/index.js";
import type { JsStorage } from "../../src/backend/js/storage.js";
import { compileGemm, isVariantAvailable, type GemmModule } from "../../src/backend/wasm/loader.js";
import { WasmMatmul } from "../../src/backend/wasm/matmul.js";
import { createWasmBackend, MIN_ELEMENTS, MIN_WORK } from "../../src/backend/wasm/index.js";
import { float32, float64 } from "../../src/tensor/dtype.js";
import {
  contiguous, elements, expectMatchesReference, expectWritesThroughStrides, layouts, operand, rng, type Layout,
} from "./wasm_testing.js";

// Node 20 needs a V8 flag for relaxed SIMD, which the loader sets; Node 22+ has it on.
const builds: GemmModule["variant"][] = ["simd", "relaxed_simd"];

describe.each(builds)("wasm GEMM, %s build", (variant) => {
  const module = compileGemm(variant);
  if (!module && variant === "relaxed_simd" && process.env.TORCH_TS_WASM_RELAXED_SIMD === "0") {
    it.skip("TORCH_TS_WASM_RELAXED_SIMD=0 leaves Node 20's relaxed-SIMD flag off", () => {});
    return;
  }
  it("compiles on this Node", () => {
    expect(isVariantAvailable(variant)).toBe(true);
    expect(module?.variant).toBe(variant);
  });
  if (!module) return;
  const gemm = new WasmMatmul(module);
  const run = (out: StridedView, a: StridedView, b: StridedView): void => gemm.run(out, a, b);

  it("matches JS on 60 random shapes (1..130 each) and layouts", () => {
    const random = rng(variant === "simd" ? 1 : 2);
    const dim = (): number => 1 + Math.floor(random() * 130);
    for (let t = 0; t < 60; t++) {
      const [M, N, K] = [dim(), dim(), dim()];
      const la = layouts[Math.floor(random() * layouts.length)]!;
      const lb = layouts[Math.floor(random() * layouts.length)]!;
      expectMatchesReference(run, operand(random, [M, K], la), operand(random, [K, N], lb));
    }
  });

  it.each([
    [1, 1, 1], [1, 50, 70], [50, 1, 70], [70, 50, 1], [1, 1, 300], [3, 5, 7], [4, 8, 4], [5, 9, 3],
    [4, 8, 256], [7, 13, 257], [9, 17, 513], [96, 8, 16], [97, 9, 5], [193, 20, 11],
    [3, 2049, 5], [2, 2050, 260],
  ])("tails and block edges: %i x %i x %i", (M, N, K) => {
    const random = rng(M * 10007 + N * 101 + K);
    for (const [la, lb] of [["contiguous", "contiguous"], ["contiguous", "transposed"], ["transposed", "stepped"]] as [Layout, Layout][]) {
      expectMatchesReference(run, operand(random, [M, K], la), operand(random, [K, N], lb));
    }
  });

  // x·Wᵀ on up to 12 rows runs as dot products along W's rows (assembly/dots.ts), four rows at a
  // time, in blocks of 6 × 1, 2 × 4 and 4 × 2 outputs: row and column counts around those blocks,
  // K with and without a K % 4 tail, rows of x and of W further apart than K. Each output is
  // summed in one order there, so a row's result is the one it gets alone.
  it("x·Wᵀ on 1 to 13 rows: the dot kernels' blocks and tails, each row summed as alone", () => {
    const random = rng(variant === "simd" ? 31 : 32);
    for (let M = 1; M <= 13; M++) {
      for (const N of [1, 2, 3, 5, 6, 7, 9, 12, 13]) {
        for (const K of [1, 3, 4, 7, 33, 786]) {
          const a = operand(random, [M, K], (M + N) % 2 ? "contiguous" : "narrowed");
          const w = operand(random, [N, K], (N + K) % 2 ? "contiguous" : "narrowed");
          const b: StridedView = { ...w, shape: [K, N], strides: [1, w.strides[0]!] };
          const out = contiguous([M, N]);
          expectMatchesReference(run, a, b, out);
          // One row seen M times (row stride 0), and one row of W seen N times.
          if (M === 3 || M === 9) expectMatchesReference(run, { ...a, strides: [0, 1] }, { ...b, strides: [1, 0] });
          // (13 rows are packed: their sums run in another order.)
          const rows = elements(out);
          for (let i = 0; i < (M <= 12 ? M : 0); i++) {
            const one = contiguous([1, N]);
            run(one, { ...a, shape: [1, K], offset: a.offset + i * a.strides[0]! }, b);
            const got = elements(one);
            const want = rows.slice(i * N, (i + 1) * N);
            const at = want.findIndex((v, j) => !Object.is(v, got[j]));
            expect(at, at < 0 ? "" : `${M}x${N}x${K}, row ${i}, column ${at}: ${got[at]} alone, ${want[at]} among ${M}`).toBe(-1);
          }
        }
      }
    }
  });

  // One or two rows times a row-major B (x·W, the gradient g·W) run their own kernel
  // (assembly/rows.ts), which must give each row the bits the packed kernel gives it among more
  // rows: column counts around its blocks of 24 and 16 and its vector and single-column tails,
  // several blocks of k (K past 256), A read through any strides, rows of B further apart than N.
  it("one or two rows times a row-major B: each row's bits are the packed product's", () => {
    const random = rng(variant === "simd" ? 41 : 42);
    for (const N of [1, 3, 4, 5, 16, 17, 24, 25, 31, 50]) {
      for (const K of [1, 5, 256, 300, 600]) {
        const many = operand(random, [7, K], (N + K) % 3 === 0 ? "transposed" : N % 2 ? "contiguous" : "narrowed");
        // (Narrowed for one column: a contiguous [K, 1] has both strides 1 and takes the dot path.)
        const b = operand(random, [K, N], K % 2 && N > 1 ? "contiguous" : "narrowed");
        const all = contiguous([7, N]);
        expectMatchesReference(run, many, b, all);
        const want = elements(all);
        for (const [first, M] of [[0, 1], [3, 1], [6, 1], [0, 2], [4, 2], [5, 2]] as const) {
          const rows = { ...many, shape: [M, K], offset: many.offset + first * many.strides[0]! };
          const out = contiguous([M, N]);
          run(out, rows, b);
          const got = elements(out);
          const at = got.findIndex((v, i) => !Object.is(v, want[first * N + i]));
          expect(at, at < 0 ? "" : `${M} rows from ${first}, ${N} x ${K}: element ${at} is ${got[at]}, ${want[first * N + at]} among 7`).toBe(-1);
        }
      }
    }
  });

  it("K = 0 writes zeros; an empty output is left alone", () => {
    const random = rng(3);
    const out = contiguous([3, 4], float32, NaN);
    run(out, operand(random, [3, 0], "contiguous"), operand(random, [0, 4], "contiguous"));
    expect(elements(out)).toEqual(new Array(12).fill(0));
    const empty = contiguous([0, 4]);
    run(empty, operand(random, [0, 5], "contiguous"), operand(random, [5, 4], "contiguous"));
    expect(empty.shape).toEqual([0, 4]);
  });

  it("broadcast rows and columns (zero strides inside the matrices)", () => {
    const random = rng(4);
    const a = operand(random, [1, 40], "contiguous");
    const b = operand(random, [40, 1], "contiguous");
    expectMatchesReference(run, { ...a, shape: [30, 40], strides: [0, 1] }, { ...b, shape: [40, 20], strides: [1, 0] });
  });

  it("batched, with broadcast batch strides and every layout", () => {
    const random = rng(5);
    for (let t = 0; t < 16; t++) {
      const batch = [1 + Math.floor(random() * 3), 1 + Math.floor(random() * 4)];
      const [M, N, K] = [1 + Math.floor(random() * 40), 1 + Math.floor(random() * 40), 1 + Math.floor(random() * 40)];
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
  });

  it("a shared B with contiguous batches of A runs as one tall product", () => {
    const random = rng(6);
    expectMatchesReference(
      run,
      operand(random, [3, 5, 33, 19], "contiguous"),
      operand(random, [3, 5, 19, 21], "transposed", { broadcast: [0, 1] }),
    );
  });

  it("writes a non-contiguous output through its strides, leaving the rest of its storage", () => {
    expectWritesThroughStrides(run, rng(7), 30);
  });

  it("keeps a large B staged from its second product on and copies it again once its storage is written", () => {
    const random = rng(9);
    const b = operand(random, [300, 200], "transposed"); // 240 KB: kept
    const hits = gemm.stagedHits;
    expectMatchesReference(run, operand(random, [5, 300], "contiguous"), b); // seen
    expectMatchesReference(run, operand(random, [70, 300], "contiguous"), b); // kept
    expect(gemm.stagedHits - hits).toBe(0);
    // Another view of the same span (W itself rather than Wᵀ) reuses it.
    const w = { ...b, shape: [200, 300], strides: [b.strides[1]!, b.strides[0]!] };
    expectMatchesReference(run, operand(random, [7, 200], "contiguous"), w);
    expect(gemm.stagedHits - hits).toBe(1);
    // A write (any in-place op bumps its storage's version): copied again, the new values used.
    const data = (b.storage as JsStorage).data as Float32Array;
    data[b.offset + 17] = 3.5;
    b.storage.version++;
    expectMatchesReference(run, operand(random, [9, 300], "contiguous"), b);
    expect(gemm.stagedHits - hits).toBe(1);
    expectMatchesReference(run, operand(random, [9, 300], "contiguous"), b);
    expect(gemm.stagedHits - hits).toBe(2);
    // Operands seen once (activations: a new storage each step) do not push it out, however
    // many; operands under 64 KiB are never kept.
    for (let t = 0; t < 40; t++) expectMatchesReference(run, operand(random, [3, 300], "contiguous"), operand(random, [300, 220], "contiguous"));
    const small = operand(random, [40, 30], "contiguous");
    for (let t = 0; t < 3; t++) expectMatchesReference(run, operand(random, [6, 40], "contiguous"), small);
    expectMatchesReference(run, operand(random, [2, 300], "contiguous"), b);
    expect(gemm.stagedHits - hits).toBe(3);
  });

  it("more kept operands than it has room for: all dropped and kept afresh, every product right", () => {
    const random = rng(10);
    const operands = Array.from({ length: 20 }, () => operand(random, [256, 256], "contiguous")); // 256 KiB each
    for (let round = 0; round < 3; round++) {
      for (const b of operands) expectMatchesReference(run, operand(random, [4, 256], "contiguous"), b);
    }
    const big = operand(random, [2048, 2048], "transposed"); // 16 MiB: two fill the room
    const big2 = operand(random, [2048, 2048], "contiguous");
    for (let round = 0; round < 3; round++) {
      expectMatchesReference(run, operand(random, [2, 2048], "contiguous"), big);
      expectMatchesReference(run, operand(random, [2, 2048], "contiguous"), big2);
      expectMatchesReference(run, operand(random, [2, 256], "contiguous"), operands[round]!);
    }
  });

  it("re-makes its views after the memory grows, and after a large product drops it", () => {
    const random = rng(8);
    expectMatchesReference(run, operand(random, [8, 8], "contiguous"), operand(random, [8, 8], "contiguous"));
    expectMatchesReference(run, operand(random, [300, 200], "contiguous"), operand(random, [200, 250], "transposed"));
    // 4096 x 4096 output: 64 MiB of staging, past what the backend keeps between calls.
    const a = operand(random, [4096, 3], "contiguous");
    const b = operand(random, [3, 4096], "transposed");
    const out = contiguous([4096, 4096]);
    gemm.run(out, a, b);
    const [x, y, o] = [(a.storage as JsStorage).data, (b.storage as JsStorage).data, (out.storage as JsStorage).data];
    for (let t = 0; t < 200; t++) {
      const [i, j] = [Math.floor(random() * 4096), Math.floor(random() * 4096)];
      let want = 0;
      for (let k = 0; k < 3; k++) want += (x[i * 3 + k] as number) * (y[j * 3 + k] as number);
      expect(Math.abs((o[i * 4096 + j] as number) - want)).toBeLessThanOrEqual(1e-5 * 3);
    }
    expectMatchesReference(run, operand(random, [20, 30], "transposed"), operand(random, [30, 10], "contiguous"));
  });
});

describe("wasm backend dispatch", () => {
  const module = compileGemm("simd")!;
  const backend = createWasmBackend(module, "wasm-test");

  it("allocates JS storage that it owns, so ops dispatch back to it", () => {
    const s = backend.allocate(float32, 6);
    expect(s.backend).toBe(backend);
    expect((s as JsStorage).data).toBeInstanceOf(Float32Array);
  });

  it("says where its own matmul runs: float32 at or above MIN_WORK multiply-adds", () => {
    expect(backend.supports("matmul", float32, [8, 8, 8])).toBe(true);
    expect(backend.supports("matmul", float32, [4, 3, 2])).toBe(false);
    expect(backend.supports("matmul", float32, [MIN_WORK - 1])).toBe(false);
    expect(backend.supports("matmul", float32, [MIN_WORK])).toBe(true);
    expect(backend.supports("matmul", float32, [2, 64, 64, 64])).toBe(true);
    expect(backend.supports("matmul", float64, [64, 64, 64])).toBe(false);
  });

  it("says where its elementwise kernels run: float32 unary, binary and reduce from MIN_ELEMENTS", () => {
    expect(backend.supports("binary", float32, [1 << 20])).toBe(true);
    expect(backend.supports("reduce", float32, [MIN_ELEMENTS])).toBe(true);
    expect(backend.supports("unary", float32, [MIN_ELEMENTS - 1])).toBe(false);
    expect(backend.supports("binary", float64, [1 << 20])).toBe(false);
    expect(backend.supports("gather", float32, [1 << 20])).toBe(false);
  });

  it("float64 products fall back to the JS kernel, bit for bit", () => {
    const random = rng(9);
    const a = operand(random, [70, 60], "transposed", { dtype: float64 });
    const b = operand(random, [60, 50], "contiguous", { dtype: float64 });
    const [got, want] = [contiguous([70, 50], float64), contiguous([70, 50], float64)];
    backend.matmul(got, a, b);
    jsBackend.matmul(want, a, b);
    expect(elements(got)).toEqual(elements(want));
  });

  it("small and large float32 products both match JS through the backend", () => {
    const random = rng(10);
    const run = (out: StridedView, a: StridedView, b: StridedView): void => backend.matmul(out, a, b);
    expectMatchesReference(run, operand(random, [4, 2], "contiguous"), operand(random, [2, 3], "transposed"));
    expectMatchesReference(run, operand(random, [64, 78], "contiguous"), operand(random, [78, 51], "transposed"));
  });

  it("a module still compiling leaves products on JS until it is ready", async () => {
    let resolve!: (m: GemmModule) => void;
    const pending = createWasmBackend(new Promise<GemmModule>((r) => (resolve = r)), "wasm-pending");
    expect(pending.variant).toBeNull();
    expect(pending.supports("matmul", float32, [64, 64, 64])).toBe(false);
    const random = rng(11);
    const run = (out: StridedView, a: StridedView, b: StridedView): void => pending.matmul(out, a, b);
    expectMatchesReference(run, operand(random, [40, 40], "contiguous"), operand(random, [40, 40], "contiguous"));
    resolve(module);
    await pending.ready;
    expect(pending.variant).toBe("simd");
    expect(pending.supports("matmul", float32, [64, 64, 64])).toBe(true);
    expectMatchesReference(run, operand(random, [40, 40], "contiguous"), operand(random, [40, 40], "contiguous"));
  });
});
