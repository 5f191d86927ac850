/**
 * The WebAssembly backend's worker threads: (threads − 1) workers that run the shared build of
 * the GEMM on the same shared `WebAssembly.Memory` as the calling thread, which takes a share too.
 *
 * No Node module is imported: Node's `worker_threads` is reached through
 * `process.getBuiltinModule`, browsers use the global `Worker` (over a Blob URL), and the
 * worker's code is the string below, so the same code runs from src/ under vitest, from dist/ and
 * from a browser bundle. A worker gets the compiled `WebAssembly.Module` and the shared memory by
 * `postMessage` and from then on talks only through Atomics on a control block in the memory's
 * first page, because a message round trip costs tens of microseconds and a spinning worker
 * answers a store in about 0.2 µs (a sleeping one, woken by `Atomics.notify`, in about 12 µs).
 *
 * Control block, from byte CONTROL: the job's NEXT counter (the next task index to take), COUNT
 * (its tasks), KIND (grid or shared-B tasks, see ./matmul.ts) and ABORT, then one 64-byte slot
 * per thread (slot 0 unused: the caller's). A slot holds STATE (idle, offered a part in the
 * current job, or claimed: running it), SEQ (bumped by the caller to wake the worker), CMD (run
 * or exit), WORK (its work-space pointer), SLEEP (set while it waits in Atomics.wait, so the
 * caller notifies only then), READY, FAILED and TASKS (tasks it ran in the last job). The job
 * header (the product's sizes and pointers, see assembly/gemm.ts `runTask` and `runSharedTask`)
 * is at byte JOB.
 *
 * Every thread in a job takes tasks from the one NEXT counter, so they are taken in increasing
 * order (the shared-B tasks rely on it) and whoever is free takes the next: a thread the host
 * slows down takes fewer. The caller offers a part only to idle workers, and a worker claims
 * its offer (STATE offered → claimed, a compare-exchange) before it touches NEXT. When the
 * caller has run out of tasks it withdraws every offer not yet claimed (offered → idle), so a
 * worker that is slow to wake (descheduled on a busy machine) costs nothing, and waits only for
 * workers that claimed one: they are running, and go idle once NEXT is past COUNT. No worker can
 * touch a job's counter after the caller has returned from it, so none can take a task of one
 * job with the sizes of another. A task that throws in a worker (the kernel allocates nothing and
 * cannot trap on valid sizes, so only a bug could) marks the slot FAILED and sets ABORT, which
 * ends every wait in the shared-B tasks, so the caller raises an error instead of spinning
 * forever.
 */

/** Byte offset of the control block (NEXT, COUNT, KIND, ABORT, then the slots) in the shared memory. */
export const CONTROL = 4096;
/** Byte offset of the job header; the slots end before it. */
export const JOB = 8192;
const SLOT_BYTES = 64;
/** Threads (slots) the control block has room for, the caller included. */
export const MAX_THREADS = (JOB - CONTROL) / SLOT_BYTES - 1;
/** What a job's tasks are: `runTask`'s rectangles of C, or `runSharedTask`'s shared-B steps. */
export const GRID_TASKS = 0;
export const SHARED_TASKS = 1;
/** Byte offset of the ABORT word, which a shared-B job's header points to (assembly/gemm.ts). */
export const ABORT_BYTE = CONTROL + 12;

/** Byte offset of thread `slot`'s slot (0 the caller's); the job's counters have the line before. */
const slotByte = (slot: number): number => CONTROL + SLOT_BYTES * (slot + 1);

// Words of the control block's first line, and of a slot.
const NEXT = CONTROL / 4, COUNT = NEXT + 1, KIND = NEXT + 2, ABORT = ABORT_BYTE / 4;
const STATE = 0, SEQ = 1, CMD = 2, WORK = 3, SLEEP = 4, READY = 5, FAILED = 6, TASKS = 7;
const IDLE = 0, OFFERED = 1, CLAIMED = 2;
const EXIT = 1;

