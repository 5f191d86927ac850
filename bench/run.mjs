#!/usr/bin/env node
// torch-ts against its peers, in one run (issue 4).
//
//   npm run bench              (builds torch-ts, then this; sets bench/ up on first use)
//   node bench/run.mjs [--quick] [--threads 1,2] [--only torch-ts,pytorch,...] [--skip-over S]
//                      [--rounds R] [--cell-timeout S] [--node-flags "..."] [--no-save] [--readme]
//                      [--report FILE]
//
// Every torch-ts backend that torch.backends.list_backends() reports, and the peers: PyTorch
// (Debian's python3-torch, whatever libblas.so.3 it loads) and numpy's float32 matmul (the OpenBLAS
// yardstick) as Python subprocesses; onnxruntime-node, tfjs-wasm, tfjs-cpu and js-pytorch from
// bench/node_modules. Each runner is a child process of its own, started at the thread count
// (torch.set_num_threads; PyTorch's set_num_threads with OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and,
// above one thread, OMP_WAIT_POLICY=PASSIVE; OPENBLAS_NUM_THREADS for numpy; onnxruntime's
// intraOpNumThreads). tfjs and js-pytorch run one thread in Node, so they run once and their
// figures stand in every thread count's table (marked ¹).
//
// All runners compute on the same float32 inputs (written once to a temporary folder), and each
// result is checked against float64 reference values before it is timed. A time is the median of
// samples after a warm-up (short runs timed in batches). A thread count's runners start together
// and stay up; then, workload by workload, each runner times its cell in turn, `--rounds` times
// (3; 1 with --quick), every other round in reverse order, and a cell shows the round with the
// lowest median. This machine's speed drifts for seconds to minutes at a time: taking the
// runners in turn on one workload puts each peer's cell seconds from ours, and the rounds give
// each runner more than one draw. Before each workload's round a fixed scalar loop is timed, and
// the CPU that other processes used is read from /proc/stat: both are printed with the figures,
// since on a small shared machine they decide how far the figures can be trusted.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { WORKLOADS, prepare } from "./lib/workloads.mjs";
import { machine, probe, cpuClock, otherLoad, load1, cpuSeconds } from "./lib/machine.mjs";
import { render, cpuLine } from "./lib/render.mjs";
import { formatTime } from "./lib/report.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);

// The usage lines at the top of this file, for --help and for a flag it does not know (which
// used to be ignored: `--help` ran the whole benchmark).
const VALUE_FLAGS = ["--threads", "--only", "--skip-over", "--rounds", "--cell-timeout", "--node-flags", "--report"];
const SWITCHES = ["--quick", "--no-save", "--readme"];
const unknown = args.filter((a, i) => a.startsWith("-") && !VALUE_FLAGS.includes(a) && !SWITCHES.includes(a) && !VALUE_FLAGS.includes(args[i - 1]));
if (unknown.length) {
  const usage = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").filter((l) => /^\/\/ {3}(npm run bench|node bench\/run\.mjs| {19}\[)/.test(l));
  const help = unknown.every((a) => a === "--help" || a === "-h");
  (help ? console.log : console.error)([...(help ? [] : [`unknown option: ${unknown.join(" ")}`]), "usage:", ...usage.map((l) => l.slice(3))].join("\n"));
  process.exit(help ? 0 : 2);
}
const quick = args.includes("--quick");
const threads = opt("--threads", "1,2").split(",").map(Number);
const only = opt("--only", null)?.split(",");
const save = !args.includes("--no-save");
const python = process.env.TORCH_TS_BENCH_PYTHON ?? "/usr/bin/python3";
const reportFile = opt("--report", null);
const rounds = Math.max(1, Math.floor(Number(opt("--rounds", quick ? 1 : 3))));

// Node flags for every JavaScript runner (torch-ts and the JS peers alike; `--node-flags ""` runs
// without). V8 counts the ArrayBuffer memory allocated since its last full collection against
// the old generation's limit, and a small process (a runner's heap is ~9 MB) gets a limit only
// ~16 MB above its size: a training step that allocates 1 MB of tensor outputs then starts a
// full collection after every young one, every ~20 steps (bench/README.md, "Node flags").
const nodeFlags = opt("--node-flags", "--initial-old-space-size=64").split(" ").filter(Boolean);

