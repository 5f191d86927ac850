/**
 * torch.Generator for the CPU: PyTorch's 32-bit Mersenne Twister (MT19937) with its seeding,
 * its state layout and its normal-sample cache, bit for bit (docs/pytorch-rng.md sections 2, 3).
 */

import { RuntimeError } from "../errors.js";
import { sin } from "./libm.js";

const N = 624; // MERSENNE_STATE_N
const M = 397; // MERSENNE_STATE_M
const MATRIX_A = 0x9908b0df;
const UMASK = 0x80000000;
const LMASK = 0x7fffffff;
// The same masks as int32 bit patterns, for the Int32Array alias of the state.
const UMASK_I32 = UMASK | 0;
const MATRIX_A_I32 = MATRIX_A | 0;

/** c10::detail::default_rng_seed_val: the seed of a `torch.Generator()` never seeded. */
const DEFAULT_RNG_SEED = 67280421310721n;

/** sizeof(CPUGeneratorImplState) and sizeof(CPUGeneratorImplStateLegacy) on x86-64. */
const STATE_SIZE = 5056;
const LEGACY_STATE_SIZE = 5048;

const TWO_POW_64 = 1n << 64n;
const INT64_MIN = -(1n << 63n);

/** The number or bigint a 64-bit seed reads best as: a number when it is a safe integer. */
function seedValue(seed: bigint): number | bigint {
  return seed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(seed) : seed;
}

/** Python's name for the type of a JavaScript value, for PyTorch-worded errors. */
function pythonTypeName(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "str";
  if (v === undefined || v === null) return "NoneType";
  return typeof v === "object" ? ((v as object).constructor?.name ?? "object") : typeof v;
}

/**
 * The 64-bit seed PyTorch stores for `s`: any integer in [-2^63, 2^64 - 1], negatives taken as
 * their two's complement (PyTorch tries uint64, then int64). Throws like PyTorch otherwise.
 */
export function seedToUint64(seed: unknown): bigint {
  let s: bigint;
  if (typeof seed === "bigint") {
    s = seed;
  } else if (typeof seed === "number" && Number.isInteger(seed)) {
    s = BigInt(seed);
  } else {
    // PyTorch's Generator.manual_seed raises "manual_seed expected a long, but got float"
    // (torch.manual_seed first calls int(), which truncates; a float seed in JavaScript is far
    // more likely a bug than a wish to truncate, so both refuse it).
    throw new TypeError(`manual_seed expected a long, but got ${pythonTypeName(seed)}`);
  }
  if (s < INT64_MIN || s >= TWO_POW_64) throw new RuntimeError("Overflow when unpacking long");
  return BigInt.asUintN(64, s);
}

/** A non-deterministic 53-bit seed (see Generator.seed). */
function nonDeterministicSeed(): bigint {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint32Array) => Uint32Array } })
    .crypto;
  let hi: number;
  let lo: number;
  if (c?.getRandomValues) {
    const words = c.getRandomValues(new Uint32Array(2));
    hi = words[0]!;
    lo = words[1]!;
  } else {
    hi = Math.floor(Math.random() * 4294967296);
    lo = Math.floor(Math.random() * 4294967296);
  }
  return (BigInt(hi & 0x1fffff) << 32n) | BigInt(lo >>> 0);
}

/**
 * Creates and returns a generator object that manages the state of the algorithm which
 * produces pseudo random numbers: PyTorch's CPU generator (MT19937), reproducing its streams
 * bit for bit.
 *
 * Args:
 *   device: the desired device for the generator; only `"cpu"`.
 *
 * Example:
 * ```ts
 * const g = new torch.Generator().manual_seed(7);
 * torch.randn([5], { generator: g }); // same values as torch.randn(5, generator=g) in PyTorch
 * ```
 *
 * A generator that was never seeded starts from PyTorch's default seed 67280421310721, as
 * `torch.Generator()` does. The global generator (`torch.manual_seed`) starts from a
 * non-deterministic seed.
 */
/**
 * Faster versions of the generator's bulk loops over the same state (the native backend
 * registers them), each returning the advanced position `[left, next]`:
 * - `fill(state, left, next, out)`: `out` gets the draws `fillUint32`'s JS loop would make;
 * - `bernoulli53(state, left, next, out, p)`: `out[i] = uniform53() < p ? 1 : 0` per element.
 */
