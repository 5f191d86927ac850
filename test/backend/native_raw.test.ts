// The raw torch-ts-native exports, called as a user of the package could call them: with wrong
// argument counts and types, params that are too short, not integers, out of range or that walk
// outside the arrays, before init, with huge and zero sizes. Each call must throw a TypeError or
// RangeError naming the function, touch nothing, and leave the process working. Then fuzz: a few
// hundred random layouts over small arrays with guard values around them (subarrays of a larger
// Float32Array); each call must throw exactly when the layout does not fit (checked here
// independently) and otherwise write what the JS reference kernels write, and nothing else.

import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import type { StridedView, Storage } from "../../src/backend/backend.js";
import { binaryReference, copyReference, fillReference, unaryReference } from "../../src/backend/js/elementwise.js";
import { matmul as matmulReference } from "../../src/backend/js/matmul.js";
import { createNativeBackend, nativeBackend, nativeUnavailableReason } from "../../src/backend/native/index.js";
import type { NativeAddon } from "../../src/backend/native/loader.js";
import { float32 } from "../../src/tensor/dtype.js";
import { rng } from "../harness/rng.js";

type Kind = TypeErrorConstructor | RangeErrorConstructor;

/** `call` throws `kind` with a message "torch-ts-native <fn>: ..." (matching `detail`). */
function refuses(fn: string, kind: Kind, call: () => unknown, detail?: RegExp): void {
  let error: unknown = null;
  try {
    call();
  } catch (e) {
    error = e;
  }
  expect(error, `${fn} did not throw`).toBeInstanceOf(kind);
  const message = (error as Error).message;
  expect(message.startsWith(`torch-ts-native ${fn}: `), message).toBe(true);
  if (detail) expect(message).toMatch(detail);
}

const GUARD = 8;
const GUARD_BITS = 0x7fc0dead; // a NaN no kernel makes

/** A Float32Array of `n` random values with GUARD guard words on each side in its buffer. */
function guarded(random: () => number, n: number): { data: Float32Array; whole: Float32Array } {
  const whole = new Float32Array(n + 2 * GUARD);
  new Uint32Array(whole.buffer).fill(GUARD_BITS);
  const data = whole.subarray(GUARD, GUARD + n);
  for (let i = 0; i < n; i++) data[i] = Math.round((random() * 8 - 4) * 64) / 64;
  return { data, whole };
}

function bits(a: Float32Array): number[] {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
}

function expectGuards(whole: Float32Array): void {
  const words = new Uint32Array(whole.buffer);
  for (let i = 0; i < GUARD; i++) {
    expect(words[i]).toBe(GUARD_BITS);
    expect(words[words.length - 1 - i]).toBe(GUARD_BITS);
  }
}

/** A view over a bare array, for the JS reference kernels (they read only `storage.data`). */
function viewOf(data: Float32Array, offset: number, shape: number[], strides: number[]): StridedView {
  return { storage: { data } as unknown as Storage, offset, shape, strides };
}

/** Lowest and highest element a view reaches, or null when it is empty. */
function reach(offset: number, shape: number[], strides: number[]): [number, number] | null {
  if (shape.some((s) => s === 0)) return null;
  let lo = offset;
  let hi = offset;
  for (let d = 0; d < shape.length; d++) {
    const step = (shape[d]! - 1) * strides[d]!;
    if (step < 0) lo += step;
    else hi += step;
  }
  return [lo, hi];
}

function fits(length: number, offset: number, shape: number[], strides: number[]): boolean {
  const r = reach(offset, shape, strides);
  return r === null || (r[0] >= 0 && r[1] < length);
}

/** Whether an out view may be written: no more elements than its array, no stride 0 on a dim > 1. */
function writable(length: number, shape: number[], strides: number[], threaded: boolean): boolean {
  const n = shape.reduce((p, s) => p * s, 1);
  return n <= length && !(threaded && shape.some((s, d) => s > 1 && strides[d] === 0));
}

