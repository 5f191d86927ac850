/**
 * `torch.optim.Optimizer`: the base class of every optimizer. It owns the parameter groups, the
 * per-parameter state, `zero_grad`, `add_param_group` and the `state_dict` round trip, all in
 * PyTorch 2.x's format; subclasses supply the update (`sgd.ts`, `adam.ts`, `adamw.ts`).
 */

import { Tensor } from "../tensor/tensor.js";
import { enable_grad, set_grad_enabled } from "../autograd/grad_mode.js";
import { NotImplementedError, ValueError } from "../errors.js";
import { warn } from "../warnings.js";

/** One parameter's optimizer state (`optimizer.state.get(p)`), e.g. `{ momentum_buffer }`. */
export type ParamState = Record<string, unknown>;

/**
 * A parameter group as it lives in `optimizer.param_groups`: its tensors and every
 * hyperparameter, the group's own values first and the optimizer's defaults for the rest.
 * Schedulers and users change hyperparameters here (`group.lr = 0.01`).
 */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  [option: string]: unknown;
}

/** A group as passed in: `params` may be one tensor or any iterable; options override defaults. */
export type ParamGroupInput<O extends object = object> = O & {
  params: Tensor | Iterable<Tensor>;
  [option: string]: unknown;
};

/** What an optimizer takes: an iterable of tensors (`model.parameters()`) or of groups. */
export type Params<O extends object = object> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** `optimizer.state_dict()`: state keyed by parameter index, groups with index lists. */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  param_groups: { params: number[]; [option: string]: unknown }[];
}

/** What load_state_dict accepts: a state_dict, or one with its state as a Map (from a reader). */
export interface LoadableStateDict {
  state: Map<number, ParamState> | Record<number, ParamState>;
  param_groups: readonly object[];
}

// ---- small helpers shared by the optimizers and schedulers ---------------------------------

/**
 * @internal A number as Python prints it in messages and reprs. Integer values print as ints
 * (PyTorch's integer defaults, `momentum=0`, print that way); others as Python's float repr,
 * which switches to exponent form below 1e-4 (`1e-08`) where JavaScript would not.
 */
export function pyNumber(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x);
  const [mantissa, expText] = x.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  const sign = mantissa.startsWith("-") ? "-" : "";
  const digits = mantissa.replace("-", "").replace(".", "");
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  return `${sign}${whole}.${digits.slice(exp + 1) || "0"}`;
}

/** @internal A hyperparameter as Python's repr shows it (tuples for betas, None, True). */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return pyNumber(v);
  if (typeof v === "string") return `'${v}'`;
  if (Array.isArray(v)) return `(${v.map(pyRepr).join(", ")}${v.length === 1 ? "," : ""})`;
  if (v instanceof Tensor) return v.toString();
  return String(v);
}

/** @internal The name Python's `torch.typename` gives a value, for messages. */
export function typeName(v: unknown): string {
  if (v instanceof Tensor) return `torch.${v.dtype.scalarTypeName}Tensor`;
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "str";
  if (Array.isArray(v)) return "list";
  if (v instanceof Set) return "set";
  if (typeof v === "function") return "function";
  const proto = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
  return proto === null || proto === Object.prototype ? "dict" : (proto.constructor?.name ?? "object");
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function isIterable(v: unknown): v is Iterable<unknown> {
  return v !== null && v !== undefined && typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}

/** Python's deepcopy for the plain values a param group holds (numbers, tuples, dicts). */
function deepCopy<T>(v: T): T {
  if (Array.isArray(v)) return v.map(deepCopy) as T;
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = deepCopy(x);
    return out as T;
  }
  return v;
}

// ---- the base class ------------------------------------------------------------------------

/**
 * Base class for all optimizers.
 *
 * Args:
 *   params: an iterable of tensors (`model.parameters()`) or of parameter groups
 *     (`[{ params: a }, { params: b, lr: 1e-2 }]`); the order must be deterministic.
 *   defaults: the hyperparameters a group gets when it does not set them.
 *
 * A subclass validates its options, calls `super(params, defaults)`, and implements `step`,
 * usually as `return this._runStep(closure, () => { ...update every group... })`, which runs the
 * update under `no_grad` and the closure under `enable_grad`, as PyTorch's optimizers do.
 */
