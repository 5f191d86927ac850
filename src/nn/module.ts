/**
 * `torch.nn.Module`: the base class of every layer and model.
 *
 * How a Module works in JavaScript (the decisions behind the machinery):
 *
 * - **Callable.** `m(x)` runs forward pre-hooks, `forward`, then forward hooks, as PyTorch's
 *   `__call__`. The constructor returns a function object whose prototype is the subclass's
 *   prototype (`new.target.prototype`), so `m instanceof nn.Linear` and `m.forward` work, and
 *   `typeof m === "function"`. The base fields (`training`, `_parameters`, ...) are set on that
 *   function here: field initialisers of a base class would run on the discarded `this`.
 * - **Registration by assignment.** The function is wrapped in a Proxy whose set/defineProperty
 *   traps route assignments the way PyTorch's `__setattr__` does: a `Parameter` is registered in
 *   `_parameters` (in assignment order), a `Module` in `_modules`, a tensor assigned to an
 *   existing buffer name replaces the buffer, and a plain tensor assigned over a parameter name
 *   raises PyTorch's TypeError. Reads go to the registries first (PyTorch's `__getattr__`).
 * - **Declare typed fields.** Subclasses should declare their attributes with `declare`
 *   (`declare weight: Parameter;`), which emits no code. A field without `declare` and without
 *   an initialiser is defined as `undefined` by JavaScript after `super()` returns; such a define
 *   is ignored for names already registered and creates no property otherwise, so it cannot
 *   erase a parameter or block a later `register_parameter`. (`m.weight = undefined`, an
 *   assignment, means Python's `m.weight = None`.)
 * - **Typing.** A module's call has its `forward`'s type (`linear(x)` is a Tensor). The base
 *   `forward` takes `never[]` so that every subclass is assignable to `nn.Module`; a module
 *   known only as `nn.Module` is called through `_call_impl(...args)` (what containers do).
 * - **Printing.** `String(m)` / `m.toString()` is PyTorch's `repr(m)`; `console.log(m)` prints
 *   the same, through `util.inspect.custom` on the prototype (Node inspects the Proxy's target).
 * - **Ordered registries** are `Map`s (PyTorch's OrderedDicts): plain objects would put
 *   integer-like keys such as Sequential's `"0"` first.
 */

import { Tensor } from "../tensor/tensor.js";
import { DType } from "../tensor/dtype.js";
import { checkDevice, device } from "../tensor/device.js";
import { no_grad } from "../autograd/grad_mode.js";
import { AttributeError, KeyError, NotImplementedError, RuntimeError, ValueError } from "../errors.js";
import { Parameter } from "./parameter.js";
import { RemovableHandle, callWithHooks, insertHook, typename } from "./hooks.js";
import { createModule, proxyFor } from "./module_proxy.js";
import {
  loadOwnState, loadStateDict, saveOwnState, saveStateDict, type IncompatibleKeys, type LoadLog, type StateDict,
} from "./state_dict.js";

export type ForwardPreHook = (module: Module, args: unknown[]) => unknown;
export type ForwardHook = (module: Module, args: unknown[], output: unknown) => unknown;

export interface HookOptions {
  /** Run this hook before the ones already registered (default false). */
  prepend?: boolean;
}

export interface ForwardHookOptions extends HookOptions {
  /** Also run this hook when forward throws (default false). */
  always_call?: boolean;
}

export interface ModuleToOptions {
  dtype?: DType;
  device?: string | device;
  non_blocking?: boolean;
}

/** PyTorch's `_addindent`: indents every line but the first. */
export function addindent(s: string, numSpaces: number): string {
  const lines = s.split("\n");
  if (lines.length === 1) return s;
  const pad = " ".repeat(numSpaces);
  return [lines[0], ...lines.slice(1).map((l) => pad + l)].join("\n");
}

export { INDEX_GET } from "./module_proxy.js";

/** Calling a module runs its forward through the hooks; its type follows `forward`. */
export interface Module {
  (...args: Parameters<this["forward"]>): ReturnType<this["forward"]>;
}

/**
 * Base class for all neural network modules. Your models should subclass it, assign their
 * layers and parameters as attributes in the constructor, and define `forward`.
 *
 * ```ts
 * class Model extends nn.Module {
 *   declare fc1: nn.Linear;
 *   declare fc2: nn.Linear;
 *   constructor() {
 *     super();
 *     this.fc1 = new nn.Linear(784, 128);
 *     this.fc2 = new nn.Linear(128, 10);
 *   }
 *   override forward(x: Tensor): Tensor {
 *     return this.fc2(this.fc1(x).relu());
 *   }
 * }
 * const model = new Model();
 * model(torch.zeros(2, 784)).shape   // torch.Size([2, 10])
 * ```
 */
