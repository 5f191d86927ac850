// The fused `addmm` kernel (input + a·b in one call, nn.Linear's forward) against what it
// replaces: the same backend's `matmul` then `binary("add")`, bit for bit, on every backend, on
// products just under and over the size where a backend stops running the JS product, in every
// operand layout, with every way the input broadcasts. Then the ops above it (torch.addmm,
// F.linear, nn.Linear) against the general path, on a copy of the backend without the kernel:
// values, gradients, double backward and grad_fn names.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import type { Backend, Storage, StridedView } from "../../src/backend/backend.js";
import { jsBackend } from "../../src/backend/js/index.js";
import { JsStorage } from "../../src/backend/js/storage.js";
import { nativeBackend, MIN_WORK as NATIVE_MIN_WORK } from "../../src/backend/native/index.js";
import { wasmBackend, MIN_WORK as WASM_MIN_WORK } from "../../src/backend/wasm/index.js";
import { defaultBackend, registerBackend, setDefaultBackend } from "../../src/backend/registry.js";
import {
  cloneView, describeView, expectSameBits, float32, float64, int, int32, int64, pick, randomView, rng, type DType, type Random,
} from "./js_fast_testing.js";

const backends: Backend[] = [jsBackend, ...(nativeBackend ? [nativeBackend] : []), ...(wasmBackend ? [wasmBackend] : [])];

/** M, N, K whose product lies near `work` (the size where a backend's own GEMM starts). */
function sizesNear(random: Random, work: number): [number, number, number] {
  for (;;) {
    const [M, N] = [int(random, 1, 9), int(random, 1, 9)];
    const K = Math.max(1, Math.round(work / (M * N)) + int(random, -1, 1));
    if (K <= 40) return [M, N, K];
  }
}

/** A (rows, cols) operand: dense, transposed (a weight's `.t()`), or strided with an offset. */
function matrix(random: Random, dtype: DType, rows: number, cols: number): StridedView {
  const r = random();
  if (r < 0.35) return randomView(random, dtype, [rows, cols], { kind: "dense" });
  if (r < 0.7) {
    const t = randomView(random, dtype, [cols, rows], { kind: "dense" });
    return { ...t, shape: [rows, cols], strides: [t.strides[1]!, t.strides[0]!] };
  }
  return randomView(random, dtype, [rows, cols], { kind: "strided" });
}

/** The input as addmm's expandedView hands it over: a bias [N] (stride 0 on rows), [M, 1], [1, 1] or [M, N]. */
function input(random: Random, dtype: DType, M: number, N: number): StridedView {
  const kind = pick(random, ["bias", "column", "scalar", "full"] as const);
  if (kind === "full") return matrix(random, dtype, M, N);
  const broadcast = kind === "bias" ? [0] : kind === "column" ? [1] : [0, 1];
  return randomView(random, dtype, [M, N], { kind: random() < 0.5 ? "dense" : "strided", broadcast });
}

function fresh(random: Random, dtype: DType, M: number, N: number): StridedView {
  return randomView(random, dtype, [M, N], { kind: random() < 0.8 ? "dense" : "strided" });
}

describe.each(backends.map((b) => [b.name, b] as const))("the %s backend's fused addmm", (_, backend) => {
  const threshold = backend === nativeBackend ? NATIVE_MIN_WORK : backend === wasmBackend ? WASM_MIN_WORK : 27;

  beforeAll(async () => {
    await (backend as { ready?: Promise<unknown> }).ready;
  });

  /** One random addmm of these sizes, bit for bit against the backend's matmul then add. */
  const expectFusedMatchesParts = (random: Random, dtype: DType, M: number, N: number, K: number, label?: string): void => {
    const a = matrix(random, dtype, M, K);
    const b = matrix(random, dtype, K, N);
    const bias = input(random, dtype, M, N);
    const got = fresh(random, dtype, M, N);
    const want = cloneView(got);
    backend.addmm!(got, bias, a, b);
    backend.matmul(want, a, b);
    backend.binary("add", want, bias, want);
    expectSameBits(got, want, label ?? `${backend.name} addmm(${describeView(bias)}, ${describeView(a)}, ${describeView(b)})`);
  };

  it("gives the bits of its matmul then its add, under and over the size its own GEMM starts at", () => {
    const random = rng(41);
    let small = 0;
    let large = 0;
    for (let trial = 0; trial < 400; trial++) {
      const dtype = pick(random, [float32, float32, float64]);
      const [M, N, K] = trial % 7 === 0 ? [int(random, 0, 3), int(random, 0, 3), int(random, 0, 2)] : sizesNear(random, threshold);
      expectFusedMatchesParts(random, dtype, M, N, K);
      if (M * N * K < threshold) small++;
      else large++;
    }
    // Both sides of the threshold were tried.
    expect(small).toBeGreaterThan(50);
    expect(large).toBeGreaterThan(50);
  });

  it("gives those bits on products large enough to run threaded (a batch through a Linear layer)", () => {
    const random = rng(43);
    const threads = torch.get_num_threads();
    try {
      for (const n of [1, 2]) {
        torch.set_num_threads(n);
        for (let trial = 0; trial < 6; trial++) {
          const [M, N, K] = [int(random, 60, 70), int(random, 250, 300), int(random, 60, 80)];
          expectFusedMatchesParts(random, float32, M, N, K, `${n} thread(s): float32 addmm ${M}x${N}x${K}`);
        }
      }
    } finally {
      torch.set_num_threads(threads);
    }
  });

  it("runs the two kernels for integer dtypes", () => {
    const random = rng(42);
    for (let trial = 0; trial < 40; trial++) {
      const dtype = pick(random, [int32, int64]);
      const [M, N, K] = [int(random, 1, 5), int(random, 1, 5), int(random, 1, 5)];
      expectFusedMatchesParts(random, dtype, M, N, K, `${dtype.name} addmm`);
    }
  });
});

