/**
 * The containers: `nn.Sequential`, `nn.ModuleList`, `nn.ModuleDict`. Their children are
 * registered modules (they appear in `parameters()`, `state_dict()`, the repr), under the keys
 * `"0"`, `"1"`, ... for the ordered ones. `seq[0]` and `seq[-1]` index through the Module Proxy;
 * `get(i)` is the same with a method.
 */

import type { Tensor } from "../tensor/tensor.js";
import { IndexError, KeyError } from "../errors.js";
import { Module, INDEX_GET, addindent } from "./module.js";
import { pyRepr } from "./hooks.js";

/** Python's `idx` checks for an ordered container of `size` items; the non-negative index. */
function absIndex(idx: number, size: number): number {
  if (!Number.isInteger(idx)) throw new TypeError(`'${typeof idx}' object cannot be interpreted as an integer`);
  if (!(-size <= idx && idx < size)) throw new IndexError(`index ${idx} is out of range`);
  return idx < 0 ? idx + size : idx;
}

/** Renumbers `"0"`, `"1"`, ... after a removal, keeping order (in the same Map object). */
function renumber(modules: Map<string, Module | null>): void {
  const values = [...modules.values()];
  modules.clear();
  values.forEach((m, i) => modules.set(String(i), m));
}

/** Python's `range(n)[start:end]` for the non-negative indices a slice selects. */
function sliceRange(n: number, start?: number, end?: number): number[] {
  const norm = (i: number | undefined, dflt: number) =>
    i === undefined ? dflt : i < 0 ? Math.max(0, i + n) : Math.min(i, n);
  const [s, e] = [norm(start, 0), norm(end, n)];
  const out: number[] = [];
  for (let i = s; i < e; i++) out.push(i);
  return out;
}

function isRecord(x: unknown): x is Record<string, Module> {
  return typeof x === "object" && x !== null && !(x instanceof Module) && !(x instanceof Map) && !Array.isArray(x);
}

/**
 * A sequential container: modules are added in the order they are passed, and `forward`
 * feeds the input through each in turn. Children are named `"0"`, `"1"`, ... unless given as
 * a `Map` (or plain object) of names to modules, PyTorch's `OrderedDict` form.
 *
 * ```ts
 * const model = new nn.Sequential(new nn.Linear(2, 4), new nn.Identity(), new nn.Linear(4, 1));
 * model(torch.randn(3, 2)).shape   // torch.Size([3, 1])
 * model[0]                         // Linear(in_features=2, out_features=4, bias=True)
 * ```
 */
export class Sequential extends Module {
  [index: number]: Module;

  constructor(...args: Module[] | [Map<string, Module> | Record<string, Module>]) {
    super();
    const first = args[0];
    if (args.length === 1 && (first instanceof Map || isRecord(first))) {
      const entries = first instanceof Map ? [...first] : Object.entries(first);
      for (const [key, module] of entries) this.add_module(key, module);
    } else {
      (args as Module[]).forEach((m, i) => this.add_module(String(i), m));
    }
  }

  /** The number of modules (Python's `len`). */
  override get length(): number {
    return this._modules.size;
  }

  *[Symbol.iterator](): Iterator<Module> {
    for (const m of this._modules.values()) yield m!;
  }

  /** The module at `idx` (negative counts from the end). */
  get(idx: number): Module {
    return [...this._modules.values()][absIndex(idx, this.length)]!;
  }

  [INDEX_GET](idx: number): Module {
    return this.get(idx);
  }

  /** Replaces the module at `idx`, keeping its key. */
  set(idx: number, module: Module): void {
    const key = [...this._modules.keys()][absIndex(idx, this.length)]!;
    (this as unknown as Record<string, Module>)[key] = module;
  }

  /** A new Sequential of the modules in `[start, end)`, keeping their keys (Python's slice). */
  slice(start?: number, end?: number): Sequential {
    const entries = [...this._modules];
    const picked = sliceRange(entries.length, start, end).map((i) => entries[i]!);
    return new (this.constructor as typeof Sequential)(new Map(picked as [string, Module][]));
  }

  /** Appends a module at the end. */
  append(module: Module): this {
    this.add_module(String(this.length), module);
    return this;
  }

  /** Inserts a module before `index` (from -len to len). */
  insert(index: number, module: Module): this {
    if (!(module instanceof Module)) throw new Error(`module should be of type: <class 'torch.nn.modules.module.Module'>`);
    const n = this._modules.size;
    if (!(-n <= index && index <= n)) throw new IndexError(`Index out of range: ${index}`);
    if (index < 0) index += n;
    for (let i = n; i > index; i--) this._modules.set(String(i), this._modules.get(String(i - 1))!);
    this._modules.set(String(index), module);
    return this;
  }

  /** Appends every module of `sequential` (any iterable of modules). */
  extend(sequential: Iterable<Module>): this {
    for (const layer of sequential) this.append(layer);
    return this;
  }

  /** Removes and returns the module at `idx`; the rest are renumbered. */
  pop(idx: number): Module {
    const i = absIndex(idx, this.length);
    const key = [...this._modules.keys()][i]!;
    const m = this._modules.get(key)!;
    this._modules.delete(key);
    renumber(this._modules);
    return m;
  }

  override forward(input: Tensor): Tensor {
    let x: unknown = input;
    for (const module of this) x = module._call_impl(x);
    return x as Tensor;
  }
}

/**
 * Holds submodules in a list. Indexable like an array (`list[0]`, `list.get(-1)`), and the
 * modules it holds are registered, visible to every Module method.
 *
 * ```ts
 * const linears = new nn.ModuleList(Array.from({ length: 10 }, () => new nn.Linear(10, 10)));
 * for (const l of linears) x = l(x);
 * ```
 */
