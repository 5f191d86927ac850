#!/usr/bin/env node
// Matrix-product benchmark: torch-ts's backends side by side in one run.
//
//   npm run bench                     (builds first)
//   node bench/matmul.mjs [--quick] [--json FILE]
//
// Backends: "js" (the reference), "wasm-simd" (the plain SIMD128 kernel build) and "wasm" (the
// default: the relaxed-SIMD build where the engine has it). Each workload's result on each
// backend is checked against the JS backend's before it is timed. Times are medians of repeated
// runs after a warm-up; GFLOP/s counts 2·M·N·K per product. The machine's load average is printed
// with the figures: on a small shared machine, compare columns within one run, not across runs.

import { writeFileSync } from "node:fs";
import { loadavg, cpus } from "node:os";
import torch from "../dist/index.js";
import { registerBackend } from "../dist/backend/registry.js";
import { compileGemm } from "../dist/backend/wasm/loader.js";
import { createWasmBackend } from "../dist/backend/wasm/index.js";

const quick = process.argv.includes("--quick");
const jsonAt = process.argv.indexOf("--json");
const jsonFile = jsonAt > 0 ? process.argv[jsonAt + 1] : null;

const plain = compileGemm("simd");
if (plain) registerBackend(createWasmBackend(plain, "wasm-simd"));
const backends = ["js", ...(plain ? ["wasm-simd"] : []), ...(torch.backends.wasm.is_available() ? ["wasm"] : [])];
const label = {
  js: "js",
  "wasm-simd": "wasm simd128",
  wasm: `wasm ${torch.backends.wasm.kernel() === "relaxed_simd" ? "relaxed-simd" : "simd128"}`,
};

// Seeded uniform [-1, 1) values, the same on every backend.
function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}
function tensor(shape, seed) {
  const next = random(seed);
  const n = shape.reduce((p, s) => p * s, 1);
  return torch.tensor(Float32Array.from({ length: n }, next)).reshape(shape);
}
const valuesOf = (t) => {
  const c = t.contiguous();
  return c._storage.data.subarray(c._offset, c._offset + c.numel());
};

const linear = (x, w, b) => (torch.F?.linear ? torch.F.linear(x, w, b) : torch.addmm(b, x, w.t()));

/** Each workload: inputs made once per backend, a step to time, and its multiply-add count. */
const workloads = [
  {
    name: "1024x1024x1024 NN (a @ b)",
    macs: 1024 ** 3,
    make: () => ({ a: tensor([1024, 1024], 1), b: tensor([1024, 1024], 2) }),
    step: ({ a, b }) => torch.mm(a, b),
    check: { K: 1024, scale: 1 },
  },
  {
    name: "1024x1024x1024 NT (x @ W.t())",
    macs: 1024 ** 3,
    make: () => ({ a: tensor([1024, 1024], 1), w: tensor([1024, 1024], 3) }),
    step: ({ a, w }) => torch.mm(a, w.t()),
    check: { K: 1024, scale: 1 },
  },
  {
    name: "Linear(784,512) fwd, x (64,784)",
    macs: 64 * 784 * 512,
    make: () => ({ x: tensor([64, 784], 4), w: tensor([512, 784], 5).mul(0.03), b: tensor([512], 6) }),
    step: ({ x, w, b }) => linear(x, w, b),
    check: { K: 784, scale: 0.03 },
  },
  {
    name: "Linear(784,512) fwd+bwd",
    macs: 3 * 64 * 784 * 512,
    make: () => ({
      x: tensor([64, 784], 4).requires_grad_(true),
      w: tensor([512, 784], 5).mul(0.03).requires_grad_(true),
      b: tensor([512], 6).requires_grad_(true),
    }),
    step: ({ x, w, b }) => {
      x.grad = w.grad = b.grad = null;
      linear(x, w, b).sum().backward();
      return w.grad;
    },
    check: { K: 64, scale: 1 },
  },
  {
    name: "Linear(2,3) fwd, x (4,2)",
    macs: 4 * 2 * 3,
    make: () => ({ x: tensor([4, 2], 7), w: tensor([3, 2], 8), b: tensor([3], 9) }),
    step: ({ x, w, b }) => linear(x, w, b),
    check: { K: 2, scale: 1 },
  },
];

