// The machine the figures come from, and how quiet it was: a fixed scalar loop timed between
// runners (its spread is the noise that other processes caused) and the CPU time that processes
// other than this benchmark used, from /proc/stat less our own and our children's CPU time.

import { cpus, totalmem, release, loadavg } from "node:os";
import { readFileSync, realpathSync } from "node:fs";
import { execFileSync } from "node:child_process";

const TICK = 100; // USER_HZ: /proc times are in 1/100 s on Linux (getconf CLK_TCK)

function read(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

export function machine() {
  const lscpu = (() => {
    try {
      return execFileSync("lscpu", { encoding: "utf8" });
    } catch {
      return "";
    }
  })();
  const field = (name) => lscpu.match(new RegExp(`^${name}:\\s*(.+)$`, "m"))?.[1]?.trim() ?? null;
  let blas = null;
  try {
    blas = realpathSync("/etc/alternatives/libblas.so.3-x86_64-linux-gnu");
  } catch {}
  return {
    cpu: cpus()[0]?.model ?? "?",
    cpu_family_model: field("CPU family") ? `family ${field("CPU family")}, model ${field("Model")}` : null,
    simd: ["avx512f", "avx2", "fma"].filter((f) => new RegExp(`\\b${f}\\b`).test(field("Flags") ?? "")),
    logical_cpus: cpus().length,
    threads_per_core: Number(field("Thread\\(s\\) per core")) || null,
    hypervisor: field("Hypervisor vendor"),
    cache_l2: field("L2 cache"),
    cache_l3: field("L3 cache"),
    memory_gib: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    libblas_alternative: blas,
    openblas_env: { OPENBLAS_CORETYPE: process.env.OPENBLAS_CORETYPE ?? null, OPENBLAS_L2_SIZE: process.env.OPENBLAS_L2_SIZE ?? null },
  };
}

/** The seconds one fixed scalar loop takes (best of 3): slower than the run's best means contention. */
export function probe() {
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    let x = 0.5;
    let y = 1.5;
    for (let i = 0; i < 4e6; i++) {
      x = x * 0.999999 + y * 1e-7;
      y = y * 0.9999991 + x * 1e-7;
    }
    if (x === 42) console.log(""); // keeps the loop from being dropped
    best = Math.min(best, performance.now() - t0);
  }
  return best / 1e3;
}

/**
 * A process's /proc/PID/stat fields after the ")" of its command name (utime is the 12th, then
 * stime, cutime, cstime), or null when it is gone.
 */
function statFields(pid) {
  const stat = read(`/proc/${pid}/stat`);
  return stat ? stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number) : null;
}

/** The CPU seconds process `pid` has used (all its threads), or null when it is gone. */
export function cpuSeconds(pid) {
  const f = statFields(pid);
  return f ? (f[11] + f[12]) / TICK : null;
}

/**
 * CPU seconds so far: the whole machine busy, and this process with the children it waited for
 * and the live children `pids` (runners that stay up between cells).
 */
export function cpuClock(pids = []) {
  const stat = read("/proc/stat")?.split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const f = statFields("self");
  if (!stat || !f) return null;
  const idle = stat[3] + (stat[4] ?? 0);
  const busy = stat.slice(0, 8).reduce((a, b) => a + b, 0) - idle;
  const own = (f[11] + f[12] + f[13] + f[14]) / TICK + pids.reduce((a, pid) => a + (cpuSeconds(pid) ?? 0), 0);
  return { busy: busy / TICK, own, wall: performance.now() / 1e3 };
}

/** The cores' worth of CPU that other processes used between two cpuClock() readings. */
export function otherLoad(a, b) {
  if (!a || !b || b.wall <= a.wall) return null;
  return Math.max(0, (b.busy - a.busy - (b.own - a.own)) / (b.wall - a.wall));
}

export const load1 = () => loadavg()[0];
