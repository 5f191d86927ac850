/**
 * `Tensor.bernoulli_(p)`: in-place Bernoulli draws with a scalar probability, as PyTorch's CPU
 * kernels make them. `F.dropout` draws its masks through it (`noise.bernoulli_(1 - p)`).
 *
 * PyTorch has two CPU kernels for a scalar p (aten/src/ATen/native/cpu/DistributionKernels.cpp):
 *
 * * the default one (`templates::cpu::bernoulli_kernel`, DistributionTemplates.h): one
 *   `uniform_real_distribution<double>(0, 1)` draw per element, that is the low 53 bits of a
 *   64-bit draw times 2^-53, and the element is `u < p`; elements are visited in memory order
 *   (TensorIterator, `cpu_serial_kernel`). Builds without MKL use it (Debian's python3-torch,
 *   macOS and ARM wheels), and so do MKL builds on CPUs whose vendor is not Intel (AMD);
 * * the MKL one, taken by MKL builds (the x86-64 Linux and Windows wheels) on Intel CPUs: one
 *   32-bit draw seeds MKL's MCG31m1 stream (x₀ = seed mod (2³¹ − 1), 1 if that is 0;
 *   xₙ₊₁ = 1132489760·xₙ mod (2³¹ − 1)); element k (row-major) is `xₖ / (2³¹ − 1) < p`.
 *   Threads each skip ahead to their chunk, so the result does not depend on the thread count.
 *
 * Which one a user of PyTorch gets depends on their build and CPU (pytorch#84030, #121595: the
 * same seed gives different dropout masks on an Intel Linux machine and a Mac). torch-ts uses
 * the default kernel unless `set_bernoulli_kernel("mkl")` selects the other. The default one is
 * checked bit for bit against Debian's PyTorch; the MKL one against the Intel-Linux output
 * published in pytorch#121595 / rasbt/LLMs-from-scratch#57 (test/nn/dropout.test.ts).
 */

import { Tensor } from "../tensor/tensor.js";
import { RuntimeError } from "../errors.js";
import { checkNoInternalOverlap, inplace } from "../ops/common.js";
import { Generator, defaultGenerator } from "./generator.js";
import { cppDouble, type RandomArray } from "./checks.js";
import { fillInVisitOrder } from "./tensor_fill.js";

/** Which of PyTorch's two scalar-p Bernoulli kernels to reproduce (see the file header). */
export type BernoulliKernel = "default" | "mkl";

let kernel: BernoulliKernel = "default";

/**
 * Selects the Bernoulli kernel whose draws `bernoulli_` (and so `F.dropout`) reproduce:
 * `"default"` (PyTorch without MKL, or on a non-Intel CPU; the default here) or `"mkl"` (the
 * official x86-64 wheels on an Intel CPU).
 */
export function set_bernoulli_kernel(k: BernoulliKernel): void {
  if (k !== "default" && k !== "mkl") {
    throw new TypeError(`set_bernoulli_kernel: expected "default" or "mkl", got ${String(k)}`);
  }
  kernel = k;
}

/** The Bernoulli kernel in use (see set_bernoulli_kernel). */
export function get_bernoulli_kernel(): BernoulliKernel {
  return kernel;
}

const MCG31_M = 0x7fffffff;
const MCG31_A = 1132489760;
const MCG31_A_HI = Math.floor(MCG31_A / 65536);
const MCG31_A_LO = MCG31_A % 65536;

/** (a·x) mod (2³¹ − 1) without leaving exact double arithmetic (a·x would need 62 bits). */
function mcg31Next(x: number): number {
  const hi = ((MCG31_A_HI * x) % MCG31_M) * 65536;
  return (hi + MCG31_A_LO * x) % MCG31_M;
}

/** Writes 0 or 1 in the buffer's element type. */
function store(buffer: RandomArray, i: number, one: boolean): void {
  if (buffer instanceof BigInt64Array) buffer[i] = one ? 1n : 0n;
  else buffer[i] = one ? 1 : 0;
}

