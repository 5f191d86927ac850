// The native addon when the OS refuses it resources: its pool's workers fail to start (a low
// RLIMIT_NPROC or cgroup pids limit), or a thread's GEMM packing buffers fail to allocate. It
// must never take the process down: products run on the threads that could start and on those
// that have buffers, and a caller with none gets a JS error. The failures are simulated by the
// addon's test-only hooks (TORCH_TS_NATIVE_FAIL_THREADS in pool.cc, TORCH_TS_NATIVE_FAIL_ALLOC
// in gemm.cc), read once per process, so each case runs in a child process of its own.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { nativeBackend } from "../../src/backend/native/index.js";
import { nativeMissingReason } from "../harness/native_missing.js";

const dist = new URL("../../dist/index.js", import.meta.url);

interface Report {
  threads: number;
  poolThreads: number;
  maxDiff?: number;
  referenceBackend?: string;
  error?: { name: string; message: string };
  later: number;
}

// In the child: set the thread count, multiply two 512×512 matrices on the native backend, then
// the same matrices (same seed) on the JS backend, the reference, and report the largest
// difference; or the error the product threw. A later elementwise op, large enough for the
// addon, shows the process still works.
const script = (threads: number): string => `
  const { default: torch } = await import(${JSON.stringify(dist.href)});
  const report = {};
  torch.set_num_threads(${threads});
  report.threads = torch.get_num_threads();
  report.poolThreads = torch.backends.native.threads();
  torch.manual_seed(0);
  const a = torch.randn(512, 512), b = torch.randn(512, 512);
  try {
    const c = a.matmul(b).flatten().tolist();
    torch.backends.set_backend("js");
    report.referenceBackend = torch.backends.get_backend();
    torch.manual_seed(0);
    const ra = torch.randn(512, 512), rb = torch.randn(512, 512);
    const ref = ra.matmul(rb).flatten().tolist();
    torch.backends.set_backend("native");
    let maxDiff = 0;
    for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(c[i] - ref[i]));
    report.maxDiff = maxDiff;
  } catch (e) {
    report.error = { name: e.constructor.name, message: e.message };
  }
  report.later = torch.ones(100000).add(1).sum().item();
  console.log(JSON.stringify(report));`;

function child(threads: number, env: Record<string, string>): { status: number | null; signal: string | null; report: Report | null; stderr: string } {
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script(threads)], {
    env: { ...process.env, TORCH_TS_BACKEND: "native", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  const line = result.stdout.trim().split("\n").pop() ?? "";
  let report: Report | null = null;
  try {
    report = JSON.parse(line) as Report;
  } catch {
    report = null;
  }
  return { status: result.status, signal: result.signal, report, stderr: result.stderr };
}

// float32 products of 512 terms of size ~1 (randn): the two backends sum in different orders,
// and differ by a few ulps of values up to ~100; a part of C left unwritten differs by ~20.
const TOLERANCE = 2e-3;

function expectCorrect(run: ReturnType<typeof child>): Report {
  expect(run.stderr).toBe("");
  expect(run.signal).toBeNull();
  expect(run.status).toBe(0);
  const report = run.report!;
  expect(report.error).toBeUndefined();
  expect(report.referenceBackend).toBe("js");
  expect(report.maxDiff).toBeLessThan(TOLERANCE);
  expect(report.later).toBe(200000);
  return report;
}

if (nativeBackend === null || !existsSync(dist)) {
  describe("native addon under refused resources", () => {
    const why =
      nativeBackend === null
        ? nativeMissingReason
        : `no ${fileURLToPath(dist)} for the child processes (npm run build makes it)`;
    if (process.env.CI) it("can run", () => expect.fail(why));
    else it.skip(why, () => {});
  });
} else {
  describe("native addon under refused resources", () => {
    it("control: without the hooks, 2 threads and the product matches the JS backend", () => {
      const report = expectCorrect(child(2, {}));
      expect(report.threads).toBe(2);
      expect(report.poolThreads).toBe(2);
    });

    it("no worker can start: products run on the caller, and get_num_threads says 1", () => {
      const report = expectCorrect(child(2, { TORCH_TS_NATIVE_FAIL_THREADS: "0" }));
      expect(report.poolThreads).toBe(1);
      expect(report.threads).toBe(1);
    });

    it("some workers start: the pool keeps them, and get_num_threads reports them", () => {
      const report = expectCorrect(child(3, { TORCH_TS_NATIVE_FAIL_THREADS: "1" }));
      expect(report.poolThreads).toBe(2);
      expect(report.threads).toBe(2);
    });

    it("a worker without packing buffers leaves its parts to the caller: the product is still right", () => {
      const report = expectCorrect(child(2, { TORCH_TS_NATIVE_FAIL_ALLOC: "worker" }));
      expect(report.poolThreads).toBe(2);
    });

    it("a caller without packing buffers gets PyTorch's out-of-memory RuntimeError naming the bytes; the process keeps working", () => {
      const run = child(2, { TORCH_TS_NATIVE_FAIL_ALLOC: "caller" });
      expect(run.stderr).toBe("");
      expect(run.signal).toBeNull();
      expect(run.status).toBe(0);
      const report = run.report!;
      expect(report.error?.name).toBe("RuntimeError");
      expect(report.error?.message).toMatch(
        /^DefaultCPUAllocator: can't allocate memory: you tried to allocate [1-9]\d* bytes\. Error code 12 \(Cannot allocate memory\)$/,
      );
      expect(report.later).toBe(200000);
    });
  });
}
