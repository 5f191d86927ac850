/**
 * The numeric test suite in a real browser (`npm run test:browser`): the same test files as
 * `vitest run`, run by vitest's browser mode in headless Chromium (Debian's /usr/bin/chromium,
 * driven by @vitest/browser-playwright), so every op, layer, optimizer and reader is checked on
 * the WebAssembly backend as a page runs it. The server sends COOP/COEP, so the test pages are
 * cross-origin isolated and the backend runs its multi-threaded path, as the demo page does.
 *
 * Which files run here is one rule, `runsInBrowser` below:
 *
 *   A test file runs in the browser unless it, or a test helper it imports (followed through
 *   relative imports under test/), imports a Node built-in module other than `node:fs`
 *   (`node:child_process` for Python and subprocesses, `node:os` / `node:path` / `node:url` for
 *   temporary files, `node:util` for util.inspect, `node:zlib`, ...) or the Node-only entry
 *   src/node/ (`torch-ts/node`: files on disk) or a Node-only package (onnxruntime-node, a
 *   native addon), or uses Node's globals `Buffer` or `process` (other than `process.env`).
 *   In test/browser/, only the files written for a page (`*.browser.test.ts`) run here; the
 *   others there drive browsers from Node.
 *
 * Two Node things are stood in for, so that the numeric tests that touch them still run:
 * `node:fs` is test/browser/fs_shim.ts, which reads the fixtures under test/golden/ from the
 * server that serves the tests (any other fs use fails loudly), and `process.env` reads as an
 * empty object, as a page has no environment (`process.env.CI` is undefined, the backend the
 * default one).
 */

import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";
import type { Plugin } from "vite";

import { CHROMIUM, CHROMIUM_ARGS } from "./test/browser/chromium.js";

const ROOT = dirname(fileURLToPath(import.meta.url));
const ALLOWED_NODE_MODULES = new Set(["node:fs"]);
const NODE_ONLY_PACKAGES = new Set(["onnxruntime-node"]);
const NODE_BUILTINS = new Set(builtinModules);
const IMPORT = /(?:\bimport|\bexport)\s*(?:type\s+)?(?:[\w$*{}\s,]+\s*from\s*)?["']([^"']+)["']|(?<!typeof\s+)\bimport\s*\(\s*["']([^"']+)["']\s*\)/g;

/** Node's globals, where a page has none: `Buffer`, and `process` but for `process.env`. */
const NODE_GLOBAL = /\bBuffer\b|\bprocess\b(?!\.env\b)/;

/** Why `file` cannot run in a browser (the first Node import found in it or its helpers), or null. */
function nodeImportOf(file: string, seen = new Set<string>()): string | null {
  if (seen.has(file)) return null;
  seen.add(file);
  const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, "");
  const global = NODE_GLOBAL.exec(code.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""'));
  if (global !== null) return `${relative(ROOT, file)} uses Node's ${global[0]}`;
  for (const m of code.matchAll(IMPORT)) {
    if (/^(?:import|export)\s+type\b/.test(m[0])) continue;
    const spec = (m[1] ?? m[2])!;
    const isBuiltin = spec.startsWith("node:") || NODE_BUILTINS.has(spec.split("/")[0]!);
    if (isBuiltin && !ALLOWED_NODE_MODULES.has(spec)) return `${relative(ROOT, file)} imports ${spec}`;
    if (NODE_ONLY_PACKAGES.has(spec)) return `${relative(ROOT, file)} imports ${spec} (Node only)`;
    if (!spec.startsWith(".")) continue;
    const target = resolve(dirname(file), spec.replace(/\.js$/, ".ts"));
    const rel = relative(ROOT, target);
    if (rel.startsWith("src/node/")) return `${relative(ROOT, file)} imports ${rel} (torch-ts/node)`;
    // Helpers under test/ are followed; src/ is the core, which imports no Node module
    // (test/browser/node_free.test.ts checks it).
    if (rel.startsWith("test/") && /\.(ts|mjs|js)$/.test(target)) {
      const why = nodeImportOf(target, seen);
      if (why !== null) return why;
    }
  }
  return null;
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return testFiles(path);
    if (dir === join(ROOT, "test/browser")) return e.name.endsWith(".browser.test.ts") ? [path] : [];
    return e.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** The rule above, applied to every test file: [file, why it is excluded or null]. */
export const BROWSER_RULE: [string, string | null][] = testFiles(join(ROOT, "test"))
  .sort()
  .map((f) => [relative(ROOT, f), nodeImportOf(f)]);

const runsInBrowser = BROWSER_RULE.filter(([, why]) => why === null).map(([f]) => f);

/**
 * Vite rewrites `new URL(\`../golden/${area}/\`, import.meta.url)` with a template into a lookup
 * of bundled assets (for builds), which breaks the fixture URLs the tests compute: reading
 * `import.meta.url` through a computed key leaves those to the browser, as Node leaves them.
 */
const plainImportMetaUrl: Plugin = {
  name: "torch-ts:plain-import-meta-url",
  enforce: "pre",
  transform(code, id) {
    if (!id.startsWith(join(ROOT, "test/")) || !code.includes("import.meta.url")) return null;
    return { code: code.replace(/\bimport\.meta\.url\b/g, 'import.meta["url"]'), map: null };
  },
};

export default defineConfig({
  plugins: [plainImportMetaUrl],
  resolve: { alias: { "node:fs": join(ROOT, "test/browser/fs_shim.ts") } },
  define: { "process.env": "{}" },
  server: {
    headers: { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" },
  },
  optimizeDeps: { include: ["fflate", "protobufjs/light.js", "fast-check"] },
  test: {
    include: runsInBrowser,
    // As in vitest.config.ts: unfilled outputs start poisoned (test/harness/setup.ts).
    setupFiles: ["test/harness/setup.ts"],
    testTimeout: 60_000,
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } }),
      instances: [{ browser: "chromium" }],
      screenshotFailures: false,
    },
  },
});
