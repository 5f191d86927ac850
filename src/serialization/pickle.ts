/**
 * A restricted unpickler: PyTorch's `torch/_weights_only_unpickler.py`, the one `torch.load`
 * uses with `weights_only=True` (the default since PyTorch 2.6).
 *
 * It reads the binary opcodes of pickle protocols 2 to 5 that `torch.save` and Python's pickle
 * emit for containers and numbers (PyTorch's reads protocol 2's only; the later protocols' FRAME,
 * MEMOIZE, STACK_GLOBAL, ... come from `torch.save(obj, f, pickle_protocol=4)`), and resolves `GLOBAL`s only through an allow-list equal to
 * PyTorch's (`collections.OrderedDict`, `torch.Size`, `torch._utils._rebuild_tensor_v2`, the
 * storage classes, dtypes, ...). Nothing named in a file is ever looked up or called: a global
 * outside the list (`os.system`, `builtins.eval`, `subprocess.Popen`) is refused with PyTorch's
 * message naming it, and allowed callables run only through the `reducers` table the caller
 * supplies (src/serialization/pt_rebuild.ts for the torch ones).
 *
 * The machine is a loop over the bytes with an explicit stack: no recursion while reading, every
 * length checked against the bytes left before anything is sliced, so a hostile pickle costs
 * time and memory linear in its size. Containers are built as internal nodes and turned into JS
 * values at the end by an iterative walk that also caps nesting depth and refuses cycles (JS
 * consumers of the result, from `load_state_dict` to `console.log`, recurse); how Python values
 * map to JS values is described in pickle_nodes.ts. The allow-list is in pickle_allowlist.ts.
 */

import {
  finalize, PyDict, PyGlobal, PyList, PySet, PyTuple, pyTypeName, UnpicklingError, type Reducer,
} from "./pickle_nodes.js";
import { BUILTIN_REDUCERS, build, describe, newObject, resolveGlobal, setItemCheck } from "./pickle_allowlist.js";

export { UnpicklingError, PyDict, PyGlobal, PyList, PySet, PyTuple, pyTypeName, MAX_NESTING_DEPTH } from "./pickle_nodes.js";
export type { Reducer } from "./pickle_nodes.js";
export { ALLOWED_GLOBALS } from "./pickle_allowlist.js";

export interface UnpickleOptions {
  /** Callables by full name (`torch._utils._rebuild_tensor_v2`); each must also be allow-listed. */
  reducers?: ReadonlyMap<string, Reducer>;
  /** BINPERSID: receives the persistent id's tuple items (PyTorch: `('storage', type, key, ...)`). */
  persistentLoad?: (pid: readonly unknown[]) => unknown;
  /** Turns a leaf that is not a plain value (a PyGlobal such as a dtype) into its JS value, or throws. */
  finalizeLeaf?: (leaf: unknown) => unknown;
}

// ---- the machine -----------------------------------------------------------------------------

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * At most this many containers (and MARKs) per pickle. Each costs one byte of the file but
 * about a hundred of memory, so a file of nothing but `}` would otherwise grow 100-fold; real
 * checkpoints use about five per tensor.
 */
export const MAX_CONTAINERS = 1 << 20;

/** The opcodes that make a container: MARK, EMPTY_DICT / LIST / TUPLE / SET, TUPLE, TUPLE1-3, REDUCE, NEWOBJ. */
const MAKES_CONTAINER = new Uint8Array(256);
for (const op of [0x28, 0x7d, 0x5d, 0x29, 0x8f, 0x74, 0x85, 0x86, 0x87, 0x52, 0x81]) MAKES_CONTAINER[op] = 1;

/**
 * Reads one pickle from `bytes` starting at `start`; returns its value and where its STOP ended
 * (the legacy `.pt` format holds several pickles in a row).
 */
