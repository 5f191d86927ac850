// The threaded WebAssembly GEMM: the shared build on the caller plus workers gives the
// single-threaded kernel's results bit for bit (every element is summed by the same code in the
// same order whichever thread computes it), on random shapes and layouts, batches with broadcast
// strides, zero sizes, odd tails and sizes on both sides of THREAD_MIN_WORK; the dispatch grid;
// torch.set_num_threads and torch.backends.wasm.threads(); and a Node process with live workers
// exits by itself.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import torch from "../../src/index.js";
import type { StridedView } from "../../src/backend/backend.js";
import type { JsStorage } from "../../src/backend/js/storage.js";
import { compileGemm, type GemmModule } from "../../src/backend/wasm/loader.js";
import { gridFor } from "../../src/backend/wasm/grid.js";
import { SHARED_MIN_WORK, THREAD_MIN_WORK, WAKE_MIN_WORK, WasmMatmul } from "../../src/backend/wasm/matmul.js";
import { createWasmBackend, wasmBackend } from "../../src/backend/wasm/index.js";
import { threadingUnavailableReason } from "../../src/backend/wasm/pool.js";
import {
  contiguous, elements, expectMatchesReference, layouts, operand, rng, type Layout,
} from "./wasm_testing.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits (up to 20 s: a worker starts in tens of ms, slower on a loaded machine) until `n` threads are idle. */
async function idle(gemm: WasmMatmul, n: number): Promise<void> {
  for (const start = Date.now(); gemm.idleThreads() < n; ) {
    if (Date.now() - start > 20000) throw new Error(`only ${gemm.idleThreads()} of ${n} threads became idle`);
    await sleep(2);
  }
}

/** A product big enough to be threaded, which also starts the workers. */
async function startWorkers(gemm: WasmMatmul): Promise<void> {
  const random = rng(99);
  gemm.run(contiguous([128, 128]), operand(random, [128, 128], "contiguous"), operand(random, [128, 128], "contiguous"));
  await idle(gemm, gemm.threads);
}

it("Node has what the threaded build needs", () => {
  expect(threadingUnavailableReason()).toBeNull();
});

const builds: GemmModule["variant"][] = ["simd", "relaxed_simd"];