export class ModuleList<M extends Module = Module> extends Module {
  [index: number]: M;

  constructor(modules?: Iterable<M>) {
    super();
    if (modules !== undefined) this.extend(modules);
  }

  override get length(): number {
    return this._modules.size;
  }

  *[Symbol.iterator](): Iterator<M> {
    for (const m of this._modules.values()) yield m as M;
  }

  /** The module at `idx` (negative counts from the end). */
  get(idx: number): M {
    return this._modules.get(String(absIndex(idx, this.length))) as M;
  }

  [INDEX_GET](idx: number): M {
    return this.get(idx);
  }

  /** Replaces the module at `idx`. */
  set(idx: number, module: M): void {
    (this as unknown as Record<string, M>)[String(absIndex(idx, this.length))] = module;
  }

  /** A new ModuleList of the modules in `[start, end)`. */
  slice(start?: number, end?: number): ModuleList<M> {
    const values = [...this];
    return new (this.constructor as typeof ModuleList<M>)(sliceRange(values.length, start, end).map((i) => values[i]!));
  }

  /** Inserts a module before `index`. */
  insert(index: number, module: M): void {
    for (let i = this._modules.size; i > index; i--) this._modules.set(String(i), this._modules.get(String(i - 1))!);
    this._modules.set(String(index), module);
  }

  /** Appends a module at the end. */
  append(module: M): this {
    this.add_module(String(this.length), module);
    return this;
  }

  /** Appends the modules of an iterable. */
  extend(modules: Iterable<M>): this {
    if (modules === null || typeof (modules as Iterable<M>)[Symbol.iterator] !== "function") {
      throw new TypeError(
        `ModuleList.extend should be called with an iterable, but got ${modules === null ? "NoneType" : typeof modules}`,
      );
    }
    const offset = this.length;
    let i = 0;
    for (const module of modules) this.add_module(String(offset + i++), module);
    return this;
  }

  /** Removes and returns the module at `idx`; the rest are renumbered. */
  pop(idx: number): M {
    const key = String(absIndex(idx, this.length));
    const m = this._modules.get(key) as M;
    this._modules.delete(key);
    renumber(this._modules);
    return m;
  }

  /**
   * PyTorch 2.x's ModuleList repr: runs of modules with the same repr print once, as
   * `(0-2): 3 x Linear(...)`. (1.13 printed every one.)
   */
  override toString(): string {
    const reprs = [...this].map((m) => String(m));
    if (reprs.length === 0) return this._get_name() + "()";
    const blocks: [number, number, string][] = [[0, 0, reprs[0]!]];
    for (let i = 1; i < reprs.length; i++) {
      const last = blocks[blocks.length - 1]!;
      if (reprs[i] === last[2]) last[1] = i;
      else blocks.push([i, i, reprs[i]!]);
    }
    const lines = blocks.map(([s, e, b]) => addindent(s === e ? `(${s}): ${b}` : `(${s}-${e}): ${e - s + 1} x ${b}`, 2));
    return this._get_name() + "(\n  " + lines.join("\n  ") + "\n)";
  }
}

/**
 * Holds submodules in an ordered dictionary: insertion order is kept, and the modules are
 * registered. Read with `dict.get(key)` or as attributes (`dict.conv`).
 *
 * ```ts
 * const choices = new nn.ModuleDict({ fc: new nn.Linear(3, 3), id: new nn.Identity() });
 * choices.get("fc")(x);
 * ```
 */
export class ModuleDict<M extends Module = Module> extends Module {
  constructor(modules?: Map<string, M> | Record<string, M> | Iterable<[string, M]>) {
    super();
    if (modules !== undefined) this.update(modules);
  }

  override get length(): number {
    return this._modules.size;
  }

  /** Iterates over the keys, as a Python dict does. */
  [Symbol.iterator](): Iterator<string> {
    return this._modules.keys();
  }

  /** The module under `key`; KeyError when absent. */
  get(key: string): M {
    if (!this._modules.has(key)) throw new KeyError(pyRepr(key));
    return this._modules.get(key) as M;
  }

  /** Adds or replaces the module under `key`. */
  set(key: string, module: M): void {
    this.add_module(key, module);
  }

  /** Whether `key` is in the dict (Python's `key in d`). */
  has(key: string): boolean {
    return this._modules.has(key);
  }

  /** Removes the module under `key` (Python's `del d[key]`). */
  delete(key: string): void {
    if (!this._modules.delete(key)) throw new KeyError(pyRepr(key));
  }

  /** Removes and returns the module under `key`. */
  pop(key: string): M {
    const m = this.get(key);
    this._modules.delete(key);
    return m;
  }

  /** Removes every module. */
  clear(): void {
    this._modules.clear();
  }

  keys(): string[] {
    return [...this._modules.keys()];
  }

  values(): M[] {
    return [...this._modules.values()] as M[];
  }

  items(): [string, M][] {
    return [...this._modules] as [string, M][];
  }

  /** Adds the modules of a Map, a plain object or an iterable of `[key, module]` pairs. */
  update(modules: Map<string, M> | Record<string, M> | Iterable<[string, M]> | ModuleDict<M>): void {
    let entries: Iterable<[string, M]>;
    if (modules instanceof ModuleDict) entries = modules.items();
    else if (modules instanceof Map) entries = modules;
    else if (typeof (modules as Iterable<unknown>)[Symbol.iterator] === "function") entries = modules as Iterable<[string, M]>;
    else if (typeof modules === "object" && modules !== null) entries = Object.entries(modules as Record<string, M>);
    else {
      throw new TypeError(
        `ModuleDict.update should be called with an iterable of key/value pairs, but got ${typeof modules}`,
      );
    }
    for (const [k, m] of entries) this.set(k, m);
  }
}
