/**
 * Which backend allocates new storage and runs kernels. The pure-JS backend is always present
 * and is the fallback for anything a faster backend's `supports()` declines.
 */

import type { Backend } from "./backend.js";
import { jsBackend } from "./js/index.js";

const backends = new Map<string, Backend>([[jsBackend.name, jsBackend]]);
let current: Backend = jsBackend;

export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

/** The backend that new tensors are allocated on. */
export function defaultBackend(): Backend {
  return current;
}

export function setDefaultBackend(name: string): void {
  const b = backends.get(name);
  if (!b) throw new Error(`unknown backend "${name}"; registered: ${[...backends.keys()].join(", ")}`);
  current = b;
}

export function listBackends(): string[] {
  return [...backends.keys()];
}
