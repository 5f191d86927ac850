import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

// STYLE.md habit 11: a training loop written like PyTorch's, with no dispose calls, runs at
// flat memory. flat_memory_loop.mjs trains a small MLP (32-64-10, Dropout, cross-entropy,
// AdamW, a DataLoader with shuffle, an eval under no_grad every 1,000 steps) against dist/ in a
// child process started with --expose-gc, and samples memory after two full collections every
// 1,000 steps from step 1,000 (the warm-up) on. Its operands are all under the 64 KiB from which
// the wasm and native backends remember right-hand operands between products; those caches are
// covered by test/backend/operand_cache_memory.test.ts (a loop with 196 KiB inputs).
//
// The bounds, and why:
// - heapUsed (JS objects) may grow < 2 MB over the 9,000 measured steps: leaking one small
//   tensor's objects (~250 bytes) per step would exceed it.
// - arrayBuffers (tensor storage lives in ArrayBuffers) may grow < 1 MB: leaking 28 floats per
//   step would exceed it; the control below leaks one 32x32 batch per step and grows ~4 MB per
//   1,000 steps.
// - RSS may grow < 16 MB in all and < 8 MB over the last 5,000 steps (measured: ~2 MB). RSS
//   also moves for reasons that are not leaks. The largest is V8 growing its young generation
//   once it sees the allocation rate: a one-time step of ~20 MB at some point between steps
//   3,000 and 8,000 on this machine. The child therefore runs with the young generation fixed
//   at V8's usual maximum (16 MB semi-spaces) from the start, which changes when collections
//   happen, not what is reachable. Code space also fills as functions are optimised.
const LOOP = "test/training/flat_memory_loop.mjs";
const MB = 1024 * 1024;

interface Sample { step: number; heapUsed: number; rss: number; external: number; arrayBuffers: number }
interface Report { backend: string; steps: number; seconds: number; loss: number; samples: Sample[] }

function run(args: string[]): Report {
  const flags = ["--expose-gc", "--min-semi-space-size=16", "--max-semi-space-size=16"];
  const stdout = execFileSync(process.execPath, [...flags, LOOP, ...args], { encoding: "utf8", timeout: 150_000 });
  return JSON.parse(stdout.trim().split("\n").pop()!) as Report;
}

/** Growth of each measure from the first sample (after warm-up) to the last, and over the second half. */
function growth(r: Report) {
  const first = r.samples[0]!;
  const last = r.samples[r.samples.length - 1]!;
  const mid = r.samples[Math.floor((r.samples.length - 1) / 2)]!;
  return {
    heapUsed: (last.heapUsed - first.heapUsed) / MB,
    arrayBuffers: (last.arrayBuffers - first.arrayBuffers) / MB,
    rss: (last.rss - first.rss) / MB,
    rssSecondHalf: (last.rss - mid.rss) / MB,
  };
}

function isFlat(g: ReturnType<typeof growth>): boolean {
  return g.heapUsed < 2 && g.arrayBuffers < 1 && g.rss < 16 && g.rssSecondHalf < 8;
}

describe("a PyTorch-style training loop runs at flat memory", () => {
  it("is built", () => {
    expect(existsSync("dist/index.js"), "dist/ missing: run `npm run build`").toBe(true);
  });

  it("10,000 steps of forward, cross-entropy, backward, AdamW step, zero_grad, with no dispose", { timeout: 180_000 }, () => {
    const r = run(["10000"]);
    const g = growth(r);
    const detail = `${r.backend}, ${r.seconds.toFixed(1)} s: ${JSON.stringify(g)}`;
    expect(r.samples.map((s) => s.step)).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000]);
    expect(Number.isFinite(r.loss), detail).toBe(true);
    expect(g.heapUsed, detail).toBeLessThan(2);
    expect(g.arrayBuffers, detail).toBeLessThan(1);
    expect(g.rss, detail).toBeLessThan(16);
    expect(g.rssSecondHalf, detail).toBeLessThan(8);
  });

  it("the control: the same loop keeping each input batch alive is caught by the same bounds", { timeout: 120_000 }, () => {
    const r = run(["3000", "--leak"]);
    const g = growth(r);
    expect(isFlat(g), JSON.stringify(g)).toBe(false);
    expect(g.arrayBuffers).toBeGreaterThan(4); // 2,000 leaked batches of 32x32 float32 = 8 MB
  });
});
