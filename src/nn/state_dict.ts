/**
 * `Module.state_dict()` and `Module.load_state_dict()`: the walk over a module tree, the keys
 * (`prefix + name`, children under `prefix + child + "."`), and PyTorch's error texts.
 */

import { Tensor } from "../tensor/tensor.js";
import { no_grad } from "../autograd/grad_mode.js";
import { RuntimeError } from "../errors.js";
import type { Module } from "./module.js";
import { Parameter, is_lazy } from "./parameter.js";
import { pyRepr, pythonTypeName } from "./hooks.js";

/**
 * A state dict: dotted names to tensors, in registration order. (A key that looks like an
 * array index, `"0"`, would sort first in a JS object; module names make that rare.)
 */
export type StateDict = Record<string, Tensor>;

const EXTRA_STATE_KEY_SUFFIX = "_extra_state";

/** What `load_state_dict` returns: the keys that did not match, and PyTorch's repr of them. */
export class IncompatibleKeys {
  constructor(
    readonly missing_keys: string[],
    readonly unexpected_keys: string[],
  ) {}

  toString(): string {
    if (this.missing_keys.length === 0 && this.unexpected_keys.length === 0) return "<All keys matched successfully>";
    const list = (keys: string[]) => `[${keys.map(pyRepr).join(", ")}]`;
    return `_IncompatibleKeys(missing_keys=${list(this.missing_keys)}, unexpected_keys=${list(this.unexpected_keys)})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Collects what `Module.state_dict` returns, recursing through `child.state_dict()`. */
export function saveStateDict(
  module: Module,
  options: { destination?: StateDict; prefix?: string; keep_vars?: boolean },
): StateDict {
  const { destination = {}, prefix = "", keep_vars = false } = options;
  module._save_to_state_dict(destination, prefix, keep_vars);
  for (const [name, child] of module._modules) {
    if (child !== null) child.state_dict({ destination, prefix: prefix + name + ".", keep_vars });
  }
  return destination;
}

/** One module's own entries (PyTorch's `_save_to_state_dict`). */
export function saveOwnState(
  module: Module,
  destination: StateDict,
  prefix: string,
  keepVars: boolean,
  hasExtraState: boolean,
): void {
  for (const [name, param] of module._parameters) {
    // An uninitialised (lazy) parameter is kept as it is (PyTorch's LazyModuleMixin).
    if (param !== null) destination[prefix + name] = keepVars || is_lazy(param) ? param : param.detach();
  }
  for (const [name, buf] of module._buffers) {
    if (buf !== null && !module._non_persistent_buffers_set.has(name)) {
      destination[prefix + name] = keepVars ? buf : buf.detach();
    }
  }
  if (hasExtraState) destination[prefix + EXTRA_STATE_KEY_SUFFIX] = module.get_extra_state() as Tensor;
}

/** The lists one module's load appends to. */
export interface LoadLog {
  missing: string[];
  unexpected: string[];
  errors: string[];
}

function shapeEquals(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

function sizeText(shape: readonly number[]): string {
  return `torch.Size([${shape.join(", ")}])`;
}

/** One module's own entries from `stateDict` (PyTorch's `_load_from_state_dict`). */
export function loadOwnState(
  module: Module,
  stateDict: Map<string, unknown>,
  prefix: string,
  strict: boolean,
  log: LoadLog,
  assign: boolean,
  hasExtraState: boolean,
): void {
  const local = new Map<string, Tensor>();
  for (const [k, v] of module._parameters) if (v !== null) local.set(k, v);
  for (const [k, v] of module._buffers) if (v !== null && !module._non_persistent_buffers_set.has(k)) local.set(k, v);

  for (const [name, param] of local) {
    const key = prefix + name;
    if (!stateDict.has(key)) {
      if (strict) log.missing.push(key);
      continue;
    }
    const raw = stateDict.get(key);
    if (!(raw instanceof Tensor)) {
      log.errors.push(
        `While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint ` +
          `but received <class '${pythonTypeName(raw)}'>`,
      );
      continue;
    }
    let input: Tensor = raw;
    const lazy = is_lazy(param);
    // Backward compatibility: a 1-element 1-D tensor loads into a 0-d parameter.
    if (!lazy && param.ndim === 0 && input.ndim === 1) input = input.select(0, 0);
    if (!lazy && !shapeEquals(input._shape, param._shape)) {
      log.errors.push(
        `size mismatch for ${key}: copying a param with shape ${sizeText(input._shape)} from checkpoint, ` +
          `the shape in current model is ${sizeText(param._shape)}.`,
      );
      continue;
    }
    const source = input;
    try {
      no_grad(() => {
        if (assign) {
          let value: Tensor = source;
          if (param instanceof Parameter) {
            if (!(value instanceof Parameter)) value = new Parameter(value, param.requires_grad);
            else value.requires_grad_(param.requires_grad);
          }
          (module as unknown as Record<string, unknown>)[name] = value;
        } else {
          param.copy_(source);
        }
      });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      log.errors.push(
        `While copying the parameter named "${key}", whose dimensions in the model are ${sizeText(param._shape)} ` +
          `and whose dimensions in the checkpoint are ${sizeText(source._shape)}, an exception occurred : (${pyRepr(msg)},).`,
      );
    }
  }

  const extraKey = prefix + EXTRA_STATE_KEY_SUFFIX;
  if (hasExtraState) {
    if (stateDict.has(extraKey)) module.set_extra_state(stateDict.get(extraKey));
    else if (strict) log.missing.push(extraKey);
  } else if (strict && stateDict.has(extraKey)) {
    log.unexpected.push(extraKey);
  }

  if (strict) {
    for (const key of stateDict.keys()) {
      if (!key.startsWith(prefix) || key === extraKey) continue;
      const inputName = key.slice(prefix.length).split(".")[0]!;
      if (!module._modules.has(inputName) && !local.has(inputName)) log.unexpected.push(key);
    }
  }
}

function isMapping(x: unknown): x is Record<string, unknown> | Map<string, unknown> {
  if (x instanceof Map) return true;
  return typeof x === "object" && x !== null && !Array.isArray(x) && !(x instanceof Tensor);
}

/** `Module.load_state_dict`: walks the tree, then raises or returns the key lists. */
export function loadStateDict(
  module: Module,
  stateDict: unknown,
  options: { strict?: boolean; assign?: boolean },
): IncompatibleKeys {
  const { strict = true, assign = false } = options;
  if (!isMapping(stateDict)) {
    throw new TypeError(`Expected state_dict to be dict-like, got <class '${pythonTypeName(stateDict)}'>.`);
  }
  const all = stateDict instanceof Map ? new Map(stateDict) : new Map(Object.entries(stateDict));
  const log: LoadLog = { missing: [], unexpected: [], errors: [] };

  const load = (mod: Module, local: Map<string, unknown>, prefix: string): void => {
    // Every module records missing and unexpected keys; only the caller's `strict` raises.
    mod._load_from_state_dict(local, prefix, true, log, assign);
    for (const [name, child] of mod._modules) {
      if (child === null) continue;
      const childPrefix = prefix + name + ".";
      const childState = new Map([...local].filter(([k]) => k.startsWith(childPrefix)));
      load(child, childState, childPrefix);
    }
  };
  load(module, all, "");

  if (strict) {
    if (log.unexpected.length > 0) {
      log.errors.unshift(`Unexpected key(s) in state_dict: ${log.unexpected.map((k) => `"${k}"`).join(", ")}. `);
    }
    if (log.missing.length > 0) {
      log.errors.unshift(`Missing key(s) in state_dict: ${log.missing.map((k) => `"${k}"`).join(", ")}. `);
    }
  }
  if (log.errors.length > 0) {
    throw new RuntimeError(`Error(s) in loading state_dict for ${module._get_name()}:\n\t${log.errors.join("\n\t")}`);
  }
  return new IncompatibleKeys(log.missing, log.unexpected);
}
