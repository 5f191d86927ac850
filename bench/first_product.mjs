#!/usr/bin/env node
// The first product's cost against the ones after it, per backend, each in fresh processes:
// what a page or a script that runs a model once pays. WebAssembly engines run new code as
// baseline code first and switch to optimized code for calls made after a function has run a
// while (assembly/gemm.ts, gemmBlock), and the native addon's first product allocates its
// packing buffers.
//
//   node bench/first_product.mjs [--size N] [--runs R]      (after npm run build)
//
// Prints, per backend, the median over R processes of the first N³ x·Wᵀ product and of the
// fifth, in ms, and their ratio.

import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const size = opt("--size", 512);
const runs = opt("--runs", 7);
const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));

// One process: the backend's first five products of size³, x·Wᵀ, on one thread.
const child = `
  const { default: torch } = await import(${JSON.stringify(dist)});
  torch.backends.set_backend(process.argv[1]);
  torch.set_num_threads(1);
  const n = ${size};
  const x = torch.randn(n, n), w = torch.randn(n, n);
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    torch.matmul(x, w.t());
    times.push(performance.now() - t0);
  }
  process.stdout.write(JSON.stringify(times));
`;

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const { default: torch } = await import(dist);
const backends = torch.backends.list_backends().filter((b) => b !== "js");
console.log(`first and fifth ${size}³ x·Wᵀ product in a fresh process, 1 thread, median of ${runs} processes`);
for (const backend of backends) {
  const first = [];
  const fifth = [];
  for (let r = 0; r < runs; r++) {
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", child, backend], { encoding: "utf8" });
    const times = JSON.parse(out);
    first.push(times[0]);
    fifth.push(times[4]);
  }
  const [f, l] = [median(first), median(fifth)];
  console.log(`  ${backend.padEnd(7)} first ${f.toFixed(1)} ms, fifth ${l.toFixed(1)} ms: ${(f / l).toFixed(2)}x`);
}
