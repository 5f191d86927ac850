// Helpers shared by the kernels in this folder (AssemblyScript, compiled into each entry module).

/**
 * Scratch for one 4 × 8 tile (or eight vectors of partial sums) before its valid part is stored:
 * the first EDGE_BYTES of the caller's work space, set by `sgemm` on entry. It is a global (one
 * per instance, so one per thread) pointing into work space rather than static data, because
 * the threaded build's memory is shared by every thread and has no static data at all: an active
 * data segment would be re-written each time a worker instantiates the module.
 */
export let EDGE: usize = 0;
export const EDGE_BYTES: i32 = 4 * 8 * 4;

@inline export function setEdge(at: usize): void {
  EDGE = at;
}

/** Parks eight vectors (a 4 × 8 tile, or eight vectors of partial sums) at EDGE, in order. */
@inline export function park8(v0: v128, v1: v128, v2: v128, v3: v128, v4: v128, v5: v128, v6: v128, v7: v128): void {
  v128.store(EDGE, v0);
  v128.store(EDGE, v1, 16);
  v128.store(EDGE, v2, 32);
  v128.store(EDGE, v3, 48);
  v128.store(EDGE, v4, 64);
  v128.store(EDGE, v5, 80);
  v128.store(EDGE, v6, 96);
  v128.store(EDGE, v7, 112);
}

@inline export function roundUp(x: i32, m: i32): i32 {
  return (x + m - 1) / m * m;
}

/** Byte offset of `i` steps of `stride` elements (strides may be zero; never negative here). */
@inline export function elemBytes(i: i32, stride: i32): usize {
  return <usize>(i * stride) << 2;
}

/** acc + a·b per lane: fused in the relaxed-SIMD build, a multiply then an add in the plain one. */
@inline export function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(f32x4.mul(a, b), acc);
}