/**
 * The default kernel: one 53-bit uniform per element (two 32-bit draws, as `uniform53`), in
 * visiting order. The draws are taken in bulk: element by element it cost ~70 ns each, a
 * tenth of an MLP training step in Dropout.
 */
function fillDefault(buffer: RandomArray, p: number, gen: Generator): void {
  if (buffer instanceof Float32Array && gen.fillBernoulli53(buffer, p)) return;
  const n = buffer.length;
  if (drawScratch.length < 2 * n) drawScratch = new Uint32Array(2 * n);
  const raw = drawScratch.subarray(0, 2 * n);
  gen.fillUint32(raw);
  if (buffer instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) buffer[i] = uniform53Of(raw, i) < p ? 1n : 0n;
  } else {
    for (let i = 0; i < n; i++) buffer[i] = uniform53Of(raw, i) < p ? 1 : 0;
  }
}

let drawScratch = new Uint32Array(0);

/** `Generator.uniform53` of the i-th pair of draws in `raw`. */
function uniform53Of(raw: Uint32Array, i: number): number {
  return ((raw[2 * i]! & 0x1fffff) * 4294967296 + raw[2 * i + 1]!) * 1.1102230246251565e-16;
}

/** MKL's viRngBernoulli (ICDF) over an MCG31m1 stream seeded by one 32-bit draw. */
function fillMkl(buffer: RandomArray, p: number, seed: number): void {
  let x = seed % MCG31_M;
  if (x === 0) x = 1;
  for (let i = 0; i < buffer.length; i++) {
    store(buffer, i, x / MCG31_M < p);
    x = mcg31Next(x);
  }
}

function generatorOf(options: { generator?: Generator | null }): Generator {
  const g = options.generator;
  if (g === undefined || g === null) return defaultGenerator;
  if (!(g instanceof Generator)) throw new TypeError(`expected a torch.Generator as generator, but got ${typeof g}`);
  return g;
}

/**
 * Fills `t` with draws from Bernoulli(p), in place, and returns it:
 * `Tensor.bernoulli_(p=0.5, *, generator=None)`.
 *
 *     t_i ~ Bernoulli(p): 1 with probability p, else 0
 *
 * Args:
 *   t: a tensor of any dtype (the values are 0 and 1 in it).
 *   p: the probability of a 1, in [0, 1] (default 0.5).
 *   options.generator: the generator to draw from (default: the global one).
 *
 * The draws follow PyTorch's CPU kernel bit for bit (see the file header for the two kernels
 * and `set_bernoulli_kernel`).
 *
 * ```ts
 * torch.manual_seed(0);
 * torch.empty(5).bernoulli_(0.3);   // the mask PyTorch draws
 * ```
 */
export function bernoulli_(t: Tensor, p = 0.5, options: { generator?: Generator | null } = {}): Tensor {
  if (typeof p !== "number") {
    throw new TypeError("bernoulli_(): torch-ts takes a number p (a tensor of probabilities is not supported)");
  }
  const gen = generatorOf(options);
  if (!(p >= 0 && p <= 1)) throw new RuntimeError(`bernoulli_ expects p to be in [0, 1], but got p=${cppDouble(p)}`);
  inplace(t, () => {
    checkNoInternalOverlap(t);
    if (kernel === "mkl") {
      // The seed is drawn even for an empty tensor; the MKL path samples into a row-major
      // buffer and copies it into t (logical order, whatever t's strides).
      const seed = gen.nextUint32();
      const n = t.numel();
      if (n === 0) return;
      const flat = Tensor._empty([n], t.dtype);
      fillInVisitOrder(flat, (buffer) => fillMkl(buffer, p, seed));
      t._storage.backend.copy(t._view, flat.view(t._shape)._view);
      return;
    }
    fillInVisitOrder(t, (buffer) => fillDefault(buffer, p, gen));
  });
  return t;
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    /** In place: Bernoulli(p) draws, 0 or 1 (see torch-ts `bernoulli_`). */
    bernoulli_(p?: number, options?: { generator?: Generator | null }): Tensor;
  }
}

Tensor.prototype.bernoulli_ = function (this: Tensor, p?: number, options?: { generator?: Generator | null }) {
  return bernoulli_(this, p, options);
};
