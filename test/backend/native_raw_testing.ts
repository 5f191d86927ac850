// Helpers for the raw torch-ts-native tests (native_raw*.test.ts): the expected error, guarded
// arrays, and the layout rules the addon enforces, written out here independently of it.

import { expect } from "vitest";
import type { StridedView, Storage } from "../../src/backend/backend.js";
import type { NativeAddon } from "../../src/backend/native/loader.js";

export type Kind = TypeErrorConstructor | RangeErrorConstructor;

/** `call` throws `kind` with a message "torch-ts-native <fn>: ..." (matching `detail`). */
export function refuses(fn: string, kind: Kind, call: () => unknown, detail?: RegExp): void {
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

export const GUARD = 8;
export const GUARD_BITS = 0x7fc0dead; // a NaN no kernel makes

/** A Float32Array of `n` random values with GUARD guard words on each side in its buffer. */
export function guarded(random: () => number, n: number): { data: Float32Array; whole: Float32Array } {
  const whole = new Float32Array(n + 2 * GUARD);
  new Uint32Array(whole.buffer).fill(GUARD_BITS);
  const data = whole.subarray(GUARD, GUARD + n);
  for (let i = 0; i < n; i++) data[i] = Math.round((random() * 8 - 4) * 64) / 64;
  return { data, whole };
}

export function bits(a: Float32Array): number[] {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
}

export function expectGuards(whole: Float32Array): void {
  const words = new Uint32Array(whole.buffer);
  for (let i = 0; i < GUARD; i++) {
    expect(words[i]).toBe(GUARD_BITS);
    expect(words[words.length - 1 - i]).toBe(GUARD_BITS);
  }
}

/** A view over a bare array, for the JS reference kernels (they read only `storage.data`). */
export function viewOf(data: Float32Array, offset: number, shape: number[], strides: number[]): StridedView {
  return { storage: { data } as unknown as Storage, offset, shape, strides };
}

/** Lowest and highest element a view reaches, or null when it is empty. */
export function reach(offset: number, shape: number[], strides: number[]): [number, number] | null {
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

export function fits(length: number, offset: number, shape: number[], strides: number[]): boolean {
  const r = reach(offset, shape, strides);
  return r === null || (r[0] >= 0 && r[1] < length);
}

/** Whether an out view may be written: no more elements than its array, no stride 0 on a dim > 1. */
export function writable(length: number, shape: number[], strides: number[], threaded: boolean): boolean {
  const n = shape.reduce((p, s) => p * s, 1);
  return n <= length && !(threaded && shape.some((s, d) => s > 1 && strides[d] === 0));
}

/** Whether every element of the view is its own (then the order of writes cannot matter). */
export function distinct(offset: number, shape: number[], strides: number[]): boolean {
  const seen = new Set<number>();
  const walk = (d: number, at: number): boolean => {
    if (d === shape.length) return !seen.has(at) && (seen.add(at), true);
    for (let i = 0; i < shape[d]!; i++) if (!walk(d + 1, at + i * strides[d]!)) return false;
    return true;
  };
  return walk(0, offset);
}

export const isInt = (x: number, lo: number, hi: number): boolean => Number.isInteger(x) && x >= lo && x <= hi;
export const SAFE = Number.MAX_SAFE_INTEGER;

/** Writes a layout into the addon's params, zeros after it. */
export function setter(addon: NativeAddon): (...values: number[]) => void {
  return (...values) => {
    addon.params.fill(0);
    values.forEach((v, i) => (addon.params[i] = v));
  };
}