describe.each(builds)("threaded wasm GEMM, %s build", (variant) => {
  const own = compileGemm(variant);
  const shared = compileGemm(variant, true);
  if (!own && variant === "relaxed_simd" && process.env.TORCH_TS_WASM_RELAXED_SIMD === "0") {
    it.skip("TORCH_TS_WASM_RELAXED_SIMD=0 leaves Node 20's relaxed-SIMD flag off", () => {});
    return;
  }
  it("compiles in both forms", () => {
    expect(own?.shared).toBe(false);
    expect(shared?.shared).toBe(true);
    expect(shared?.variant).toBe(variant);
  });
  if (!own || !shared) return;
  const single = new WasmMatmul(own);
  const threaded = new WasmMatmul(shared);
  threaded.threads = 2;
  // Wake the worker for every product: whether a product below WAKE_MIN_WORK finds it still
  // spinning is a matter of timing, and these tests are about results.
  threaded.wakeMinWork = 0;

  /**
   * Runs a · b on one thread and threaded (once the worker is idle), checks each threaded result
   * against the single-threaded one bit for bit, and says how many threads it took (retrying a
   * few times for 2: on a loaded machine a worker may be slow to take its part).
   */
  async function compare(a: StridedView, b: StridedView, out?: () => StridedView): Promise<number> {
    const nd = a.shape.length;
    const shape = [...a.shape.slice(0, nd - 1), b.shape[nd - 1]!];
    const want = out?.() ?? contiguous(shape);
    single.run(want, a, b);
    const w = elements(want);
    let threads = 0;
    for (let attempt = 0; attempt < 5 && threads < 2; attempt++) {
      const got = out?.() ?? contiguous(shape);
      await idle(threaded, 2);
      threaded.run(got, a, b);
      const g = elements(got);
      const firstDiff = w.findIndex((v, i) => !Object.is(v, g[i]));
      expect(firstDiff, firstDiff < 0 ? "" : `[${shape}] element ${firstDiff}: ${g[firstDiff]} vs ${w[firstDiff]}`).toBe(-1);
      threads = Math.max(threads, threaded.lastThreads);
    }
    return threads;
  }

  afterAll(() => {
    threaded.threads = 1;
  });

  it("starts its worker", async () => {
    await startWorkers(threaded);
    expect(threaded.workerFailure).toBeNull();
  });

  it("equals the single-thread kernel on 40 random shapes and layouts, both sides of THREAD_MIN_WORK", async () => {
    const random = rng(variant === "simd" ? 21 : 22);
    const seen = new Set<number>();
    for (let t = 0; t < 40; t++) {
      const dim = (): number => 1 + Math.floor(random() * (t % 2 ? 300 : 70));
      const [M, N, K] = [dim(), dim(), dim()];
      const la = layouts[Math.floor(random() * layouts.length)]!;
      const lb = layouts[Math.floor(random() * layouts.length)]!;
      const threads = await compare(operand(random, [M, K], la), operand(random, [K, N], lb));
      const grid = gridFor(1, M, N, 2);
      const expected = M * N * K >= THREAD_MIN_WORK && grid.rowPieces * grid.colPieces > 1 ? 2 : 1;
      expect(threads, `${M}x${N}x${K}`).toBe(expected);
      seen.add(threads);
    }
    expect([...seen].sort()).toEqual([1, 2]);
  });

  it.each([
    [64, 64, 64], [63, 65, 67], [5, 2049, 40], [2, 3000, 100], [1, 5000, 60], [9, 600, 300],
    [13, 17, 2000], [300, 9, 257], [4, 4096, 33], [1000, 24, 30], [97, 1030, 7],
    // Just over DOT_ROWS rows: a row split would leave a piece of dot products.
    [20, 9, 7000], [26, 9, 5000], [12, 700, 200],
  ])("odd tails and thin products: %i x %i x %i", async (M, N, K) => {
    const random = rng(M * 7919 + N * 31 + K);
    for (const [la, lb] of [["contiguous", "contiguous"], ["contiguous", "transposed"], ["transposed", "stepped"]] as [Layout, Layout][]) {
      const threads = await compare(operand(random, [M, K], la), operand(random, [K, N], lb));
      const grid = gridFor(1, M, N, 2);
      expect(threads).toBe(M * N * K >= THREAD_MIN_WORK && grid.rowPieces * grid.colPieces > 1 ? 2 : 1);
    }
  });

  // Large single products run the shared-B schedule: remainder blocks of rows (M % 96), of
  // columns (N past 2048, and N % 8), several blocks of k (K past 256, so the two buffers of B are
  // each reused), folded batches, and every layout of A and B.
  it.each([
    [400, 2100, 300, "contiguous", "contiguous"],
    [397, 2061, 513, "contiguous", "transposed"],
    [613, 333, 700, "transposed", "stepped"],
    [577, 410, 430, "stepped", "sparse"],
    [450, 300, 600, "narrowed", "contiguous"],
  ] as const)("shared blocks of B: %i x %i x %i (%s, %s) gives one thread's bits", async (M, N, K, la, lb) => {
    const random = rng(M + N + K);
    expect(M * N * K).toBeGreaterThanOrEqual(SHARED_MIN_WORK);
    const [a, b] = [operand(random, [M, K], la), operand(random, [K, N], lb)];
    // Until the worker has run some of the tasks (on a loaded machine it may be slow to claim).
    let workerTasks = 0;
    for (let attempt = 0; attempt < 5 && workerTasks === 0; attempt++) {
      expect(await compare(a, b)).toBe(2);
      workerTasks = threaded.lastWorkerTasks;
    }
    expect(threaded.lastShared).toBe(true);
    expect(workerTasks).toBeGreaterThan(0);
  });

  it("shared blocks of B: folded batches, and the JS reference", async () => {
    const random = rng(25);
    const b = operand(random, [2, 520, 700], "transposed", { broadcast: [0] });
    expect(await compare(operand(random, [2, 200, 520], "contiguous"), b)).toBe(2);
    expect(threaded.lastShared).toBe(true);
    await idle(threaded, 2);
    const run = (out: StridedView, a: StridedView, b: StridedView): void => threaded.run(out, a, b);
    expectMatchesReference(run, operand(random, [500, 600], "contiguous"), operand(random, [600, 300], "transposed"));
    expect(threaded.lastShared).toBe(true);
  });

  it("matches the JS reference within the matmul tolerance (x·Wᵀ of nn.Linear)", async () => {
    await idle(threaded, 2);
    const random = rng(23);
    const run = (out: StridedView, a: StridedView, b: StridedView): void => threaded.run(out, a, b);
    expectMatchesReference(run, operand(random, [64, 784], "contiguous"), operand(random, [784, 512], "transposed"));
    expect(threaded.lastThreads).toBe(2);
  });

  it("batched, with broadcast batch strides, every layout, batch counts around the thread count", async () => {
    const random = rng(24);
    for (let t = 0; t < 16; t++) {
      const batch = [1 + Math.floor(random() * 3), 1 + Math.floor(random() * 3)];
      const [M, N, K] = [20 + Math.floor(random() * 60), 20 + Math.floor(random() * 60), 30 + Math.floor(random() * 60)];
      const la = layouts[t % layouts.length]!;
      const lb = layouts[(t * 3 + 1) % layouts.length]!;
      const broadcastA = t % 3 === 1 ? [1] : [];
      const broadcastB = t % 3 === 2 ? [0] : t % 4 === 0 ? [0, 1] : [];
      await compare(
        operand(random, [...batch, M, K], la, { broadcast: broadcastA }),
        operand(random, [...batch, K, N], lb, { broadcast: broadcastB }),
      );
    }
    // Many small batches: one task each, spread over the threads.
    expect(await compare(operand(random, [50, 40, 30], "contiguous"), operand(random, [50, 30, 40], "transposed"))).toBe(2);
    // A shared B under contiguous batches of A: one tall product, cut by rows.
    expect(await compare(operand(random, [3, 5, 33, 19], "contiguous"), operand(random, [3, 5, 19, 210], "transposed", { broadcast: [0, 1] }))).toBe(2);
  });

  it("zero sizes and K = 0", async () => {
    const random = rng(25);
    const out = contiguous([300, 400], undefined, NaN);
    threaded.run(out, operand(random, [300, 0], "contiguous"), operand(random, [0, 400], "contiguous"));
    expect(elements(out).every((v) => v === 0)).toBe(true);
    const empty = contiguous([0, 400]);
    threaded.run(empty, operand(random, [0, 500], "contiguous"), operand(random, [500, 400], "contiguous"));
    await compare(operand(random, [0, 3, 5, 300], "contiguous"), operand(random, [0, 3, 300, 400], "contiguous"));
  });

  it("writes a non-contiguous output through its strides", async () => {
    const random = rng(26);
    // A [200, 150] view with strides [1, 400]: out = buffer[::2].t() of a [300, 200] buffer.
    const strided = (): StridedView => {
      const base = contiguous([2 * 150, 200], undefined, -7);
      return { storage: base.storage, offset: 0, shape: [200, 150], strides: [1, 400] };
    };
    expect(await compare(operand(random, [200, 90], "stepped"), operand(random, [90, 150], "narrowed"), strided)).toBe(2);
  });

  it("drops a memory grown past 64 MiB once idle, stopping its workers, and starts afresh", async () => {
    const random = rng(28);
    // A 4096 x 4096 output: 64 MiB of staging, past what the backend keeps between products.
    const a = operand(random, [4096, 3], "contiguous");
    const b = operand(random, [3, 4096], "transposed");
    const out = contiguous([4096, 4096]);
    await idle(threaded, 2);
    threaded.run(out, a, b);
    expect(threaded.lastThreads).toBe(2);
    expect(threaded.heapBytes).toBeGreaterThan(64 * 1024 * 1024);
    const [x, y, o] = [elements(a), elements({ ...b, shape: [4096, 3], strides: [3, 1] }), (out.storage as JsStorage).data as Float32Array];
    for (let t = 0; t < 200; t++) {
      const [i, j] = [Math.floor(random() * 4096), Math.floor(random() * 4096)];
      let want = 0;
      for (let k = 0; k < 3; k++) want += x[i * 3 + k]! * y[j * 3 + k]!;
      expect(Math.abs(o[i * 4096 + j]! - want)).toBeLessThanOrEqual(1e-5 * 3);
    }
    for (const start = Date.now(); threaded.heapBytes > 0 && Date.now() - start < 10000; ) await sleep(50);
    expect(threaded.heapBytes).toBe(0);
    await startWorkers(threaded);
    expect(await compare(operand(random, [150, 120], "contiguous"), operand(random, [120, 170], "transposed"))).toBe(2);
    expect(threaded.heapBytes).toBeLessThan(64 * 1024 * 1024);
  });

  it("leaves a sleeping worker out of products below WAKE_MIN_WORK, and wakes it for larger ones", async () => {
    const lazy = new WasmMatmul(shared);
    lazy.threads = 2;
    await startWorkers(lazy);
    const random = rng(29);
    const mid = [operand(random, [100, 100], "contiguous"), operand(random, [100, 120], "contiguous")] as const;
    const big = [operand(random, [200, 200], "contiguous"), operand(random, [200, 200], "transposed")] as const;
    expect(100 * 100 * 120).toBeGreaterThanOrEqual(THREAD_MIN_WORK);
    expect(100 * 100 * 120).toBeLessThan(WAKE_MIN_WORK);
    expect(200 * 200 * 200).toBeGreaterThanOrEqual(WAKE_MIN_WORK);
    await sleep(100); // far past its spin: asleep in Atomics.wait
    await idle(lazy, 2);
    lazy.run(contiguous([100, 120]), ...mid);
    expect(lazy.lastThreads).toBe(1);
    await idle(lazy, 2);
    lazy.run(contiguous([200, 200]), ...big);
    expect(lazy.lastThreads).toBe(2);
    lazy.threads = 1;
  });

  it("keeps working as the shared memory grows under live workers", async () => {
    const random = rng(27);
    for (const n of [110, 200, 400, 700]) {
      expect(await compare(operand(random, [n, n], "contiguous"), operand(random, [n, n], "transposed"))).toBe(2);
    }
  });
});