export interface BulkDraws {
  fill(state: Uint32Array, left: number, next: number, out: Uint32Array): [number, number];
  bernoulli53(state: Uint32Array, left: number, next: number, out: Float32Array, p: number): [number, number];
}
let bulk: BulkDraws | null = null;
/** Calls shorter than this stay in JS (the crossing costs more than a few draws). */
const BULK_MIN = 64;

/** @internal Registers (or, with null, removes) the bulk kernels; returns the previous ones. */
export function setBulkDraws(draws: BulkDraws | null): BulkDraws | null {
  const previous = bulk;
  bulk = draws;
  return previous;
}

export class Generator {
  /** The generator's device. */
  readonly device = "cpu";

  // mt19937_data_pod: the twister state, and the read position.
  private readonly mt = new Uint32Array(N);
  private readonly mti = new Int32Array(this.mt.buffer);
  private left = 1;
  private next = 0;
  private seed64 = 0n;

  /**
   * The second value of the last scalar Box–Muller pair (`next_double_normal_sample`), used by
   * the next scalar normal draw; null when empty. Shared by float32 and float64 tensors.
   */
  normalCacheF64: number | null = null;
  /**
   * `next_float_normal_sample`: part of PyTorch's state, but no CPU kernel reads or writes it.
   * Kept so that get_state / set_state round-trip PyTorch's bytes.
   */
  normalCacheF32: number | null = null;

  constructor(device: string = "cpu") {
    if (device !== "cpu") {
      throw new RuntimeError(`Device type ${device.toUpperCase()} is not supported for torch.Generator() api.`);
    }
    this.seedWith(DEFAULT_RNG_SEED);
  }

  /**
   * Sets the seed for generating random numbers. Returns this generator.
   *
   * Args:
   *   seed: the desired seed, any integer in [-2^63, 2^64 - 1] (negative values are taken as
   *     their 64-bit two's complement). Only its low 32 bits reach the Mersenne Twister, so
   *     `2**32 + 5` gives the stream of `5`.
   *
   * Example: `new Generator().manual_seed(42)`.
   */
  manual_seed(seed: number | bigint): this {
    this.seedWith(seedToUint64(seed));
    return this;
  }

  /**
   * Seeds the generator from a non-deterministic source and returns that seed.
   *
   * PyTorch's CPU generator draws 64 bits from /dev/urandom; here the seed has 53 bits (from
   * `crypto.getRandomValues`, or `Math.random` where that is missing), as PyTorch's CUDA
   * generator does, so that it is always exactly a JavaScript number. Only its low 32 bits
   * seed the twister either way.
   */
  seed(): number {
    const s = nonDeterministicSeed();
    this.seedWith(s);
    return Number(s);
  }

  /**
   * The initial seed of this generator: the value given to the last manual_seed (as an
   * unsigned 64-bit integer) or seed(). A number when it is a safe integer, else a bigint.
   *
   * Example: `new Generator().manual_seed(-1).initial_seed()` is 18446744073709551615n.
   */
  initial_seed(): number | bigint {
    return seedValue(this.seed64);
  }

