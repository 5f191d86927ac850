// What every JavaScript runner shares: reading the spec and the inputs, checking a result, the
// timing loop and the skip rule. bench/runners/python_runner.py follows the same rules in Python.
//
// A runner is a child process: `node runners/NAME.mjs SPEC.json OUT.json`. For each workload it
// asks the implementation for a step; a missing step is "unsupported" (with the reason). The
// first run is checked against the float64 reference; only a checked step is timed.

import { readFileSync, writeFileSync } from "node:fs";
import { verify } from "./workloads.mjs";

export function readSpec() {
  const [specFile, outFile] = process.argv.slice(2);
  const spec = JSON.parse(readFileSync(specFile, "utf8"));
  return { spec, outFile };
}

/** The input's float32 values (a fresh copy: runners may hand the buffer to a library). */
export function load(entry) {
  const buf = readFileSync(entry.file);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/** The timing rules; `budget` is seconds of timed runs per cell after the check. */
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
 * Runs every workload of the spec with `impl(w, inputs)`, which returns null (or a string: the
 * reason) when the library cannot do it, else { step, outputs }: `step()` runs once (it may return
 * a Promise), `outputs()` gives the values the checks name, after a step. With `outFile`, the
 * rows so far are written after each one.
 */
export async function runAll(spec, impl, info, outFile = null) {
  const r = rules(spec);
  const rows = {};
  const done = [];
  for (const w of spec.workloads) {
    const est = estimate(w, done);
    if (est !== null && est > r.skipOver) {
      rows[w.id] = { status: "skipped", reason: `> budget (one run ≈ ${est.toFixed(0)} s)` };
      process.stderr.write(`  ${w.id}: skipped (≈ ${est.toFixed(0)} s a run)\n`);
      continue;
    }
    let result;
    try {
      const inputs = Object.fromEntries(Object.entries(w.inputs).map(([k, v]) => [k, { data: load(v), shape: v.shape }]));
      const made = await impl(w, inputs);
      if (made === null || typeof made === "string") {
        result = { status: "unsupported", reason: made ?? "not offered by this library" };
      } else {
        result = await timeCell(w, made, r);
      }
    } catch (e) {
      result = { status: "failed", reason: String(e?.message ?? e).split("\n")[0] };
    }
    rows[w.id] = result;
    done.push({ kind: w.kind, flops: w.flops, result });
    if (outFile) writeOut(outFile, { ...info, rows, partial: true }); // a runner ended mid-way keeps its rows
    const shown = result.status === "ok" ? `${(result.median_s * 1e3).toPrecision(4)} ms` : `${result.status}: ${result.reason}`;
    process.stderr.write(`  ${w.id}: ${shown}\n`);
  }
  return { ...info, rows };
}

async function timeCell(w, { step, outputs, dispose }, r) {
  let t0 = now();
  const first0 = step();
  const sync = !(first0 instanceof Promise);
  await first0;
  const checkSeconds = now() - t0;
  const verdict = verify(w.checks, await outputs());
  if (!verdict.ok) return { status: "failed", reason: `wrong result: ${verdict.error}` };
  const checked = { check_worst: verdict.worst };
  // A run of several seconds: its checked run is its one timed sample (JIT warm-up is noise there).
  if (checkSeconds > 3) return { ...summary([checkSeconds], 1, "one run: the checked one"), ...checked };

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
  // Warm-up: JIT, allocator and thread-pool start, for a tenth of the budget (at least 2 runs),
  // or r.shortWarmup seconds for a short cell.
  const warmup = checkSeconds < r.shortRun ? r.shortWarmup : r.budget / 10;
  t0 = now();
  for (let i = 0; checkSeconds < 1 && (i < 2 || now() - t0 < warmup); i++) await runBatch(1);
  const first = await runBatch(1);
  const batch = Math.max(1, Math.ceil(r.minSample / first));
  const minRuns = first < 0.2 ? 5 : first < 0.5 ? 3 : 2;
  const samples = batch === 1 ? [first] : [];
  t0 = now();
  while (samples.length < minRuns || (now() - t0 < r.budget && samples.length < 1000)) samples.push(await runBatch(batch));
  dispose?.();
  return { ...summary(samples, batch), ...checked };
}

export function writeOut(outFile, result) {
  writeFileSync(outFile, JSON.stringify(result, null, 1));
}

/** Row-major transpose of an [R, C] array into a new Float32Array [C, R]. */
export function transpose(data, R, C) {
  const out = new Float32Array(R * C);
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) out[j * R + i] = data[i * C + j];
  return out;
}