describe("the dispatch grid", () => {
  const MR = 4;
  const NR = 8;
  // Up to this many rows x·Wᵀ runs as dot products, which round differently (assembly/gemm.ts).
  const DOT_ROWS = 12;
  it("covers C with pieces of whole tiles, no more than the threads, without thin row tails", () => {
    for (const threads of [2, 3, 4, 5, 8]) {
      for (const batches of [1, 2, 3, 7]) {
        for (const M of [1, 3, 4, 5, 8, 9, 12, 13, 20, 25, 26, 64, 100, 257]) {
          for (const N of [1, 7, 8, 9, 16, 17, 100, 513]) {
            const g = gridFor(batches, M, N, threads);
            expect(g.rowPieces * g.rowStep).toBeGreaterThanOrEqual(M);
            expect((g.rowPieces - 1) * g.rowStep).toBeLessThan(M);
            expect(g.colPieces * g.colStep).toBeGreaterThanOrEqual(N);
            expect((g.colPieces - 1) * g.colStep).toBeLessThan(N);
            if (g.rowPieces > 1) {
              expect(g.rowStep % MR).toBe(0);
              expect(M - (g.rowPieces - 1) * g.rowStep).toBeGreaterThan(DOT_ROWS);
            }
            if (g.colPieces > 1) expect(g.colStep % NR).toBe(0);
            // Never more pieces than it takes to divide evenly (or into 4 per thread).
            expect(g.rowPieces * g.colPieces).toBeLessThanOrEqual(threads);
          }
        }
      }
    }
  });

  it("cuts the longer side: columns for x·Wᵀ on a batch, rows for a tall product", () => {
    expect(gridFor(1, 64, 512, 2)).toMatchObject({ rowPieces: 1, colPieces: 2, colStep: 256 });
    expect(gridFor(1, 4096, 16, 2)).toMatchObject({ rowPieces: 2, colPieces: 1, rowStep: 2048 });
    expect(gridFor(1, 6, 6, 2)).toMatchObject({ rowPieces: 1, colPieces: 1 });
    expect(gridFor(8, 50, 50, 2)).toMatchObject({ rowPieces: 1, colPieces: 1 });
    expect(gridFor(3, 50, 50, 2).rowPieces * gridFor(3, 50, 50, 2).colPieces).toBe(2);
    expect(gridFor(1, 64, 512, 1)).toMatchObject({ rowPieces: 1, colPieces: 1 });
  });
});