export class Module {
  /** Whether the module is in training mode (`train()` / `eval()`). */
  declare training: boolean;
  declare _parameters: Map<string, Parameter | null>;
  declare _buffers: Map<string, Tensor | null>;
  declare _non_persistent_buffers_set: Set<string>;
  declare _modules: Map<string, Module | null>;
  declare _forward_pre_hooks: Map<number, ForwardPreHook>;
  declare _forward_hooks: Map<number, ForwardHook>;
  declare _forward_hooks_always_called: Map<number, boolean>;

  constructor() {
    // Base fields go on the returned function: field initialisers here would run on `this`,
    // which the returned object replaces.
    return createModule(new.target.prototype, {
      training: true,
      _parameters: new Map(),
      _buffers: new Map(),
      _non_persistent_buffers_set: new Set(),
      _modules: new Map(),
      _forward_pre_hooks: new Map(),
      _forward_hooks: new Map(),
      _forward_hooks_always_called: new Map(),
    });
  }

  /**
   * Defines the computation performed at every call. Subclasses override it with their own
   * signature, which then types the call: `m(x)` takes and returns what `forward` does. (The
   * base takes `never[]` so that every subclass stays assignable to `nn.Module`; call a module
   * known only as `nn.Module` through `_call_impl(...args)`, or type it by its class.)
   */
  forward(...args: never[]): unknown {
    void args;
    throw new NotImplementedError(`Module [${this._get_name()}] is missing the required "forward" function`);
  }

  /** What calling the module does (pre-hooks, forward, hooks), callable on any `nn.Module`. */
  _call_impl(...args: unknown[]): unknown {
    return callWithHooks(this, this.forward as (...a: unknown[]) => unknown, args);
  }

  // ---- registration ---------------------------------------------------------------------

  /**
   * Adds a buffer: state that is not a parameter (BatchNorm's `running_mean`). Persistent
   * buffers (the default) are part of `state_dict()`; `{ persistent: false }` ones are not.
   */
  register_buffer(name: string, tensor: Tensor | null, options: { persistent?: boolean } = {}): void {
    const { persistent = true } = options;
    if (typeof name !== "string") throw new TypeError(`buffer name should be a string. Got ${typename(name)}`);
    if (name.includes(".")) throw new KeyError(`buffer name can't contain "."`);
    if (name === "") throw new KeyError(`buffer name can't be empty string ""`);
    if (name in this && !this._buffers.has(name)) throw new KeyError(`attribute '${name}' already exists`);
    if (tensor !== null && tensor !== undefined && !(tensor instanceof Tensor)) {
      throw new TypeError(`cannot assign '${typename(tensor)}' object to buffer '${name}' (torch Tensor or None required)`);
    }
    this._buffers.set(name, tensor ?? null);
    if (persistent) this._non_persistent_buffers_set.delete(name);
    else this._non_persistent_buffers_set.add(name);
  }

  /**
   * Adds a parameter. `null` registers the name with no parameter: the attribute reads null
   * and the name is absent from `state_dict()` (how `Linear(..., { bias: false })` has `bias`).
   */
  register_parameter(name: string, param: Parameter | null): void {
    if (typeof name !== "string") throw new TypeError(`parameter name should be a string. Got ${typename(name)}`);
    if (name.includes(".")) throw new KeyError(`parameter name can't contain "."`);
    if (name === "") throw new KeyError(`parameter name can't be empty string ""`);
    if (name in this && !this._parameters.has(name)) throw new KeyError(`attribute '${name}' already exists`);
    if (param === null || param === undefined) {
      this._parameters.set(name, null);
      return;
    }
    if (!(param instanceof Parameter)) {
      throw new TypeError(
        `cannot assign '${typename(param)}' object to parameter '${name}' (torch.nn.Parameter or None required)`,
      );
    }
    if (param.grad_fn) {
      throw new ValueError(
        `Cannot assign non-leaf Tensor to parameter '${name}'. Model parameters must be created explicitly. ` +
          `To express '${name}' as a function of another Tensor, compute the value in the forward() method.`,
      );
    }
    this._parameters.set(name, param);
  }

