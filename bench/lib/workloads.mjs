// The benchmark's workloads, their inputs (written once as float32 files that every runner reads,
// JS and Python alike, so all of them compute on the same numbers) and the float64 reference
// values each runner's result is checked against before it is timed.

import { writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * kind "linear": y = x·wᵀ (+ b), w in PyTorch's [out, in] layout (the NT product);
 * kind "mm":     y = a·b, b [in, out] (the NN product);
 * kind "linear_bwd": the same y, then y.backward(g): dx = g·w, dw = gᵀ·x, db = Σ_rows g;
 * kind "mlp_sgd": one SGD step (lr 0.1) of Linear(784,256)-ReLU-Linear(256,10) with mean cross-entropy.
 * `big` rows are left out of --quick runs. `extra` rows are not in issue 4's table: they are
 * measured and shown, and have no target (batch-1 inference, the common case in a browser).
 */
export const WORKLOADS = [
  { id: "tiny_fwd", name: "Linear(2,3) fwd, x (4,2)", kind: "linear", M: 4, K: 2, N: 3, bias: true },
  { id: "tiny_bwd", name: "Linear(2,3) fwd+bwd", kind: "linear_bwd", M: 4, K: 2, N: 3, bias: true },
  { id: "l784_fwd", name: "Linear(784,512) fwd, x (64,784)", kind: "linear", M: 64, K: 784, N: 512, bias: true },
  { id: "l784_b1", name: "Linear(784,512) fwd, x (1,784)", kind: "linear", M: 1, K: 784, N: 512, bias: true, extra: true },
  { id: "l784_bwd", name: "Linear(784,512) fwd+bwd", kind: "linear_bwd", M: 64, K: 784, N: 512, bias: true },
  { id: "nt1024", name: "1024³ fwd NT x·Wᵀ", kind: "linear", M: 1024, K: 1024, N: 1024, bias: false },
  { id: "nn1024", name: "1024³ fwd NN a·b", kind: "mm", M: 1024, K: 1024, N: 1024 },
  { id: "nt1024_bwd", name: "1024³ NT fwd+bwd", kind: "linear_bwd", M: 1024, K: 1024, N: 1024, bias: false },
  { id: "nt4096", name: "4096³ fwd NT x·Wᵀ", kind: "linear", M: 4096, K: 4096, N: 4096, bias: false, big: true },
  { id: "nn4096", name: "4096³ fwd NN a·b", kind: "mm", M: 4096, K: 4096, N: 4096, big: true },
  { id: "mlp_sgd", name: "MLP 784-256-10 SGD step, batch 64", kind: "mlp_sgd", M: 64, K: 784, H: 256, C: 10, lr: 0.1 },
];

/** Floating-point operations of one run: 2 per multiply-add of each product. */
export function flopsOf(w) {
  if (w.kind === "linear" || w.kind === "mm") return 2 * w.M * w.K * w.N;
  if (w.kind === "linear_bwd") return 6 * w.M * w.K * w.N;
  return 6 * w.M * (w.K * w.H + w.H * w.C);
}

// Seeded uniform [-1, 1) values (mulberry32), the same on every run.
function uniform(n, seed, scale = 1) {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

const U = 2 ** -24;

/**
 * Sample positions of an [R, C] output: every element when there are few, else the corners, the
 * middle and a seeded scatter (a wrong transpose, stride or tail shows up in any of them).
 */
function positions(R, C, count = 48) {
  if (R * C <= count * 2) return Array.from({ length: R * C }, (_, i) => i);
  const picks = new Set([0, C - 1, (R - 1) * C, R * C - 1, (R >> 1) * C + (C >> 1)]);
  let s = 12345;
  while (picks.size < count) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    picks.add(s % (R * C));
  }
  return [...picks].sort((a, b) => a - b);
}

/**
 * A check entry: values at `idx` of the named output, each within `tol` of `want`. A float32 sum
 * of K products errs by at most K·2⁻²⁴·Σ|terms| in the worst case, but that bound would let a
 * dropped term through at K = 4096; rounding errors of sums of mixed-sign terms grow like √K,
 * so we allow (8·√K + 2)·2⁻²⁴·Σ|terms| plus a rounding of the result: every correct float32 kernel
 * measured here stays below a tenth of it (check_worst in the results), while a dropped term of
 * average size is 8x above it at K = 4096 (60x at K = 1024).
 */
function dotCheck(R, C, K, term, extra = () => [0, 0]) {
  const idx = positions(R, C);
  const want = [];
  const tol = [];
  for (const p of idx) {
    const r = Math.floor(p / C);
    const c = p % C;
    let sum = 0;
    let abs = 0;
    for (let k = 0; k < K; k++) {
      const t = term(r, c, k);
      sum += t;
      abs += Math.abs(t);
    }
    const [add, addAbs] = extra(r, c);
    sum += add;
    abs += addAbs;
    want.push(sum);
    tol.push((8 * Math.sqrt(K) + 2) * U * abs + 2 * U * Math.abs(sum) + 1e-30);
  }
  return { idx, want, tol };
}

/**
 * Writes the inputs of `workloads` under `dir` and returns the spec that runners read: per
 * workload its inputs ({file, shape}) and its checks (per output name: idx, want, tol).
 */
export function prepare(workloads, dir) {
  const cache = new Map();
  const input = (name, shape, seed, scale = 1) => {
    const key = `${name}_${shape.join("x")}_${seed}`;
    if (!cache.has(key)) {
      const data = uniform(shape.reduce((p, s) => p * s, 1), seed, scale);
      const file = join(dir, `${key}.f32`);
      writeFileSync(file, data);
      cache.set(key, { file, shape, data });
    }
    return cache.get(key);
  };
  const spec = [];
  for (const w of workloads) {
    const { M, K, N } = w;
    const inputs = {};
    const checks = {};
    if (w.kind === "linear" || w.kind === "linear_bwd") {
      const x = input("x", [M, K], 1);
      const wt = input("w", [N, K], 2, 1 / Math.sqrt(K));
      inputs.x = x;
      inputs.w = wt;
      const b = w.bias ? input("b", [N], 3, 1 / Math.sqrt(K)) : null;
      if (b) inputs.b = b;
      checks.y = dotCheck(M, N, K, (i, j, k) => x.data[i * K + k] * wt.data[j * K + k], (i, j) =>
        b ? [b.data[j], Math.abs(b.data[j])] : [0, 0]);
      if (w.kind === "linear_bwd") {
        const g = input("g", [M, N], 4);
        inputs.g = g;
        checks.dx = dotCheck(M, K, N, (i, k, n) => g.data[i * N + n] * wt.data[n * K + k]);
        checks.dw = dotCheck(N, K, M, (n, k, i) => g.data[i * N + n] * x.data[i * K + k]);
        if (b) checks.db = dotCheck(1, N, M, (_, n, i) => g.data[i * N + n]);
      }
    } else if (w.kind === "mm") {
      const a = input("x", [M, K], 1);
      const b = input("w", [K, N], 2, 1 / Math.sqrt(K));
      inputs.a = a;
      inputs.b = b;
      checks.y = dotCheck(M, N, K, (i, j, k) => a.data[i * K + k] * b.data[k * N + j]);
    } else {
      Object.assign(inputs, mlpInputs(w, input));
      Object.assign(checks, mlpChecks(w, inputs));
    }
    const strip = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, { file: v.file, shape: v.shape }]));
    spec.push({ ...w, flops: flopsOf(w), inputs: strip(inputs), checks });
  }
  return spec;
}

