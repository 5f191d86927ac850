/**
 * A pickle writer for protocol 2, the protocol `torch.save` uses, emitting the opcodes Python's
 * `pickle.Pickler` emits for the same objects (so PyTorch's restricted unpickler, which knows
 * only protocol 2's opcodes, reads what torch-ts writes).
 *
 * JS values map to Python as the unpickler maps them back (src/serialization/pickle.ts):
 * null and undefined → None, booleans → bool, integer-valued numbers and bigints → int, other
 * numbers → float, strings → str, Uint8Array → bytes, arrays → list, frozen arrays → tuple,
 * Set → set, Map → dict, plain objects → dict (keys that are array indices, `"0"`, become int
 * keys: JavaScript itself treats them as integers, and optimizer state is keyed so). Objects the
 * caller's `reduce` hook claims (tensors, torch.Size, dtypes) are written as `__reduce__` would.
 */

import { RuntimeError } from "../errors.js";

/** A Python global to write (`GLOBAL 'torch._utils _rebuild_tensor_v2'`). */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
}

/**
 * What `obj.__reduce__()` returns, written as Python's `save_reduce` writes it: the callable,
 * its arguments (a tuple), REDUCE, then dict items (SETITEMS) and state (BUILD).
 */
export class PickleReduce {
  constructor(
    readonly func: PickleGlobal,
    readonly args: readonly unknown[],
    readonly dictItems: readonly (readonly [unknown, unknown])[] | null = null,
    readonly state: unknown = undefined,
  ) {}
}

export interface PicklerHooks {
  /** A persistent id (a tuple's items) for `obj`, written in its place with BINPERSID. */
  persistentId?: (obj: object) => readonly unknown[] | undefined;
  /** How to write an object that is not a plain value (a Tensor); undefined if it cannot be pickled. */
  reduce?: (obj: object) => PickleReduce | PickleGlobal | undefined;
}

/** Python's recursion limit, which `pickle.dump` hits on deeper structures. */
const MAX_DEPTH = 1000;
/** Python's `Pickler._BATCHSIZE`: APPENDS and SETITEMS carry at most this many items each. */
const BATCH_SIZE = 1000;
const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