  /** Adds a child module, reachable as the attribute `name`. */
  add_module(name: string, module: Module | null): void {
    if (module !== null && module !== undefined && !(module instanceof Module)) {
      throw new TypeError(`${typename(module)} is not a Module subclass`);
    }
    if (typeof name !== "string") throw new TypeError(`module name should be a string. Got ${typename(name)}`);
    if (name in this && !this._modules.has(name)) throw new KeyError(`attribute '${name}' already exists`);
    if (name.includes(".")) throw new KeyError(`module name can't contain ".", got: ${name}`);
    if (name === "") throw new KeyError(`module name can't be empty string ""`);
    this._modules.set(name, module ?? null);
  }

  /** Alias for `add_module`. */
  register_module(name: string, module: Module | null): void {
    this.add_module(name, module);
  }

  /** The submodule at a dotted path (`"net_b.linear"`); `""` is the module itself. */
  get_submodule(target: string): Module {
    if (target === "") return this;
    let mod: Module = this;
    for (const item of target.split(".")) {
      if (!(item in mod)) throw new AttributeError(`${mod._get_name()} has no attribute \`${item}\``);
      const next = (mod as unknown as Record<string, unknown>)[item];
      if (!(next instanceof Module)) throw new AttributeError(`\`${item}\` is not an nn.Module`);
      mod = next;
    }
    return mod;
  }

  /** The parameter at a dotted path (`"0.weight"`). */
  get_parameter(target: string): Parameter {
    const [mod, name] = this.splitTarget(target);
    const param = (mod as unknown as Record<string, unknown>)[name];
    if (!(param instanceof Parameter)) throw new AttributeError(`\`${name}\` is not an nn.Parameter`);
    return param;
  }

  /** The buffer at a dotted path. */
  get_buffer(target: string): Tensor {
    const [mod, name] = this.splitTarget(target);
    if (!mod._buffers.has(name)) throw new AttributeError(`\`${name}\` is not a buffer`);
    return mod._buffers.get(name) as Tensor;
  }

  private splitTarget(target: string): [Module, string] {
    const dot = target.lastIndexOf(".");
    const mod = this.get_submodule(dot < 0 ? "" : target.slice(0, dot));
    const name = target.slice(dot + 1);
    if (!(name in mod)) throw new AttributeError(`${mod._get_name()} has no attribute \`${name}\``);
    return [mod, name];
  }

  // ---- iteration ------------------------------------------------------------------------

  /** The parameters of this module and (with `recurse`, the default) of all submodules. */
  *parameters(options: { recurse?: boolean } = {}): Generator<Parameter> {
    for (const [, p] of this.named_parameters(options)) yield p;
  }

  /** `[name, parameter]` pairs; names are dotted paths (`"0.weight"`). Shared ones come once. */
  named_parameters(
    options: { prefix?: string; recurse?: boolean; remove_duplicate?: boolean } = {},
  ): Generator<[string, Parameter]> {
    return this.namedMembers((m) => m._parameters, options) as Generator<[string, Parameter]>;
  }

  /** The buffers of this module and (with `recurse`) of all submodules. */
  *buffers(options: { recurse?: boolean } = {}): Generator<Tensor> {
    for (const [, b] of this.named_buffers(options)) yield b;
  }

  named_buffers(
    options: { prefix?: string; recurse?: boolean; remove_duplicate?: boolean } = {},
  ): Generator<[string, Tensor]> {
    return this.namedMembers((m) => m._buffers, options);
  }

  private *namedMembers<T>(
    members: (m: Module) => Map<string, T | null>,
    options: { prefix?: string; recurse?: boolean; remove_duplicate?: boolean },
  ): Generator<[string, T]> {
    const { prefix = "", recurse = true, remove_duplicate = true } = options;
    const memo = new Set<T>();
    const modules: Iterable<[string, Module]> = recurse
      ? this.named_modules({ prefix, remove_duplicate })
      : [[prefix, this]];
    for (const [modulePrefix, module] of modules) {
      for (const [k, v] of members(module)) {
        if (v === null || memo.has(v)) continue;
        if (remove_duplicate) memo.add(v);
        yield [modulePrefix + (modulePrefix ? "." : "") + k, v];
      }
    }
  }

  /** The immediate child modules. */
  *children(): Generator<Module> {
    for (const [, m] of this.named_children()) yield m;
  }

