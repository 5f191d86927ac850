/**
 * The native backend's kernels: which calls go to the addon, and how their sizes travel.
 *
 * A call into the addon costs about 0.3-0.4 µs from here: the crossing, the layout written into
 * the shared parameter array, and the addon's checks of everything it is given (it is a public
 * package: packages/native/src/checks.h), about 0.1-0.17 µs of it, most of that Node-API telling
 * each typed array's type (~30 ns an array); plus about 0.7 µs the first time it sees an array of
 * at most 64 bytes (see MIN_ELEMENTS). The JS fast paths spend about 0.1-0.2 µs before their
 * first element and then 1-7 ns per element. So elementwise kernels go
 * native from MIN_ELEMENTS and products from MIN_WORK multiply-adds, and below that the JS kernels
 * run (they are also the path for every other dtype and op). Views of one storage that overlap
 * other than exactly (an in-place op is the same view read and written) stay on JS, whose element
 * order defines what such a call does.
 *
 * Parameter layouts match packages/native/src/exports.cc: a walk is
 * [nd, shape[nd], (offset, strides[nd]) for each view].
 */

import type { AdamStep, Backend, BinaryOp, ReduceOp, SgdStep, StridedView, UnaryOp } from "../backend.js";
import { jsBackend } from "../js/index.js";
import { dataOf, isDense, outOfMemory } from "../js/storage.js";
import { denseBlocks } from "../js/fast_reduce.js";
import type { NativeAddon } from "./loader.js";
import { PackedOperands } from "./packed.js";

/**
 * Elementwise calls with fewer elements than this stay in JS, for two reasons. V8 keeps a typed
 * array of at most 64 bytes (16 floats) inside the JS heap, and the addon's first look at its
 * data pointer moves the data out to a new backing store, about 0.7 µs, which a new small output
 * pays on every call (float32 add into a new output, JS against native: 1 element 0.29 against
 * 0.86 µs, 16: 0.62 / 2.4). And past that, the addon's argument checks make a call about as
 * costly as JS's loop up to about 32 elements (dense add, JS against native, on the shared
 * 2-core AMD EPYC under load: 16: 0.31 / 0.39, 32: 0.36 / 0.40, 64: 0.47 / 0.41).
 */
export const MIN_ELEMENTS = 32;

/**
 * A sum into fewer than MIN_ELEMENTS outputs stays in JS up to this many inputs, for the same
 * reason (a bias gradient's column sums): 64 inputs into 1 output 0.56 against 1.4 µs, 256 into
 * 4 columns 2.0 / 2.2, 1024 into 4 columns 5.5 / 2.6.
 */
const MIN_REDUCE_INPUT = 1024;

/**
 * Products with fewer multiply-adds (batches · M · N · K) stay in JS: 4x4x4 takes 0.31 µs in JS
 * and 0.58 µs native, 5x5x5 0.47 against 0.60, 6x6x6 0.68 against 0.60 (before the addon checked
 * its arguments, 4x4x4 took 0.43 µs native and this was 27).
 */
export const MIN_WORK = 180;

const MAX_DIMS = 16;

/** The addon's out-of-memory message for a product (packages/native/src/exports.cc). */
const PACKING_FAILED = /^torch-ts-native matmul: could not allocate the (\d+) bytes of packing buffers/;

const BINARY_CODES: Partial<Record<BinaryOp, number>> = {
  add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5, relu_backward: 6,
};

// exp, log, tanh and sigmoid stay on JS: V8's Math.exp/log/tanh (fdlibm) and the C library's
// differ in the last bit of some binary64 results, which can move the float32 rounding, and the
// JS backend's results are the contract.
const UNARY_CODES: Partial<Record<UnaryOp, number>> = {
  neg: 0, abs: 1, relu: 2, sqrt: 3, square: 4, reciprocal: 5,
};

function numel(shape: readonly number[]): number {
  let n = 1;
  for (let d = 0; d < shape.length; d++) n *= shape[d]!;
  return n;
}

function sameStrides(a: readonly number[], b: readonly number[]): boolean {
  for (let d = 0; d < a.length; d++) if (a[d] !== b[d]) return false;
  return true;
}

/**
 * Whether some element of `out` is written twice (a zero stride on a dim of size > 1): the JS
 * loop's last write wins there, where threads splitting the walk would race.
 */
