// Loading the native addon raises glibc's heap thresholds (packages/native/src/malloc_tune.cc),
// so a training step's outputs reuse the memory that the last step's dead tensors left instead
// of faulting in fresh pages. Checked by counting the process's page faults per step, not by
// timing; and a user's own malloc tuning is left alone.

import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import torch from "../../src/index.js";
import { nativeBackend } from "../../src/backend/native/index.js";

const glibc = Boolean((process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime);

describe.runIf(nativeBackend !== null && glibc)("native addon and glibc malloc", () => {
  it("raises the mmap and trim thresholds when it loads", () => {
    expect(torch.backends.native.malloc_tuning()).toBe("glibc: mmap threshold 32 MiB, trim threshold 64 MiB");
  });

  it("leaves malloc alone when the user tunes it", () => {
    const script = `import("${new URL("../../dist/index.js", import.meta.url).href}").then((m) => console.log(m.default.backends.native.malloc_tuning()))`;
    const run = (env: Record<string, string>) =>
      execFileSync(process.execPath, ["-e", script], { env: { ...process.env, ...env }, encoding: "utf8" }).trim();
    expect(run({ GLIBC_TUNABLES: "glibc.malloc.trim_threshold=1000000" })).toBe("unchanged: GLIBC_TUNABLES sets malloc");
    expect(run({ MALLOC_TRIM_THRESHOLD_: "1000000" })).toBe("unchanged: a MALLOC_* variable is set");
  });

  // The loop below, in a child process: page faults per step after a warm-up.
  const faultsPerStep = (env: Record<string, string> = {}): number => {
    const script = `
      const { readFileSync } = await import("node:fs");
      const { default: torch } = await import("${new URL("../../dist/index.js", import.meta.url).href}");
      const faults = () => Number(readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ")[7]);
      const x = torch.randn(64, 784).requires_grad_(true);
      const w = torch.randn(512, 784).requires_grad_(true);
      const b = torch.randn(512).requires_grad_(true);
      const g = torch.randn(64, 512);
      const step = () => { x.grad = w.grad = b.grad = null; torch.nn.functional.linear(x, w, b).backward(g); };
      for (let i = 0; i < 60; i++) step();
      const before = faults();
      for (let i = 0; i < 100; i++) step();
      console.log((faults() - before) / 100);`;
    // On the native backend whichever one this run tests (the JS one would take a minute).
    const childEnv = { ...process.env, TORCH_TS_BACKEND: "native", ...env };
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { env: childEnv, encoding: "utf8" });
    return Number(out.trim());
  };

  it("Linear(784, 512) forward and backward reuse memory: few page faults per step", () => {
    // Each step allocates ~2.1 MB of outputs (about 520 pages). Measured: about 5 faults a step
    // with the addon's thresholds; with glibc's defaults pinned (the control), 760.
    expect(faultsPerStep()).toBeLessThan(100);
    expect(faultsPerStep({ MALLOC_MMAP_THRESHOLD_: "131072", MALLOC_TRIM_THRESHOLD_: "131072" })).toBeGreaterThan(300);
  });
});