  *named_children(): Generator<[string, Module]> {
    const memo = new Set<Module>();
    for (const [name, module] of this._modules) {
      if (module !== null && !memo.has(module)) {
        memo.add(module);
        yield [name, module];
      }
    }
  }

  /** This module and all its descendants, each once (a module used twice is yielded once). */
  *modules(): Generator<Module> {
    for (const [, m] of this.named_modules()) yield m;
  }

  *named_modules(
    options: { memo?: Set<Module>; prefix?: string; remove_duplicate?: boolean } = {},
  ): Generator<[string, Module]> {
    const { memo = new Set<Module>(), prefix = "", remove_duplicate = true } = options;
    if (memo.has(this)) return;
    if (remove_duplicate) memo.add(this);
    yield [prefix, this];
    for (const [name, module] of this._modules) {
      if (module === null) continue;
      yield* module.named_modules({ memo, prefix: prefix + (prefix ? "." : "") + name, remove_duplicate });
    }
  }

  // ---- state ----------------------------------------------------------------------------

  /**
   * The module's whole state, parameters and persistent buffers, keyed by dotted name in
   * registration order (children after the module's own). Tensors are detached unless
   * `keep_vars`; null parameters and non-persistent buffers are left out.
   */
  state_dict(options: { destination?: StateDict; prefix?: string; keep_vars?: boolean } = {}): StateDict {
    return saveStateDict(this, options);
  }

  /**
   * Copies parameters and buffers from `state_dict` into this module and its descendants.
   * With `strict` (the default) the keys must match `state_dict()`'s exactly, else a
   * RuntimeError lists the missing and unexpected keys; size mismatches are always errors.
   * With `assign`, the module's tensors are replaced by (Parameters wrapping) the given ones
   * instead of copied into. Returns `{ missing_keys, unexpected_keys }`.
   */
  load_state_dict(
    state_dict: StateDict | Map<string, unknown>,
    options: { strict?: boolean; assign?: boolean } = {},
  ): IncompatibleKeys {
    return loadStateDict(this, state_dict, options);
  }

  /** @internal This module's own entries, without its children's (subclasses may override). */
  _save_to_state_dict(destination: StateDict, prefix: string, keep_vars: boolean): void {
    saveOwnState(this, destination, prefix, keep_vars, this.get_extra_state !== Module.prototype.get_extra_state);
  }

  /** @internal Loads this module's own entries from `state_dict` (subclasses may override). */
  _load_from_state_dict(
    state_dict: Map<string, unknown>,
    prefix: string,
    strict: boolean,
    log: LoadLog,
    assign: boolean,
  ): void {
    const hasExtra = this.set_extra_state !== Module.prototype.set_extra_state;
    loadOwnState(this, state_dict, prefix, strict, log, assign, hasExtra);
  }

  /** Extra state for `state_dict()`; a subclass that overrides it also overrides `set_extra_state`. */
  get_extra_state(): unknown {
    throw new RuntimeError("Reached a code path in Module.get_extra_state() that should never be called.");
  }

  set_extra_state(state: unknown): void {
    void state;
    throw new RuntimeError("Reached a code path in Module.set_extra_state() that should never be called.");
  }

  // ---- modes, conversion ----------------------------------------------------------------

  /** Calls `fn` on every submodule (children first) and then on this module; returns this. */
  apply(fn: (module: Module) => void): this {
    for (const module of this.children()) module.apply(fn);
    fn(this);
    return this;
  }

  /** Sets training mode (`mode = true`) on this module and all descendants. */
  train(mode: boolean = true): this {
    if (typeof mode !== "boolean") throw new ValueError("training mode is expected to be boolean");
    this.training = mode;
    for (const module of this.children()) module.train(mode);
    return this;
  }

  /** Sets evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Sets `requires_grad` on every parameter. */
  requires_grad_(requires_grad = true): this {
    for (const p of this.parameters()) p.requires_grad_(requires_grad);
    return this;
  }