/**
 * How long an idle worker spins on its slot before it sleeps in Atomics.wait. Waking it costs
 * the caller an Atomics.notify, measured at 50-70 µs on the 2-core VM this was written on (and
 * the worker's own wake-up after that), so it spins long enough to bridge the staging of the next
 * product and the elementwise ops between the products of a step, at the price of a core kept
 * busy that long after each threaded product (libgomp's default spin is of the same order). Not
 * tuned: the machine was shared with other work throughout.
 */
const SPIN_MS = 1;

// The worker: instantiate the module on the shared memory, then run what the slot says.
const workerBody = `"use strict";
function start(data) {
  const { module, memory, slot, job, spinMs } = data;
  const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const ctrl = new Int32Array(memory.buffer, 0, ${JOB / 4});
  const s = slot >> 2;
  let seen = Atomics.load(ctrl, s + ${SEQ});
  // Closed before it started (SEQ is read first: close() stores CMD before it bumps SEQ).
  if (Atomics.load(ctrl, s + ${CMD}) === ${EXIT}) return;
  Atomics.store(ctrl, s + ${READY}, 1);
  for (;;) {
    let seq = Atomics.load(ctrl, s + ${SEQ});
    if (seq === seen) {
      let until = performance.now() + spinMs;
      for (let i = 1; (seq = Atomics.load(ctrl, s + ${SEQ})) === seen; i++) {
        if ((i & 255) === 0 && performance.now() > until) {
          Atomics.store(ctrl, s + ${SLEEP}, 1);
          Atomics.wait(ctrl, s + ${SEQ}, seen);
          Atomics.store(ctrl, s + ${SLEEP}, 0);
          until = performance.now() + spinMs;
        }
      }
    }
    seen = seq;
    if (Atomics.load(ctrl, s + ${CMD}) === ${EXIT}) break;
    // Withdrawn already, or only woken (no part offered): back to waiting.
    if (Atomics.compareExchange(ctrl, s + ${STATE}, ${OFFERED}, ${CLAIMED}) !== ${OFFERED}) continue;
    const work = Atomics.load(ctrl, s + ${WORK});
    const count = Atomics.load(ctrl, ${COUNT}), shared = Atomics.load(ctrl, ${KIND}) === ${SHARED_TASKS};
    try {
      for (let t; (t = Atomics.add(ctrl, ${NEXT}, 1)) < count; ) {
        // A task that throws (it cannot on valid sizes) leaves the product incomplete: FAILED
        // tells the caller, and ABORT releases the shared-B tasks that would wait on it.
        try {
          if (shared) ex.runSharedTask(job, t, work);
          else ex.runTask(job, t, work);
        } catch (e) {
          Atomics.store(ctrl, s + ${FAILED}, 1);
          Atomics.store(ctrl, ${ABORT}, 1);
        }
        Atomics.add(ctrl, s + ${TASKS}, 1);
      }
    } finally {
      Atomics.store(ctrl, s + ${STATE}, ${IDLE});
    }
  }
  Atomics.store(ctrl, s + ${READY}, 0);
}
`;
const nodeWorkerSource = `${workerBody}
require("node:worker_threads").parentPort.once("message", start);
`;
const browserWorkerSource = `${workerBody}
self.onmessage = (e) => { self.onmessage = null; start(e.data); self.close(); };
`;

interface NodeWorker {
  postMessage(value: unknown): void;
  unref(): void;
  on(event: "error", listener: (error: Error) => void): void;
}
interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true }) => NodeWorker;
}
interface BrowserWorker {
  postMessage(value: unknown): void;
  onerror: ((event: { message?: string }) => void) | null;
}
type Spawn = (onError: (message: string) => void) => { postMessage(value: unknown): void };

interface Environment {
  process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown };
  crossOriginIsolated?: boolean;
  Worker?: new (url: string) => BrowserWorker;
  Blob?: new (parts: string[], options: { type: string }) => unknown;
  URL?: { createObjectURL?: (blob: unknown) => string };
}

function nodeWorkerThreads(): NodeWorkerThreads | null {
  const proc = (globalThis as Environment).process;
  if (!proc?.versions?.node || typeof proc.getBuiltinModule !== "function") return null;
  const wt = proc.getBuiltinModule("node:worker_threads") as Partial<NodeWorkerThreads> | undefined;
  return typeof wt?.Worker === "function" ? (wt as NodeWorkerThreads) : null;
}

