/**
 * How the small WebAssembly modules that work on copies (./optim.ts, ./elementwise.ts) stage
 * their float32 operands: arrays laid out one after another in the module's own memory, copied
 * in from JS storage and the result copied back.
 */

import type { StridedView } from "../backend.js";
import { dataOf } from "../js/storage.js";

/** Byte offsets of float32 arrays of these lengths (16-aligned, from byte 16), the memory grown to fit. */
export function place(memory: WebAssembly.Memory, lengths: readonly number[]): number[] {
  const at: number[] = [];
  let end = 16;
  for (const n of lengths) {
    at.push(end);
    end += (n * 4 + 15) & ~15;
  }
  if (memory.buffer.byteLength < end) memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
  return at;
}

/** n elements of a dense float32 view into the memory at byte `at`. */
export function copyIn(memory: WebAssembly.Memory, view: StridedView, at: number, n: number): void {
  new Float32Array(memory.buffer, at, n).set((dataOf(view) as Float32Array).subarray(view.offset, view.offset + n));
}

/** n floats at byte `at` of the memory into a dense float32 view. */
export function copyOut(memory: WebAssembly.Memory, view: StridedView, at: number, n: number): void {
  (dataOf(view) as Float32Array).set(new Float32Array(memory.buffer, at, n), view.offset);
}
