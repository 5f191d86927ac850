#!/usr/bin/env node
// Elementwise, copy, fill, reduction and per-op overhead benchmark: the ops of one training step
// of the 784-256-128-10 MLP (examples/mlp.ts) at batch 64, at their real sizes, then the whole
// forward + backward + AdamW step.
//
//   npx tsc -p tsconfig.build.json && node bench/elementwise.mjs [--quick] [--backend js|wasm] [--json FILE]
//   node --cpu-prof --cpu-prof-dir=build/prof bench/elementwise.mjs --only step   (a profile of the step)
//
// Each op's result is checked against a plain-JS computation of the same values before it is
// timed. Times are medians after a warm-up. On a 2-core shared machine compare rows within one
// run; the load average is printed with the figures.

import { writeFileSync } from "node:fs";
import { loadavg, cpus } from "node:os";
import torch from "../dist/index.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const opt = (name) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : null);
const backend = opt("--backend") ?? torch.backends.get_backend();
const only = opt("--only");
const jsonFile = opt("--json");
torch.backends.set_backend(backend);
const nn = torch.nn;

// Seeded uniform [-1, 1) values, the same on every run.
function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}
const rand = (shape, seed) => {
  const next = random(seed);
  const n = shape.reduce((p, s) => p * s, 1);
  return torch.tensor(Float32Array.from({ length: n }, next)).reshape(shape);
};
const values = (t) => Array.from(t.contiguous()._values(), Number);

