/**
 * Which backend allocates new storage and runs kernels. The pure-JS backend is always present
 * and is the fallback for anything a faster backend's `supports()` declines.
 *
 * The default is the first that loads of: the native Node addon (torch-ts-native), the
 * WebAssembly backend (an engine with WebAssembly SIMD), JS. In Node without the addon, torch-ts
 * says so once (console.warn) unless TORCH_TS_BACKEND names a backend. In Node,
 * `TORCH_TS_BACKEND=js|wasm|native` picks one at start-up (so the whole test suite runs on each);
 * `torch.backends.set_backend` picks one at run time.
 */

import type { Backend } from "./backend.js";
import { jsBackend } from "./js/index.js";
import { wasmBackend, wasmUnavailableReason } from "./wasm/index.js";
import { nativeBackend, nativeExpected, nativeUnavailableReason } from "./native/index.js";

const backends = new Map<string, Backend>([[jsBackend.name, jsBackend]]);
if (wasmBackend) backends.set(wasmBackend.name, wasmBackend);
if (nativeBackend) backends.set(nativeBackend.name, nativeBackend);
let current: Backend = initialBackend();

function initialBackend(): Backend {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const requested = env?.TORCH_TS_BACKEND;
  if (requested) {
    const b = backends.get(requested);
    if (!b) throw new Error(`TORCH_TS_BACKEND=${requested}: ${whyMissing(requested)}`);
    return b;
  }
  const fallback = wasmBackend ?? jsBackend;
  if (nativeBackend) return nativeBackend;
  if (nativeExpected) {
    console.warn(`torch-ts: the native backend is unavailable (${nativeUnavailableReason}); using the ${fallback.name} backend`);
  }
  return fallback;
}

function whyMissing(name: string): string {
  if (name === "wasm" && wasmUnavailableReason) return `the wasm backend is unavailable: ${wasmUnavailableReason}`;
  if (name === "native" && nativeUnavailableReason) return `the native backend is unavailable: ${nativeUnavailableReason}`;
  return `unknown backend "${name}"; registered: ${[...backends.keys()].join(", ")}`;
}

export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

/** The backend that new tensors are allocated on. */
export function defaultBackend(): Backend {
  return current;
}

export function setDefaultBackend(name: string): void {
  const b = backends.get(name);
  if (!b) throw new Error(whyMissing(name));
  current = b;
}

export function listBackends(): string[] {
  return [...backends.keys()];
}