/** Whether every element of the view is its own (then the order of writes cannot matter). */
function distinct(offset: number, shape: number[], strides: number[]): boolean {
  const seen = new Set<number>();
  const walk = (d: number, at: number): boolean => {
    if (d === shape.length) return !seen.has(at) && (seen.add(at), true);
    for (let i = 0; i < shape[d]!; i++) if (!walk(d + 1, at + i * strides[d]!)) return false;
    return true;
  };
  return walk(0, offset);
}

const isInt = (x: number, lo: number, hi: number): boolean => Number.isInteger(x) && x >= lo && x <= hi;
const SAFE = Number.MAX_SAFE_INTEGER;

if (nativeBackend === null) {
  describe("raw torch-ts-native exports", () => {
    if (process.env.CI) it("is built", () => expect.fail(`the native addon did not load: ${nativeUnavailableReason}`));
    else it.skip(`the native addon is not built (${nativeUnavailableReason}); npm run build:native builds it`, () => {});
  });
} else {
  const addon: NativeAddon = nativeBackend.addon;
  const params = addon.params;
  /** Writes a layout into params (zeros after it). */
  const set = (...values: number[]): void => {
    params.fill(0);
    values.forEach((v, i) => (params[i] = v));
  };
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

  describe("fuzz: random layouts over small guarded arrays", () => {
    /** Mostly small valid values, sometimes ones no layout may hold. */
    const maker = (random: () => number) => {
      const wild = [NaN, Infinity, -Infinity, -1, 0.5, 2.5, 2 ** 53, 2 ** 62, 1e300];
      const maybe = (v: number, p = 0.03): number => (random() < p ? wild[Math.floor(random() * wild.length)]! : v);
      const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
      return { maybe, int };
    };

    /** Runs `call` on guarded arrays; checks it threw iff `ok` is false, and then left every word as it was. */
    const attempt = (fn: string, ok: boolean, arrays: { data: Float32Array; whole: Float32Array }[], call: () => void): boolean => {
      const before = arrays.map((x) => bits(x.whole));
      let error: unknown = null;
      try {
        call();
      } catch (e) {
        error = e;
      }
      for (const x of arrays) expectGuards(x.whole);
      if (ok) {
        expect(error, `${fn} refused a layout that fits: ${String(error)} (params ${Array.from(params.subarray(0, 20))})`).toBeNull();
        return true;
      }
      expect(error, `${fn} took a layout that does not fit (params ${Array.from(params.subarray(0, 20))})`).not.toBeNull();
      expect(error instanceof TypeError || error instanceof RangeError).toBe(true);
      expect((error as Error).message.startsWith(`torch-ts-native ${fn}: `)).toBe(true);
      arrays.forEach((x, i) => expect(bits(x.whole)).toEqual(before[i]));
      return false;
    };

    it.each([
      ["binary", 3, 300],
      ["unary", 2, 150],
      ["copy", 2, 150],
      ["fill", 1, 150],
    ] as const)("%s: throws exactly when the walk leaves an array; else writes what the JS reference writes", (fn, views, cases) => {
      const random = rng(fn.length * 1009 + views);
      const { maybe, int } = maker(random);
      let taken = 0;
      for (let t = 0; t < cases; t++) {
        const arrays = Array.from({ length: views }, () => guarded(random, int(0, 20)));
        const nd = maybe(int(0, 3), 0.02);
        const code = fn === "binary" ? maybe(int(0, 6)) : fn === "unary" ? maybe(int(0, 5)) : fn === "fill" ? int(-3, 3) : 0;
        const layout: number[] = [code, nd];
        const nds = isInt(nd, 0, 16) ? nd : 0;
        const shape = Array.from({ length: nds }, () => maybe(int(0, 4)));
        layout.push(...shape);
        const views_: { offset: number; strides: number[] }[] = arrays.map((x) => ({
          offset: maybe(int(0, x.data.length + 2)),
          strides: Array.from({ length: nds }, () => maybe(int(-4, 4))),
        }));
        for (const v of views_) layout.push(v.offset, ...v.strides);
        set(...layout);
        // What the addon must accept, worked out here.
        const ints = isInt(nd, 0, 16) && shape.every((s) => isInt(s, 0, SAFE)) &&
          views_.every((v) => isInt(v.offset, 0, SAFE) && v.strides.every((s) => isInt(s, -SAFE, SAFE)));
        const codeOk = fn === "binary" ? isInt(code, 0, 6) : fn === "unary" ? isInt(code, 0, 5) : true;
        const empty = shape.some((s) => s === 0);
        const ok = ints && codeOk && (empty || (views_.every((v, i) => fits(arrays[i]!.data.length, v.offset, shape, v.strides)) &&
          writable(arrays[0]!.data.length, shape, views_[0]!.strides, fn !== "fill")));
        // The JS reference's result, on copies.
        const expected = arrays.map((x) => x.data.slice());
        if (ok && !empty) {
          const [o, a, b] = expected.map((d, i) => viewOf(d, views_[i]!.offset, shape, views_[i]!.strides));
          const ops = ["add", "sub", "mul", "div", "maximum", "minimum", "relu_backward"] as const;
          const uops = ["neg", "abs", "relu", "sqrt", "square", "reciprocal"] as const;
          if (fn === "binary") binaryReference(ops[code]!, o!, a!, b!);
          else if (fn === "unary") unaryReference(uops[code]!, o!, a!);
          else if (fn === "copy") copyReference(o!, a!);
          else fillReference(o!, Math.fround(code));
        }
        const [o, a, b] = arrays.map((x) => x.data);
        const call = (): void =>
          fn === "binary" ? addon.binary(o!, a!, b!) : fn === "unary" ? addon.unary(o!, a!) : fn === "copy" ? addon.copy(o!, a!) : addon.fill(o!);
        if (!attempt(fn, ok, arrays, call)) continue;
        taken++;
        // Where out writes an element twice the order decides; the JS order is row-major, and so
        // is the addon's on one thread, but only distinct outs are compared element by element.
        if (empty || distinct(views_[0]!.offset, shape, views_[0]!.strides)) {
          arrays.forEach((x, i) => expect(bits(x.data), `case ${t}`).toEqual(bits(expected[i]!)));
        }
      }
      // Both outcomes were exercised.
      expect(taken).toBeGreaterThan(cases * 0.1);
      expect(taken).toBeLessThan(cases * 0.9);
    });

    it("matmul: throws exactly when a view leaves its array (or out is written twice); else matches the JS product", () => {
      const random = rng(77);
      const { maybe, int } = maker(random);
      let taken = 0;
      const cases = 250;
      for (let t = 0; t < cases; t++) {
        const [ga, gb, go] = [guarded(random, int(0, 24)), guarded(random, int(0, 24)), guarded(random, int(0, 24))];
        const nd = maybe(int(2, 3), 0.02);
        const n = isInt(nd, 2, 16) ? nd : 2;
        const outShape = Array.from({ length: n }, () => maybe(int(0, 3), 0.02));
        const K = maybe(int(0, 3), 0.02);
        const views = [ga, gb, go].map((x) => ({ offset: maybe(int(0, x.data.length), 0.02), strides: Array.from({ length: n }, () => maybe(int(-3, 4), 0.02)) }));
        set(nd, ...outShape, K, ...views.flatMap((v) => [v.offset, ...v.strides]));
        const batch = outShape.slice(0, n - 2);
        const [M, N] = [outShape[n - 2]!, outShape[n - 1]!];
        const shapes = [[...batch, M, K], [...batch, K, N], outShape];
        const ints = isInt(nd, 2, 16) && outShape.every((s) => isInt(s, 0, SAFE)) && isInt(K, 0, SAFE) &&
          views.every((v) => isInt(v.offset, 0, SAFE) && v.strides.every((s) => isInt(s, -SAFE, SAFE)));
        const empty = outShape.some((s) => s === 0);
        const ok = ints && (empty || ([ga, gb, go].every((x, i) => fits(x.data.length, views[i]!.offset, shapes[i]!, views[i]!.strides)) &&
          writable(go.data.length, outShape, views[2]!.strides, true) && !(K > ga.data.length && K > gb.data.length)));
        const expected = go.data.slice();
        if (ok && !empty) {
          matmulReference(viewOf(expected, views[2]!.offset, outShape, views[2]!.strides), viewOf(ga.data, views[0]!.offset, shapes[0]!, views[0]!.strides),
            viewOf(gb.data, views[1]!.offset, shapes[1]!, views[1]!.strides));
        }
        if (!attempt("matmul", ok, [ga, gb, go], () => addon.matmul(go.data, ga.data, gb.data))) continue;
        taken++;
        if (empty || distinct(views[2]!.offset, outShape, views[2]!.strides)) {
          // Sums of at most 3 products of multiples of 1/64 in [-4, 4]: exact in float32 either way.
          expect(Array.from(go.data), `case ${t}`).toEqual(Array.from(expected));
        }
      }
      expect(taken).toBeGreaterThan(cases * 0.1);
      expect(taken).toBeLessThan(cases * 0.9);
    });

    it("sum and sgd: throw exactly when a range leaves its array; write only inside their ranges", () => {
      const random = rng(91);
      const { maybe, int } = maker(random);
      let taken = 0;
      for (let t = 0; t < 150; t++) {
        const [go, ga] = [guarded(random, int(0, 12)), guarded(random, int(0, 24))];
        const [offOut, offA, outer, reduced, inner] = [maybe(int(0, 4)), maybe(int(0, 4)), maybe(int(0, 3)), maybe(int(0, 3)), maybe(int(0, 3))];
        set(offOut, offA, outer, reduced, inner);
        const ints = [offOut, offA, outer, reduced, inner].every((x) => isInt(x, 0, SAFE));
        const written = outer * inner;
        const ok = ints && (written === 0 || (offOut + written <= go.data.length && (reduced === 0 || offA + written * reduced <= ga.data.length)));
        const expected = go.data.slice();
        if (ok) {
          for (let o = 0; o < outer; o++) {
            for (let i = 0; i < inner; i++) {
              let acc = 0;
              for (let r = 0; r < reduced; r++) acc += ga.data[offA + (o * reduced + r) * inner + i]!;
              expected[offOut + o * inner + i] = acc;
            }
          }
        }
        if (attempt("sum", ok, [go, ga], () => addon.sum(go.data, ga.data))) {
          taken++;
          expect(Array.from(go.data)).toEqual(Array.from(expected));
        }
      }
      for (let t = 0; t < 150; t++) {
        const g = [guarded(random, int(0, 10)), guarded(random, int(0, 10)), guarded(random, int(0, 10))];
        const n = maybe(int(0, 6));
        const offs = [maybe(int(0, 5)), maybe(int(0, 5)), maybe(int(0, 5))];
        const flags = maybe(int(0, 63));
        set(n, ...offs, 0.5, 0.9, 0.75, -0.125, flags);
        const momentum = isInt(flags, 0, 63) && (flags & 2) !== 0;
        const ok = isInt(n, 0, SAFE) && offs.every((o) => isInt(o, 0, SAFE)) && isInt(flags, 0, 63) &&
          (n === 0 || g.every((x, i) => (i < 2 || momentum ? offs[i]! + n <= x.data.length : true)));
        const before = g.map((x) => x.data.slice());
        if (!attempt("sgd", ok, g, () => addon.sgd(g[0]!.data, g[1]!.data, g[2]!.data))) continue;
        taken++;
        // Only param's and buf's n elements from their offsets may change; grad is read only.
        g.forEach((x, i) => {
          for (let k = 0; k < x.data.length; k++) {
            const inRange = i !== 1 && k >= offs[i]! && k < offs[i]! + n && (i === 0 || momentum);
            if (!inRange) expect(Object.is(x.data[k], before[i]![k]), `sgd ${t}: array ${i} element ${k}`).toBe(true);
          }
        });
      }
      expect(taken).toBeGreaterThan(30);
      expect(taken).toBeLessThan(270);
    });
  });
}
