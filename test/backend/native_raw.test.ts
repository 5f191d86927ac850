// The raw torch-ts-native exports, called as a user of the package could call them: with wrong
// argument counts and types, params that are too short, not integers, out of range or that walk
// outside the arrays, before init, with huge and zero sizes. Each call must throw a TypeError or
// RangeError naming the function, touch nothing, and leave the process working
// (native_raw_fuzz.test.ts tries random layouts).

import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import type { StridedView } from "../../src/backend/backend.js";
import { createNativeBackend, nativeBackend } from "../../src/backend/native/index.js";
import { describeNativeMissing } from "../harness/native_missing.js";
import type { NativeAddon } from "../../src/backend/native/loader.js";
import { float32 } from "../../src/tensor/dtype.js";
import { refuses, setter, type Kind } from "./native_raw_testing.js";

if (nativeBackend === null) {
  describeNativeMissing("raw torch-ts-native exports");
} else {
  const addon: NativeAddon = nativeBackend.addon;
  const params = addon.params;
  const set = setter(addon);
  const f32 = (n: number): Float32Array => new Float32Array(n);

  describe("raw torch-ts-native exports refuse bad arguments", () => {
    it("binary: argument count and types", () => {
      set(0, 1, 4, 0, 1, 0, 1, 0, 1);
      refuses("binary", TypeError, () => (addon.binary as (...a: unknown[]) => void)(f32(4), f32(4)), /expected 3 arguments \(out, a, b\), got 2/);
      refuses("binary", TypeError, () => (addon.binary as (...a: unknown[]) => void)(), /got 0/);
      refuses("binary", TypeError, () => addon.binary(new Float64Array(4) as never, f32(4), f32(4)), /out must be a Float32Array, got Float64Array/);
      refuses("binary", TypeError, () => addon.binary(f32(4), new Uint8Array(16) as never, f32(4)), /a must be a Float32Array, got Uint8Array/);
      refuses("binary", TypeError, () => addon.binary(f32(4), f32(4), [1, 2, 3, 4] as never), /b must be a Float32Array, got an Array/);
      refuses("binary", TypeError, () => addon.binary(f32(4), f32(4), new DataView(new ArrayBuffer(16)) as never), /got a DataView/);
      refuses("binary", TypeError, () => addon.binary(f32(4), undefined as never, f32(4)), /got undefined/);
    });

    it("binary: every size, stride, offset and op code checked", () => {
      const [o, a, b] = [f32(12), f32(12), f32(12)];
      const call = (): void => addon.binary(o, a, b);
      for (const [bad, detail] of [
        [[0, 17], /params\[1\] \(nd\) must be an integer in \[0, 16\], got 17/],
        [[0, -1], /\(nd\).*got -1/],
        [[0, 1.5], /\(nd\).*got 1\.5/],
        [[0, 1, 2.5, 0, 1, 0, 1, 0, 1], /params\[2\] \(the size of dim 0\) must be an integer in \[0, 2\^53 - 1\], got 2\.5/],
        [[0, 1, NaN, 0, 1, 0, 1, 0, 1], /size of dim 0.*got NaN/],
        [[0, 1, Infinity, 0, 1, 0, 1, 0, 1], /size of dim 0.*got Infinity/],
        [[0, 1, -3, 0, 1, 0, 1, 0, 1], /size of dim 0.*got -3/],
        [[0, 1, 2 ** 53, 0, 1, 0, 1, 0, 1], /size of dim 0/],
        [[0, 1, 4, -1, 1, 0, 1, 0, 1], /params\[3\] \(out's offset\).*got -1/],
        [[0, 1, 4, 0, 1, 0.5, 1, 0, 1], /\(a's offset\).*got 0\.5/],
        [[0, 1, 4, 0, 1, 0, 1, 0, NaN], /params\[8\] \(b's stride along dim 0\).*got NaN/],
        [[7, 1, 4, 0, 1, 0, 1, 0, 1], /params\[0\] \(op\) must be an integer in \[0, 6\], got 7/],
        [[-1, 1, 4, 0, 1, 0, 1, 0, 1], /\(op\)/],
        [[0, 1, 13, 0, 1, 0, 1, 0, 1], /out \(Float32Array of 12 elements\) is too short for the view it was given \(needs 13\)/],
        [[0, 1, 4, 9, 1, 0, 1, 0, 1], /out .*needs 13/],
        [[0, 2, 3, 4, 0, 5, 1, 0, 4, 1, 0, 4, 1], /out .*needs 14/],
        [[0, 1, 4, 0, 1, 0, 1, 2, -1], /b \(Float32Array of 12 elements\): the view it was given starts before the array \(reaches element -1\)/],
        [[0, 2, 2 ** 52, 2, 0, 2 ** 52, 1, 0, 0, 1, 0, 0, 1], /out .*reaches past element 2\^63/],
        [[0, 1, 4, 0, 0, 0, 1, 0, 1], /out's view writes elements more than once \(stride 0 along dim 0 of size 4\)/],
        [[0, 2, 2 ** 40, 2 ** 40, 0, 1, 1, 0, 0, 0, 0, 0, 0], /out .*too short/],
        [[0, 2, 4, 4, 0, 1, 1, 0, 0, 0, 0, 0, 0], /out's view has 16 elements, more than its 12/],
      ] as [number[], RegExp][]) {
        set(...bad);
        o.fill(5);
        refuses("binary", RangeError, call, detail);
        expect(o.every((v) => v === 5), `${bad} wrote before throwing`).toBe(true);
      }
      // The process carries on: a good call computes.
      a.fill(2);
      b.fill(3);
      set(2, 1, 12, 0, 1, 0, 1, 0, 1);
      call();
      expect(Array.from(o)).toEqual(new Array(12).fill(6));
    });

    it("zero-size shapes do nothing (even with offsets and strides that would leave the arrays)", () => {
      const [o, a, b] = [f32(4).fill(7), f32(4), f32(4)];
      set(0, 2, 3, 0, 99, 1, 1, 99, -5, 0, 99, 1, 1);
      addon.binary(o, a, b);
      set(0, 2, 0, 5, 99, 1, 1, 99, 1, 7);
      addon.unary(o, a);
      addon.copy(o, a);
      set(1, 1, 0, 1000, 1);
      addon.fill(o);
      expect(Array.from(o)).toEqual([7, 7, 7, 7]);
      // nd 0 is one element at the offset.
      set(1, 0, 3);
      addon.fill(o);
      expect(Array.from(o)).toEqual([7, 7, 7, 1]);
      set(1, 0, 4);
      refuses("fill", RangeError, () => addon.fill(o), /needs 5/);
    });

    it("unary, copy and fill", () => {
      set(6, 1, 4, 0, 1, 0, 1);
      refuses("unary", RangeError, () => addon.unary(f32(4), f32(4)), /\(op\) must be an integer in \[0, 5\], got 6/);
      refuses("unary", TypeError, () => (addon.unary as (...a: unknown[]) => void)(f32(4)), /expected 2 arguments \(out, a\), got 1/);
      set(0, 1, 5, 0, 1, 0, 1);
      refuses("unary", RangeError, () => addon.unary(f32(5), f32(4)), /a \(Float32Array of 4 elements\) is too short.*needs 5/);
      refuses("copy", RangeError, () => addon.copy(f32(4), f32(5)), /out .*needs 5/);
      refuses("copy", TypeError, () => addon.copy(f32(5), new Int32Array(5) as never), /a must be a Float32Array, got Int32Array/);
      refuses("fill", TypeError, () => addon.fill(new Float64Array(5) as never), /out must be a Float32Array/);
      // A fill runs on one thread: a zero stride is allowed while the array holds as many elements.
      const o = f32(4);
      set(2, 1, 4, 1, 0);
      addon.fill(o);
      expect(Array.from(o)).toEqual([0, 2, 0, 0]);
      set(2, 1, 5, 1, 0);
      refuses("fill", RangeError, () => addon.fill(o), /out's view has 5 elements, more than its 4/);
    });

    it("matmul: rank, every view (batch dims, rows and columns of a, b and out), K", () => {
      // (2, 2) · (2, 2): [nd, M, N, K, offA, aRow, aCol, offB, bRow, bCol, offOut, oRow, oCol]
      const good = [2, 2, 2, 2, 0, 2, 1, 0, 2, 1, 0, 2, 1];
      const a = Float32Array.from([1, 2, 3, 4]);
      const b = Float32Array.from([5, 6, 7, 8]);
      const out = f32(4);
      set(...good);
      addon.matmul(out, a, b);
      expect(Array.from(out)).toEqual([19, 22, 43, 50]);
      const bad = (layout: number[], kind: Kind, detail: RegExp, arrays: [Float32Array, Float32Array, Float32Array] = [out, a, b]): void => {
        set(...layout);
        refuses("matmul", kind, () => addon.matmul(...arrays), detail);
      };
      bad([1, 2], RangeError, /params\[0\] \(nd\) must be an integer in \[2, 16\], got 1/);
      bad([17], RangeError, /\(nd\)/);
      bad([2, 2, 2, 2.5, 0, 2, 1, 0, 2, 1, 0, 2, 1], RangeError, /params\[3\] \(K\).*got 2\.5/);
      bad([2, 2, 2, 2, 0, 2, 1, 0, 2, 1, 0, 2, NaN], RangeError, /params\[12\] \(out's stride along dim 1\)/);
      bad([2, 2, 2, 3, 0, 2, 1, 0, 2, 1, 0, 2, 1], RangeError, /a \(Float32Array of 4 elements\) is too short.*needs 5/);
      bad([2, 2, 2, 2, 0, 2, 1, 0, 1, 2, 0, 2, 1], RangeError, /b .*needs 4|b .*too short/, [out, a, f32(3)]);
      bad([2, 2, 2, 2, 0, 2, 1, 0, 2, -1, 0, 2, 1], RangeError, /b .*starts before the array/);
      bad(good, RangeError, /out \(Float32Array of 3 elements\) is too short.*needs 4/, [f32(3), a, b]);
      bad([2, 2, 2, 2, 0, 2, 1, 0, 2, 1, 0, 0, 1], RangeError, /out's view writes elements more than once \(stride 0 along dim 0 of size 2\)/);
      bad([2, 2, 2, 1000, 0, 0, 0, 0, 0, 0, 0, 2, 1], RangeError, /K = 1000 exceeds both a's 4 and b's 4 elements/);
      bad(good, TypeError, /a must be a Float32Array, got Float64Array/, [out, new Float64Array(4) as never, b]);
      // Batches: (3, 2, 2) with a's batch stride walking past its 12 elements.
      const a3 = f32(12);
      bad([3, 3, 2, 2, 2, 0, 5, 2, 1, 0, 0, 2, 1, 0, 4, 2, 1], RangeError, /a \(Float32Array of 12 elements\) is too short.*needs 14/, [f32(12), a3, b]);
      bad([3, 3, 2, 2, 2, 0, 4, 2, 1, 0, 0, 2, 1, 0, 0, 2, 1], RangeError, /out's view writes elements more than once \(stride 0 along dim 0 of size 3\)/, [f32(12), a3, b]);
      // K = 0: out is zeroed, a and b (empty) are not looked at.
      set(2, 2, 2, 0, 1e9, 1, 1, 1e9, 1, 1, 0, 2, 1);
      out.fill(9);
      addon.matmul(out, a, b);
      expect(Array.from(out)).toEqual([0, 0, 0, 0]);
    });

    it("sum", () => {
      const out = f32(3);
      set(0, 0, 3, 2, 1);
      addon.sum(out, Float32Array.from([1, 2, 3, 4, 5, 6]));
      expect(Array.from(out)).toEqual([3, 7, 11]);
      set(0, 0, 3, 2, 1);
      refuses("sum", RangeError, () => addon.sum(out, f32(5)), /a \(Float32Array of 5 elements\) is too short.*needs 6/);
      set(1, 0, 3, 2, 1);
      refuses("sum", RangeError, () => addon.sum(out, f32(6)), /out .*needs 4/);
      set(0, 0, 2 ** 40, 2 ** 40, 2 ** 40);
      refuses("sum", RangeError, () => addon.sum(out, f32(6)), /overflows int64/);
      set(0, -1, 3, 2, 1);
      refuses("sum", RangeError, () => addon.sum(out, f32(6)), /params\[1\] \(a's offset\)/);
      // reduced = 0: zeros, whatever a is.
      set(0, 1e6, 3, 0, 1);
      out.fill(4);
      addon.sum(out, f32(0));
      expect(Array.from(out)).toEqual([0, 0, 0]);
    });

    it("sgd and adam: ranges, flags, overlap; unused buffers are not looked at", () => {
      const p = f32(4);
      // [n, offP, offG, offBuf, wd, momentum, oneMinusDamp, negLr, flags]
      set(4, 0, 0, 0, 0, 0, 1, -0.5, 0);
      addon.sgd(p, Float32Array.from([2, 4, 6, 8]), f32(0));
      expect(Array.from(p)).toEqual([-1, -2, -3, -4]);
      set(4, 0, 0, 0, 0, 0.9, 1, -0.5, 2);
      refuses("sgd", RangeError, () => addon.sgd(p, f32(4), f32(3)), /buf \(Float32Array of 3 elements\) is too short.*needs 4/);
      set(4, 0, 1, 0, 0, 0, 1, -0.5, 0);
      refuses("sgd", RangeError, () => addon.sgd(p, f32(4), p), /grad .*needs 5/);
      set(4, 0, 0, 0, 0, 0, 1, -0.5, 64);
      refuses("sgd", RangeError, () => addon.sgd(p, f32(4), p), /params\[8\] \(flags\) must be an integer in \[0, 63\], got 64/);
      set(4, 0, 0, 0, 0, 0, 1, -0.5, 0);
      const shared = f32(8);
      refuses("sgd", RangeError, () => addon.sgd(shared, shared.subarray(2), p), /param and grad overlap/);
      refuses("sgd", TypeError, () => (addon.sgd as (...a: unknown[]) => void)(p, p), /expected 3 arguments/);
      // [n, offP, offG, offM, offV, offVmax, shrink, wd, w, oneMinusW, beta2, value, bc2, eps, negStep, flags]
      const adam = [4, 0, 0, 0, 0, 0, 1, 0, 0.1, 0.9, 0.999, 0.001, 1, 1e-8, -0.001];
      set(...adam, 16);
      refuses("adam", RangeError, () => addon.adam(f32(4), f32(4), f32(4), f32(4), f32(2)), /maxExpAvgSq .*needs 4/);
      set(...adam, 0);
      addon.adam(f32(4), f32(4), f32(4), f32(4), f32(0));
      set(...adam, 32);
      refuses("adam", RangeError, () => addon.adam(f32(4), f32(4), f32(4), f32(4), f32(4)), /\(flags\).*\[0, 31\], got 32/);
      set(...adam, 0);
      refuses("adam", TypeError, () => addon.adam(f32(4), f32(4), f32(4), new Uint32Array(4) as never, f32(4)), /expAvgSq must be a Float32Array, got Uint32Array/);
      refuses("adam", RangeError, () => addon.adam(f32(4), f32(3), f32(4), f32(4), f32(4)), /grad .*needs 4/);
    });

    it("mtFill and mtBernoulli: the state, the out type, the generator position", () => {
      const state = new Uint32Array(624).fill(1);
      set(1, 623);
      addon.mtFill(state, new Uint32Array(3));
      // A twist, then words 0, 1, 2 of the new block.
      expect([params[0], params[1]]).toEqual([622, 3]);
      refuses("mtFill", RangeError, () => addon.mtFill(new Uint32Array(623), new Uint32Array(3)), /state must hold 624 words, got 623/);
      refuses("mtFill", TypeError, () => addon.mtFill(new Int32Array(624) as never, new Uint32Array(3)), /state must be a Uint32Array, got Int32Array/);
      refuses("mtFill", TypeError, () => addon.mtFill(state, f32(3) as never), /out must be a Uint32Array, got Float32Array/);
      refuses("mtBernoulli", TypeError, () => addon.mtBernoulli(state, new Uint32Array(3) as never), /out must be a Float32Array, got Uint32Array/);
      for (const [left, next, detail] of [
        [0, 0, /params\[0\] \(left\) must be an integer in \[1, 624\], got 0/],
        [625, 0, /\(left\)/],
        [NaN, 0, /\(left\).*got NaN/],
        [1, 624.5, /params\[1\] \(next\)/],
        [10, 620, /no generator is at position left 10, next 620/],
      ] as [number, number, RegExp][]) {
        set(left, next);
        refuses("mtFill", RangeError, () => addon.mtFill(state, new Uint32Array(3)), detail);
      }
    });

    it("init, setThreads and avx2 check theirs; a call reads no further than the registered params", () => {
      const threads = addon.threads();
      refuses("init", TypeError, () => addon.init(new Float64Array(80), 1), /params must be a Float64Array on a SharedArrayBuffer/);
      refuses("init", TypeError, () => addon.init(new Float32Array(new SharedArrayBuffer(320)) as never, 1), /params must be a Float64Array, got Float32Array/);
      refuses("init", RangeError, () => addon.init(params, 0), /threads must be an integer in \[1, 64\], got 0/);
      refuses("init", TypeError, () => addon.init(params, "2" as never), /threads must be a number, got a string/);
      refuses("setThreads", RangeError, () => addon.setThreads(1e6), /\[1, 64\], got 1000000/);
      refuses("setThreads", RangeError, () => addon.setThreads(1.5), /got 1\.5/);
      refuses("avx2", TypeError, () => addon.avx2("yes" as never), /on must be a boolean, got a string/);
      expect(addon.threads()).toBe(threads);
      // A failed init kept the registration; a short one is what later calls may read.
      const short = new Float64Array(new SharedArrayBuffer(4 * 8));
      try {
        addon.init(short, threads);
        refuses("binary", RangeError, () => addon.binary(f32(4), f32(4), f32(4)), /params \(the Float64Array registered by init\) has 4 elements, the call reads 5/);
        short.set([0, 1]);
        refuses("binary", RangeError, () => addon.binary(f32(4), f32(4), f32(4)), /has 4 elements, the call reads 9/);
        refuses("adam", RangeError, () => addon.adam(f32(4), f32(4), f32(4), f32(4), f32(4)), /reads 16/);
        refuses("matmul", RangeError, () => addon.matmul(f32(4), f32(4), f32(4)), /\(nd\)/);
      } finally {
        addon.init(params, threads);
      }
      set(0, 1, 2, 0, 1, 0, 1, 0, 1);
      const out = f32(2);
      addon.binary(out, Float32Array.from([1, 2]), Float32Array.from([3, 4]));
      expect(Array.from(out)).toEqual([4, 6]);
    });

    it("before init (a fresh worker thread) every kernel throws; the worker lives on", async () => {
      const path = new URL("../../packages/native/index.js", import.meta.url).pathname;
      const code = `
        const { parentPort } = require("node:worker_threads");
        const addon = require(${JSON.stringify(path)});
        const f = () => new Float32Array(4);
        const seen = [];
        for (const [name, call] of [
          ["binary", () => addon.binary(f(), f(), f())], ["unary", () => addon.unary(f(), f())],
          ["copy", () => addon.copy(f(), f())], ["fill", () => addon.fill(f())], ["sum", () => addon.sum(f(), f())],
          ["matmul", () => addon.matmul(f(), f(), f())], ["sgd", () => addon.sgd(f(), f(), f())],
          ["adam", () => addon.adam(f(), f(), f(), f(), f())], ["mtFill", () => addon.mtFill(new Uint32Array(624), new Uint32Array(2))],
          ["mtBernoulli", () => addon.mtBernoulli(new Uint32Array(624), f())],
        ]) {
          try { call(); seen.push(name + ": no error"); } catch (e) { seen.push(e.constructor.name + " " + e.message); }
        }
        parentPort.postMessage(seen);`;
      const seen = await new Promise<string[]>((resolve, reject) => {
        const worker = new Worker(code, { eval: true });
        worker.once("message", (m: string[]) => void worker.terminate().then(() => resolve(m)));
        worker.once("error", reject);
      });
      expect(seen).toHaveLength(10);
      for (const line of seen) expect(line).toMatch(/^TypeError torch-ts-native \w+: init\(params, threads\) has not been called in this thread$/);
    });
  });

  describe("the TS backend keeps what the addon refuses on its JS kernels", () => {
    const eager = createNativeBackend(addon, "native-raw-eager", { minElements: 0, minWork: 0 });
    const storage = (values: number[]): StridedView["storage"] => {
      const s = eager.allocate(float32, values.length);
      (s as unknown as { data: Float32Array }).data.set(values);
      return s;
    };
    it("an out with more elements than its storage (as_strided), and a product broadcast along K in both operands", () => {
      const o = storage([0, 0, 0]);
      const x = storage([1, 2, 3]);
      const out: StridedView = { storage: o, offset: 0, shape: [2, 2], strides: [1, 1] };
      eager.binary("add", out, { storage: x, offset: 0, shape: [2, 2], strides: [1, 1] }, { storage: x, offset: 0, shape: [2, 2], strides: [0, 0] });
      expect(Array.from((o as unknown as { data: Float32Array }).data)).toEqual([2, 3, 4]);
      // (2, 8) · (8, 2) with both operands expanded along K from 2 and 2 elements.
      const c = storage([0, 0, 0, 0]);
      eager.matmul(
        { storage: c, offset: 0, shape: [2, 2], strides: [2, 1] },
        { storage: storage([1, 2]), offset: 0, shape: [2, 8], strides: [1, 0] },
        { storage: storage([3, 4]), offset: 0, shape: [8, 2], strides: [0, 1] },
      );
      expect(Array.from((c as unknown as { data: Float32Array }).data)).toEqual([24, 32, 48, 64]);
    });
  });
}
