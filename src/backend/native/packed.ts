/**
 * Right-hand operands the native backend keeps packed between products.
 *
 * The addon's GEMM packs B into 16-column panels as the product runs. With few rows of A
 * (nn.Linear at inference: a batch of 64, or one request's row) that packing is a large part of
 * the work, and it is the same each time the layer runs: x·Wᵀ repacks W on every call. So a
 * right-hand operand that a product meets again at the same version of its storage is packed
 * once, whole (the addon's `packB`), and later products read those panels (matmul's fourth
 * argument), with the same FMAs in the same order: the bits do not change.
 *
 * An operand is packed on its second product at one version, never on its first: a training
 * step writes its weights (the optimizer bumps the version) before their next forward, and the
 * weight gradient's B is an activation, a new storage each step, so training packs nothing here
 * and pays only this lookup. What repeats at one version is inference, evaluation, and a
 * weight used at several steps of one forward (a recurrent cell).
 *
 * Keyed by the storage (a WeakRef: a dead weight's entry goes with the next lookups), the view's
 * offset and strides, K and N, and the storage's version; a write since (the version moved)
 * drops the packed copy. At most PACKED_CACHE_BYTES of packed copies, least recently used go
 * first. TORCH_TS_CHECK_STAGED=1 packs again on every reuse and throws if the two differ (the
 * test suite sets it).
 */

import type { Storage, StridedView } from "../backend.js";
import { dataOf } from "../js/storage.js";
import type { NativeAddon } from "./loader.js";

/** Operands under this many bytes are packed as the product runs (cheap next to a lookup). */
export const PACKED_MIN_BYTES = 64 * 1024;
/** One operand's packed copy at most (a 2048 x 2048 weight); larger ones are packed each time. */
export const PACKED_MAX_BYTES = 16 * 1024 * 1024;
/** All packed copies together, at most. */
export const PACKED_CACHE_BYTES = 64 * 1024 * 1024;
/** Operands tracked at most, packed or seen once. */
const MAX_ENTRIES = 32;
/** The addon's panel width (packages/native/src/gemm.h NR). */
const NR = 16;

const CHECK = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
  ?.TORCH_TS_CHECK_STAGED === "1";

interface Entry {
  storage: WeakRef<Storage>;
  offset: number;
  rowStride: number;
  colStride: number;
  K: number;
  N: number;
  /** The version it was last seen at. */
  version: number;
  /** Its panels at `version`, or null: seen once there. */
  packed: Float32Array | null;
  /** Floats before the panels in `packed` (the addon aligns them to 32 bytes). */
  skip: number;
}

/** Floats of a packed K x N operand, with the 7 the addon may skip to align it. */
export function packedFloats(K: number, N: number): number {
  return Math.ceil(N / NR) * NR * K + 7;
}

export class PackedOperands {
  /** Least recently used first. */
  private entries: Entry[] = [];
  private bytes = 0;
  /** @internal Products that read a kept packing (tests read it). */
  hits = 0;
  /** @internal Operands packed whole. */
  packs = 0;

  constructor(private readonly addon: NativeAddon) {}

  /** @internal Bytes of packed copies held. */
  get heldBytes(): number {
    return this.bytes;
  }

  /**
   * The packed form of `b`, a K x N matrix with strides (rowStride, colStride) from its
   * offset (one matrix for every batch), to pass to the addon's matmul; undefined where the
   * product should pack it as it runs. Writes the addon's params (call it before the product's).
   */
  lookup(b: StridedView, K: number, N: number, rowStride: number, colStride: number): Float32Array | undefined {
    const floats = packedFloats(K, N);
    if (K * N * 4 < PACKED_MIN_BYTES || floats * 4 > PACKED_MAX_BYTES) return undefined;
    const storage = b.storage;
    const { offset } = b;
    let found = -1;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      if (e.offset === offset && e.rowStride === rowStride && e.colStride === colStride && e.K === K && e.N === N &&
          e.storage.deref() === storage) {
        found = i;
        break;
      }
    }
    if (found < 0) {
      this.add({ storage: new WeakRef(storage), offset, rowStride, colStride, K, N, version: storage.version, packed: null, skip: 0 });
      return undefined;
    }
    const entry = this.entries[found]!;
    this.entries.splice(found, 1);
    this.entries.push(entry);
    if (entry.version !== storage.version) {
      // Written since: its panels are stale; packed again if the next product sees this version.
      this.release(entry);
      entry.version = storage.version;
      return undefined;
    }
    if (entry.packed !== null) {
      if (CHECK) this.check(b, entry);
      this.hits++;
      return entry.packed;
    }
    const packed = new Float32Array(floats);
    entry.skip = this.pack(b, entry, packed);
    this.makeRoom(packed.byteLength);
    entry.packed = packed;
    this.bytes += packed.byteLength;
    this.packs++;
    return packed;
  }

  /** Drops every packed copy (tests; a backend switch need not). */
  clear(): void {
    this.entries = [];
    this.bytes = 0;
  }

  /** Packs b into `into`; returns where the panels start in it (the addon aligns them). */
  private pack(b: StridedView, e: Entry, into: Float32Array): number {
    const params = this.addon.params;
    params[0] = e.K;
    params[1] = e.N;
    params[2] = e.offset;
    params[3] = e.rowStride;
    params[4] = e.colStride;
    return this.addon.packB(into, dataOf(b) as Float32Array);
  }

  /** TORCH_TS_CHECK_STAGED: the kept panels must be what packing the storage gives now. */
  private check(b: StridedView, e: Entry): void {
    const packed = e.packed!;
    const now = new Float32Array(packed.length);
    const skip = this.pack(b, e, now);
    const kept = new Uint32Array(packed.buffer, packed.byteOffset + e.skip * 4, packed.length - 7);
    const fresh = new Uint32Array(now.buffer, now.byteOffset + skip * 4, now.length - 7);
    for (let i = 0; i < kept.length; i++) {
      if (kept[i] !== fresh[i]) {
        throw new Error(
          `torch-ts: a packed operand is stale (its storage changed without a version bump; packed float ${i} differs)`,
        );
      }
    }
  }

  private release(e: Entry): void {
    if (e.packed !== null) this.bytes -= e.packed.byteLength;
    e.packed = null;
  }

  private add(e: Entry): void {
    // Dead storages go first, then the least recently used.
    const live: Entry[] = [];
    for (const x of this.entries) {
      if (x.storage.deref() === undefined) this.release(x);
      else live.push(x);
    }
    this.entries = live;
    while (this.entries.length >= MAX_ENTRIES) this.release(this.entries.shift()!);
    this.entries.push(e);
  }

  private makeRoom(bytes: number): void {
    for (let i = 0; i < this.entries.length && this.bytes + bytes > PACKED_CACHE_BYTES; i++) {
      const e = this.entries[i]!;
      if (e.storage.deref() === undefined || e.packed !== null) this.release(e);
    }
  }
}