describe("torch.set_num_threads and torch.backends.wasm", () => {
  const original = torch.get_num_threads();
  const originalBackend = torch.backends.get_backend();
  afterAll(() => {
    torch.set_num_threads(original);
    torch.backends.set_backend(originalBackend);
  });

  it("threads() and threading() follow set_num_threads", () => {
    expect(torch.backends.wasm.is_available()).toBe(true);
    torch.set_num_threads(2);
    expect(torch.backends.wasm.threads()).toBe(2);
    expect(torch.backends.wasm.threading()).toBe("2 threads (1 worker + caller)");
    torch.set_num_threads(3);
    expect(torch.backends.wasm.threads()).toBe(3);
    expect(torch.backends.wasm.threading()).toBe("3 threads (2 workers + caller)");
    torch.set_num_threads(1);
    expect(torch.backends.wasm.threads()).toBe(1);
    expect(torch.backends.wasm.threading()).toBe("1 thread: torch.set_num_threads(1)");
  });

  it("a backend over the own-memory build says it runs on one thread, and why", () => {
    const backend = createWasmBackend(compileGemm("simd")!, "wasm-own", { singleThreadReason: "page is not cross-origin isolated" });
    torch.set_num_threads(2);
    expect(backend.threads()).toBe(1);
    expect(backend.threading()).toBe("1 thread: page is not cross-origin isolated");
  });

  it("torch.mm runs on the workers after set_num_threads(2) and on the caller alone after (1), with equal results", async () => {
    torch.backends.set_backend("wasm");
    const backend = wasmBackend!;
    const random = rng(31);
    const values = (n: number): Float32Array => new Float32Array(n).map(() => random() * 2 - 1);
    const x = torch.tensor(values(64 * 784)).reshape([64, 784]);
    const w = torch.tensor(values(512 * 784)).reshape([512, 784]);

    torch.set_num_threads(1);
    const one = torch.mm(x, w.t());
    expect(backend.lastThreads).toBe(1);

    torch.set_num_threads(2);
    let two = torch.mm(x, w.t());
    for (const start = Date.now(); backend.lastThreads !== 2 && Date.now() - start < 20000; ) {
      await sleep(5);
      two = torch.mm(x, w.t());
    }
    expect(backend.lastThreads).toBe(2);
    expect(torch.equal(one, two)).toBe(true);

    torch.set_num_threads(1);
    torch.mm(x, w.t());
    expect(backend.lastThreads).toBe(1);
  });
});

