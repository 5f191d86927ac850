/**
 * The values the restricted unpickler (pickle.ts) builds while it reads, and how they become JS
 * values once the pickle is read: Python containers are internal nodes until the end, because a
 * pickle may still add to a container after placing it in another (through the memo).
 *
 * Python values become: None → null, bool → boolean, int → number (bigint beyond 2^53),
 * float → number, str → string, bytes → Uint8Array, list → Array, tuple → frozen Array,
 * set → Set, dict / OrderedDict → a plain object when its keys are all strings that do not look
 * like array indices, or all non-negative integers in ascending order (JS objects keep such keys
 * in that order), else a Map. An OrderedDict's `_metadata` attribute (what `Module.state_dict`
 * attaches) becomes a non-enumerable `_metadata` property.
 */

import { Tensor } from "../tensor/tensor.js";
import { Parameter } from "../nn/parameter.js";

/** Python's `pickle.UnpicklingError`: the file is not a pickle the restricted unpickler accepts. */
export class UnpicklingError extends Error {
  override name = "UnpicklingError";
}

/** Deeper nesting is refused: Python's own recursion limit, which `pickle.dump` hits when writing. */
export const MAX_NESTING_DEPTH = 1000;

// ---- the internal nodes ----------------------------------------------------------------------

/** A global the allow-list accepted, e.g. `torch._utils._rebuild_tensor_v2`. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}

  get fullName(): string {
    return `${this.module}.${this.name}`;
  }
}

export class PyList {
  constructor(readonly items: unknown[] = []) {}
}

export class PyTuple {
  constructor(readonly items: readonly unknown[]) {}
}

export class PySet {
  constructor(readonly items: unknown[] = []) {}
}

/** A dict, OrderedDict or Counter; `attrs` holds what BUILD set on an OrderedDict (`_metadata`). */
export class PyDict {
  readonly map = new Map<unknown, unknown>();
  attrs: PyDict | null = null;
  constructor(readonly kind: "dict" | "collections.OrderedDict" | "collections.Counter" = "dict") {}
}

/**
 * A callable the checkpoint may call, given the call's arguments as internal nodes or final
 * leaves. `charge(n)` counts n units of copying against the pickle's budget: a reducer that
 * copies an argument (set(list), torch.Size(tuple)) charges its size, so that a pickle calling it
 * on one big memoized value again and again fails instead of hanging.
 */
export type Reducer = (args: readonly unknown[], charge: (units: number) => void) => unknown;


/** Python's name for a value's type, as PyTorch's messages print it. */
export function pyTypeName(x: unknown): string {
  if (x === null || x === undefined) return "NoneType";
  if (typeof x === "boolean") return "bool";
  if (typeof x === "bigint") return "int";
  if (typeof x === "number") return Number.isInteger(x) ? "int" : "float";
  if (typeof x === "string") return "str";
  if (x instanceof Uint8Array) return "bytes";
  if (x instanceof PyList) return "list";
  if (x instanceof PyTuple) return "tuple";
  if (x instanceof PySet) return "set";
  if (x instanceof PyDict) return x.kind;
  if (x instanceof PyGlobal) return x.fullName;
  if (x instanceof Parameter) return "torch.nn.parameter.Parameter";
  if (x instanceof Tensor) return "torch.Tensor";
  return (x as { constructor?: { name?: string } }).constructor?.name ?? "object";
}

// ---- internal nodes to JS values -------------------------------------------------------------

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

function isContainer(x: unknown): boolean {
  return x instanceof PyList || x instanceof PyTuple || x instanceof PySet || x instanceof PyDict;
}

function childrenOf(node: unknown): readonly unknown[] | null {
  if (node instanceof PyList || node instanceof PyTuple || node instanceof PySet) return node.items;
  if (node instanceof PyDict) {
    const out: unknown[] = [];
    for (const [k, v] of node.map) out.push(k, v);
    if (node.attrs) out.push(node.attrs);
    return out;
  }
  return null;
}

/**
 * Converts the internal graph rooted at `root` into JS values, children first, with an explicit
 * stack: shared nodes convert once (a tensor or list referenced twice stays one object), cycles
 * and nesting deeper than MAX_NESTING_DEPTH are refused.
 */
export function finalize(root: unknown, finalizeLeaf: (x: unknown) => unknown): unknown {
  const done = new Map<unknown, unknown>();
  const active = new Set<unknown>();
  const isPlain = (x: unknown): boolean => x === null || typeof x !== "object" || x instanceof Uint8Array;
  const valueOf = (x: unknown): unknown => (isPlain(x) ? x : done.get(x));
  const convertLeaf = (x: unknown): void => {
    if (!isPlain(x) && !done.has(x)) done.set(x, finalizeLeaf(x));
  };
  if (!isContainer(root)) {
    convertLeaf(root);
    return valueOf(root);
  }

  const frames: { node: unknown; children: readonly unknown[]; next: number }[] = [];
  const enter = (node: unknown): void => {
    if (frames.length >= MAX_NESTING_DEPTH) {
      throw new UnpicklingError(`the pickle nests containers more than ${MAX_NESTING_DEPTH} levels deep`);
    }
    active.add(node);
    frames.push({ node, children: childrenOf(node)!, next: 0 });
  };
  enter(root);
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    if (frame.next < frame.children.length) {
      const child = frame.children[frame.next++];
      // isContainer, not childrenOf: a dict referenced many times must not be listed each time.
      if (!isContainer(child)) {
        convertLeaf(child);
      } else if (!done.has(child)) {
        if (active.has(child)) throw new UnpicklingError("the pickle holds a container that contains itself");
        enter(child);
      }
      continue;
    }
    frames.pop();
    active.delete(frame.node);
    done.set(frame.node, convertNode(frame.node, valueOf));
  }
  return done.get(root);
}

function convertNode(node: unknown, get: (x: unknown) => unknown): unknown {
  if (node instanceof PyList) return node.items.map(get);
  if (node instanceof PyTuple) return Object.freeze(node.items.map(get));
  if (node instanceof PySet) return new Set(node.items.map(get));
  const dict = node as PyDict;
  const keys = [...dict.map.keys()];
  const stringKeys = keys.every((k) => typeof k === "string" && !ARRAY_INDEX.test(k));
  const indexKeys = keys.every(
    (k, i) => typeof k === "number" && Number.isSafeInteger(k) && k >= 0 && (i === 0 || k > (keys[i - 1] as number)),
  );
  let out: Record<string, unknown> | Map<unknown, unknown>;
  if (stringKeys || indexKeys) {
    const obj: Record<string, unknown> = {};
    for (const [k, v] of dict.map) {
      // defineProperty, not assignment: a "__proto__" key must stay a key, not become the prototype.
      Object.defineProperty(obj, String(k), { value: get(v), writable: true, enumerable: true, configurable: true });
    }
    out = obj;
  } else {
    out = new Map([...dict.map].map(([k, v]) => [get(k), get(v)]));
  }
  const metadata = dict.attrs?.map.get("_metadata");
  // A dict with a "_metadata" key keeps the key; the attribute is dropped.
  const clash = !(out instanceof Map) && Object.prototype.hasOwnProperty.call(out, "_metadata");
  if (metadata !== undefined && !clash) {
    Object.defineProperty(out, "_metadata", { value: get(metadata), writable: true, enumerable: false, configurable: true });
  }
  return out;
}