  /** Resets the gradients of all parameters: to null (the 2.x default) or to zeros. */
  zero_grad(options: { set_to_none?: boolean } = {}): void {
    const { set_to_none = true } = options;
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (set_to_none) {
        p.grad = null;
      } else {
        if (p.grad.grad_fn !== null) p.grad.detach_();
        else p.grad.requires_grad_(false);
        p.grad.zero_();
      }
    }
  }

  /**
   * @internal Applies `fn` to every parameter, gradient and buffer, children first.
   * Parameters keep their identity: their data is swapped in place (`param.data = ...`).
   */
  _apply(fn: (t: Tensor) => Tensor): this {
    for (const module of this.children()) module._apply(fn);
    for (const param of this._parameters.values()) {
      if (param === null) continue;
      param.data = no_grad(() => fn(param));
      if (param.grad !== null) {
        const g = param.grad;
        g.data = no_grad(() => fn(g));
      }
    }
    for (const [key, buf] of this._buffers) {
      if (buf !== null) this._buffers.set(key, fn(buf));
    }
    return this;
  }

  /**
   * Moves and/or casts parameters and buffers: `to(torch.float64)`, `to("cpu")`, `to(tensor)`
   * or `to({ dtype, device })`. Only floating dtypes are accepted; integer tensors keep theirs.
   * Modifies the module in place and returns it.
   */
  to(arg?: DType | string | device | Tensor | ModuleToOptions, options: ModuleToOptions = {}): this {
    let dtype: DType | undefined;
    if (arg instanceof DType) dtype = arg;
    else if (arg instanceof Tensor) dtype = arg.dtype;
    else if (typeof arg === "string" || arg instanceof device) checkDevice(arg);
    else if (arg) options = { ...arg, ...options };
    checkDevice(options.device);
    dtype = options.dtype ?? dtype;
    if (dtype !== undefined && !dtype.is_floating_point) {
      throw new TypeError(`nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=${dtype}`);
    }
    if (dtype === undefined) return this;
    const target = dtype;
    return this._apply((t) => (t.is_floating_point() ? t.to(target) : t));
  }

  /** Casts all floating point parameters and buffers to float32. */
  float(): this {
    return this._apply((t) => (t.is_floating_point() ? t.float() : t));
  }

  /** Casts all floating point parameters and buffers to float64. */
  double(): this {
    return this._apply((t) => (t.is_floating_point() ? t.double() : t));
  }

  /** Casts all parameters and buffers (integer ones too) to `dst_type`. */
  type(dst_type: DType): this {
    return this._apply((t) => t.to(dst_type));
  }

  /** torch-ts computes on the CPU: returns this. */
  cpu(): this {
    return this;
  }

  /** Refused: torch-ts has no CUDA device. */
  cuda(): this {
    checkDevice("cuda");
    return this;
  }

  // ---- hooks ----------------------------------------------------------------------------

  /**
   * Registers `hook(module, args)` to run before every forward. It may return replacement
   * arguments: an array is the new argument list, any other value the new single argument.
   */
  register_forward_pre_hook(hook: ForwardPreHook, options: HookOptions = {}): RemovableHandle {
    const handle = new RemovableHandle(this._forward_pre_hooks as Map<number, unknown>);
    insertHook(this._forward_pre_hooks, handle.id, hook, options.prepend);
    return handle;
  }

  /**
   * Registers `hook(module, args, output)` to run after every forward. It may return a
   * replacement output. With `always_call` it also runs when forward throws.
   */
  register_forward_hook(hook: ForwardHook, options: ForwardHookOptions = {}): RemovableHandle {
    const handle = new RemovableHandle(this._forward_hooks as Map<number, unknown>, [
      this._forward_hooks_always_called as Map<number, unknown>,
    ]);
    insertHook(this._forward_hooks, handle.id, hook, options.prepend);
    if (options.always_call) this._forward_hooks_always_called.set(handle.id, true);
    return handle;
  }

  // ---- printing -------------------------------------------------------------------------

  /** The module's class name, as printed by its repr. */
  _get_name(): string {
    return (this.constructor as { name: string }).name;
  }

  /** Extra text inside the module's repr; subclasses override it (Linear prints its sizes). */
  extra_repr(): string {
    return "";
  }

  /** PyTorch's `repr(module)`: the extra_repr, then each child indented by two spaces. */
  toString(): string {
    const extra = this.extra_repr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines: string[] = [];
    for (const [key, module] of this._modules) {
      childLines.push(`(${key}): ${addindent(module === null ? "None" : module.toString(), 2)}`);
    }
    const lines = [...extraLines, ...childLines];
    let main = this._get_name() + "(";
    if (lines.length > 0) {
      if (extraLines.length === 1 && childLines.length === 0) main += extraLines[0];
      else main += "\n  " + lines.join("\n  ") + "\n";
    }
    return main + ")";
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    // Node calls this on the Proxy's target; print through the Proxy so registries resolve.
    return (proxyFor(this) ?? this).toString();
  }
}