const wanted = (key) => !only || only.some((o) => key === o || key.startsWith(`${o} `) || (o === "tfjs" && key.startsWith("tfjs")));

/** Runs every runner and returns the results (what results/*.json hold). */
async function measure() {
  // --- setup: the peers live in bench/'s own package; PyTorch and numpy are Debian's. ------------
  function pythonHas(module) {
    return spawnSync(python, ["-c", `import ${module}`], { stdio: "ignore" }).status === 0;
  }
  if (!existsSync(join(here, "node_modules")) || !pythonHas("torch") || !pythonHas("numpy")) {
    console.log("setting up the peers: bash bench/setup.sh (npm ci --prefix bench --ignore-scripts; apt-get install python3-torch python3-numpy)");
    spawnSync("bash", [join(here, "setup.sh")], { stdio: "inherit", cwd: root });
  }
  if (!existsSync(join(root, "dist", "index.js"))) {
    console.error("dist/ is missing: run `npm run build` first (npm run bench does)");
    process.exit(1);
  }

  const leftOut = [
    ["tfjs-node", "cannot be installed here: its install script downloads libtensorflow (no outside network)"],
  ];
  const havePython = { torch: pythonHas("torch"), numpy: pythonHas("numpy") };
  if (!havePython.torch) leftOut.push(["PyTorch", `${python} has no torch (apt-get install python3-torch)`]);
  if (!havePython.numpy) leftOut.push(["numpy", `${python} has no numpy (apt-get install python3-numpy)`]);
  const haveNode = (pkg) => existsSync(join(here, "node_modules", ...pkg.split("/"), "package.json"));
  for (const pkg of ["onnxruntime-node", "@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm", "js-pytorch"]) {
    if (!haveNode(pkg)) leftOut.push([pkg, "not in bench/node_modules (npm ci --prefix bench --ignore-scripts)"]);
  }

  const backends = JSON.parse(
    spawnSync(process.execPath, ["--input-type=module", "-e",
      "const { default: t } = await import('./dist/index.js'); console.log(JSON.stringify(t.backends.list_backends())); process.exit(0);"],
    { cwd: root, encoding: "utf8" }).stdout.trim().split("\n").pop(),
  );

  // --- the plan: one child process per (runner, thread count) ---------------------------------------
  const node = (file) => [process.execPath, ...nodeFlags, join(here, "runners", file)];
  const plan = [];
  for (const t of threads) {
    for (const b of backends) plan.push({ key: `torch-ts ${b}`, backend: b, threads: t, cmd: node("torchts.mjs"), extra: { backend: b } });
    const pyEnv = {
      OMP_NUM_THREADS: String(t),
      OPENBLAS_NUM_THREADS: String(t),
      ...(t > 1 ? { OMP_WAIT_POLICY: "PASSIVE" } : {}),
    };
    if (havePython.torch) plan.push({ key: "pytorch", threads: t, cmd: [python, join(here, "runners", "python_runner.py"), "torch"], env: pyEnv });
    if (havePython.numpy) plan.push({ key: "numpy", threads: t, cmd: [python, join(here, "runners", "python_runner.py"), "numpy"], env: pyEnv });
    if (haveNode("onnxruntime-node")) plan.push({ key: "ort", threads: t, cmd: node("ort.mjs") });
  }
  if (haveNode("@tensorflow/tfjs") && haveNode("@tensorflow/tfjs-backend-wasm")) plan.push({ key: "tfjs-wasm", threads: threads[0], single: true, cmd: node("tfjs.mjs"), extra: { tfjs_backend: "wasm" } });
  if (haveNode("@tensorflow/tfjs")) plan.push({ key: "tfjs-cpu", threads: threads[0], single: true, cmd: node("tfjs.mjs"), extra: { tfjs_backend: "cpu" } });
  if (haveNode("js-pytorch")) plan.push({ key: "js-pytorch", threads: threads[0], single: true, cmd: node("jspytorch.mjs") });
  const runs = plan.filter((p) => wanted(p.key));

  // --- inputs and reference values -----------------------------------------------------------------
  const workloads = WORKLOADS.filter((w) => !(quick && w.big));
  const dir = mkdtempSync(join(tmpdir(), "torch-ts-bench-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  process.on("SIGINT", () => process.exit(130));
  const t0 = performance.now();
  const spec = prepare(workloads, dir);
  // Seconds of timed runs per cell and round: 0.35 s a cell in all (0.15 s with --quick).
  const budget = { budget_s: (quick ? 0.15 : 0.35) / Math.min(rounds, 2), skip_over_s: Number(opt("--skip-over", quick ? 5 : 20)), rounds, order: "by workload" };

  const info = machine();
  console.log(`torch-ts benchmark: ${cpuLine(info)}, ${info.logical_cpus} logical CPUs, ${info.memory_gib} GiB, Linux ${info.kernel}, Node ${info.node}`);
  console.log(`torch-ts backends: ${backends.join(", ")}; threads ${threads.join(", ")}; ${runs.length} runner processes, ${rounds} round${rounds > 1 ? "s" : ""}${quick ? " (--quick: short budgets, no 4096³ rows)" : ""}`);
  for (const [name, why] of leftOut) console.log(`left out: ${name}: ${why}`);
  console.log(`inputs and float64 references ready in ${((performance.now() - t0) / 1e3).toFixed(1)} s\n`);

  // OpenBLAS picks slower kernels where these are set (see the env notes); the BLAS peers run without them.
  const childEnv = { ...process.env };
  delete childEnv.OPENBLAS_CORETYPE;
  delete childEnv.OPENBLAS_L2_SIZE;

  const cellTimeout = Number(opt("--cell-timeout", 300));
  const specFile = (p) => join(dir, `spec-${runs.indexOf(p)}.json`);
  const probes = [];
  const clockStart = cpuClock();
  const started = performance.now();

  // Each thread count's runners start together and stay up; then, workload by workload, every
  // runner times its cell in turn, `rounds` times (every other round in reverse order): each
  // peer's cell lies seconds from ours, so a slow stretch of the machine falls on both.
  for (const t of threads) {
    const group = runs.filter((p) => p.threads === t);
    if (!group.length) continue;
    console.log(`${t} thread${t > 1 ? "s" : ""}: ${group.map((p) => p.key).join(", ")}`);
    await Promise.all(group.map((p) => start(p)));
    for (const w of workloads) {
      const line = [];
      for (let round = 0; round < rounds; round++) {
        probes.push(probe());
        for (const p of round % 2 ? [...group].reverse() : group) {
          // A runner that died, or a cell that failed, was skipped or is unsupported, is not asked again.
          if (p.dead || p.rounds.slice(0, round).some((r) => r.out.rows[w.id]?.status !== "ok")) continue;
          await cell(p, w, round);
        }
      }
      for (const p of group) {
        if (!p.dead) p.send({ drop: w.id });
        const rows = p.rounds.map((r) => r.out.rows[w.id]).filter(Boolean);
        const notOk = rows.find((x) => x.status !== "ok");
        line.push(`${p.key} ${!rows.length ? "failed" : notOk ? notOk.status : formatTime(Math.min(...rows.map((x) => x.median_s)))}`);
      }
      console.log(`  ${w.id.padEnd(10)} ${line.join(", ")}`);
    }
    await Promise.all(group.map((p) => stop(p)));
    for (const p of group) {
      for (const [id, x] of Object.entries(mergeRounds(p.rounds).out?.rows ?? {})) if (x.status === "failed") console.log(`  ${p.key} ${id}: ${x.reason}`);
      if (p.error) console.log(`  ${p.key} ended early: ${p.error}`);
    }
  }

  /** Starts runner p and waits for its "ready" (imports and start-up are not timed). */
  function start(p) {
    writeFileSync(specFile(p), JSON.stringify({ ...budget, threads: p.threads, ...p.extra, workloads: spec }));
    const child = spawn(p.cmd[0], [...p.cmd.slice(1), specFile(p)], {
      cwd: root,
      env: { ...childEnv, ...p.env },
      stdio: ["pipe", "ignore", "pipe", "pipe"],
    });
    p.child = child;
    p.rounds = Array.from({ length: rounds }, () => ({ out: { rows: {} }, seconds: 0, busy: 0, other: 0 }));
    p.stderr = "";
    p.waiting = null;
    child.stderr.on("data", (d) => {
      p.stderr += d;
      if (process.env.BENCH_VERBOSE) process.stderr.write(`[${p.key} ${p.threads}t] ${d}`);
    });
    child.stdin.on("error", () => {}); // a dead runner's pipe; its exit is handled below
    createInterface({ input: child.stdio[3] }).on("line", (l) => {
      const w = p.waiting;
      p.waiting = null;
      w?.resolve(JSON.parse(l));
    });
    child.on("close", (code) => {
      p.exited = true;
      if (!p.ended) {
        p.dead = true;
        p.error ??= `runner exited ${code ?? "(killed)"}: ${p.stderr.trim().split("\n").slice(-3).join(" / ")}`;
      }
      p.waiting?.resolve(null);
    });
    p.send = (msg) => child.stdin.write(`${JSON.stringify(msg)}\n`);
    return ask(p, null, 60);
  }

  /** Sends msg (none for the start) and waits up to `seconds` for the answer; null when there is none. */
  function ask(p, msg, seconds) {
    return new Promise((resolve) => {
      if (p.exited) return resolve(null);
      // A runner that hangs (a thread pool that never wakes) is ended: its remaining rows read "failed".
      const timer = setTimeout(() => {
        p.error = `timed out after ${seconds} s`;
        p.waiting = null; // an answer that comes after this is not the cell's
        p.child.kill("SIGKILL");
        resolve(null);
      }, seconds * 1e3);
      p.waiting = { resolve: (answer) => (clearTimeout(timer), resolve(answer)) };
      if (msg) p.send(msg);
    });
  }

  /** One cell of runner p in one round, with its seconds and the other processes' CPU meanwhile. */
  async function cell(p, w, round) {
    const pids = runs.filter((q) => q.child && !q.exited).map((q) => q.child.pid);
    const c0 = cpuClock(pids);
    const s = performance.now();
    const answer = await ask(p, { run: w.id }, cellTimeout);
    const c1 = cpuClock(pids);
    const r = p.rounds[round];
    r.seconds += (performance.now() - s) / 1e3;
    if (c0 && c1) {
      r.busy += c1.wall - c0.wall;
      r.other += (otherLoad(c0, c1) ?? 0) * (c1.wall - c0.wall);
    }
    if (answer?.row) r.out.rows[w.id] = answer.row;
    else {
      p.dead = true;
      r.error = p.error;
    }
    await settle(p);
  }

  /** Asks runner p for its info and waits for it to exit. */
  async function stop(p) {
    p.ended = !p.dead;
    const answer = p.dead ? null : await ask(p, { end: true }, 60);
    if (!p.exited) {
      // A runner stuck on its way out (a BLAS pool's teardown) is killed after 10 s.
      const kill = setTimeout(() => p.child.kill("SIGKILL"), 10e3);
      await new Promise((resolve) => p.child.on("close", resolve));
      clearTimeout(kill);
    }
    for (const r of p.rounds) {
      if (answer) Object.assign(r.out, { runner: answer.runner, threads: answer.threads, info: answer.info });
      if (p.dead) r.out.partial = true;
      r.other_load = r.busy > 0 ? r.other / r.busy : null;
      r.error ??= p.error;
      delete r.busy;
      delete r.other;
    }
    for (const key of ["child", "send", "waiting", "stderr", "exited", "ended", "dead"]) delete p[key];
  }

  /**
   * Waits until runner p has stopped using the CPU (no 10 ms tick in 30 ms; at most 1 s): a
   * BLAS's worker threads spin for a while after a product, and a JS runner's collector and
   * compiler run on after its cell, which would take a core from the next runner's cell.
   */
  async function settle(p) {
    for (const end = performance.now() + 1e3; performance.now() < end && !p.exited; ) {
      const before = cpuSeconds(p.child.pid);
      await sleep(30);
      if (before === null || cpuSeconds(p.child.pid) - before < 0.015) return;
    }
  }

  for (const p of runs) Object.assign(p, mergeRounds(p.rounds));
  probes.push(probe());
  const elapsed = (performance.now() - started) / 1e3;
  const load = otherLoad(clockStart, cpuClock());
  const quiet = Math.min(...probes);
  const noise = {
    probe_s: probes,
    probe_spread: Math.max(...probes) / quiet - 1,
    probe_median_slowdown: [...probes].sort((a, b) => a - b)[probes.length >> 1] / quiet - 1,
    other_load_cores: load,
    loadavg_1min_end: load1(),
  };

  return {
    date: new Date().toISOString(),
    quick,
    machine: info,
    threads,
    budget,
    node_flags: nodeFlags,
    left_out: Object.fromEntries(leftOut),
    noise,
    elapsed_s: elapsed,
    workloads: spec.map(({ inputs, checks, ...w }) => w),
    runs: runs.map(({ cmd, env, ...p }) => ({ ...p, env })),
  };
}

/**
 * One runner's rounds as one result: each row from the round with the lowest median, with every
 * round's median beside it (`round_medians_s`). A row that failed in any round stays failed (a
 * wrong result is never hidden by a right one), and a runner that ended early in any round keeps
 * that round's error. `rounds` keeps each round's seconds, load and error, without its rows.
 */
function mergeRounds(list) {
  const outs = list.map((r) => r.out).filter(Boolean);
  const error = list.find((r) => r.error)?.error;
  const merged = outs.length ? { ...outs[0], rows: {}, partial: list.some((r) => !r.out || r.out.partial) } : null;
  for (const id of new Set(outs.flatMap((o) => Object.keys(o.rows ?? {})))) {
    const rows = outs.map((o) => o.rows?.[id]).filter(Boolean);
    const failed = rows.find((x) => x.status === "failed");
    const ok = rows.filter((x) => x.status === "ok");
    const best = failed ?? (ok.length ? ok.reduce((a, b) => (b.median_s < a.median_s ? b : a)) : rows[0]);
    merged.rows[id] = ok.length > 1 && !failed ? { ...best, round_medians_s: ok.map((x) => x.median_s) } : best;
  }
  if (merged && !merged.partial) delete merged.partial;
  return {
    out: merged,
    ...(error ? { error } : {}),
    seconds: list.reduce((a, r) => a + r.seconds, 0),
    other_load: Math.max(...list.map((r) => r.other_load ?? 0)),
    rounds: list.map(({ out, ...r }) => r),
  };
}

// --- report ------------------------------------------------------------------------------------
// --report FILE prints (and with --readme writes) the tables of an earlier run instead of running.
const results = reportFile ? JSON.parse(readFileSync(reportFile, "utf8")) : await measure();
const { text, md, targets } = render(results);
results.targets = targets;
console.log(`\n${text}`);

if (save && !reportFile) {
  const out = join(here, "results");
  mkdirSync(out, { recursive: true });
  const stamp = `${results.date.replace(/[:.]/g, "-")}${quick ? "-quick" : ""}`;
  writeFileSync(join(out, `${stamp}.json`), JSON.stringify(results, null, 1));
  // latest.* (what the README shows) come from full runs only.
  if (!quick) {
    writeFileSync(join(out, "latest.json"), JSON.stringify(results, null, 1));
    writeFileSync(join(out, "latest.md"), md);
  }
  console.log(`wrote bench/results/${stamp}.json${quick ? "" : ", latest.json and latest.md (the README's table)"}`);
}
// --readme: the table goes into README.md between <!-- bench:start --> and <!-- bench:end -->.
if (args.includes("--readme")) {
  const readme = join(root, "README.md");
  const old = readFileSync(readme, "utf8");
  const [start, end] = ["<!-- bench:start -->", "<!-- bench:end -->"];
  const a = old.indexOf(start);
  const b = old.indexOf(end);
  if (a < 0 || b < a) console.log(`--readme: README.md has no ${start} ... ${end} markers; nothing written`);
  else {
    writeFileSync(readme, `${old.slice(0, a + start.length)}\n${md}\n${old.slice(b)}`);
    console.log("wrote the table into README.md");
  }
}
// A wrong torch-ts result fails the run; a peer's failure is a cell of the table (and listed above).
const wrong = results.runs.filter((r) => r.key.startsWith("torch-ts") && (!r.out || r.out.partial || Object.values(r.out.rows).some((x) => x.status === "failed")));
if (wrong.length) console.log(`torch-ts failed in: ${wrong.map((r) => `${r.key} at ${r.threads}t`).join(", ")}`);
process.exit(wrong.length ? 1 : 0);