function writesTwice(out: StridedView): boolean {
  for (let d = 0; d < out.shape.length; d++) if (out.strides[d] === 0 && out.shape[d]! > 1) return true;
  return false;
}

/** Whether `input` may be read while `out` is written: another storage, or the very same view. */
function readable(out: StridedView, input: StridedView): boolean {
  return input.storage !== out.storage || (input.offset === out.offset && sameStrides(input.strides, out.strides));
}

/**
 * Whether every element a walk of `shape` over `view` reaches lies inside its typed array, with
 * an integer offset and strides. In JS a stray index reads `undefined`; the addon checks the
 * same bounds and throws a RangeError (packages/native/src/checks.h), so a view that fails here
 * stays on the JS kernels instead, which define what it does (an op that let a fractional index
 * through once did). Empty views are refused too: they have nothing to do in C++.
 */
function inside(view: StridedView, shape: readonly number[]): boolean {
  const { offset, strides } = view;
  if (!Number.isInteger(offset) || offset < 0) return false;
  let lo = offset;
  let hi = offset;
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    const stride = strides[d]!;
    if (!(size > 0) || !Number.isInteger(size) || !Number.isInteger(stride)) return false;
    if (stride > 0) hi += stride * (size - 1);
    else lo += stride * (size - 1);
  }
  return lo >= 0 && hi < dataOf(view).length;
}

/**
 * Whether a view that a kernel writes has more elements than its typed array: some element is
 * then written twice. The addon refuses such an out (its work would not be bounded by the memory
 * it was given), so they stay on JS, whose order of writes defines the result.
 */
function overfull(out: StridedView, data: { length: number }): boolean {
  return numel(out.shape) > data.length;
}

/** `inside` for the contiguous range of `n` elements a fused optimizer step walks. */
function rangeInside(view: StridedView | null, n: number): void {
  if (view === null) return;
  if (!Number.isInteger(view.offset) || view.offset < 0 || view.offset + n > dataOf(view).length) {
    throw new RangeError(`fused optimizer step: ${n} elements from offset ${view.offset} leave the storage`);
  }
}

type Kernels = Pick<Backend, "fill" | "copy" | "unary" | "binary" | "reduce" | "matmul"> &
  Required<Pick<Backend, "addmm" | "sgdStep" | "adamStep">> & {
    /** Right-hand operands kept packed between products (./packed.ts). */
    readonly packed: PackedOperands;
  };

/** Where calls start going native; tests lower both to 0 to send every call to the addon. */
export interface Thresholds {
  minElements: number;
  minWork: number;
}