let blobUrl: string | null = null;

/** How this engine starts a worker, or why it cannot run the threaded backend. */
function spawner(): Spawn | string {
  const g = globalThis as Environment;
  if (g.crossOriginIsolated === false) return "page is not cross-origin isolated";
  if (typeof SharedArrayBuffer !== "function" || typeof Atomics !== "object") {
    return "this engine has no SharedArrayBuffer";
  }
  const wt = nodeWorkerThreads();
  if (wt) {
    return (onError) => {
      const worker = new wt.Worker(nodeWorkerSource, { eval: true });
      // A parked worker must not keep the process alive after the user's script ends.
      worker.unref();
      worker.on("error", (e) => onError(e.message));
      return worker;
    };
  }
  if (typeof g.Worker === "function" && typeof g.Blob === "function" && typeof g.URL?.createObjectURL === "function") {
    const Worker = g.Worker;
    return (onError) => {
      blobUrl ??= g.URL!.createObjectURL!(new g.Blob!([browserWorkerSource], { type: "text/javascript" }));
      const worker = new Worker(blobUrl);
      worker.onerror = (e) => onError(e.message ?? "worker error");
      return worker;
    };
  }
  return "this engine has no worker threads";
}

/**
 * Why the threaded backend cannot run here ("page is not cross-origin isolated", ...), or null
 * when it can: shared memory, Atomics and a way to start workers.
 */
export function threadingUnavailableReason(): string | null {
  const s = spawner();
  return typeof s === "string" ? s : null;
}