function time(fn, budgetMs) {
  for (let i = 0; i < 3; i++) fn();
  const times = [];
  const start = performance.now();
  while (times.length < 7 || (performance.now() - start < budgetMs && times.length < 5001)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  return { median: times[times.length >> 1], min: times[0], runs: times.length };
}

function fmt(ms) {
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${(ms * 1000).toFixed(1)} µs`;
}

/** Fails loudly when `got` differs from `want` by more than `tol` (relative to max |want|). */
function check(name, got, want, tol = 1e-6) {
  if (got.length !== want.length) throw new Error(`${name}: ${got.length} values, expected ${want.length}`);
  let top = 0;
  for (const v of want) top = Math.max(top, Math.abs(v));
  for (let i = 0; i < want.length; i++) {
    const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : Math.abs(got[i] - want[i]) <= tol * Math.max(top, 1);
    if (!ok) throw new Error(`${name}: element ${i} is ${got[i]}, expected ${want[i]}`);
  }
}

const B = 64;
const h1 = rand([B, 256], 1);
const h2 = rand([B, 128], 2);
const bias = rand([256], 3);
const w1 = rand([256, 784], 4);
const w1g = rand([256, 784], 5);
const logits = rand([B, 10], 6);
const target = torch.tensor(Array.from({ length: B }, (_, i) => (i * 7) % 10));
const mask = h1.gt(0);
const h1v = values(h1);
const w1v = values(w1);
const w1gv = values(w1g);
const biasv = values(bias);
const f32 = (x) => Math.fround(x);

/** name, what to run, and a check of its values against plain JS. */
const ops = [
  ["addmm bias add (64,256)+(256)", () => h1.add(bias), (r) => check("bias add", values(r), h1v.map((v, i) => f32(v + biasv[i % 256])))],
  ["relu fwd (64,256)", () => h1.relu(), (r) => check("relu", values(r), h1v.map((v) => (v < 0 ? 0 : v)))],
  ["relu bwd g*(y>0) (64,256)", () => h1.mul(h1.gt(0)), (r) => check("relu bwd", values(r), h1v.map((v) => (v > 0 ? v : 0)))],
  ["gt(0) (64,256)", () => h1.gt(0), (r) => check("gt", values(r), h1v.map((v) => (v > 0 ? 1 : 0)))],
  ["dropout mask mul (64,256)", () => h1.mul(h1), (r) => check("mul", values(r), h1v.map((v) => f32(v * v)))],
  ["bernoulli_ (64,256)", () => torch.empty([B, 256]).bernoulli_(0.8), null],
  ["dropout(0.2) (64,256)", () => torch.nn.functional.dropout(h1, 0.2), null],
  ["mul scalar (256,784)", () => w1.mul(2), (r) => check("mul2", values(r), w1v.map((v) => f32(v * 2)))],
  ["add (256,784)", () => w1.add(w1g), (r) => check("add", values(r), w1v.map((v, i) => f32(v + w1gv[i])))],
  ["add_ into .grad (256,784)", () => w1.clone().add_(w1g), (r) => check("add_", values(r), w1v.map((v, i) => f32(v + w1gv[i])))],
  ["clone (256,784)", () => w1.clone(), (r) => check("clone", values(r), w1v)],
  ["contiguous of .t() (784,256)", () => w1.t().contiguous(), (r) => check("t", values(r).slice(0, 256), w1v.filter((_, i) => i % 784 === 0))],
  ["zeros (256,784)", () => torch.zeros([256, 784]), (r) => check("zeros", values(r).slice(0, 9), new Array(9).fill(0))],
  ["ones_like (256,784)", () => torch.ones_like(w1), (r) => check("ones", values(r).slice(-9), new Array(9).fill(1))],
  ["full (256,784)", () => torch.full([256, 784], 0.5), (r) => check("full", values(r).slice(-9), new Array(9).fill(0.5))],
  ["sum all (256,784)", () => w1.sum(), (r) => check("sum", values(r), [w1v.reduce((a, b) => a + b, 0)], 1e-5)],
  ["sum_to_size (64,256)->(256)", () => h1.sum_to_size([256]), (r) => {
    const want = new Array(256).fill(0);
    h1v.forEach((v, i) => (want[i % 256] += v));
    check("sum_to_size", values(r), want, 1e-5);
  }],
  ["sum dim 1 keepdim (64,256)", () => h1.sum(1, { keepdim: true }), (r) => {
    const want = new Array(B).fill(0);
    h1v.forEach((v, i) => (want[Math.floor(i / 256)] += v));
    check("sum dim1", values(r), want, 1e-5);
  }],
  ["amax dim 1 (64,10)", () => logits.amax(1, { keepdim: true }), null],
  ["argmax dim 1 (64,10)", () => logits.argmax(1), null],
  ["mean all (64,256)", () => h1.mean(), (r) => check("mean", values(r), [h1v.reduce((a, b) => a + b, 0) / h1v.length], 1e-5)],
  ["log_softmax (64,10)", () => logits.log_softmax(1), null],
  ["cross_entropy (64,10)", () => nn.functional.cross_entropy(logits, target), null],
  ["where (64,256)", () => torch.where(mask, h1, 0), (r) => check("where", values(r), h1v.map((v) => (v > 0 ? v : 0)))],
  ["tiny add (4)+(4)", () => h2.narrow(0, 0, 1).narrow(1, 0, 4).add(1), null],
];

function mlpSetup() {
  torch.manual_seed(0);
  const model = new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(784, 256), new nn.ReLU(), new nn.Dropout(0.2),
    new nn.Linear(256, 128), new nn.ReLU(), new nn.Dropout(0.2),
    new nn.Linear(128, 10),
  );
  const optimizer = new torch.optim.AdamW(model.parameters(), { lr: 2e-3, weight_decay: 1e-2 });
  const scheduler = new torch.optim.lr_scheduler.OneCycleLR(optimizer, 3e-3, { epochs: 1000, steps_per_epoch: 125 });
  const criterion = new nn.CrossEntropyLoss();
  const x = rand([B, 784], 7).abs();
  return { model, optimizer, scheduler, criterion, x };
}

const load0 = loadavg()[0];
console.log(`torch-ts elementwise benchmark: Node ${process.version}, ${cpus()[0]?.model ?? "?"}, backend ${backend}`);
console.log(`load average before: ${load0.toFixed(2)}${quick ? "  (--quick)" : ""}\n`);
const results = [];
const budget = quick ? 150 : 600;

if (only === null || only === "ops") {
  console.log(`${"op".padEnd(36)}${"median".padStart(11)}${"best".padStart(11)}`);
  for (const [name, fn, verify] of ops) {
    if (verify) verify(fn());
    const t = time(fn, budget);
    results.push({ name, ...t });
    console.log(`${name.padEnd(36)}${fmt(t.median).padStart(11)}${fmt(t.min).padStart(11)}`);
  }
}

if (only === null || only === "step") {
  const { model, optimizer, scheduler, criterion, x } = mlpSetup();
  const step = () => {
    optimizer.zero_grad();
    const loss = criterion(model(x), target);
    loss.backward();
    optimizer.step();
    scheduler.step();
    return loss;
  };
  const first = step().item();
  if (!Number.isFinite(first)) throw new Error(`step: loss ${first}`);
  const parts = {
    "MLP forward (train)": () => criterion(model(x), target),
    "MLP forward (no_grad, eval)": () => torch.no_grad(() => { model.eval(); const r = model(x); model.train(); return r; }),
    "MLP forward+backward": () => { optimizer.zero_grad(); criterion(model(x), target).backward(); },
    "AdamW step (all params)": () => optimizer.step(),
    "MLP forward+backward+step": step,
  };
  console.log("");
  for (const [name, fn] of Object.entries(parts)) {
    const t = time(fn, quick ? 1000 : only === "step" ? 15000 : 3000);
    results.push({ name, ...t });
    console.log(`${name.padEnd(36)}${fmt(t.median).padStart(11)}${fmt(t.min).padStart(11)}`);
  }
  const stepMs = results.find((r) => r.name === "MLP forward+backward+step").median;
  console.log(`\n25 epochs x 125 steps at this rate: ${((stepMs * 3125) / 1000).toFixed(1)} s of training steps`);
}

const load1 = loadavg()[0];
console.log(`load average after: ${load1.toFixed(2)} (over ~1 on this machine means another process shared the cores)`);
if (jsonFile) {
  writeFileSync(jsonFile, JSON.stringify({ date: new Date().toISOString(), node: process.version, backend, loadavg: [load0, load1], results }, null, 2));
  console.log(`wrote ${jsonFile}`);
}