export abstract class Optimizer<G extends ParamGroup = ParamGroup, S extends ParamState = ParamState> {
  /** The hyperparameters a new group is filled in with (PyTorch's `optimizer.defaults`). */
  defaults: Record<string, unknown>;
  /** The parameter groups, each with its tensors and every hyperparameter. */
  param_groups: G[] = [];
  /** Per-parameter state, keyed by the parameter tensor (PyTorch's `optimizer.state`). */
  state: Map<Tensor, S> = new Map();

  constructor(params: Params, defaults: Record<string, unknown>) {
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new TypeError(
        "params argument given to the optimizer should be an iterable of Tensors or dicts, but got " + typeName(params),
      );
    }
    if (!isIterable(params)) throw new TypeError(`'${typeName(params)}' object is not iterable`);
    const list = Array.from(params as Iterable<unknown>);
    if (list.length === 0) throw new ValueError("optimizer got an empty parameter list");
    const groups = isPlainObject(list[0]) ? list : [{ params: list }];
    for (const group of groups) this.add_param_group(group as ParamGroupInput);
  }

  /**
   * Adds a parameter group, e.g. to start training layers that were frozen. Options the group
   * leaves out come from `defaults`. The object passed becomes the group (as in PyTorch).
   *
   * @throws ValueError when a parameter is already in another group, or is not a leaf.
   */
  add_param_group(param_group: ParamGroupInput): void {
    if (!isPlainObject(param_group)) {
      throw new TypeError(`param_group must be a dict, but got ${typeName(param_group)}`);
    }
    const group = param_group as Record<string, unknown>;
    const params = group["params"];
    if (params instanceof Tensor) group["params"] = [params];
    else if (params instanceof Set) {
      throw new TypeError(
        "optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets " +
          "will change between runs. Please use a list instead.",
      );
    } else if (isIterable(params)) group["params"] = Array.from(params);
    else throw new TypeError(`'${typeName(params)}' object is not iterable`);

    const list = group["params"] as unknown[];
    for (const p of list) {
      if (!(p instanceof Tensor)) {
        throw new TypeError("optimizer can only optimize Tensors, but one of the params is " + typeName(p));
      }
      if (!this.defaults["differentiable"] && !(p.is_leaf || p.retains_grad)) {
        throw new ValueError("can't optimize a non-leaf Tensor");
      }
    }
    for (const [name, value] of Object.entries(this.defaults)) {
      if (!(name in group)) group[name] = deepCopy(value);
    }
    const tensors = list as Tensor[];
    if (new Set(tensors).size !== tensors.length) {
      warn(
        "optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; " +
          "see github.com/pytorch/pytorch/issues/40967 for more information",
      );
    }
    const seen = new Set<Tensor>();
    for (const g of this.param_groups) for (const p of g.params) seen.add(p);
    if (tensors.some((p) => seen.has(p))) {
      throw new ValueError("some parameters appear in more than one parameter group");
    }
    this.param_groups.push(group as G);
  }

  /**
   * Resets the gradients of every optimized tensor: to `null` (the default, as in PyTorch 2.x),
   * or to zeros in place with `{ set_to_none: false }`.
   */
  zero_grad(options: { set_to_none?: boolean } = {}): void {
    const setToNone = options.set_to_none ?? true;
    for (const group of this.param_groups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        if (setToNone) {
          p.grad = null;
          continue;
        }
        if (p.grad.grad_fn !== null) p.grad.detach_();
        else p.grad.requires_grad_(false);
        p.grad.zero_();
      }
    }
  }

  /**
   * Performs one optimization step (a parameter update). `closure`, when given, re-evaluates
   * the model and returns the loss; it runs with grad mode on and its value is returned.
   */
  step<L = unknown>(closure?: () => L): L | undefined {
    void closure;
    throw new NotImplementedError(`${this.constructor.name}.step is not implemented`);
  }

  /**
   * The state as a plain object, in PyTorch's format:
   * `{ state: { 0: { momentum_buffer: tensor }, ... }, param_groups: [{ lr, ..., params: [0, 1] }] }`.
   * Parameters are numbered in group order; state tensors are the optimizer's own (not copies).
   */
  state_dict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let start = 0;
    const param_groups = this.param_groups.map((group) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(group)) if (k !== "params") packed[k] = Array.isArray(v) ? v.slice() : v;
      group.params.forEach((p, i) => {
        if (!index.has(p)) index.set(p, start + i);
      });
      packed["params"] = group.params.map((p) => index.get(p)!);
      start += group.params.length;
      return packed as OptimizerStateDict["param_groups"][number];
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = s;
    }
    return { state, param_groups };
  }

  /**
   * Loads a state from `state_dict()` (or one read from PyTorch). Groups must match in number
   * and size. Hyperparameters are copied; state tensors are cast to their parameter's dtype
   * (except `step`) and, like PyTorch 2.x, used as they are when the dtype already matches.
   */
  load_state_dict(state_dict: LoadableStateDict): void {
    const groups = this.param_groups;
    const saved = deepCopy(state_dict.param_groups) as Record<string, unknown>[];
    if (groups.length !== saved.length) {
      throw new ValueError("loaded state dict has a different number of parameter groups");
    }
    if (groups.some((g, i) => g.params.length !== (saved[i]!["params"] as unknown[]).length)) {
      throw new ValueError(
        "loaded state dict contains a parameter group that doesn't match the size of optimizer's group",
      );
    }
    const idMap = new Map<number, Tensor>();
    saved.forEach((g, i) => {
      (g["params"] as number[]).forEach((id, j) => idMap.set(Number(id), groups[i]!.params[j]!));
    });

    const savedState = state_dict.state;
    const entries = savedState instanceof Map ? [...savedState.entries()] : Object.entries(savedState);
    const state = new Map<Tensor, S>();
    for (const [k, v] of entries) {
      const param = idMap.get(Number(k));
      // PyTorch keeps state that belongs to no parameter under its old key; a Map keyed by
      // tensors has no place for it, so it is dropped.
      if (param === undefined) continue;
      state.set(param, this._castState(param, v as ParamState) as S);
    }
    this.param_groups = saved.map((g, i) => {
      g["params"] = groups[i]!.params;
      return g as G;
    });
    this.state = state;
    if (!("differentiable" in this.defaults)) this.defaults["differentiable"] = false;
    for (const group of this.param_groups) this._setstate(group);
  }

  /** PyTorch's cast in load_state_dict: state tensors follow the parameter's floating dtype. */
  private _castState(param: Tensor, value: unknown, key?: string): unknown {
    if (value instanceof Tensor) {
      if (key === "step") return value;
      return param.is_floating_point() ? value.to(param.dtype) : value;
    }
    if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, this._castState(param, v, String(k))]));
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this._castState(param, v, k);
      return out;
    }
    if (Array.isArray(value)) return value.map((v) => this._castState(param, v));
    return value;
  }

  /**
   * Fills in options a loaded group may lack (a state_dict from an older PyTorch), as each
   * optimizer's `__setstate__` does. Subclasses override it.
   */
  protected _setstate(group: G): void {
    void group;
  }

  /** @internal A parameter's state, created empty on first use (PyTorch's defaultdict). */
  _stateOf(p: Tensor): S {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {} as S;
      this.state.set(p, s);
    }
    return s;
  }

  /**
   * Runs `closure` (with grad mode on) and then `update` with grad mode set to the optimizer's
   * `differentiable` flag (off by default), returning the closure's value.
   */
  protected _runStep<L>(closure: (() => L) | undefined, update: () => void): L | undefined {
    const loss = closure === undefined ? undefined : enable_grad(closure);
    set_grad_enabled(Boolean(this.defaults["differentiable"]), update);
    return loss;
  }

  /** PyTorch's repr: the class name and each group's options, sorted by name. */
  toString(): string {
    let out = `${this.constructor.name} (`;
    this.param_groups.forEach((group, i) => {
      out += `\nParameter Group ${i}\n`;
      for (const key of Object.keys(group).sort()) {
        if (key !== "params") out += `    ${key}: ${pyRepr(group[key])}\n`;
      }
    });
    return out + ")";
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** @internal Python's `dict.setdefault`: sets `key` only when the group lacks it. */
export function setdefault<G extends object>(group: G, key: keyof G & string, value: unknown): void {
  if (!(key in group)) (group as Record<string, unknown>)[key] = value;
}

/** @internal Refuses options that torch-ts does not implement, before any state is made. */
export function rejectDifferentiable(name: string, differentiable: boolean | undefined): void {
  if (differentiable) {
    throw new NotImplementedError(
      `${name}(differentiable=True) is not supported by torch-ts: the update runs under no_grad`,
    );
  }
}