/** The workers over one shared memory, and the dispatch of a job's tasks to them. */
export class ThreadPool {
  private readonly ctrl: Int32Array;
  private readonly posters: { postMessage(value: unknown): void }[] = [];
  /** Workers wanted now (≤ posters.length: the rest stay parked). */
  private active = 0;
  /** When the last job ended, and when sleepers were last woken without work (performance.now()). */
  private lastRun = -Infinity;
  private lastWake = -Infinity;
  /** @internal Tasks the workers ran in the last job (the caller ran the rest). */
  lastWorkerTasks = 0;
  /** The first error a worker reported, if any (it then never becomes ready). */
  failure: string | null = null;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
  ) {
    this.ctrl = new Int32Array(memory.buffer, 0, JOB / 4);
  }

  /** Uses `n` workers from now on, starting the missing ones (they get ready in a few ms). */
  resize(n: number): void {
    n = Math.min(n, MAX_THREADS - 1);
    const spawn = spawner();
    while (this.posters.length < n && typeof spawn !== "string") {
      const slot = this.posters.length + 1;
      try {
        const worker = spawn((message) => void (this.failure ??= message));
        worker.postMessage({
          module: this.module, memory: this.memory, job: JOB, slot: slotByte(slot), spinMs: SPIN_MS,
        });
        this.posters.push(worker);
      } catch (e) {
        this.failure ??= e instanceof Error ? e.message : String(e);
        break;
      }
    }
    this.active = Math.min(n, this.posters.length);
  }

  private word(slot: number, field: number): number {
    return slotByte(slot) / 4 + field;
  }

  /** How many active workers are idle now. */
  idle(): number {
    return this.idleWorkers(this.active).length;
  }

  /** Slots of active workers that are idle now (ready, and done with the last job). */
  private idleWorkers(limit: number): number[] {
    const idle: number[] = [];
    for (let slot = 1; slot <= this.active && idle.length < limit; slot++) {
      const c = this.ctrl;
      if (Atomics.load(c, this.word(slot, READY)) === 1 && Atomics.load(c, this.word(slot, STATE)) === IDLE) idle.push(slot);
    }
    return idle;
  }

  /**
   * Runs tasks [0, count) of the job at JOB (`kind`: GRID_TASKS or SHARED_TASKS): the caller
   * (`local`, on its own instance) and up to `works.length − 1` idle workers, participant p with
   * the work space at byte `works[p]`, each taking the next task from the one counter.
   * Workers asleep in Atomics.wait take part only if `wakeSleepers`: on the 2-core VM this was
   * measured on, the caller's Atomics.notify alone takes 50-70 µs (waking a halted virtual CPU),
   * which loses on products under about 4M multiply-adds; those run on the awake workers only.
   * When such products come closer together than a worker spins, the sleepers are woken after
   * the product (with nothing offered, at most once per 10 spins), so that a burst of them runs
   * threaded from its second product on. Returns how many threads took part (were offered one).
   */
  run(
    count: number, works: readonly number[], local: (t: number, work: number) => void, wakeSleepers: boolean,
    kind = GRID_TASKS,
  ): number {
    const c = this.ctrl;
    const idle = this.idleWorkers(Math.min(works.length, count) - 1);
    const asleep = (slot: number): boolean => Atomics.load(c, this.word(slot, SLEEP)) === 1;
    const workers = wakeSleepers ? idle : idle.filter((slot) => !asleep(slot));
    const P = workers.length + 1;
    Atomics.store(c, ABORT, 0);
    if (P === 1) {
      this.lastWorkerTasks = 0;
      for (let t = 0; t < count; t++) local(t, works[0]!);
    } else {
      Atomics.store(c, NEXT, 0);
      Atomics.store(c, COUNT, count);
      Atomics.store(c, KIND, kind);
      workers.forEach((slot, p) => {
        Atomics.store(c, this.word(slot, WORK), works[p + 1]!);
        Atomics.store(c, this.word(slot, TASKS), 0);
        Atomics.store(c, this.word(slot, STATE), OFFERED);
        this.wake(slot);
      });
      let error: unknown = null;
      try {
        for (let t; (t = Atomics.add(c, NEXT, 1)) < count; ) local(t, works[0]!);
      } catch (e) {
        // Only a bug gets here; release the workers' waits before reporting it.
        error = e;
        Atomics.store(c, NEXT, count);
        Atomics.store(c, ABORT, 1);
      }
      // Withdraw the offers nobody took; wait for the workers that did (they are running, and
      // go idle when the counter runs out). A browser's main thread may not Atomics.wait.
      for (const slot of workers) {
        const state = this.word(slot, STATE);
        if (Atomics.compareExchange(c, state, OFFERED, IDLE) === OFFERED) continue;
        while (Atomics.load(c, state) === CLAIMED);
      }
      // Every flag cleared before anything is thrown, so the next product starts clean.
      let failed = false;
      this.lastWorkerTasks = 0;
      for (const slot of workers) {
        if (Atomics.exchange(c, this.word(slot, FAILED), 0) !== 0) failed = true;
        this.lastWorkerTasks += Atomics.load(c, this.word(slot, TASKS));
      }
      if (error !== null) throw error;
      if (failed) throw new Error("torch-ts: a WebAssembly worker failed inside a matrix product; its result is incomplete");
    }
    const now = performance.now();
    if (!wakeSleepers && now - this.lastRun < SPIN_MS && now - this.lastWake > 10 * SPIN_MS) {
      const sleepers = idle.filter((slot) => !workers.includes(slot));
      for (const slot of sleepers) this.wake(slot);
      if (sleepers.length > 0) this.lastWake = now;
    }
    this.lastRun = now;
    return P;
  }

  /** Bumps a worker's SEQ, so that it looks at its slot, and wakes it if it sleeps. */
  private wake(slot: number): void {
    const c = this.ctrl;
    const w = this.word(slot, 0);
    Atomics.add(c, w + SEQ, 1);
    if (Atomics.load(c, w + SLEEP) === 1) Atomics.notify(c, w + SEQ);
  }

  /** Stops every worker (each finishes its current job first). */
  close(): void {
    const c = this.ctrl;
    for (let slot = 1; slot <= this.posters.length; slot++) {
      const w = this.word(slot, 0);
      Atomics.store(c, w + CMD, EXIT);
      Atomics.add(c, w + SEQ, 1);
      Atomics.notify(c, w + SEQ);
    }
    this.posters.length = 0;
    this.active = 0;
  }
}
