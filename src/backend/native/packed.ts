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
 * weight gradient's B is an activation, a new storage each step, so a training step packs
 * none of them and pays only this lookup (a full-batch input that stays the same storage is
 * packed, as it repeats). What repeats at one version is inference, evaluation, and a weight
 * used at several steps of one forward (a recurrent cell).
 *
 * Entries are found through a WeakMap keyed by the storage, then by the view's offset and
 * strides, K and N; each holds the version it was seen at. No entry holds its storage, and
 * nothing here calls WeakRef.deref: a deref keeps its target alive until the current job ends,
 * and a synchronous training loop is one job, so looking at last steps' activations that way
 * would keep every one of them. A FinalizationRegistry drops a dead storage's packed copies. At
 * most PACKED_CACHE_BYTES of packed copies: a copy that does not fit is not made, unless copies
 * that no product used for a while make room (so operands that together exceed the room do not
 * push each other out and get packed again on every product). TORCH_TS_CHECK_STAGED=1 packs
 * again on every reuse and throws if the two differ (the test suite sets it).
 */

import type { Storage, StridedView } from "../backend.js";
import { dataOf } from "../js/storage.js";
import type { NativeAddon } from "./loader.js";

/** Operands under this many bytes are packed as the product runs (cheap next to a lookup). */
const PACKED_MIN_BYTES = 64 * 1024;
/** One operand's packed copy at most (a 2048 x 2048 weight); larger ones are packed each time. */
const PACKED_MAX_BYTES = 16 * 1024 * 1024;
/** All packed copies together, at most. */
export const PACKED_CACHE_BYTES = 64 * 1024 * 1024;
/** Operands tracked at most, packed or seen once. */
const MAX_ENTRIES = 32;
/** The addon's panel width (packages/native/src/gemm.h NR). */
const NR = 16;

const CHECK = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
  ?.TORCH_TS_CHECK_STAGED === "1";

interface Entry {
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
  /** The lookup that last used it (PackedOperands.tick). */
  used: number;
  /** Whether it is in the recently used list (false once dropped from it: it starts afresh). */
  listed: boolean;
}

/** Floats of a packed K x N operand, with the 7 the addon may skip to align it. */
export function packedFloats(K: number, N: number): number {
  return Math.ceil(N / NR) * NR * K + 7;
}

/** A copy unused for this many lookups may be dropped to make room for a new one. */
const IDLE_LOOKUPS = 64;
/** Views of one storage tracked at most. */
const VIEWS_PER_STORAGE = 8;

/** The entries of one storage's views. */
interface Views {
  entries: Entry[];
  /** Whether `dead` watches the storage (from its first packed copy on). */
  watched: boolean;
}

export class PackedOperands {
  private readonly byStorage = new WeakMap<Storage, Views>();
  /** Entries in use, least recently used first. */
  private recent: Entry[] = [];
  private bytes = 0;
  private tick = 0;
  /**
   * Drops the copies of a storage that was collected (held value: its entries, not it). Only
   * storages with a copy are watched: a registration lives until its callback runs, which is a
   * task of its own, so in a synchronous loop every step's activation would add one.
   */
  private readonly dead = new FinalizationRegistry<Views>((views) => {
    for (const e of views.entries) this.drop(e);
  });
  /** @internal Products that read a kept packing (tests read it). */
  hits = 0;
  /** @internal Operands packed whole. */
  packs = 0;
  /** @internal Storages `dead` was asked to watch. */
  watched = 0;

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
    const tick = ++this.tick;
    let views = this.byStorage.get(storage);
    if (views === undefined) {
      views = { entries: [], watched: false };
      this.byStorage.set(storage, views);
    }
    const entries = views.entries;
    let entry: Entry | undefined;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.offset === offset && e.rowStride === rowStride && e.colStride === colStride && e.K === K && e.N === N) {
        entry = e;
        break;
      }
    }
    if (entry === undefined || !entry.listed) {
      // First seen (or dropped since): remembered at this version, packed if it comes back.
      if (entry === undefined) {
        if (entries.length >= VIEWS_PER_STORAGE) this.drop(entries.shift()!);
        entry = { offset, rowStride, colStride, K, N, version: 0, packed: null, skip: 0, used: 0, listed: false };
        entries.push(entry);
      }
      entry.version = storage.version;
      entry.used = tick;
      entry.listed = true;
      this.recent.push(entry);
      while (this.recent.length > MAX_ENTRIES) this.drop(this.recent[0]!);
      return undefined;
    }
    this.recent.splice(this.recent.indexOf(entry), 1);
    this.recent.push(entry);
    entry.used = tick;
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
    if (!this.makeRoom(floats * 4, tick)) return undefined;
    const packed = new Float32Array(floats);
    entry.skip = this.pack(b, entry, packed);
    if (!views.watched) {
      views.watched = true;
      this.dead.register(storage, views);
      this.watched++;
    }
    entry.packed = packed;
    this.bytes += packed.byteLength;
    this.packs++;
    return packed;
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

  /** Takes an entry out of the recently used list and frees its copy. */
  private drop(e: Entry): void {
    this.release(e);
    if (!e.listed) return;
    e.listed = false;
    const at = this.recent.indexOf(e);
    if (at >= 0) this.recent.splice(at, 1);
  }

  /** Whether `bytes` more fit, after dropping copies no product used for IDLE_LOOKUPS lookups. */
  private makeRoom(bytes: number, tick: number): boolean {
    for (let i = 0; i < this.recent.length && this.bytes + bytes > PACKED_CACHE_BYTES; i++) {
      const e = this.recent[i]!;
      if (e.packed !== null && tick - e.used > IDLE_LOOKUPS) this.release(e);
    }
    return this.bytes + bytes <= PACKED_CACHE_BYTES;
  }
}
