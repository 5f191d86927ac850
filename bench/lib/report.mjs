// The tables: times and GFLOP/s per thread count, torch-ts's fastest backend against each peer,
// and the issue's targets with pass/fail. The same tables as text for the terminal and as
// Markdown for the README.

export const PEERS = [
  { key: "pytorch", label: "PyTorch" },
  { key: "numpy", label: "OpenBLAS (numpy)" },
  { key: "ort", label: "onnxruntime" },
  { key: "tfjs-wasm", label: "tfjs-wasm" },
  { key: "tfjs-cpu", label: "tfjs-cpu" },
  { key: "js-pytorch", label: "js-pytorch" },
];

export function formatTime(s) {
  if (s >= 1) return `${s.toFixed(2)} s`;
  if (s >= 1e-3) return `${(s * 1e3).toPrecision(3)} ms`;
  return `${(s * 1e6).toPrecision(3)} µs`;
}

function cell(row, w, { gflops = true } = {}) {
  if (!row) return "";
  if (row.status === "ok") {
    const g = w.flops / row.median_s / 1e9;
    return gflops && w.flops >= 1e6 ? `${formatTime(row.median_s)} (${g.toFixed(g >= 100 ? 0 : 1)})` : formatTime(row.median_s);
  }
  if (row.status === "skipped") return "skipped: > budget";
  if (row.status === "unsupported") return "—";
  return "FAILED";
}

/**
 * The results as a lookup: at(t, key, id) → the row of runner `key` at t threads (one-thread
 * peers answer at every t with their one run, marked `reused`).
 */
export function lookup(results) {
  return (t, key, id) => {
    const r = results.runs.find((x) => x.key === key && (x.threads === t || (x.single && x.threads === results.threads[0])));
    if (r && (!r.out || (r.out.partial && !r.out.rows?.[id]))) return { status: "failed", reason: r.error ?? "the runner ended early" };
    const row = r?.out?.rows?.[id];
    return row ? { ...row, reused: r.single && t !== r.threads } : null;
  };
}

/** torch-ts's fastest backend on row `id` at t threads (or over every t when t is null). */
export function bestTorchTs(results, id, t) {
  let best = null;
  for (const r of results.runs) {
    if (!r.key.startsWith("torch-ts") || (t !== null && r.threads !== t)) continue;
    const row = r.out?.rows?.[id];
    if (row?.status === "ok" && (!best || row.median_s < best.median_s)) best = { ...row, backend: r.backend, threads: r.threads, kernel: r.out.info?.kernel };
  }
  return best;
}

function bestOf(results, key, id, t = null, filter = () => true) {
  let best = null;
  for (const r of results.runs) {
    if (r.key !== key || (t !== null && r.threads !== t && !r.single) || !filter(r)) continue;
    const row = r.out?.rows?.[id];
    if (row?.status === "ok" && (!best || row.median_s < best.median_s)) best = { ...row, threads: r.threads, kernel: r.out.info?.kernel, backend: r.backend };
  }
  return best;
}

function columns(results) {
  const tt = [...new Set(results.runs.filter((r) => r.key.startsWith("torch-ts")).map((r) => r.key))];
  const peers = PEERS.filter((p) => results.runs.some((r) => r.key === p.key));
  return [...tt.map((k) => ({ key: k, label: k })), ...peers.map((p) => ({ ...p, single: results.runs.find((r) => r.key === p.key).single }))];
}

/** Per thread count: [header, ...rows] of the times table and of the ratio table. */
export function tables(results) {
  const at = lookup(results);
  const cols = columns(results);
  const peers = cols.filter((c) => !c.key.startsWith("torch-ts"));
  const out = [];
  for (const t of results.threads) {
    const times = [["workload", ...cols.map((c) => c.label + (c.single && t !== results.threads[0] ? " ¹" : ""))]];
    const ratios = [["workload", "torch-ts fastest", ...peers.map((c) => c.label)]];
    for (const w of results.workloads) {
      times.push([w.name, ...cols.map((c) => cell(at(t, c.key, w.id), w))]);
      const best = bestTorchTs(results, w.id, t);
      ratios.push([
        w.name,
        best ? `${best.backend} ${formatTime(best.median_s)}` : "—",
        ...peers.map((c) => {
          const p = at(t, c.key, w.id);
          if (!best || p?.status !== "ok") return p?.status === "skipped" ? "skipped" : "—";
          return `${(p.median_s / best.median_s).toFixed(p.median_s / best.median_s >= 10 ? 0 : 2)}x`;
        }),
      ]);
    }
    out.push({ threads: t, times, ratios });
  }
  return out;
}

