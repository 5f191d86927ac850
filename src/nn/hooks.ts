/**
 * `torch.utils.hooks.RemovableHandle` and the Python-flavoured type names that nn's error
 * messages print (`torch.typename`, `type(x)`).
 */

import { Tensor } from "../tensor/tensor.js";
import type { Module } from "./module.js";

let nextHandleId = 0;

/**
 * A handle that removes a registered hook: `handle.remove()`. Returned by
 * `register_forward_hook` and friends.
 */
export class RemovableHandle {
  /** A number unique among all handles, the hook's key in its registry. */
  readonly id: number = nextHandleId++;
  private readonly dicts: Map<number, unknown>[];

  constructor(hooksDict: Map<number, unknown>, extraDicts: Map<number, unknown>[] = []) {
    this.dicts = [hooksDict, ...extraDicts];
  }

  /** Removes the hook; removing twice is harmless. */
  remove(): void {
    for (const d of this.dicts) d.delete(this.id);
  }
}

/**
 * `torch.typename(x)`: `torch.FloatTensor` for a float32 tensor, the Python type name for
 * JavaScript scalars (`int`, `float`, `str`, `bool`, `NoneType`), the class name otherwise.
 */
export function typename(x: unknown): string {
  if (x instanceof Tensor) return `torch.${x.dtype.scalarTypeName}Tensor`;
  return pythonTypeName(x);
}

/** What Python's `type(x).__name__` would say for the nearest Python value. */
export function pythonTypeName(x: unknown): string {
  if (x === null || x === undefined) return "NoneType";
  if (typeof x === "number") return Number.isInteger(x) ? "int" : "float";
  if (typeof x === "bigint") return "int";
  if (typeof x === "string") return "str";
  if (typeof x === "boolean") return "bool";
  if (Array.isArray(x)) return "list";
  if (typeof x === "function" || typeof x === "object") {
    const ctor = (x as { constructor?: { name?: string } }).constructor;
    if (ctor === Object || ctor === undefined) return "dict";
    return ctor.name ?? "object";
  }
  return typeof x;
}

/** Python's `repr` of a string: single quotes unless the text holds one and no double quote. */
export function pyRepr(s: string): string {
  const useDouble = s.includes("'") && !s.includes('"');
  const q = useDouble ? '"' : "'";
  let body = s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\t/g, "\\t");
  if (!useDouble) body = body.replace(/'/g, "\\'");
  return q + body + q;
}

/**
 * PyTorch's `_call_impl`: forward pre-hooks (each may replace the arguments), `forward`, then
 * forward hooks (each may replace the output); `always_call` hooks also run when forward throws.
 */
export function callWithHooks(module: Module, forward: (...a: unknown[]) => unknown, args: unknown[]): unknown {
  if (module._forward_pre_hooks.size === 0 && module._forward_hooks.size === 0) return forward.apply(module, args);
  for (const hook of [...module._forward_pre_hooks.values()]) {
    const result = hook(module, args);
    // A non-array result replaces the single input (PyTorch wraps a non-tuple in a tuple).
    if (result !== undefined && result !== null) args = Array.isArray(result) ? result : [result];
  }
  const called = new Set<number>();
  let result: unknown;
  try {
    result = forward.apply(module, args);
    for (const [id, hook] of [...module._forward_hooks]) {
      called.add(id);
      const r = hook(module, args, result);
      if (r !== undefined && r !== null) result = r;
    }
  } catch (e) {
    for (const [id, hook] of [...module._forward_hooks]) {
      if (module._forward_hooks_always_called.has(id) && !called.has(id)) {
        try {
          hook(module, args, result);
        } catch {
          // PyTorch reports the original error; a failing always_call hook only warns.
        }
      }
    }
    throw e;
  }
  return result;
}

/**
 * Hook registries are Maps keyed by handle id, in calling order. `prepend` refills the same
 * Map with the new hook first (the handle holds that Map, so `remove()` keeps working).
 */
export function insertHook<H>(hooks: Map<number, H>, id: number, hook: H, prepend = false): void {
  if (!prepend) {
    hooks.set(id, hook);
    return;
  }
  const entries = [...hooks];
  hooks.clear();
  hooks.set(id, hook);
  for (const [k, v] of entries) hooks.set(k, v);
}
