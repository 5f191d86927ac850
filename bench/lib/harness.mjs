// What every JavaScript runner shares: the spec and the inputs, the check, the timing loop, the
// skip rule, and the conversation with bench/run.mjs. bench/runners/python_runner.py follows the
// same rules in Python.
//
// A runner is a child process, `node runners/NAME.mjs SPEC.json`, that stays up for the whole
// thread count and times one cell at a time when told to, so that run.mjs can take the runners
// in turn on each workload (each peer's cell seconds after ours, on the same machine state). It
// reads one JSON command a line on stdin and answers each with one JSON line on fd 3 (stdout is
// the libraries' own):
//   (at start)               -> {"ready": true}
//   {"run": ID}              -> {"id": ID, "row": {...}}   the first time: the skip rule, the
//                               step made and checked, then timed; later: warmed up and timed again
//   {"drop": ID}             -> (no answer) the cell's step is disposed and forgotten
//   {"end": true}            -> {"end": true, runner, threads, info}, then the process exits
// For each workload `impl(w, inputs)` gives a step; null (or a string: the reason) means the
// library cannot do it: "unsupported".

import { readFileSync, writeSync } from "node:fs";
import { createInterface } from "node:readline";
import { verify } from "./workloads.mjs";

export function readSpec() {
  return JSON.parse(readFileSync(process.argv[2], "utf8"));
}

/** The input's float32 values (a fresh copy: runners may hand the buffer to a library). */
export function load(entry) {
  const buf = readFileSync(entry.file);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

export function rules(spec) {
  return {
    budget: spec.budget_s,
    skipOver: spec.skip_over_s, // a cell whose one run is estimated above this is skipped
    minSample: 2e-4, // runs shorter than this are timed in batches, so the clock's cost is noise
    // A JIT needs wall time, not a run count, to reach its top tier: V8 compiles on a background
    // thread, and on 2 cores Linear(2,3) forward+backward ran 60-70 µs for its first 0.1 s and
    // only settled after 0.3 s. Cells whose checked run took under 10 ms warm up this long.
    shortWarmup: 0.5,
    shortRun: 0.01,
  };
}

const now = () => Number(process.hrtime.bigint()) / 1e9;

/** Median, quartiles and best of seconds-per-run samples. */
export function summary(samples, batch, note) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (f) => s[Math.min(s.length - 1, Math.floor(f * s.length))];
  return { status: "ok", median_s: q(0.5), min_s: s[0], p25_s: q(0.25), p75_s: q(0.75), runs: s.length, batch, ...(note ? { note } : {}) };
}

/**
 * Estimates one run of `w` from the largest row this runner has timed (of the same kind if
 * any): its seconds per flop times this row's flops. Null when nothing comparable ran.
 */
function estimate(w, done) {
  const comparable = (sameKind) =>
    done.filter((d) => d.flops >= 1e7 && d.result.status === "ok" && (!sameKind || d.kind === w.kind));
  const pool = comparable(true).length ? comparable(true) : comparable(false);
  if (!pool.length) return null;
  const largest = pool.reduce((a, b) => (b.flops > a.flops ? b : a));
  return (largest.result.median_s / largest.flops) * w.flops;
}

/**
 * Answers run.mjs's commands (see the top of this file) until it says "end". `info()` is what the
 * runner reports about itself at the end (it may return a Promise).
 */