  /**
   * The generator state as bytes, in the layout of PyTorch's `CPUGeneratorImplState` (5056
   * bytes, little-endian), so `torch.get_rng_state()` from PyTorch can be loaded with
   * set_state and back:
   *
   * | offset | field |
   * |---|---|
   * | 0 | uint64 initial seed |
   * | 8 | int32 `left` (draws left before the next twist, 1..624) |
   * | 12 | int32 `seeded` (1) |
   * | 16 | uint64 `next` (read index, 0..624) |
   * | 24 | 624 × uint64 twister words (each < 2^32) |
   * | 5016, 5032 | float64 0 (legacy normal_x, normal_rho) |
   * | 5024 | float64 cached normal (normal_y) |
   * | 5040 | int32 1 if the normal cache is set |
   * | 5048 | float32 cached float normal; 5052: uint8 1 if set |
   *
   * The other bytes are zero.
   */
  get_state(): Uint8Array {
    const bytes = new Uint8Array(STATE_SIZE);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, this.seed64, true);
    view.setInt32(8, this.left, true);
    view.setInt32(12, 1, true);
    view.setBigUint64(16, BigInt(this.next), true);
    for (let i = 0; i < N; i++) view.setUint32(24 + 8 * i, this.mt[i]!, true);
    if (this.normalCacheF64 !== null) {
      view.setFloat64(5024, this.normalCacheF64, true);
      view.setInt32(5040, 1, true);
    }
    if (this.normalCacheF32 !== null) {
      view.setFloat32(5048, this.normalCacheF32, true);
      bytes[5052] = 1;
    }
    return bytes;
  }

  /**
   * Sets the generator state from bytes made by get_state (or PyTorch's
   * `torch.get_rng_state()` / `Generator.get_state()`, converted to a Uint8Array). Also accepts
   * the 5048-byte legacy layout, as PyTorch 1.13 does. Returns this generator.
   */
  set_state(new_state: Uint8Array): this {
    if (!(new_state instanceof Uint8Array)) {
      throw new TypeError("expected a torch.ByteTensor, but got " + pythonTypeName(new_state));
    }
    const size = new_state.length;
    if (size !== STATE_SIZE && size !== LEGACY_STATE_SIZE) {
      throw new RuntimeError(
        `Expected either a CPUGeneratorImplStateLegacy of size ${LEGACY_STATE_SIZE} or a ` +
          `CPUGeneratorImplState of size ${STATE_SIZE} but found the input RNG state size to be ${size}`,
      );
    }
    const view = new DataView(new_state.buffer, new_state.byteOffset, new_state.byteLength);
    const left = view.getInt32(8, true);
    const seeded = view.getInt32(12, true);
    // PyTorch truncates the 64-bit `next` to uint32 and the 64-bit words to uint32.
    const next = Number(view.getBigUint64(16, true) & 0xffffffffn);
    if (!(seeded !== 0 && left > 0 && left <= N && next <= N)) {
      throw new RuntimeError("Invalid mt19937 state");
    }
    for (let i = 0; i < N; i++) this.mt[i] = view.getUint32(24 + 8 * i, true);
    this.seed64 = view.getBigUint64(0, true);
    this.left = left;
    this.next = next;
    if (size === STATE_SIZE) {
      this.normalCacheF64 = view.getInt32(5040, true) !== 0 ? view.getFloat64(5024, true) : null;
      this.normalCacheF32 = new_state[5052] !== 0 ? view.getFloat32(5048, true) : null;
    } else {
      // The legacy layout stored (normal_x, normal_rho); the cached sample is the sine half.
      // The float cache did not exist then and is left as it was.
      const valid = view.getInt32(5040, true) !== 0;
      const x = view.getFloat64(5016, true);
      const rho = view.getFloat64(5032, true);
      this.normalCacheF64 = valid ? rho * sin(6.283185307179586 * x) : null;
    }
    return this;
  }

  // -------------------------------------------------------------------------------------------
  // Internal interface used by the samplers (camelCase: not PyTorch API).

  /** One 32-bit draw: the MT19937 tempered output (PyTorch's `random()`). */
  nextUint32(): number {
    if (--this.left === 0) this.twist();
    let y = this.mt[this.next++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * Fills `out` with the next `out.length` 32-bit draws, in order: the same values as that many
   * `nextUint32()` calls, in one loop (a bulk kernel, e.g. bernoulli_, draws tens of thousands).
   */
  fillUint32(out: Uint32Array): void {
    // A native bulk filler (the Node addon) where one is registered and the position is sane.
    if (bulk !== null && out.length >= BULK_MIN && this.bulkPositionOk()) {
      const [left, next] = bulk.fill(this.mt, this.left, this.next, out);
      this.left = left;
      this.next = next;
      return;
    }
    const mt = this.mti;
    // Written through an Int32Array alias: the same bits, in int32 arithmetic (see twist).
    const dst = new Int32Array(out.buffer, out.byteOffset, out.length);
    const n = out.length;
    let i = 0;
    while (i < n) {
      if (--this.left === 0) this.twist();
      // Draws left in the twister's current block (this one included).
      const take = Math.min(n - i, this.left);
      let k = this.next;
      for (const end = i + take; i < end; i++, k++) {
        let y = mt[k]!;
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & (0xefc60000 | 0);
        y ^= y >>> 18;
        dst[i] = y;
      }
      this.next = k;
      this.left -= take - 1;
    }
  }

  /**
   * Fills `out` with Bernoulli(p) draws as 0 and 1, one `uniform53() < p` per element, in one
   * call of the bulk kernel; false (nothing drawn) where none is registered.
   */
  fillBernoulli53(out: Float32Array, p: number): boolean {
    if (bulk === null || out.length < BULK_MIN || !this.bulkPositionOk()) return false;
    const [left, next] = bulk.bernoulli53(this.mt, this.left, this.next, out, p);
    this.left = left;
    this.next = next;
    return true;
  }

  /** Whether the read position is one the bulk kernels accept (a set_state could give any). */
  private bulkPositionOk(): boolean {
    return this.left >= 1 && this.left <= N && this.next >= 0 && this.left + this.next <= N + 1;
  }

  /** A 64-bit draw (PyTorch's `random64()`): two 32-bit draws, the first is the high half. */
  nextUint64(): bigint {
    const hi = this.nextUint32();
    const lo = this.nextUint32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** uniform_real_distribution<double>(0, 1): low 53 bits of a 64-bit draw, times 2^-53. */
  uniform53(): number {
    const hi = this.nextUint32();
    const lo = this.nextUint32();
    return ((hi & 0x1fffff) * 4294967296 + lo) * 1.1102230246251565e-16;
  }

  /** uniform_real_distribution<float>(0, 1): low 24 bits of one 32-bit draw, times 2^-24. */
  uniform24(): number {
    return (this.nextUint32() & 0xffffff) * 5.960464477539063e-8;
  }

  /** mt19937(seed): the twister seeded with the low 32 bits; both normal caches cleared. */
  private seedWith(seed: bigint): void {
    this.seed64 = seed;
    const mt = this.mt;
    mt[0] = Number(seed & 0xffffffffn);
    for (let j = 1; j < N; j++) {
      const prev = mt[j - 1]!;
      mt[j] = Math.imul(1812433253, prev ^ (prev >>> 30)) + j;
    }
    this.left = 1;
    this.next = 0;
    this.normalCacheF64 = null;
    this.normalCacheF32 = null;
  }

  /** next_state(): the MT19937 twist of all 624 words. */
  private twist(): void {
    // On the Int32Array alias of the state: words at or above 2^31 are not small integers to V8
    // as uint32, and the loop would run in floating point (the bits are the same either way).
    const mt = this.mti;
    let k = 0;
    for (; k < N - M; k++) {
      const y = (mt[k]! & UMASK_I32) | (mt[k + 1]! & LMASK);
      mt[k] = mt[k + M]! ^ (y >>> 1) ^ (mt[k + 1]! & 1 ? MATRIX_A_I32 : 0);
    }
    for (; k < N - 1; k++) {
      const y = (mt[k]! & UMASK_I32) | (mt[k + 1]! & LMASK);
      mt[k] = mt[k + M - N]! ^ (y >>> 1) ^ (mt[k + 1]! & 1 ? MATRIX_A_I32 : 0);
    }
    const y = (mt[N - 1]! & UMASK_I32) | (mt[0]! & LMASK);
    mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (mt[0]! & 1 ? MATRIX_A_I32 : 0);
    this.left = N;
    this.next = 0;
  }
}

/**
 * The global CPU generator, `torch.default_generator`, seeded non-deterministically at load
 * (PyTorch seeds its own from /dev/urandom the same way).
 */
export const defaultGenerator = new Generator();
defaultGenerator.seed();
export { defaultGenerator as default_generator };

/**
 * Sets the seed for generating random numbers on the global generator. Returns that
 * torch.Generator.
 *
 * Args:
 *   seed: the desired seed, an integer in [-2^63, 2^64 - 1].
 *
 * Example:
 * ```ts
 * torch.manual_seed(0);
 * torch.rand([2]); // [0.4963, 0.7682], as in PyTorch
 * ```
 */
export function manual_seed(seed: number | bigint): Generator {
  return defaultGenerator.manual_seed(seed);
}

/** Sets the global generator's seed to a non-deterministic random number and returns it. */
export function seed(): number {
  return defaultGenerator.seed();
}

/** The initial seed of the global generator (a number, or a bigint above 2^53 - 1). */
export function initial_seed(): number | bigint {
  return defaultGenerator.initial_seed();
}

/** The global generator's state as bytes (see Generator.get_state). */
export function get_rng_state(): Uint8Array {
  return defaultGenerator.get_state();
}

/** Sets the global generator's state (see Generator.set_state). */
export function set_rng_state(new_state: Uint8Array): void {
  defaultGenerator.set_state(new_state);
}