function mlpInputs({ M, K, H, C }, input) {
  const x = input("mlp_x", [M, K], 11);
  for (let i = 0; i < x.data.length; i++) x.data[i] = Math.abs(x.data[i]); // pixel-like, in [0, 1)
  writeFileSync(x.file, x.data);
  const target = input("mlp_target", [M], 0);
  for (let i = 0; i < M; i++) target.data[i] = (i * 7) % C; // class indices, stored as float32
  writeFileSync(target.file, target.data);
  return {
    x,
    target,
    w1: input("mlp_w1", [H, K], 12, 1 / Math.sqrt(K)),
    b1: input("mlp_b1", [H], 13, 1 / Math.sqrt(K)),
    w2: input("mlp_w2", [C, H], 14, 1 / Math.sqrt(H)),
    b2: input("mlp_b2", [C], 15, 1 / Math.sqrt(H)),
  };
}

/**
 * The float64 loss of the first step and the parameters after it. The parameter checks allow
 * 1e-4 of the largest step of that tensor (float32 rounding of the gradient is ~1e-6 of it; a
 * wrong sign, transpose, missing mean or learning rate is off by far more) plus the rounding of w.
 */
function mlpChecks({ M, K, H, C, lr }, { x, target, w1, b1, w2, b2 }) {
  const h = new Float64Array(M * H);
  const z = new Float64Array(M * C);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < H; j++) {
      let s = b1.data[j];
      for (let k = 0; k < K; k++) s += x.data[i * K + k] * w1.data[j * K + k];
      h[i * H + j] = Math.max(0, s);
    }
    for (let c = 0; c < C; c++) {
      let s = b2.data[c];
      for (let j = 0; j < H; j++) s += h[i * H + j] * w2.data[c * H + j];
      z[i * C + c] = s;
    }
  }
  let loss = 0;
  const dz = new Float64Array(M * C);
  for (let i = 0; i < M; i++) {
    let top = -Infinity;
    for (let c = 0; c < C; c++) top = Math.max(top, z[i * C + c]);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(z[i * C + c] - top);
    const t = target.data[i];
    loss += (Math.log(sum) + top - z[i * C + t]) / M;
    for (let c = 0; c < C; c++) dz[i * C + c] = (Math.exp(z[i * C + c] - top) / sum - (c === t ? 1 : 0)) / M;
  }
  const gw2 = new Float64Array(C * H);
  const gb2 = new Float64Array(C);
  const dh = new Float64Array(M * H);
  for (let i = 0; i < M; i++) {
    for (let c = 0; c < C; c++) {
      const d = dz[i * C + c];
      gb2[c] += d;
      for (let j = 0; j < H; j++) {
        gw2[c * H + j] += d * h[i * H + j];
        dh[i * H + j] += d * w2.data[c * H + j];
      }
    }
  }
  const gw1 = new Float64Array(H * K);
  const gb1 = new Float64Array(H);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < H; j++) {
      const d = h[i * H + j] > 0 ? dh[i * H + j] : 0;
      if (d === 0) continue;
      gb1[j] += d;
      for (let k = 0; k < K; k++) gw1[j * K + k] += d * x.data[i * K + k];
    }
  }
  const updated = (p, g, R, Cols) => {
    let top = 0;
    for (const v of g) top = Math.max(top, Math.abs(v));
    const idx = positions(R, Cols);
    return {
      idx,
      want: idx.map((i) => p.data[i] - lr * g[i]),
      tol: idx.map((i) => 1e-4 * lr * top + 4 * U * Math.abs(p.data[i])),
    };
  };
  return {
    loss: { idx: [0], want: [loss], tol: [1e-5 * Math.abs(loss)] },
    w1: updated(w1, gw1, H, K),
    b1: updated(b1, gb1, 1, H),
    w2: updated(w2, gw2, C, H),
    b2: updated(b2, gb2, 1, C),
  };
}

/**
 * Compares `outputs` (name → flat array-like, row-major) with `checks`; returns the worst
 * |got - want| / tol (≤ 1 passes) and a description of the first failure.
 */
export function verify(checks, outputs) {
  let worst = 0;
  for (const [name, { idx, want, tol }] of Object.entries(checks)) {
    const got = outputs[name];
    if (!got) return { ok: false, worst: Infinity, error: `no output "${name}"` };
    for (let i = 0; i < idx.length; i++) {
      const v = Number(got[idx[i]]);
      const r = Math.abs(v - want[i]) / tol[i];
      if (!(r <= 1)) return { ok: false, worst: r, error: `${name}[${idx[i]}] = ${v}, expected ${want[i]} ± ${tol[i].toExponential(2)}` };
      worst = Math.max(worst, r);
    }
  }
  return { ok: true, worst };
}
