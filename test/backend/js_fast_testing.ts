// Random strided views over JS storages for the fast-path tests (js_fast_*.test.ts): every
// layout a kernel can receive (dense, permuted, stepped, offset, broadcast by zero strides,
// size 0 and 1 dims, odd tails), filled with values that include NaN, -0, ±inf, subnormals and
// ties, so that a fast path and the reference can be compared bit for bit.

import { expect } from "vitest";
import type { StridedView } from "../../src/backend/backend.js";
import { jsBackend } from "../../src/backend/js/index.js";
import { JsStorage } from "../../src/backend/js/storage.js";
import { bool, float32, float64, int32, int64, type DType, type TypedArray } from "../../src/tensor/dtype.js";

export { bool, float32, float64, int32, int64 };
export type { DType };

export { rng } from "../harness/rng.js";

export type Random = () => number;

export const int = (random: Random, lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
export const pick = <T>(random: Random, xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

const SPECIAL = [NaN, -0, 0, Infinity, -Infinity, 1e-45, -1e-45, 1e-310, 3.4e38, -3.4e38, 1, -1, 0.5, 2];

/** One random value: mostly ordinary numbers of either sign, sometimes special, sometimes a small integer (ties). */
export function value(random: Random, dtype: DType): number | bigint {
  if (dtype === bool) return random() < 0.5 ? 1 : 0;
  if (dtype === int32) return int(random, -50, 50);
  if (dtype === int64) return BigInt(int(random, -50, 50));
  const r = random();
  if (r < 0.12) return pick(random, SPECIAL);
  if (r < 0.3) return int(random, -3, 3);
  return (random() * 2 - 1) * 10 ** int(random, -3, 3);
}

/** A random shape of 0 to `maxDims` dims; sizes 1 to 7 with now and then a 0 or a longer tail. */
export function randomShape(random: Random, maxDims = 4, allowZero = true): number[] {
  const nd = int(random, 0, maxDims);
  const shape: number[] = [];
  for (let d = 0; d < nd; d++) {
    const r = random();
    shape.push(allowZero && r < 0.03 ? 0 : r < 0.25 ? 1 : r < 0.35 ? int(random, 17, 70) : int(random, 2, 7));
  }
  return shape;
}

export interface Layout {
  /** "dense", or a random permutation of the memory order with steps and an offset. */
  kind: "dense" | "strided";
  /** Dims read with stride 0 (the view broadcasts its size-1 source along them). */
  broadcast?: readonly number[];
}

/**
 * A view of `shape` on a new storage of `dtype` filled with random values: dense, or with its
 * dims laid out in a random order, some stepped by 2 and an offset, so elements outside the
 * view sit in between. Broadcast dims get stride 0.
 */
export function randomView(random: Random, dtype: DType, shape: readonly number[], layout: Layout): StridedView {
  const nd = shape.length;
  const broadcast = new Set(layout.broadcast ?? []);
  const order = shape.map((_, d) => d);
  const steps = shape.map(() => 1);
  let offset = 0;
  if (layout.kind === "strided") {
    for (let i = nd - 1; i > 0; i--) {
      const j = int(random, 0, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let d = 0; d < nd; d++) steps[d] = random() < 0.3 ? 2 : 1;
    offset = int(random, 0, 3);
  }
  // Memory order: order[nd-1] is innermost.
  const strides = new Array<number>(nd).fill(0);
  let span = 1;
  for (let i = nd - 1; i >= 0; i--) {
    const d = order[i]!;
    if (broadcast.has(d)) continue;
    strides[d] = span * steps[d]!;
    span *= Math.max(shape[d]!, 1) * steps[d]!;
  }
  const storage = jsBackend.allocate(dtype, offset + span + int(random, 0, 2)) as JsStorage;
  fillRandom(random, storage);
  return { storage, offset, shape: [...shape], strides };
}

export function fillRandom(random: Random, storage: JsStorage): void {
  const d = storage.data as { [i: number]: number | bigint; length: number };
  for (let i = 0; i < d.length; i++) d[i] = value(random, storage.dtype);
}

/** A copy of `view` on a copy of its storage (same offset and strides). */
export function cloneView(view: StridedView): StridedView {
  const src = view.storage as JsStorage;
  const storage = jsBackend.allocate(src.dtype, src.length) as JsStorage;
  (storage.data as Float64Array).set(src.data as Float64Array);
  return { ...view, storage };
}

/** The bytes of a storage: equal bytes are equal values bit for bit (NaN payloads and -0 included). */
export function bytesOf(view: StridedView): Uint8Array {
  const d = (view.storage as JsStorage).data as TypedArray;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** Both storages hold the same bits everywhere (inside the view and outside it). */
export function expectSameBits(got: StridedView, want: StridedView, what: string): void {
  const a = bytesOf(got);
  const b = bytesOf(want);
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      const size = (got.storage as JsStorage).data.BYTES_PER_ELEMENT;
      const at = Math.floor(i / size);
      const g = (got.storage as JsStorage).data[at];
      const w = (want.storage as JsStorage).data[at];
      // A NaN's sign and payload are not specified by JS (Chromium's JIT flips the sign of
      // inf - inf between paths; Node keeps it): any NaN matches any NaN.
      if (typeof g === "number" && g !== g && w !== w) {
        i = (at + 1) * size - 1;
        continue;
      }
      expect.fail(`${what}: element ${at} of the storage is ${String(g)}, the reference wrote ${String(w)}`);
    }
  }
}

/** A fresh storage for an out view like `like` but of `dtype` (same layout), sentinel-filled. */
export function outLike(random: Random, like: StridedView, dtype: DType): StridedView {
  const length = (like.storage as JsStorage).length;
  const storage = jsBackend.allocate(dtype, length) as JsStorage;
  fillRandom(random, storage);
  return { ...like, storage };
}

export function describeView(v: StridedView): string {
  return `${v.storage.dtype.name}[${v.shape.join(",")}] strides [${v.strides.join(",")}] +${v.offset}`;
}