/**
 * Within float32 summation error of the JS result: |Σ_k a·b| in any order errs by at most
 * (K + 2)·2⁻²⁴·Σ|a||b| ≤ (K + 2)·2⁻²⁴·K·max|a|·max|b| (`scale`), plus the rounding of a bias.
 */
function matches(got, want, { K, scale }) {
  let top = 0;
  for (const v of want) top = Math.max(top, Math.abs(v));
  const tolerance = (K + 2) * 2 ** -24 * K * scale + 2 ** -23 * top;
  for (let i = 0; i < want.length; i++) if (!(Math.abs(got[i] - want[i]) <= tolerance)) return false;
  return true;
}

/** Median and best of repeated runs after `warmup` unrecorded ones, for about `budgetMs`. */
function time(fn, budgetMs, { warmup = 2, minRuns = 5 } = {}) {
  for (let i = 0; i < warmup; i++) fn(); // JIT, memory growth
  const times = [];
  const start = performance.now();
  while (times.length < minRuns || (performance.now() - start < budgetMs && times.length < 2001)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  return { median: times[times.length >> 1], min: times[0], runs: times.length };
}

function formatTime(ms) {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${(ms * 1000).toFixed(2)} µs`;
}

function printHeader(what) {
  console.log(`${what.padEnd(34)}${backends.map((b) => label[b].padStart(18)).join("")}   wasm / js`);
}

function printRow(row, stat) {
  const cells = backends.map((b) => {
    const ms = row.backends[b][stat];
    const gflops = (2 * row.macs) / (ms * 1e6);
    return `${formatTime(ms).padStart(10)} ${gflops < 0.1 ? "" : `(${gflops.toFixed(1)})`.padStart(7)}`;
  });
  const fastest = row.backends[backends[backends.length - 1]][stat];
  console.log(`${row.workload.padEnd(34)}${cells.map((c) => c.padStart(18)).join("")}   ${(row.backends.js[stat] / fastest).toFixed(1)}x`);
}

const load0 = loadavg()[0];
console.log(`torch-ts matmul benchmark: Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? "?"}, one thread`);
console.log(`load average before: ${load0.toFixed(2)}${quick ? "  (--quick: short budgets)" : ""}\n`);

const results = [];
for (const w of workloads) {
  torch.backends.set_backend("js");
  const reference = valuesOf(w.step(w.make()));
  const row = { workload: w.name, macs: w.macs, backends: {} };
  for (const name of backends) {
    torch.backends.set_backend(name);
    const inputs = w.make();
    const got = name === "js" ? reference : valuesOf(w.step(inputs));
    if (!matches(got, reference, w.check)) throw new Error(`${w.name} on ${name}: differs from the JS result`);
    // JS takes seconds on the 1024³ rows: the reference run was its warm-up, and three runs do.
    const slow = name === "js" && w.macs > 1e8;
    const t = time(() => w.step(inputs), quick ? 300 : 1500, slow ? { warmup: 0, minRuns: 3 } : {});
    row.backends[name] = { ...t, gflops: (2 * w.macs) / (t.median * 1e6) };
  }
  results.push(row);
  if (results.length === 1) printHeader("median");
  printRow(row, "median");
}
// On a shared machine the best run is the closer estimate of what the code does when it has a core.
console.log("");
printHeader("best run");
for (const row of results) printRow(row, "min");
torch.backends.set_backend(backends.includes("wasm") ? "wasm" : "js");

const load1 = loadavg()[0];
console.log(`\nGFLOP/s in parentheses (2·M·N·K per product); every result checked against the JS backend first.`);
console.log(`load average after: ${load1.toFixed(2)} (over ~1 on this machine means another process shared the cores)`);

if (jsonFile) {
  writeFileSync(
    jsonFile,
    JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, loadavg: [load0, load1], results }, null, 2),
  );
  console.log(`wrote ${jsonFile}`);
}