/**
 * A copy of `backend` that allocates its own storage (so ops dispatch to it) and either has no
 * addmm (the general path) or counts its calls.
 */
function variant(backend: Backend, name: string, fused: boolean): Backend & { calls: number } {
  const copy: Backend & { calls: number } = {
    ...backend,
    name,
    calls: 0,
    allocate(dtype: DType, length: number): Storage {
      return new JsStorage(copy, dtype, length);
    },
    addmm: fused
      ? (out: StridedView, inp: StridedView, a: StridedView, b: StridedView) => {
          copy.calls++;
          backend.addmm!(out, inp, a, b);
        }
      : undefined,
  };
  return copy;
}

const bitsOf = (t: Tensor): number[] => {
  const v = t.detach().contiguous()._values();
  return Array.from(v instanceof Float64Array ? new Uint32Array(v.buffer, v.byteOffset, v.length * 2) : new Uint32Array(v.buffer, v.byteOffset, v.length));
};

interface Case {
  what: string;
  M: number;
  N: number;
  K: number;
  /** x as a transposed or narrowed view rather than contiguous. */
  x: "contiguous" | "transposed" | "narrowed";
  bias: number[] | null;
  dtype: typeof torch.float32;
}

function cases(): Case[] {
  const out: Case[] = [];
  const shapes: [number, number, number][] = [
    [4, 3, 2], // the benchmark's Linear: 24 multiply-adds, under native's 27
    [3, 3, 3], // 27: the native GEMM runs the product
    [1, 1, 1],
    [5, 7, 8], // 280: over wasm's 256
    [16, 16, 1],
    [2, 3, 0], // no inner dim: bias alone
  ];
  for (const [M, N, K] of shapes) {
    for (const bias of [[N], [M, N], [1, N], [M, 1], [], null]) {
      for (const x of ["contiguous", "transposed", "narrowed"] as const) {
        out.push({ what: `${M}x${K}·${K}x${N} bias ${bias ? `[${bias}]` : "none"} x ${x}`, M, N, K, x, bias, dtype: torch.float32 });
      }
    }
  }
  out.push({ what: "float64 4x2·2x3", M: 4, N: 3, K: 2, x: "contiguous", bias: [3], dtype: torch.float64 });
  return out;
}

/** The tensors of one case, made the same way on whichever backend is current. */
function operands(c: Case, seed: number, grads: [boolean, boolean, boolean]) {
  const random = rng(seed);
  const make = (shape: number[]) => {
    const n = shape.reduce((p, s) => p * s, 1);
    const values = Float64Array.from({ length: n }, () => (random() * 2 - 1) * 4);
    return torch.tensor(values, { dtype: c.dtype }).reshape(shape);
  };
  let x: Tensor;
  if (c.x === "transposed") x = make([c.K, c.M]).t();
  else if (c.x === "narrowed") x = make([c.M, c.K + 2]).narrow(1, 1, c.K);
  else x = make([c.M, c.K]);
  const w = make([c.N, c.K]);
  const b = c.bias ? make(c.bias) : null;
  const g = make([c.M, c.N]);
  if (grads[0]) x = x.detach().requires_grad_(true);
  if (grads[1]) w.requires_grad_(true);
  if (grads[2] && b) b.requires_grad_(true);
  return { x, w, b, g };
}

const names = (y: Tensor) => ({
  node: y.grad_fn?.name() ?? null,
  next: y.grad_fn?.next_functions.map((e) => e?.[0].name() ?? null) ?? null,
});