export async function serve(spec, impl, info) {
  const r = rules(spec);
  const answer = (msg) => writeSync(3, `${JSON.stringify(msg)}\n`);
  const cells = new Map(); // id -> the made step of a cell that passed its check
  const done = []; // first results, for the skip rule
  answer({ ready: true });
  for await (const line of createInterface({ input: process.stdin })) {
    const msg = JSON.parse(line);
    if (msg.end) {
      answer({ end: true, ...(await info()) });
      break;
    }
    if (msg.drop !== undefined) {
      cells.get(msg.drop)?.dispose?.();
      cells.delete(msg.drop);
      continue;
    }
    const w = spec.workloads.find((x) => x.id === msg.run);
    let row;
    try {
      row = cells.has(w.id) ? await timeRuns(cells.get(w.id), r, { again: true }) : await firstCell(w, impl, r, done, cells);
    } catch (e) {
      row = { status: "failed", reason: String(e?.message ?? e).split("\n")[0] };
      cells.get(w.id)?.dispose?.();
      cells.delete(w.id);
    }
    const shown = row.status === "ok" ? `${(row.median_s * 1e3).toPrecision(4)} ms` : `${row.status}: ${row.reason}`;
    process.stderr.write(`  ${w.id}: ${shown}\n`);
    answer({ id: w.id, row });
  }
  process.exit(0); // a library's worker threads must not keep the runner alive
}

/** A cell's first run: the skip rule, then the step made, checked and timed. */
async function firstCell(w, impl, r, done, cells) {
  const est = estimate(w, done);
  if (est !== null && est > r.skipOver) return { status: "skipped", reason: `> budget (one run ≈ ${est.toFixed(0)} s)` };
  let row;
  try {
    const inputs = Object.fromEntries(Object.entries(w.inputs).map(([k, v]) => [k, { data: load(v), shape: v.shape }]));
    const made = await impl(w, inputs);
    if (made === null || typeof made === "string") row = { status: "unsupported", reason: made ?? "not offered by this library" };
    else {
      const t0 = now();
      const first = made.step();
      made.sync = !(first instanceof Promise);
      await first;
      made.checkSeconds = now() - t0;
      const verdict = verify(w.checks, await made.outputs());
      if (!verdict.ok) row = { status: "failed", reason: `wrong result: ${verdict.error}` };
      else {
        made.checkWorst = verdict.worst;
        try {
          row = await timeRuns(made, r, { again: false });
        } catch (e) {
          made.dispose?.();
          throw e;
        }
        cells.set(w.id, made);
      }
    }
  } catch (e) {
    row = { status: "failed", reason: String(e?.message ?? e).split("\n")[0] };
  }
  done.push({ kind: w.kind, flops: w.flops, result: row });
  return row;
}

/**
 * Times a checked step: warm-up, then batched samples for the budget. The first time, a cell
 * whose checked run took over 3 s keeps that run as its one sample; later rounds run it once more.
 */
async function timeRuns(made, r, { again }) {
  const { step, sync, checkSeconds } = made;
  const checked = { check_worst: made.checkWorst };
  const runBatch = sync
    ? (k) => {
        const s = now();
        for (let i = 0; i < k; i++) step();
        return (now() - s) / k;
      }
    : async (k) => {
        const s = now();
        for (let i = 0; i < k; i++) await step();
        return (now() - s) / k;
      };
  if (checkSeconds > 3) {
    return again ? { ...summary([await runBatch(1)], 1, "one run"), ...checked } : { ...summary([checkSeconds], 1, "one run: the checked one"), ...checked };
  }
  // Warm-up: JIT, allocator and thread-pool start, for a tenth of the budget (at least 2 runs),
  // or r.shortWarmup seconds for a short cell the first time (its code is compiled by the next).
  const warmup = checkSeconds < r.shortRun && !again ? r.shortWarmup : r.budget / 10;
  let t0 = now();
  for (let i = 0; checkSeconds < 1 && (i < 2 || now() - t0 < warmup); i++) await runBatch(1);
  const first = await runBatch(1);
  const batch = Math.max(1, Math.ceil(r.minSample / first));
  const minRuns = first < 0.2 ? 5 : first < 0.5 ? 3 : 2;
  const samples = batch === 1 ? [first] : [];
  t0 = now();
  while (samples.length < minRuns || (now() - t0 < r.budget && samples.length < 1000)) samples.push(await runBatch(batch));
  return { ...summary(samples, batch), ...checked };
}

/** Row-major transpose of an [R, C] array into a new Float32Array [C, R]. */
export function transpose(data, R, C) {
  const out = new Float32Array(R * C);
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) out[j * R + i] = data[i * C + j];
  return out;
}
