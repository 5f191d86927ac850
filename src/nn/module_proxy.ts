/**
 * The machinery that makes a `Module` a callable object with PyTorch's attribute semantics
 * (see module.ts's header for the why): the function each module is, the Proxy around it, and
 * the `__setattr__` / `__getattr__` / `__delattr__` routing into the ordered registries.
 */

import { Tensor } from "../tensor/tensor.js";
import type { Module } from "./module.js";
import { Parameter } from "./parameter.js";
import { typename } from "./hooks.js";

/** Lets containers answer `seq[-1]` (a key no registry holds) through the Proxy. */
export const INDEX_GET = Symbol("torch-ts.nn.indexGet");

/** The Proxy users hold, for each module's function target (Node inspects the target). */
const proxyOf = new WeakMap<object, Module>();

/** Every module ever made: what `value instanceof Module` asks, without importing Module here. */
const allModules = new WeakSet<object>();

/** The module a function target belongs to (for Node's inspect, which sees the target). */
export function proxyFor(target: object): Module | undefined {
  return proxyOf.get(target);
}

type Target = Module & Record<PropertyKey, unknown>;

function registered(t: Target, key: string): boolean {
  return t._parameters?.has(key) || t._buffers?.has(key) || t._modules?.has(key) || false;
}

function removeOwn(t: Target, key: string): void {
  if (Object.prototype.hasOwnProperty.call(t, key)) delete t[key];
}

/**
 * PyTorch's `__setattr__` routing. Returns true when the value went into a registry; false
 * means an ordinary attribute.
 */
function setattr(self: Module, t: Target, name: string, value: unknown): boolean {
  const { _parameters: params, _buffers: buffers, _modules: modules } = t;
  if (params === undefined) return false;
  const absent = value === undefined || value === null;
  if (value instanceof Parameter) {
    removeOwn(t, name);
    buffers.delete(name);
    modules.delete(name);
    t._non_persistent_buffers_set.delete(name);
    self.register_parameter(name, value);
    return true;
  }
  if (params.has(name)) {
    if (!absent) {
      throw new TypeError(
        `cannot assign '${typename(value)}' as parameter '${name}' (torch.nn.Parameter or None expected)`,
      );
    }
    self.register_parameter(name, null);
    return true;
  }
  if (typeof value === "function" && allModules.has(value)) {
    removeOwn(t, name);
    params.delete(name);
    buffers.delete(name);
    t._non_persistent_buffers_set.delete(name);
    modules.set(name, value as Module);
    return true;
  }
  if (modules.has(name)) {
    if (!absent) {
      throw new TypeError(
        `cannot assign '${typename(value)}' as child module '${name}' (torch.nn.Module or None expected)`,
      );
    }
    modules.set(name, null);
    return true;
  }
  if (buffers.has(name)) {
    if (!absent && !(value instanceof Tensor)) {
      throw new TypeError(`cannot assign '${typename(value)}' as buffer '${name}' (torch.Tensor or None expected)`);
    }
    buffers.set(name, absent ? null : (value as Tensor));
    return true;
  }
  return false;
}

const handler: ProxyHandler<Target> = {
  get(t, key, receiver) {
    if (typeof key === "string") {
      if (t._parameters?.has(key)) return t._parameters.get(key);
      if (t._buffers?.has(key)) return t._buffers.get(key);
      if (t._modules?.has(key)) return t._modules.get(key);
      // `seq[-1]`: only keys starting with "-" pay for the pattern test.
      if (key.charCodeAt(0) === 45 && /^-\d+$/.test(key) && typeof t[INDEX_GET] === "function") {
        return (t[INDEX_GET] as (i: number) => unknown).call(receiver, Number(key));
      }
    }
    return Reflect.get(t, key, receiver);
  },
  set(t, key, value, receiver) {
    if (typeof key === "string" && setattr(receiver as Module, t, key, value)) return true;
    // Honours setters on the class; a plain data property comes back through defineProperty.
    return Reflect.set(t, key, value, receiver);
  },
  defineProperty(t, key, desc) {
    if (typeof key === "string" && "value" in desc) {
      if (desc.value === undefined) {
        // A class field without initialiser (see the header): never erase or shadow.
        if (registered(t, key)) return true;
        if (!Object.prototype.hasOwnProperty.call(t, key)) return true;
      } else if (setattr(proxyOf.get(t)!, t, key, desc.value)) {
        return true;
      }
    }
    return Reflect.defineProperty(t, key, desc);
  },
  has(t, key) {
    return (typeof key === "string" && registered(t, key)) || Reflect.has(t, key);
  },
  deleteProperty(t, key) {
    if (typeof key === "string") {
      if (t._parameters?.delete(key)) return true;
      if (t._buffers?.delete(key)) {
        t._non_persistent_buffers_set.delete(key);
        return true;
      }
      if (t._modules?.delete(key)) return true;
    }
    return Reflect.deleteProperty(t, key);
  },
  ownKeys(t) {
    const keys = Reflect.ownKeys(t);
    for (const reg of [t._parameters, t._buffers, t._modules]) {
      for (const k of reg?.keys() ?? []) if (!keys.includes(k)) keys.push(k);
    }
    return keys;
  },
  getOwnPropertyDescriptor(t, key) {
    if (typeof key === "string" && registered(t, key)) {
      const value = t._parameters.get(key) ?? t._buffers.get(key) ?? t._modules.get(key) ?? null;
      return { value, writable: true, enumerable: true, configurable: true };
    }
    return Reflect.getOwnPropertyDescriptor(t, key);
  },
};

/**
 * Makes the object a Module constructor returns: a function (calling it runs `_call_impl`)
 * whose prototype is `prototype`, holding `fields` as its own properties, behind the Proxy.
 */
export function createModule(prototype: object, fields: Record<string, unknown>): Module {
  let self: Module | undefined;
  const fn = (...args: unknown[]): unknown => self!._call_impl(...args);
  // A module may well have attributes called `name` or `length`.
  delete (fn as { name?: string }).name;
  delete (fn as { length?: number }).length;
  Object.setPrototypeOf(fn, prototype);
  for (const [k, v] of Object.entries(fields)) {
    Object.defineProperty(fn, k, { value: v, writable: true, configurable: true, enumerable: k === "training" });
  }
  self = new Proxy(fn as unknown as Target, handler) as unknown as Module;
  proxyOf.set(fn, self);
  allModules.add(self);
  return self;
}