export function unpickle(bytes: Uint8Array, start = 0, options: UnpickleOptions = {}): { value: unknown; end: number } {
  const { reducers = new Map<string, Reducer>(), persistentLoad, finalizeLeaf = (x: unknown) => x } = options;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length;
  let pos = start;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();
  // Reducers that copy an argument charge its size here. A pickle can name one big memoized
  // value many times at a few bytes a time; the budget keeps the total work linear in the file.
  const budget = 16 * (end - start) + (1 << 20);
  let spent = 0;
  const charge = (units: number): void => {
    spent += units;
    if (spent > budget) {
      throw new UnpicklingError("the pickle copies far more data than it holds (a pickle bomb?)");
    }
  };

  const need = (n: number): void => {
    if (n > end - pos) throw new UnpicklingError("pickle data was truncated");
  };
  const u8 = (): number => {
    need(1);
    return bytes[pos++]!;
  };
  const u16 = (): number => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8);
    const lo = view.getUint32(pos, true);
    const hi = view.getUint32(pos + 4, true);
    pos += 8;
    // A length past 2^53 can never be satisfied by the bytes present; report it as truncation.
    return hi >= 0x200000 ? Number.MAX_SAFE_INTEGER : hi * 2 ** 32 + lo;
  };
  const take = (n: number): Uint8Array => {
    need(n);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const text = (n: number): string => {
    const raw = take(n);
    try {
      return utf8.decode(raw);
    } catch {
      throw new UnpicklingError("a string in the pickle is not valid UTF-8");
    }
  };
  const line = (): string => {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) throw new UnpicklingError("pickle data was truncated");
    const s = text(nl - pos);
    pos++; // the newline
    return s;
  };
  const pop = (): unknown => {
    if (stack.length === 0) throw new UnpicklingError("unpickling stack underflow");
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) throw new UnpicklingError("unpickling stack underflow");
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const outer = metastack.pop();
    if (outer === undefined) throw new UnpicklingError("could not find MARK");
    stack = outer;
    return items;
  };
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) throw new UnpicklingError(`Memo value not found at index ${i}`);
    return memo.get(i);
  };
  const int = (v: bigint): number | bigint =>
    v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  const decodeLong = (raw: Uint8Array): number | bigint => {
    if (raw.length === 0) return 0;
    let hex = "";
    for (let i = raw.length - 1; i >= 0; i--) hex += raw[i]!.toString(16).padStart(2, "0");
    let v = BigInt("0x" + hex);
    if (raw[raw.length - 1]! & 0x80) v -= 1n << BigInt(8 * raw.length);
    return int(v);
  };
  const setItem = (target: unknown, key: unknown, value: unknown, op: string): void => {
    if (!(target instanceof PyDict)) {
      throw new UnpicklingError(
        `Can only ${op} for dict, collections.OrderedDict, collections.Counter, but got <class '${pyTypeName(target)}'>`,
      );
    }
    if (key instanceof PyList || key instanceof PyDict || key instanceof PySet) {
      throw new UnpicklingError(`unhashable type: '${pyTypeName(key)}'`);
    }
    target.map.set(key, value);
  };
  const appendTarget = (target: unknown): PyList => {
    if (!(target instanceof PyList)) {
      throw new UnpicklingError(`Can only append to lists, but got <class '${pyTypeName(target)}'>`);
    }
    return target;
  };
  const call = (func: unknown, args: unknown): unknown => {
    if (!(args instanceof PyTuple)) throw new UnpicklingError(`REDUCE arguments must be a tuple, got ${pyTypeName(args)}`);
    const reducer =
      func instanceof PyGlobal ? (BUILTIN_REDUCERS.get(func.fullName) ?? reducers.get(func.fullName)) : undefined;
    if (reducer === undefined) {
      throw new UnpicklingError(`Trying to call reduce for unrecognized function ${describe(func)}`);
    }
    charge(1);
    return reducer(args.items, charge);
  };

  let containers = 0;
  for (;;) {
    const op = u8();
    if (MAKES_CONTAINER[op] && ++containers > MAX_CONTAINERS) {
      throw new UnpicklingError(`the pickle builds more than ${MAX_CONTAINERS} containers`);
    }
    switch (op) {
      case 0x80: {
        // PROTO
        const proto = u8();
        if (proto > 5) throw new UnpicklingError(`unsupported pickle protocol: ${proto}`);
        break;
      }
      case 0x95: // FRAME: a length prefix for buffering; the bytes it announces must be there.
        need(u64());
        break;
      case 0x2e: // STOP
        return { value: finalize(pop(), finalizeLeaf), end: pos };
      case 0x28: // MARK
        metastack.push(stack);
        stack = [];
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(decodeLong(take(u8())));
        break;
      case 0x8b: {
        // LONG4
        need(4);
        const n = view.getInt32(pos, true);
        pos += 4;
        if (n < 0) throw new UnpicklingError("LONG pickle has negative byte count");
        stack.push(decodeLong(take(n)));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(text(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(u64()));
        break;
      case 0x55: // SHORT_BINSTRING (a Python 2 str; torch.load decodes these as UTF-8)
        stack.push(text(u8()));
        break;
      case 0x54: {
        // BINSTRING
        need(4);
        const n = view.getInt32(pos, true);
        pos += 4;
        if (n < 0) throw new UnpicklingError("BINSTRING pickle has negative byte count");
        stack.push(text(n));
        break;
      }
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(take(u64()).slice());
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push(new PyList());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x8f: // EMPTY_SET
        stack.push(new PySet());
        break;
      case 0x74: {
        // TUPLE (popMark first: it replaces `stack`)
        const items = popMark();
        stack.push(new PyTuple(items));
        break;
      }
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b, c]));
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItem(top(), key, value, "SETITEM");
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        if (items.length % 2 !== 0) throw new UnpicklingError("odd number of items for SETITEMS");
        const target = top();
        if (items.length === 0) setItemCheck(target);
        for (let i = 0; i < items.length; i += 2) setItem(target, items[i], items[i + 1], "SETITEMS");
        break;
      }
      case 0x61: {
        // APPEND
        const item = pop();
        appendTarget(top()).items.push(item);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = appendTarget(top());
        for (const item of items) list.items.push(item);
        break;
      }
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const set = top();
        if (!(set instanceof PySet)) throw new UnpicklingError(`Can only ADDITEMS to sets, but got <class '${pyTypeName(set)}'>`);
        for (const item of items) set.items.push(item);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        stack.push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(u32()));
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") {
          throw new UnpicklingError("STACK_GLOBAL requires str");
        }
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const func = top();
        stack[stack.length - 1] = call(func, args);
        break;
      }
      case 0x81: {
        // NEWOBJ: cls.__new__(cls, *args)
        const args = pop();
        const cls = pop();
        stack.push(newObject(cls, args, reducers, charge));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        build(top(), state, charge);
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!(pid instanceof PyTuple)) {
          throw new UnpicklingError(`persistent_load id must be tuple or int, but got <class '${pyTypeName(pid)}'>`);
        }
        const kind = pid.items[0];
        const kindText = kind instanceof Uint8Array ? new TextDecoder("latin1").decode(kind) : kind;
        if (kindText !== "storage") {
          throw new UnpicklingError(`Only persistent_load of storage is allowed, but got <class '${pyTypeName(kind)}'>`);
        }
        if (persistentLoad === undefined) {
          throw new UnpicklingError(
            "A load persistent id instruction was encountered, but no persistent_load function was specified.",
          );
        }
        stack.push(persistentLoad(pid.items));
        break;
      }
      default:
        throw new UnpicklingError(`Unsupported operand ${op}`);
    }
  }
}
