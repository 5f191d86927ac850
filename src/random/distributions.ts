/**
 * The floating-point samplers of PyTorch's CPU kernels (aten/src/ATen/native/cpu/
 * DistributionTemplates.h), bit for bit, on plain typed arrays filled in memory order:
 * `uniform_` (and `rand`) and `normal_` (and `randn`), docs/pytorch-rng.md sections 4 and 5.
 *
 * These model the x86-64 AVX2 build (every PC and cloud machine of the last decade): products
 * feeding an addition are fused, and float32 normals use PyTorch's own polynomial log/sincos.
 * Float64 normals use correctly rounded log/sin/cos where PyTorch calls the C library, so they
 * match glibc-based PyTorch in about 99.8 % of values (the rest differ by one ulp, glibc's own
 * rounding), except the log1p of 2.x's scalar path, which is a port of glibc's; float32 values
 * match exactly.
 *
 * The integer samplers (random_, randint, randperm) live in integers.ts and are re-exported.
 */

import { sinCosAvx, sinCosAvxOut, logAvx } from "./avx_mathfun.js";
import { getCompat } from "./compat.js";
import { fma32, fma64 } from "./fma.js";
import type { Generator } from "./generator.js";
import { log, log1p, sinCos, sinCosOut } from "./libm.js";

export { randintFill, randomFill, randperm } from "./integers.js";
export { getCompat, setCompat, type PyTorchCompat } from "./compat.js";

const fround = Math.fround;
const TWO_POW_M24 = 5.960464477539063e-8;
/** 2·pi in binary64 (c10::pi<double> times 2, exact). */
const TWO_PI = 6.283185307179586;
/** rn32(2·pi): the AVX2 kernel's constant. */
const TWO_PI_F32 = fround(TWO_PI);

/**
 * Fills `out` in memory order with values uniform on [from, to), as `Tensor.uniform_(from, to)`
 * (and `torch.rand`, which is uniform_(0, 1)):
 *
 * * float32: `fma32(k · 2^-24, rn32(rn32(to) - rn32(from)), rn32(from))`, k the low 24 bits of
 *   one 32-bit draw;
 * * float64: `fma64(k · 2^-53, to - from, from)`, k the low 53 bits of a 64-bit draw.
 *
 * Args:
 *   out: destination (Float32Array or Float64Array).
 *   from, to: the bounds, as Python floats (binary64). Checked by checks.checkUniformBounds in
 *     the op layer; not checked here.
 *   gen: the generator.
 *
 * Example: `uniformFill(new Float32Array(3), -1, 1, manual_seed(0))`.
 */
export function uniformFill(out: Float32Array | Float64Array, from: number, to: number, gen: Generator): void {
  const n = out.length;
  if (out instanceof Float32Array) {
    const f = fround(from);
    const w = fround(fround(to) - f);
    for (let i = 0; i < n; i++) out[i] = fma32((gen.nextUint32() & 0xffffff) * TWO_POW_M24, w, f);
    return;
  }
  const w = to - from;
  if (from === 0) {
    // fma64(x, w, 0) is x·w rounded once (x, w >= 0, so no signed-zero question): skip the emulation.
    for (let i = 0; i < n; i++) out[i] = gen.uniform53() * w;
    return;
  }
  for (let i = 0; i < n; i++) out[i] = fma64(gen.uniform53(), w, from);
}

/**
 * fma64(z, std, mean), with the common mean = 0 done directly: z·std + 0 is the same single
 * rounding (the + 0 turns an exact -0 into +0, as the FMA does) unless the product underflows,
 * which a std above 2^-900 rules out.
 */
function scaleShift(z: number, std: number, mean: number): number {
  if (mean === 0 && std > 1e-270) return z * std + 0;
  return fma64(z, std, mean);
}

/**
 * Fills `out` in memory order with normal values of mean `mean` and standard deviation `std`,
 * as `Tensor.normal_(mean, std)` (and `torch.randn`, which is normal_(0, 1)), choosing PyTorch's
 * path:
 *
 * * float32, 16 or more elements, contiguous: path V32 (section 5.2): all n uniforms first,
 *   then Box–Muller on blocks of 16 in float32 with PyTorch's AVX2 polynomials; a last partial
 *   block recomputes the final 16 elements from 16 fresh uniforms;
 * * float64, 16 or more, contiguous: path V64, the same scheme in binary64 (section 5.3);
 * * otherwise (fewer than 16, or not contiguous): path S, scalar Box–Muller in binary64 with the
 *   generator's cached second value (section 5.1); float32 results are rounded once.
 *
 * Args:
 *   out: destination (Float32Array or Float64Array), the tensor's elements in memory order.
 *   mean, std: Python floats; std >= 0 (checks.checkNormalStd, in the op layer).
 *   gen: the generator.
 *   contiguous: whether the tensor is contiguous; non-contiguous tensors take path S
 *     whatever their size.
 *
 * Example: `normalFill(new Float32Array(17), 0, 1, manual_seed(0))` gives randn(17)'s values.
 */