class ByteWriter {
  private buf = new Uint8Array(1024);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
  }

  u16(v: number): void {
    this.byte(v & 0xff);
    this.byte((v >>> 8) & 0xff);
  }

  u32(v: number): void {
    this.reserve(4);
    new DataView(this.buf.buffer).setUint32(this.length, v >>> 0, true);
    this.length += 4;
  }

  f64be(v: number): void {
    this.reserve(8);
    new DataView(this.buf.buffer).setFloat64(this.length, v, false);
    this.length += 8;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Python's `encode_long`: the shortest little-endian two's complement bytes of `x`. */
function encodeLong(x: bigint): Uint8Array {
  if (x === 0n) return new Uint8Array(0);
  const bits = (x < 0n ? -x - 1n : x).toString(2).length;
  const n = (bits >> 3) + 1;
  let u = BigInt.asUintN(8 * n, x);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  if (x < 0n && n > 1 && out[n - 1] === 0xff && (out[n - 2]! & 0x80) !== 0) return out.subarray(0, n - 1);
  return out;
}

/** Python's type name for an object that cannot be pickled. */
function jsTypeName(obj: unknown): string {
  if (typeof obj === "function") return "function";
  if (typeof obj === "symbol") return "symbol";
  return (obj as { constructor?: { name?: string } })?.constructor?.name ?? "object";
}

export class Pickler {
  private readonly out = new ByteWriter();
  private readonly memo = new Map<unknown, number>();
  private readonly utf8 = new TextEncoder();
  private depth = 0;

  constructor(private readonly hooks: PicklerHooks = {}) {}

  /** The complete pickle of `obj`: PROTO 2, the object, STOP. */
  dump(obj: unknown): Uint8Array {
    this.out.byte(0x80);
    this.out.byte(2);
    this.save(obj);
    this.out.byte(0x2e);
    return this.out.result();
  }

  private memoize(key: unknown): void {
    const i = this.memo.size;
    this.memo.set(key, i);
    if (i < 256) {
      this.out.byte(0x71); // BINPUT
      this.out.byte(i);
    } else {
      this.out.byte(0x72); // LONG_BINPUT
      this.out.u32(i);
    }
  }

  /** Writes a BINGET for `key` if it is memoized; returns whether it did. */
  private fromMemo(key: unknown): boolean {
    const i = this.memo.get(key);
    if (i === undefined) return false;
    if (i < 256) {
      this.out.byte(0x68); // BINGET
      this.out.byte(i);
    } else {
      this.out.byte(0x6a); // LONG_BINGET
      this.out.u32(i);
    }
    return true;
  }

  private save(obj: unknown): void {
    if (++this.depth > MAX_DEPTH) throw new RuntimeError("maximum recursion depth exceeded while pickling an object");
    try {
      this.saveValue(obj);
    } finally {
      this.depth--;
    }
  }

  private saveValue(obj: unknown): void {
    if (obj === null || obj === undefined) return this.out.byte(0x4e); // NONE
    if (typeof obj === "boolean") return this.out.byte(obj ? 0x88 : 0x89);
    if (typeof obj === "number") {
      if (Number.isInteger(obj) && !Object.is(obj, -0)) return this.saveInt(obj);
      this.out.byte(0x47); // BINFLOAT
      return this.out.f64be(obj);
    }
    if (typeof obj === "bigint") return this.saveInt(obj);
    if (typeof obj === "string") return this.saveStr(obj);
    if (typeof obj === "function") {
      // Modules are callable objects: the hook gets to refuse them with a better message.
      this.hooks.reduce?.(obj);
      throw new TypeError(`cannot pickle 'function' object`);
    }
    if (typeof obj !== "object") throw new TypeError(`cannot pickle '${jsTypeName(obj)}' object`);

    const pid = this.hooks.persistentId?.(obj);
    if (pid !== undefined) {
      this.save(Object.freeze([...pid]));
      return this.out.byte(0x51); // BINPERSID
    }
    if (this.fromMemo(obj)) return;

    if (obj instanceof PickleGlobal) return this.saveGlobal(obj);
    if (obj instanceof PickleReduce) return this.saveReduce(obj, obj);
    // The hook goes first: a torch.Size is an array, but pickles as torch.Size((...)).
    const reduced = this.hooks.reduce?.(obj);
    if (reduced instanceof PickleGlobal) {
      this.saveGlobal(reduced);
      // A second reference to the same object (a dtype) reuses the global's memo entry.
      this.memo.set(obj, this.memo.get(globalKey(reduced))!);
      return;
    }
    if (reduced !== undefined) return this.saveReduce(reduced, obj);
    if (obj instanceof Uint8Array) {
      // Protocol 2 has no bytes opcode: Python 3 writes _codecs.encode(latin-1 text, 'latin1').
      let text = "";
      for (let i = 0; i < obj.length; i++) text += String.fromCharCode(obj[i]!);
      return this.saveReduce(new PickleReduce(new PickleGlobal("_codecs", "encode"), [text, "latin1"]), obj);
    }
    if (Array.isArray(obj)) return Object.isFrozen(obj) ? this.saveTuple(obj, obj) : this.saveList(obj);
    if (obj instanceof Map) return this.saveDict(obj, [...obj.entries()]);
    if (obj instanceof Set) {
      return this.saveReduce(new PickleReduce(new PickleGlobal("builtins", "set"), [[...obj]]), obj);
    }
    const proto = Object.getPrototypeOf(obj);
    if (proto === Object.prototype || proto === null) {
      return this.saveDict(
        obj,
        Object.entries(obj).map(([k, v]) => [ARRAY_INDEX.test(k) ? Number(k) : k, v] as const),
      );
    }
    throw new TypeError(`cannot pickle '${jsTypeName(obj)}' object`);
  }

  private saveInt(x: number | bigint): void {
    if (typeof x === "number" && x >= 0 && x <= 0xff) {
      this.out.byte(0x4b); // BININT1
      return this.out.byte(x);
    }
    if (typeof x === "number" && x >= 0 && x <= 0xffff) {
      this.out.byte(0x4d); // BININT2
      return this.out.u16(x);
    }
    const big = BigInt(x);
    if (big >= -0x80000000n && big <= 0x7fffffffn) {
      if (typeof x === "bigint" && big >= 0n && big <= 0xffffn) return this.saveInt(Number(big));
      this.out.byte(0x4a); // BININT
      return this.out.u32(Number(big));
    }
    const raw = encodeLong(big);
    if (raw.length < 256) {
      this.out.byte(0x8a); // LONG1
      this.out.byte(raw.length);
    } else {
      this.out.byte(0x8b); // LONG4
      this.out.u32(raw.length);
    }
    this.out.bytes(raw);
  }

  private saveStr(s: string): void {
    // Strings are memoized by value (Python: by identity, which interned names share anyway).
    const key = `s${s}`;
    if (this.fromMemo(key)) return;
    const raw = this.utf8.encode(s);
    this.out.byte(0x58); // BINUNICODE
    this.out.u32(raw.length);
    this.out.bytes(raw);
    this.memoize(key);
  }

  private saveGlobal(g: PickleGlobal): void {
    const key = globalKey(g);
    if (this.fromMemo(key)) return;
    this.out.byte(0x63); // GLOBAL
    this.out.bytes(this.utf8.encode(`${g.module}\n${g.name}\n`));
    this.memoize(key);
  }

  private saveTuple(items: readonly unknown[], obj: object): void {
    if (items.length === 0) return this.out.byte(0x29); // EMPTY_TUPLE
    if (items.length <= 3) {
      for (const item of items) this.save(item);
      this.out.byte([0x85, 0x86, 0x87][items.length - 1]!); // TUPLE1..3
    } else {
      this.out.byte(0x28); // MARK
      for (const item of items) this.save(item);
      this.out.byte(0x74); // TUPLE
    }
    this.memoize(obj);
  }

  private saveList(items: readonly unknown[]): void {
    this.out.byte(0x5d); // EMPTY_LIST
    this.memoize(items);
    this.batch(items.length, (i) => this.save(items[i]), 0x61, 0x65); // APPEND, APPENDS
  }

  private saveDict(obj: object, entries: readonly (readonly [unknown, unknown])[]): void {
    this.out.byte(0x7d); // EMPTY_DICT
    this.memoize(obj);
    this.setItems(entries);
  }

  private setItems(entries: readonly (readonly [unknown, unknown])[]): void {
    this.batch(
      entries.length,
      (i) => {
        this.save(entries[i]![0]);
        this.save(entries[i]![1]);
      },
      0x73, // SETITEM
      0x75, // SETITEMS
    );
  }

  /** Python's `_batch_appends` / `_batch_setitems`: one item alone, else MARK ... op per 1000. */
  private batch(n: number, saveItem: (i: number) => void, single: number, many: number): void {
    for (let start = 0; start < n; start += BATCH_SIZE) {
      const stop = Math.min(n, start + BATCH_SIZE);
      if (stop - start === 1) {
        saveItem(start);
        this.out.byte(single);
      } else {
        this.out.byte(0x28); // MARK
        for (let i = start; i < stop; i++) saveItem(i);
        this.out.byte(many);
      }
    }
  }

  private saveReduce(r: PickleReduce, obj: object): void {
    this.saveGlobal(r.func);
    this.saveTuple(Object.freeze([...r.args]), Object.freeze([]) as object);
    this.out.byte(0x52); // REDUCE
    this.memoize(obj);
    if (r.dictItems !== null) this.setItems(r.dictItems);
    if (r.state !== undefined) {
      this.save(r.state);
      this.out.byte(0x62); // BUILD
    }
  }
}

/** Memo keys of strings start with "s", of globals with "g": the two never collide. */
function globalKey(g: PickleGlobal): string {
  return `g${g.module}\n${g.name}`;
}