describe("torch.addmm and F.linear through the fused kernel match the general path", () => {
  let previous = "";
  let fused: Backend & { calls: number };
  let general: Backend & { calls: number };
  beforeAll(() => {
    previous = torch.backends.get_backend();
    const base = defaultBackend();
    fused = variant(base, `${base.name}-fused-counting`, true);
    general = variant(base, `${base.name}-general`, false);
    registerBackend(fused);
    registerBackend(general);
  });
  afterAll(() => setDefaultBackend(previous));

  /** Runs `f` on both variants; the fused one must have called the kernel (unless told it will not). */
  function both<T>(f: () => T, reachesKernel = true): [T, T] {
    setDefaultBackend(fused.name);
    const before = fused.calls;
    const a = f();
    if (reachesKernel) expect(fused.calls).toBeGreaterThan(before);
    setDefaultBackend(general.name);
    const b = f();
    return [a, b];
  }

  it("forward values, bit for bit, in every layout and bias shape", () => {
    cases().forEach((c, i) => {
      const [got, want] = both(() => {
        const { x, w, b } = operands(c, i, [false, false, false]);
        return [
          b ? torch.addmm(b, x, w.t()) : null,
          torch.nn.functional.linear(x, w, c.bias?.length === 1 ? b : null),
        ].filter((t): t is Tensor => t !== null).map((t) => ({ bits: bitsOf(t), shape: [...t.shape] }));
      }, c.bias !== null);
      expect(got, c.what).toEqual(want);
    });
  });

  it("gradients of every requires_grad mix, and the grad_fn names, bit for bit", () => {
    const mixes: [boolean, boolean, boolean][] = [
      [true, true, true], [true, false, false], [false, true, false], [false, false, true], [false, true, true], [true, true, false],
    ];
    cases().filter((c) => c.bias !== null).forEach((c, i) => {
      for (const mix of mixes) {
        const [got, want] = both(() => {
          const { x, w, b, g } = operands(c, 100 + i, mix);
          const y = torch.addmm(b!, x, w.t());
          const out = { y: bitsOf(y), names: names(y), grads: [] as (number[] | null)[] };
          if (y.requires_grad) {
            y.backward(g);
            const leaf = (t: Tensor) => (t.is_leaf ? t : null);
            out.grads = [leaf(x)?.grad, w.grad, b!.grad].map((t) => (t ? bitsOf(t) : null));
          }
          return out;
        });
        expect(got, `${c.what} grads ${mix}`).toEqual(want);
      }
    });
  });

  it("F.linear's node is AddmmBackward0 over TBackward0, and double backward matches", () => {
    const c: Case = { what: "4x2·2x3", M: 4, N: 3, K: 2, x: "contiguous", bias: [3], dtype: torch.float32 };
    const [got, want] = both(() => {
      const { x, w, b, g } = operands(c, 7, [true, true, true]);
      const y = torch.nn.functional.linear(x, w, b);
      const [gx, gw] = torch.autograd.grad([y], [x, w], [g], { create_graph: true });
      gx!.mul(gx!).sum().add(gw!.mul(gw!).sum()).backward();
      return { names: names(y), gx: bitsOf(gx!), gw: bitsOf(gw!), xx: bitsOf(x.grad!), ww: bitsOf(w.grad!) };
    });
    expect(got.names).toEqual({ node: "AddmmBackward0", next: ["torch::autograd::AccumulateGrad", "torch::autograd::AccumulateGrad", "TBackward0"] });
    expect(got).toEqual(want);
  });

  it("nn.Linear on a batch of 4 and of 64, forward and backward", () => {
    for (const batch of [4, 64]) {
      const [got, want] = both(() => {
        torch.manual_seed(3);
        const lin = new torch.nn.Linear(2, 3);
        const x = torch.randn([batch, 2]);
        const y = lin.forward(x);
        y.backward(torch.ones([batch, 3]));
        return [y, lin.weight.grad!, lin.bias!.grad!].map(bitsOf);
      });
      expect(got, `batch ${batch}`).toEqual(want);
    }
  });

  it("keeps addmm's errors for bad shapes and dtypes", () => {
    const [got, want] = both(() => {
      const errors: string[] = [];
      const attempt = (f: () => unknown) => {
        try {
          f();
          errors.push("no error");
        } catch (e) {
          errors.push(`${(e as Error).constructor.name}: ${(e as Error).message}`);
        }
      };
      // (At least one call must reach the kernel.)
      torch.addmm(torch.zeros([3]), torch.zeros([4, 2]), torch.zeros([2, 3]));
      attempt(() => torch.addmm(torch.zeros([5]), torch.zeros([4, 2]), torch.zeros([2, 3])));
      attempt(() => torch.addmm(torch.zeros([2, 3]), torch.zeros([4, 2]), torch.zeros([2, 3])));
      attempt(() => torch.addmm(torch.zeros([3]), torch.zeros([4, 2]), torch.zeros([3, 3])));
      attempt(() => torch.addmm(torch.zeros([3], { dtype: torch.float64 }), torch.zeros([4, 2]), torch.zeros([2, 3])));
      attempt(() => torch.nn.functional.linear(torch.zeros([4, 2]), torch.zeros([3, 5]), torch.zeros([3])));
      return errors;
    });
    expect(got).toEqual(want);
    for (const e of got) expect(e).toMatch(/^RuntimeError: /);
    expect(got[0]).toMatch(/^RuntimeError: The size of tensor a \(5\) must match the size of tensor b \(3\)/);
    expect(got[2]).toBe("RuntimeError: mat1 and mat2 shapes cannot be multiplied (4x2 and 3x3)");
  });
});