/** The issue's targets, each { target, measured, pass } (pass null where a figure is missing). */
export function targets(results) {
  const list = [];
  const gf = (w, r) => (r ? w.flops / r.median_s / 1e9 : null);
  const W = Object.fromEntries(results.workloads.map((w) => [w.id, w]));
  const has = (t) => results.threads.includes(t);
  const fmtBest = (r) => (r ? `${formatTime(r.median_s)} (${r.backend}, ${r.threads}t)` : "n/a");

  // (`extra` rows are not the issue's: no target.)
  const rows = results.workloads.filter((w) => !w.extra);
  for (const w of rows) {
    const tt = bestTorchTs(results, w.id, null);
    const pt = bestOf(results, "pytorch", w.id);
    list.push({
      target: `${w.name}: torch-ts fastest < PyTorch's best`,
      measured: `${fmtBest(tt)} vs ${pt ? `${formatTime(pt.median_s)} (${pt.threads}t)` : "n/a"}${tt && pt ? `: ${(pt.median_s / tt.median_s).toFixed(2)}x` : ""}`,
      pass: tt && pt ? tt.median_s < pt.median_s : null,
    });
  }
  for (const id of ["nt1024", "nn1024"]) {
    const w = W[id];
    if (!w) continue;
    for (const [t, goal] of [[1, 88], [2, 175]]) {
      if (!has(t)) continue;
      const tt = bestTorchTs(results, id, t);
      const np = bestOf(results, "numpy", id, t);
      const g = gf(w, tt);
      list.push({ target: `${w.name}, ${t} thread${t > 1 ? "s" : ""}: ≥ ${goal} GFLOP/s`, measured: g ? `${g.toFixed(1)} (${tt.backend})` : "n/a", pass: g ? g >= goal : null });
      const gn = gf(w, np);
      list.push({
        target: `${w.name}, ${t}t: within 5% of OpenBLAS`,
        measured: g && gn ? `${g.toFixed(1)} vs ${gn.toFixed(1)} GFLOP/s (${((g / gn) * 100).toFixed(0)}%)` : "n/a",
        pass: g && gn ? g >= 0.95 * gn : null,
      });
    }
  }
  for (const [id, limit, what] of [["tiny_fwd", 1.5e-6, "< 1.5 µs"], ["tiny_bwd", 10e-6, "< 10 µs"], ["mlp_sgd", 0.9e-3, "< 0.9 ms"]]) {
    if (!W[id]) continue;
    const tt = bestTorchTs(results, id, null);
    list.push({ target: `${W[id].name} ${what}`, measured: fmtBest(tt), pass: tt ? tt.median_s < limit : null });
  }
  for (const id of ["nt1024", "nn1024"]) {
    const w = W[id];
    if (!w) continue;
    if (has(1)) {
      const wasm = wasmBest(results, id, 1);
      const goal = wasm?.kernel === "relaxed_simd" ? 42 : 30;
      const g = gf(w, wasm);
      list.push({ target: `wasm ${w.name}, 1t: ≥ ${goal} GFLOP/s (${wasm?.kernel ?? "?"})`, measured: g ? `${g.toFixed(1)} (${wasm.backend})` : "n/a", pass: g ? g >= goal : null });
    }
    if (has(2)) {
      const wasm = wasmBest(results, id, 2);
      const g = gf(w, wasm);
      list.push({ target: `wasm ${w.name}, 2t: ≥ 80 GFLOP/s`, measured: g ? `${g.toFixed(1)} (${wasm.backend})` : "n/a", pass: g ? g >= 80 : null });
    }
  }
  if (has(1)) {
    for (const w of rows.filter((x) => x.kind === "linear" || x.kind === "linear_bwd" || x.kind === "mlp_sgd")) {
      const goal = w.kind === "mlp_sgd" ? 7 : 20;
      const wasm = wasmBest(results, w.id, 1);
      const tf = bestOf(results, "tfjs-wasm", w.id);
      const ratio = wasm && tf ? tf.median_s / wasm.median_s : null;
      list.push({
        target: `wasm ${w.name}, 1t: ≥ ${goal}x tfjs-wasm`,
        measured: ratio ? `${ratio.toFixed(1)}x (${formatTime(wasm.median_s)} vs ${formatTime(tf.median_s)})` : tf ? "n/a" : "tfjs-wasm: n/a (skipped or failed)",
        pass: ratio ? ratio >= goal : null,
      });
    }
  }
  return list;
}

function wasmBest(results, id, t) {
  let best = null;
  for (const r of results.runs) {
    if (!r.key.startsWith("torch-ts") || !r.backend?.startsWith("wasm") || r.threads !== t) continue;
    const row = r.out?.rows?.[id];
    if (row?.status === "ok" && (!best || row.median_s < best.median_s)) best = { ...row, backend: r.backend, kernel: r.out.info?.kernel };
  }
  return best;
}

export function textTable(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ")).join("\n");
}

export function markdownTable(rows) {
  const esc = (c) => String(c).replace(/\|/g, "\\|");
  return [
    `| ${rows[0].map(esc).join(" | ")} |`,
    `| ${rows[0].map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`,
    ...rows.slice(1).map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

export const verdict = (p) => (p === null ? "n/a" : p ? "pass" : "FAIL");
