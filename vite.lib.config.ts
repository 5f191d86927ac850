/**
 * The browser build of torch-ts (`npm run build:browser`, part of `npm run build`): one ES module,
 * dist/browser/torch-ts.js, made from src/index.ts with its dependencies (fflate, protobufjs)
 * bundled in, for a `<script type="module">` or a bundler that wants a single file.
 *
 * The core imports no Node module (Node's parts are the `torch-ts/node` entry, or reached at run
 * time through `process.getBuiltinModule`), so nothing here is stubbed or externalised;
 * scripts/check-browser-bundle.mjs then fails the build if a `node:` import got in anyway.
 */

import { defineConfig } from "vite";

export default defineConfig({
  // No public/ folder or index.html: this is a library build only.
  publicDir: false,
  build: {
    outDir: "dist/browser",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    minify: false,
    // A module's repr is its class name (`Linear(...)`): keep class names as written even
    // where bundling would rename one to avoid a clash.
    rolldownOptions: { output: { keepNames: true } },
    lib: {
      entry: "src/index.ts",
      formats: ["es"],
      fileName: () => "torch-ts.js",
    },
  },
});
