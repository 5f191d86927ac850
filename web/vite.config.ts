/**
 * The browser demo (web/): `npm run web` serves it with Vite's dev server; `npm run web:build`
 * writes a static build to build/web, and `npm run web:preview` serves that build.
 *
 * Both servers send COOP/COEP headers, so the page is cross-origin isolated: SharedArrayBuffer
 * exists there and torch-ts's WebAssembly backend can run multi-threaded through Web Workers.
 * `torch-ts` resolves to the sources (src/index.ts), so the page runs what the repository has
 * now, without a build of the library first.
 */

import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** What makes a page cross-origin isolated (`self.crossOriginIsolated === true`). */
export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  root: here("."),
  resolve: { alias: { "torch-ts": here("../src/index.ts") } },
  server: { headers: ISOLATION_HEADERS, fs: { allow: [here("..")] } },
  preview: { headers: ISOLATION_HEADERS },
  // Module workers (train_worker.ts, and any workers torch-ts starts inside it) as ES modules.
  // keepNames: a module's repr is its class name (`Linear(...)`), which minifying would mangle.
  worker: { format: "es", rolldownOptions: { output: { keepNames: true } } },
  // Pre-bundled at start-up, so the dev server never reloads the page to add them mid-session.
  optimizeDeps: { include: ["chart.js", "fflate", "protobufjs/light.js"] },
  build: {
    outDir: here("../build/web"),
    emptyOutDir: true,
    target: "es2022",
    // The digits are 10 JSON files of 2 MB each: assets, fetched by the worker, never inlined.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2048,
    rolldownOptions: { output: { keepNames: true } },
  },
});