describe("process lifetime", () => {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  let dir = "";
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Transpiles the backend's import closure from src/ into `dir`, for a plain `node` to run. */
  function transpile(entry: string): void {
    const todo = [join(root, entry)];
    const seen = new Set<string>();
    while (todo.length > 0) {
      const file = todo.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const source = readFileSync(file, "utf8");
      for (const m of source.matchAll(/(?:from|import)\s*\(?\s*"(\.[^"]+)\.js"/g)) todo.push(resolve(dirname(file), `${m[1]}.ts`));
      const out = join(dir, relative(root, file)).replace(/\.ts$/, ".js");
      mkdirSync(dirname(out), { recursive: true });
      const js = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      writeFileSync(out, js);
    }
  }

  function prepare(): void {
    if (dir) return;
    dir = mkdtempSync(join(tmpdir(), "torch-ts-wasm-threads-"));
    writeFileSync(join(dir, "package.json"), '{"type":"module"}');
    transpile("src/backend/wasm/index.ts");
  }

  // The pool's failure path, on a shared-B job written by hand: the worker's work space lies past
  // the end of the memory, so each block of rows it takes traps, and the caller's blocks of rows
  // of the second k step would wait forever for them. The product must end (ABORT releases those
  // waits), throw, and leave nothing behind that spoils the next product. In a child process, so
  // that a hang (a spin nothing can interrupt) fails the test instead of stalling the suite.
  it("a task that traps in a worker ends a shared-B product with an error, and the next one is right", () => {
    prepare();
    writeFileSync(join(dir, "trap.js"), `
      import { compileGemm } from "./src/backend/wasm/loader.js";
      import { createSharedMemory } from "./src/backend/wasm/matmul.js";
      import { ABORT_BYTE, CONTROL, JOB, SHARED_TASKS, ThreadPool } from "./src/backend/wasm/pool.js";
      const module = compileGemm("simd", true);
      const memory = createSharedMemory();
      memory.grow(63);
      const pool = new ThreadPool(module.module, memory);
      const kernel = module.instantiate(memory);
      pool.resize(1);
      for (const start = Date.now(); pool.idle() < 1 && Date.now() - start < 20000; ) await new Promise((r) => setTimeout(r, 2));
      const [M, N, K] = [200, 64, 512];
      const f = (byte) => byte / 4;
      const [a, b, c, want] = [65536, 524288, 655360, 720896];
      const [buf0, buf1, counters, work, workerWork] = [786432, 851968, 917504, 983040, 1179648];
      const heap = new Float32Array(memory.buffer);
      let seed = 31;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
      for (let i = 0; i < M * K; i++) heap[f(a) + i] = random();
      for (let i = 0; i < K * N; i++) heap[f(b) + i] = random();
      kernel.sgemm(M, N, K, a, K, 1, b, N, 1, want, N, work);
      const [packTasks, mBlocks, steps] = [2, 3, 2];
      const tasks = steps * (packTasks + mBlocks);
      const ctrl = new Int32Array(memory.buffer);
      const job = () => {
        ctrl.fill(0, f(counters), f(counters) + 2 * steps + mBlocks);
        ctrl.set([M, N, K, a, K, 1, b, N, 1, c, N, steps, mBlocks, packTasks, packTasks + mBlocks, buf0, buf1,
          counters, counters + 4 * steps, counters + 8 * steps, ABORT_BYTE], f(JOB));
      };
      // The caller holds its first task (the first pack) back until the worker has taken two, so
      // the worker does take blocks of rows.
      const local = (t, w) => {
        for (const start = Date.now(); t === 0 && Atomics.load(ctrl, f(CONTROL)) < 3 && Date.now() - start < 5000; );
        kernel.runSharedTask(JOB, t, w);
      };
      const result = {};
      job();
      try {
        pool.run(tasks, [work, memory.buffer.byteLength + 65536], local, true, SHARED_TASKS);
        result.threw = null;
      } catch (e) {
        result.threw = e.message;
      }
      result.workerTasks = pool.lastWorkerTasks;
      job();
      heap.fill(0, f(c), f(c) + M * N);
      pool.run(tasks, [work, workerWork], local, true, SHARED_TASKS);
      result.equal = heap.subarray(f(c), f(c) + M * N).every((v, i) => Object.is(v, heap[f(want) + i]));
      pool.close();
      console.log(JSON.stringify(result));
    `);
    const child = spawnSync(process.execPath, [join(dir, "trap.js")], { encoding: "utf8", timeout: 30000 });
    expect(child.error, child.stderr).toBeUndefined();
    expect(child.status, child.stderr).toBe(0);
    const result = JSON.parse(child.stdout.trim().split("\n").pop()!);
    expect(result.threw).toMatch("a WebAssembly worker failed inside a matrix product");
    expect(result.workerTasks).toBeGreaterThan(0);
    expect(result.equal).toBe(true);
  });

  it("a script that ran threaded products exits by itself, promptly", () => {
    prepare();
    writeFileSync(join(dir, "main.js"), `
      import { wasmBackend as b } from "./src/backend/wasm/index.js";
      import { set_num_threads } from "./src/backend/threads.js";
      import { float32 } from "./src/tensor/dtype.js";
      set_num_threads(2);
      const view = (rows, cols) => {
        const storage = b.allocate(float32, rows * cols);
        storage.data.fill(0.5);
        return { storage, offset: 0, shape: [rows, cols], strides: [cols, 1] };
      };
      const [x, y, out] = [view(128, 256), view(256, 128), view(128, 128)];
      for (let i = 0; i < 2000 && b.lastThreads !== 2; i++) {
        await new Promise((r) => setTimeout(r, 5));
        b.matmul(out, x, y);
      }
      console.log(JSON.stringify({ threads: b.lastThreads, value: out.storage.data[0], endedAt: Date.now() }));
    `);
    const child = spawnSync(process.execPath, [join(dir, "main.js")], { encoding: "utf8", timeout: 30000 });
    const exitedAt = Date.now();
    expect(child.error, child.stderr).toBeUndefined();
    expect(child.status, child.stderr).toBe(0);
    const report = JSON.parse(child.stdout.trim()) as { threads: number; value: number; endedAt: number };
    expect(report.threads).toBe(2);
    expect(report.value).toBe(0.25 * 256);
    // From the script's last line to the process's exit: no worker keeps it alive.
    expect(exitedAt - report.endedAt).toBeLessThan(3000);
  });
});