export function normalFill(
  out: Float32Array | Float64Array,
  mean: number,
  std: number,
  gen: Generator,
  contiguous = true,
): void {
  const n = out.length;
  if (n >= 16 && contiguous) {
    if (out instanceof Float32Array) normalFillV32(out, fround(mean), fround(std), gen);
    else normalFillV64(out, mean, std, gen);
    return;
  }
  // A Float32Array store is static_cast<float>(double): one rounding.
  for (let i = 0; i < n; i++) out[i] = normalDouble(gen, mean, std);
}

/**
 * `at::normal_distribution<double>(mean, std)(gen)`: one binary64 normal value (path S).
 * Box–Muller makes two values from two 53-bit uniforms; the sine half is cached on the
 * generator for the next call.
 */
export function normalDouble(gen: Generator, mean: number, std: number): number {
  const cached = gen.normalCacheF64;
  if (cached !== null) {
    gen.normalCacheF64 = null;
    return scaleShift(cached, std, mean);
  }
  const u1 = gen.uniform53();
  const u2 = gen.uniform53();
  // 1.13: log(1 - u2); 2.x: log1p(-u2). 1 - u2 is exact, so correctly rounded log and log1p
  // agree; PyTorch's differ because glibc's log1p is not correctly rounded (off by one ulp for
  // about 6 % of these inputs). We use our own correctly rounded functions for both, so float64
  // values from this path are within one ulp of PyTorch's on glibc (as the issue allows), and
  // float32 values, rounded from them, match in practice. Reproducing glibc's rounding would
  // mean carrying a translation of its code, which this project does not do.
  const l = getCompat() === "1.13" ? log(1 - u2) : log1p(-u2);
  const r = Math.sqrt(-2 * l);
  sinCos(TWO_PI * u1);
  gen.normalCacheF64 = r * sinCosOut[0]!;
  return scaleShift(r * sinCosOut[1]!, std, mean);
}

/** Path V32 (normal_fill_AVX2). m, s are rn32(mean), rn32(std). */
function normalFillV32(d: Float32Array, m: number, s: number, gen: Generator): void {
  const n = d.length;
  for (let i = 0; i < n; i++) d[i] = (gen.nextUint32() & 0xffffff) * TWO_POW_M24;
  for (let b = 0; b + 16 <= n; b += 16) normalBlock32(d, b, m, s);
  if (n % 16 !== 0) {
    // Recompute the last 16 values from fresh uniforms (overwriting some finished normals).
    const b = n - 16;
    for (let i = 0; i < 16; i++) d[b + i] = (gen.nextUint32() & 0xffffff) * TWO_POW_M24;
    normalBlock32(d, b, m, s);
  }
}

/**
 * normal_fill_16_AVX2: lanes j = 0..7 turn the uniforms d[b+j] (radius) and d[b+8+j] (angle)
 * into d[b+j] = radius·cos and d[b+8+j] = radius·sin, all in float32.
 */
function normalBlock32(d: Float32Array, b: number, m: number, s: number): void {
  for (let j = 0; j < 8; j++) {
    const a = fround(1 - d[b + j]!); // exact
    const radius = fround(Math.sqrt(fround(-2 * logAvx(a))));
    const theta = fround(TWO_PI_F32 * d[b + 8 + j]!);
    sinCosAvx(theta);
    d[b + j] = fma32(fround(radius * sinCosAvxOut[1]!), s, m); // explicit _mm256_fmadd_ps
    d[b + 8 + j] = fma32(fround(radius * sinCosAvxOut[0]!), s, m);
  }
}

/** Path V64 (normal_fill<double>): the block scheme in binary64, with the C library's functions. */
function normalFillV64(d: Float64Array, mean: number, std: number, gen: Generator): void {
  const n = d.length;
  for (let i = 0; i < n; i++) d[i] = gen.uniform53();
  for (let b = 0; b + 16 <= n; b += 16) normalBlock64(d, b, mean, std);
  if (n % 16 !== 0) {
    const b = n - 16;
    for (let i = 0; i < 16; i++) d[b + i] = gen.uniform53();
    normalBlock64(d, b, mean, std);
  }
}

/** normal_fill_16<double>. `radius * cos(theta) * std + mean` is one product and one FMA. */
function normalBlock64(d: Float64Array, b: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = 1 - d[b + j]!; // exact
    const radius = Math.sqrt(-2 * log(u1));
    sinCos(TWO_PI * d[b + 8 + j]!);
    d[b + j] = scaleShift(radius * sinCosOut[1]!, std, mean);
    d[b + 8 + j] = scaleShift(radius * sinCosOut[0]!, std, mean);
  }
}