export function nativeKernels(addon: NativeAddon, thresholds: Thresholds = { minElements: MIN_ELEMENTS, minWork: MIN_WORK }): Kernels {
  const { minElements, minWork } = thresholds;
  const { params } = addon;
  const packed = new PackedOperands(addon);

  /** Writes [nd, shape, (offset, strides) per view] from params[at]. */
  const putWalk = (at: number, shape: readonly number[], views: readonly StridedView[]): void => {
    const nd = shape.length;
    params[at++] = nd;
    for (let d = 0; d < nd; d++) params[at++] = shape[d]!;
    for (let v = 0; v < views.length; v++) {
      const view = views[v]!;
      params[at++] = view.offset;
      for (let d = 0; d < nd; d++) params[at++] = view.strides[d]!;
    }
  };

  const kernels: Kernels = {
    packed,

    fill(out: StridedView, value: number | bigint): void {
      const o = dataOf(out);
      // A dense fill is TypedArray.fill, as fast as it gets; strided ones come here.
      if (!(o instanceof Float32Array) || out.shape.length > MAX_DIMS || numel(out.shape) < minElements || isDense(out.shape, out.strides) ||
          !inside(out, out.shape) || overfull(out, o)) {
        return jsBackend.fill(out, value);
      }
      params[0] = value as number;
      putWalk(1, out.shape, [out]);
      addon.fill(o);
    },

    copy(out: StridedView, src: StridedView): void {
      const o = dataOf(out);
      const a = dataOf(src);
      if (!(o instanceof Float32Array) || !(a instanceof Float32Array) || o === a || out.shape.length > MAX_DIMS ||
          numel(out.shape) < minElements || writesTwice(out) || !inside(out, out.shape) || !inside(src, out.shape) || overfull(out, o)) {
        return jsBackend.copy(out, src);
      }
      putWalk(1, out.shape, [out, src]);
      addon.copy(o, a);
    },

    unary(op: UnaryOp, out: StridedView, a: StridedView): void {
      const code = UNARY_CODES[op];
      const o = dataOf(out);
      const x = dataOf(a);
      if (code === undefined || !(o instanceof Float32Array) || !(x instanceof Float32Array) || out.shape.length > MAX_DIMS ||
          numel(out.shape) < minElements || !readable(out, a) || writesTwice(out) || !inside(out, out.shape) ||
          !inside(a, out.shape) || overfull(out, o)) {
        return jsBackend.unary(op, out, a);
      }
      params[0] = code;
      putWalk(1, out.shape, [out, a]);
      addon.unary(o, x);
    },

    binary(op: BinaryOp, out: StridedView, a: StridedView, b: StridedView): void {
      const code = BINARY_CODES[op];
      const o = dataOf(out);
      const x = dataOf(a);
      const y = dataOf(b);
      if (code === undefined || !(o instanceof Float32Array) || !(x instanceof Float32Array) || !(y instanceof Float32Array) ||
          out.shape.length > MAX_DIMS || numel(out.shape) < minElements || !readable(out, a) || !readable(out, b) ||
          writesTwice(out) || !inside(out, out.shape) || !inside(a, out.shape) || !inside(b, out.shape) || overfull(out, o)) {
        return jsBackend.binary(op, out, a, b);
      }
      params[0] = code;
      putWalk(1, out.shape, [out, a, b]);
      addon.binary(o, x, y);
    },

    reduce(op: ReduceOp, out: StridedView, a: StridedView, dims: readonly number[]): void {
      const o = dataOf(out);
      const x = dataOf(a);
      // The size tests first: they send the small sums to JS before the layout is looked at.
      const inputs = numel(a.shape);
      if (op !== "sum" || !(o instanceof Float32Array) || !(x instanceof Float32Array) || inputs < minElements ||
          (numel(out.shape) < minElements && inputs < MIN_REDUCE_INPUT)) {
        return jsBackend.reduce(op, out, a, dims);
      }
      const blocks = denseBlocks(out, a, dims);
      if (blocks === null || !inside(out, out.shape) || !inside(a, a.shape)) return jsBackend.reduce(op, out, a, dims);
      params[0] = out.offset;
      params[1] = a.offset;
      params[2] = blocks[0];
      params[3] = blocks[1];
      params[4] = blocks[2];
      addon.sum(o as Float32Array, x as Float32Array);
    },

    matmul(out: StridedView, a: StridedView, b: StridedView): void {
      const o = dataOf(out);
      const x = dataOf(a);
      const y = dataOf(b);
      const nd = out.shape.length;
      if (!(o instanceof Float32Array) || !(x instanceof Float32Array) || !(y instanceof Float32Array) || nd > MAX_DIMS ||
          o === x || o === y) {
        return jsBackend.matmul(out, a, b);
      }
      const K = a.shape[nd - 1]!;
      // The addon also refuses an out written twice, and a K past both operands' arrays (both
      // broadcast along K: its work would no longer be bounded by the memory it was given).
      if (numel(out.shape) * K < minWork || !inside(out, out.shape) || !inside(a, a.shape) || !inside(b, b.shape) ||
          writesTwice(out) || overfull(out, o) || (K > x.length && K > y.length)) {
        return jsBackend.matmul(out, a, b);
      }
      // B kept packed (written before this product's layout: packing it uses params too), when
      // it is one matrix for every batch.
      let oneB = true;
      for (let d = 0; d < nd - 2; d++) oneB &&= b.strides[d] === 0 || out.shape[d] === 1;
      const kept = oneB ? packed.lookup(b, K, out.shape[nd - 1]!, b.strides[nd - 2]!, b.strides[nd - 1]!) : undefined;
      let at = 0;
      params[at++] = nd;
      for (let d = 0; d < nd; d++) params[at++] = out.shape[d]!;
      params[at++] = K;
      for (const view of [a, b, out]) {
        params[at++] = view.offset;
        for (let d = 0; d < nd; d++) params[at++] = view.strides[d]!;
      }
      try {
        addon.matmul(o, x, y, kept);
      } catch (e) {
        // The addon's one refusal that valid arguments can meet: this thread's packing buffers
        // could not be allocated. PyTorch's class and text for memory it cannot get, with the size.
        const bytes = e instanceof RangeError ? PACKING_FAILED.exec(e.message)?.[1] : undefined;
        throw bytes === undefined ? e : outOfMemory(Number(bytes));
      }
    },

    /**
     * A product small enough for the JS kernel (as `matmul` decides) takes the JS backend's
     * fused loop, whose bits are those of JS's product and add (and the addon's add is JS's,
     * bit for bit); a larger one is this backend's `matmul` then `binary`.
     */
    addmm(out: StridedView, input: StridedView, a: StridedView, b: StridedView): void {
      if (numel(out.shape) * a.shape[a.shape.length - 1]! < minWork) return jsBackend.addmm!(out, input, a, b);
      kernels.matmul(out, a, b);
      kernels.binary("add", out, input, out);
    },

    sgdStep(param: StridedView, grad: StridedView, buf: StridedView | null, h: SgdStep, first: boolean): void {
      const r = Math.fround;
      const p = float32Data(param);
      const g = float32Data(grad);
      const useMomentum = h.momentum !== 0;
      if (useMomentum && buf === null) throw new Error("sgdStep: momentum needs a buffer");
      const n = numel(param.shape);
      for (const view of [param, grad, buf]) rangeInside(view, n);
      const oneMinusDamp = r(1 - h.dampening);
      params[0] = numel(param.shape);
      params[1] = param.offset;
      params[2] = grad.offset;
      params[3] = buf?.offset ?? 0;
      params[4] = r(h.weight_decay);
      params[5] = r(h.momentum);
      params[6] = oneMinusDamp;
      params[7] = r(-h.lr);
      params[8] =
        (h.weight_decay !== 0 ? 1 : 0) | (useMomentum ? 2 : 0) | (oneMinusDamp !== 1 ? 4 : 0) | (h.nesterov ? 8 : 0) |
        (h.maximize ? 16 : 0) | (first ? 32 : 0);
      addon.sgd(p, g, useMomentum ? float32Data(buf!) : p);
    },

    adamStep(
      param: StridedView, grad: StridedView, expAvg: StridedView, expAvgSq: StridedView, maxExpAvgSq: StridedView | null, h: AdamStep,
    ): void {
      const r = Math.fround;
      const v = float32Data(expAvgSq);
      // The scalars as flat_update.ts forms them (lerp_'s weight and 1 − weight in float32).
      const w = r(1 - h.beta1);
      const n = numel(param.shape);
      for (const view of [param, grad, expAvg, expAvgSq, maxExpAvgSq]) rangeInside(view, n);
      params[0] = n;
      params[1] = param.offset;
      params[2] = grad.offset;
      params[3] = expAvg.offset;
      params[4] = expAvgSq.offset;
      params[5] = maxExpAvgSq?.offset ?? 0;
      params[6] = r(1 - h.lr * h.weight_decay);
      params[7] = r(h.weight_decay);
      params[8] = w;
      params[9] = r(1 - w);
      params[10] = r(h.beta2);
      params[11] = r(1 - h.beta2);
      params[12] = r(h.bias_correction2_sqrt);
      params[13] = r(h.eps);
      params[14] = r(-h.step_size);
      params[15] =
        (h.weight_decay !== 0 ? 1 : 0) | (h.decoupled_weight_decay ? 2 : 0) | (Math.abs(w) < 0.5 ? 4 : 0) |
        (h.maximize ? 8 : 0) | (maxExpAvgSq !== null ? 16 : 0);
      addon.adam(float32Data(param), float32Data(grad), float32Data(expAvg), v, maxExpAvgSq === null ? v : float32Data(maxExpAvgSq));
    },
  };
  return kernels;
}

function float32Data(view: StridedView): Float32Array {
  const data = dataOf(view);
  if (!(data instanceof Float32Array)) throw new Error(`fused optimizer steps take float32 storage, got ${view.storage.dtype.name}`);
  return data;
}
