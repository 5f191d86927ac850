// A results object (what bench/results/*.json hold) as the terminal's text and the README's
// Markdown: the machine and its noise, the versions and BLAS in use, then per thread count the
// times and the ratios, then the targets.

import { tables, targets, textTable, markdownTable, verdict } from "./report.mjs";

export function cpuLine(info) {
  return `${info.cpu}${info.cpu_family_model ? ` (${info.cpu_family_model}; ${info.simd.join(", ")})` : ""}`;
}

export function render(results) {
  const { runs, machine: info, noise, budget } = results;
  const find = (pred) => runs.find(pred)?.out?.info;
  const pyInfo = find((r) => r.key === "pytorch");
  const npInfo = find((r) => r.key === "numpy");
  const blasOf = (i) => (i?.openblas ? `${i.openblas.config} (kernel ${i.openblas.core})` : i?.blas_loaded?.join(", ") ?? "?");
  const tfInfo = find((r) => r.key === "tfjs-wasm");
  const load = noise.other_load_cores;
  const noiseLine =
    `noise: scalar probe spread ${(noise.probe_spread * 100).toFixed(0)}% over ${noise.probe_s.length} probes ` +
    `(median ${(noise.probe_median_slowdown * 100).toFixed(0)}% above the quietest); other processes used ` +
    `${load === null ? "?" : load.toFixed(2)} of ${info.logical_cpus} cores on average; load average ${noise.loadavg_1min_end.toFixed(2)} at the end`;
  const notes = [
    `PyTorch ${pyInfo?.torch ?? "n/a"} (${pyInfo?.blas_info ?? "?"}; BLAS loaded: ${blasOf(pyInfo)}), OMP_WAIT_POLICY=PASSIVE above 1 thread`,
    `numpy ${npInfo?.numpy ?? "n/a"} with ${blasOf(npInfo)}`,
    `Node runners: ${results.node_flags?.length ? `node ${results.node_flags.join(" ")}` : "node without flags"} (see bench/README.md, "Node flags")`,
    `torch-ts wasm kernel: ${find((r) => r.backend?.startsWith("wasm"))?.kernel ?? "n/a"}; ` +
      `onnxruntime-node ${find((r) => r.key === "ort")?.version ?? "n/a"}; ` +
      `tfjs ${find((r) => r.key.startsWith("tfjs"))?.version ?? "n/a"}${tfInfo ? ` (wasm: simd ${tfInfo.simd}, threads off in Node)` : ""}; ` +
      `js-pytorch ${find((r) => r.key === "js-pytorch")?.version ?? "n/a"} (float64)`,
    `other load per runner (cores${budget.rounds > 1 ? ", the higher of its rounds" : ""}): ${runs.map((r) => `${r.key} ${r.single ? "" : `${r.threads}t `}${r.other_load?.toFixed(2) ?? "?"}`).join(", ")}`,
  ];
  if (budget.rounds > 1) {
    notes.unshift(
      budget.order === "by workload"
        ? `runners take turns on each workload, ${budget.rounds} rounds (every other in reverse order), so a peer's cell lies seconds from ours; ` +
            `each cell is the round with the lowest median, the results JSON has every round's (round_medians_s)`
        : `${budget.rounds} rounds of every runner (every other round in reverse order); each cell is the round with the lowest median, ` +
            `the results JSON has every round's (round_medians_s)`,
    );
  }
  const tbls = tables(results);
  const tlist = targets(results);
  const targetRows = [["target", "measured", ""], ...tlist.map((x) => [x.target, x.measured, verdict(x.pass)])];
  const passed = tlist.filter((x) => x.pass === true).length;
  const failed = tlist.filter((x) => x.pass === false).length;
  const plural = (t) => `${t} thread${t > 1 ? "s" : ""}`;
  const leftOut = `Left out: ${Object.entries(results.left_out ?? {}).map(([k, v]) => `${k}: ${v}`).join("; ")}`;

  const text = [
    noiseLine,
    ...notes,
    ...tbls.flatMap(({ threads: t, times, ratios }) => [
      "", `== ${plural(t)}: median time (GFLOP/s) ==`, textTable(times),
      "", `== ${plural(t)}: peer's time ÷ torch-ts fastest (above 1: torch-ts is faster) ==`, textTable(ratios),
    ]),
    "",
    `¹ one thread in Node: the same run in every table. —: not offered by that library. skipped: one run estimated above ${budget.skip_over_s} s.`,
    `${leftOut}.`,
    "",
    "== targets (issue 4) ==",
    textTable(targetRows),
    "",
    `targets: ${passed} pass, ${failed} fail, ${tlist.length - passed - failed} n/a; whole run ${results.elapsed_s.toFixed(0)} s`,
  ].join("\n");

  const md = [
    `Measured ${results.date.slice(0, 10)} on ${cpuLine(info)}, ${info.logical_cpus} logical CPUs${info.hypervisor ? ` (${info.hypervisor} VM)` : ""}, ` +
      `${info.memory_gib} GiB, Linux ${info.kernel}, Node ${info.node}, with \`npm run bench\`${results.quick ? " --quick" : ""}.`,
    `${noiseLine[0].toUpperCase()}${noiseLine.slice(1)}.`,
    ...notes.map((n) => `${n}.`),
    "",
    ...tbls.flatMap(({ threads: t, times, ratios }) => [
      `**${plural(t)}**: median time (GFLOP/s)`, "", markdownTable(times), "",
      `${plural(t)}: each peer's time ÷ torch-ts's fastest backend (above 1: torch-ts is faster)`, "", markdownTable(ratios), "",
    ]),
    `¹ one thread in Node: its one run. —: not offered by that library (onnxruntime-node and numpy: no training). ` +
      `skipped: > budget: one run estimated above ${budget.skip_over_s} s. ${leftOut}.`,
    "",
    `**Targets** (issue 4): ${passed} pass, ${failed} fail, ${tlist.length - passed - failed} n/a`,
    "",
    markdownTable(targetRows),
    "",
  ].join("\n");
  return { text, md, targets: tlist };
}
