/**
 * Node 20 ships relaxed SIMD behind `--experimental-wasm-relaxed-simd` (Node 22 and current
 * browsers have it on). V8 accepts the flag at run time if it is set before the first module
 * that uses it is compiled, and worker threads started later inherit it.
 *
 * This runs in Node only and imports nothing: `process.getBuiltinModule` (Node 20.16+) reaches
 * `node:v8` without an `import` that a browser or a bundler would have to resolve. Elsewhere, and
 * where the user set `TORCH_TS_WASM_RELAXED_SIMD=0` (Node's docs warn that changing V8 flags
 * after start-up may misbehave), it does nothing and the plain SIMD build is used.
 */

interface NodeProcess {
  versions?: { node?: string };
  env?: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
}

let attempted = false;

/** Sets the flag once; returns whether it was set now (so validating again may succeed). */
export function enableRelaxedSimdInNode(): boolean {
  if (attempted) return false;
  attempted = true;
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (!proc?.versions?.node || typeof proc.getBuiltinModule !== "function") return false;
  if (proc.env?.TORCH_TS_WASM_RELAXED_SIMD === "0") return false;
  const v8 = proc.getBuiltinModule("node:v8") as { setFlagsFromString?: (flags: string) => void } | undefined;
  if (typeof v8?.setFlagsFromString !== "function") return false;
  v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
  return true;
}
