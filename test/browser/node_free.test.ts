/**
 * The core (`torch-ts`, src/index.ts) imports no Node module, so that it bundles for browsers:
 * every module reachable from src/index.ts through static and dynamic imports with a literal
 * specifier is walked, and none may import `node:*`, a bare Node built-in (`fs`), or the Node-only
 * entry src/node/. (Node is reached at run time through `process.getBuiltinModule`.)
 * `npm run build:browser` checks the bundle itself the same way (scripts/check-browser-bundle.mjs).
 */

import { describe, expect, test } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const BUILTINS = new Set(builtinModules);
const IMPORT = /(?:\bimport|\bexport)\s*(?:type\s+)?(?:[\w$*{}\s,]+\s*from\s*)?["']([^"']+)["']|(?<!typeof\s+)\bimport\s*\(\s*["']([^"']+)["']\s*\)/g;

/** The specifiers a TypeScript file imports at run time (`import type` and `typeof import()` left out). */
function importsOf(file: string): string[] {
  const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, "");
  const out: string[] = [];
  for (const m of code.matchAll(IMPORT)) {
    if (/^(?:import|export)\s+type\b/.test(m[0])) continue;
    out.push((m[1] ?? m[2])!);
  }
  return out;
}

/** Every module reachable from `entry`, each with the chain of files that leads to it. */
function walk(entry: string): { chains: Map<string, string[]>; nodeImports: string[] } {
  const chains = new Map<string, string[]>([[entry, [entry]]]);
  const nodeImports: string[] = [];
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const spec of importsOf(file)) {
      const chain = chains.get(file)!.map((f) => relative(ROOT, f)).join(" -> ");
      if (spec.startsWith("node:") || BUILTINS.has(spec.split("/")[0]!)) {
        nodeImports.push(`${chain} imports "${spec}"`);
        continue;
      }
      if (!spec.startsWith(".")) continue; // a package (fflate, protobufjs): the bundle check covers them
      const target = resolve(dirname(file), spec.replace(/\.js$/, ".ts"));
      if (!existsSync(target)) throw new Error(`${relative(ROOT, file)}: cannot resolve ${spec}`);
      if (target.startsWith(join(ROOT, "src/node/"))) nodeImports.push(`${chain} imports the Node entry ${relative(ROOT, target)}`);
      if (!chains.has(target)) {
        chains.set(target, [...chains.get(file)!, target]);
        queue.push(target);
      }
    }
  }
  return { chains, nodeImports };
}

describe("the core imports no Node module", () => {
  test("nothing reachable from src/index.ts imports node:*, a Node built-in or src/node", () => {
    const { chains, nodeImports } = walk(join(ROOT, "src/index.ts"));
    expect(chains.size).toBeGreaterThan(100); // the walk really followed the graph
    expect(nodeImports).toEqual([]);
  });

  test("the walk does find Node imports where they are (src/node/index.ts)", () => {
    const { nodeImports } = walk(join(ROOT, "src/node/index.ts"));
    expect(nodeImports.some((line) => line.includes('"node:fs"'))).toBe(true);
  });
});

describe("the browser bundle (dist/browser/torch-ts.js, exported as torch-ts/browser)", () => {
  const bundle = join(ROOT, "dist/browser/torch-ts.js");
  // npm test builds it first; a bare `vitest run` on a tree never built has none to check.
  test.skipIf(!existsSync(bundle) && !process.env.CI)("also loads in Node (server-side rendering) and computes", async () => {
    const { spawnSync } = await import("node:child_process");
    const script = `import(${JSON.stringify(bundle)}).then((m) => { const t = m.default; console.log(t.tensor([1, 2]).add(1).tolist().join(",")); })`;
    const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim().split("\n").pop()).toBe("2,3");
    // the bundle has no asset inlined for the native loader's in-repo path
    expect(readFileSync(bundle, "utf8")).not.toContain("data:text/javascript");
  });
});
