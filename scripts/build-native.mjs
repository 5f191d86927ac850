#!/usr/bin/env node
// Builds the native Node backend's addon (packages/native) with node-gyp, a devDependency, and
// copies it to packages/native/prebuilds/<platform>-<arch>/torch_ts_native.node, where the
// package's loader (and the published torch-ts-native, which ships prebuilds and no build step)
// finds it. Headers come from this Node's installation (--nodedir), since node-gyp cannot
// download them here. Without a C++ compiler, or if the build fails, it says so in one line and
// exits 0: torch-ts then runs on its wasm backend.
//
// Usage: node scripts/build-native.mjs [--force]   (skips the work when the binary is newer than the sources)

import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = join(root, "packages/native");
const built = join(pkg, "build/Release/torch_ts_native.node");
const prebuiltDir = join(pkg, "prebuilds", `${process.platform}-${process.arch}`);
const prebuilt = join(prebuiltDir, "torch_ts_native.node");
const nodeGyp = join(root, "node_modules/.bin", process.platform === "win32" ? "node-gyp.cmd" : "node-gyp");

const sources = [join(pkg, "binding.gyp"), ...readdirSync(join(pkg, "src")).map((f) => join(pkg, "src", f))];
const newestSource = Math.max(...sources.map((f) => statSync(f).mtimeMs));
if (!process.argv.includes("--force") && existsSync(prebuilt) && statSync(prebuilt).mtimeMs >= newestSource) {
  console.log("build-native: up to date");
  process.exit(0);
}

// node-gyp finds headers under <nodedir>/include/node: the Node that runs this script.
const nodedir = process.env.npm_config_nodedir ?? join(dirname(process.execPath), "..");
const started = Date.now();
const result = existsSync(nodeGyp)
  ? spawnSync(nodeGyp, ["rebuild", `--nodedir=${nodedir}`, "-j", "2"], { cwd: pkg, encoding: "utf8" })
  : { status: null, error: new Error("node-gyp is not installed (npm ci installs it)"), stdout: "", stderr: "" };

if (result.status !== 0 || !existsSync(built)) {
  const output = `${result.stderr ?? ""}\n${result.stdout ?? ""}`;
  const why = result.error
    ? result.error.message
    : /not found|No such file|command not found|make: \S+: No such/i.test(output) && /g\+\+|c\+\+|cc|make/.test(output)
      ? "no C++ compiler or make found"
      : (output.split("\n").find((line) => /error/i.test(line) && !/gyp ERR! (stack|cwd|node|System|command|not ok)/.test(line)) ?? "node-gyp failed").trim();
  console.log(`build-native: the native addon was not built (${why}); torch-ts will use its wasm backend`);
  process.exit(0);
}

mkdirSync(prebuiltDir, { recursive: true });
// Copied beside and renamed over, so a process that has the old binary loaded keeps its file
// (overwriting a mapped library in place can crash it).
const staged = `${prebuilt}.${process.pid}.tmp`;
copyFileSync(built, staged);
renameSync(staged, prebuilt);
console.log(`build-native: ${prebuilt.slice(root.length + 1)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
