// The matrix-product ops (mm, addmm, bmm, matmul's rank cases, and their gradients) on each
// backend, against float64 loops over the same values. Products here are above the wasm
// backend's MIN_WORK, so on "wasm" they run in the kernel, in the layouts nn.Linear produces.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { rng, relativeTolerance } from "./wasm_testing.js";

const backendsUnderTest = ["js", ...(torch.backends.wasm.is_available() ? ["wasm"] : [])];

function randomTensor(random: () => number, shape: number[], options: { requires_grad?: boolean; dtype?: typeof torch.float32 } = {}): Tensor {
  const numel = shape.reduce((p, s) => p * s, 1);
  const values = new Float32Array(numel).map(() => random() * 2 - 1);
  const t = torch.tensor(values).reshape(shape);
  const typed = options.dtype ? t.to(options.dtype) : t;
  return options.requires_grad ? typed.requires_grad_(true) : typed;
}

type Matrix = number[][];
const matrix = (t: Tensor): Matrix => t.tolist() as Matrix;
const transpose = (m: Matrix): Matrix => m[0]!.map((_, j) => m.map((row) => row[j]!));

/** a·b in float64, with Σ|a||b| beside it for the error bound. */
function reference(a: Matrix, b: Matrix): { value: Matrix; scale: Matrix } {
  const value = a.map(() => new Array<number>(b[0]!.length).fill(0));
  const scale = a.map(() => new Array<number>(b[0]!.length).fill(0));
  for (let i = 0; i < a.length; i++) {
    for (let k = 0; k < b.length; k++) {
      for (let j = 0; j < b[0]!.length; j++) {
        value[i]![j]! += a[i]![k]! * b[k]![j]!;
        scale[i]![j]! += Math.abs(a[i]![k]! * b[k]![j]!);
      }
    }
  }
  return { value, scale };
}

function expectClose(got: Matrix, want: { value: Matrix; scale: Matrix }, K: number, tolerance = relativeTolerance(K)): void {
  expect([got.length, got[0]!.length]).toEqual([want.value.length, want.value[0]!.length]);
  for (let i = 0; i < got.length; i++) {
    for (let j = 0; j < got[0]!.length; j++) {
      const err = Math.abs(got[i]![j]! - want.value[i]![j]!);
      if (!(err <= tolerance * want.scale[i]![j]! + 1e-30)) {
        expect.fail(`[${i}, ${j}]: got ${got[i]![j]}, want ${want.value[i]![j]}`);
      }
    }
  }
}

describe.each(backendsUnderTest)("matrix products on the %s backend", (name) => {
  let previous = "";
  beforeAll(() => {
    previous = torch.backends.get_backend();
    torch.backends.set_backend(name);
  });
  afterAll(() => torch.backends.set_backend(previous));

  it("mm: NN and x·Wᵀ, on this backend's storage", () => {
    const random = rng(21);
    const x = randomTensor(random, [70, 90]);
    const y = randomTensor(random, [90, 50]);
    const w = randomTensor(random, [50, 90]);
    const out = torch.mm(x, y);
    expect(out._storage.backend.name).toBe(name);
    expectClose(matrix(out), reference(matrix(x), matrix(y)), 90);
    expectClose(matrix(x.mm(w.t())), reference(matrix(x), transpose(matrix(w))), 90);
    expectClose(matrix(x.t().mm(x)), reference(transpose(matrix(x)), matrix(x)), 70);
  });

  it("addmm as nn.Linear: forward, and the gradients of input, weight and bias", () => {
    const random = rng(22);
    const x = randomTensor(random, [64, 40], { requires_grad: true });
    const w = randomTensor(random, [30, 40], { requires_grad: true });
    const bias = randomTensor(random, [30], { requires_grad: true });
    const g = randomTensor(random, [64, 30]);
    const y = torch.addmm(bias, x, w.t());
    expect(y.grad_fn?.name()).toBe("AddmmBackward0");
    const product = reference(matrix(x.detach()), transpose(matrix(w.detach())));
    const b = bias.tolist() as number[];
    expectClose(matrix(y.detach().sub(bias.detach())), product, 40, relativeTolerance(40) * 2);
    y.mul(g).sum().backward();
    expectClose(matrix(x.grad!), reference(matrix(g), matrix(w.detach())), 30);
    expectClose(matrix(w.grad!), reference(transpose(matrix(g)), matrix(x.detach())), 64);
    const gm = matrix(g);
    const biasGrad = b.map((_, j) => gm.reduce((s, row) => s + row[j]!, 0));
    (bias.grad!.tolist() as number[]).forEach((v, j) => expect(v).toBeCloseTo(biasGrad[j]!, 4));
  });

  it("nn.Linear after its weight changes in place (an optimizer step, a write through a view) uses the new weight", () => {
    // On wasm the weight stays staged between products; every write must reach the next one.
    const random = rng(23);
    const layer = new torch.nn.Linear(300, 200);
    const x = randomTensor(random, [16, 300]);
    const check = (): void => {
      const y = torch.no_grad(() => layer.forward(x).sub(layer.bias!));
      expectClose(matrix(y), reference(matrix(x), transpose(matrix(layer.weight.detach()))), 300, relativeTolerance(300) * 2);
    };
    check();
    const optimizer = new torch.optim.SGD(layer.parameters(), { lr: 0.5 });
    layer.forward(x).pow(2).sum().backward();
    optimizer.step();
    check();
    torch.no_grad(() => layer.weight.narrow(0, 3, 2).fill_(0.25));
    check();
    torch.no_grad(() => layer.weight.t().narrow(0, 7, 1).mul_(-2));
    check();
    torch.no_grad(() => layer.load_state_dict({ weight: randomTensor(random, [200, 300]), bias: layer.bias!.detach().clone() }));
    check();
  });

  it("bmm and batched matmul with broadcast batch dims", () => {
    const random = rng(23);
    const a = randomTensor(random, [5, 20, 30]);
    const b = randomTensor(random, [5, 30, 25]);
    const out = a.bmm(b);
    for (let i = 0; i < 5; i++) expectClose(matrix(out.select(0, i)), reference(matrix(a.select(0, i)), matrix(b.select(0, i))), 30);
    const p = randomTensor(random, [3, 1, 20, 30]);
    const q = randomTensor(random, [4, 30, 25]);
    const pq = torch.matmul(p, q);
    expect([...pq.shape]).toEqual([3, 4, 20, 25]);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 4; j++) {
        expectClose(matrix(pq.select(0, i).select(0, j)), reference(matrix(p.select(0, i).select(0, 0)), matrix(q.select(0, j))), 30);
      }
    }
  });

  it("matmul N-D · 2-D (folded rows), and its gradient through a transposed weight", () => {
    const random = rng(24);
    const x = randomTensor(random, [4, 16, 40], { requires_grad: true });
    const w = randomTensor(random, [24, 40], { requires_grad: true });
    const y = x.matmul(w.t());
    expect([...y.shape]).toEqual([4, 16, 24]);
    const wt = transpose(matrix(w.detach()));
    for (let i = 0; i < 4; i++) expectClose(matrix(y.select(0, i)), reference(matrix(x.detach().select(0, i)), wt), 40);
    y.sum().backward();
    const ones = Array.from({ length: 64 }, () => new Array<number>(24).fill(1));
    const xs = matrix(x.detach().reshape(64, 40));
    expectClose(matrix(w.grad!), reference(transpose(ones), xs), 64);
  });

  it("mv, dot and vector · matrix", () => {
    const random = rng(25);
    const a = randomTensor(random, [300, 400]);
    const v = randomTensor(random, [400]);
    const mv = a.mv(v).tolist() as number[];
    const want = reference(matrix(a), (v.tolist() as number[]).map((x) => [x]));
    expectClose(mv.map((x) => [x]), want, 400);
    const u = randomTensor(random, [300]);
    expectClose([u.matmul(a).tolist() as number[]], reference([u.tolist() as number[]], matrix(a)), 300);
    const dot = u.dot(randomTensor(rng(26), [300])).item() as number;
    const other = randomTensor(rng(26), [300]).tolist() as number[];
    expectClose([[dot]], reference([u.tolist() as number[]], other.map((x) => [x])), 300);
  });

  it("float64 products keep float64 accuracy", () => {
    const random = rng(27);
    const a = randomTensor(random, [40, 50], { dtype: torch.float64 });
    const b = randomTensor(random, [50, 30], { dtype: torch.float64 });
    const out = a.mm(b);
    expect(out.dtype).toBe(torch.float64);
    expectClose(matrix(out), reference(matrix(a), matrix(b)), 50, 1e-14);
  });
});

describe("torch.backends", () => {
  it("defaults to native, then wasm, where they load, unless TORCH_TS_BACKEND says otherwise", () => {
    const fromEnv = process.env.TORCH_TS_BACKEND;
    const loaded = torch.backends.native.is_available() ? "native" : torch.backends.wasm.is_available() ? "wasm" : "js";
    expect(torch.backends.get_backend()).toBe(fromEnv ?? loaded);
    expect(torch.backends.list_backends()).toContain("js");
  });

  it("reports the wasm kernel build in use", async () => {
    await torch.backends.wasm.ready();
    expect(torch.backends.wasm.is_available()).toBe(true);
    // Node 20 gets relaxed SIMD through the V8 flag the loader sets; Node 22+ has it by default.
    expect(torch.backends.wasm.kernel()).toBe(process.env.TORCH_TS_WASM_RELAXED_SIMD === "0" ? "simd" : "relaxed_simd");
  });

  it("switches backends at run time, and refuses an unknown one", () => {
    const previous = torch.backends.get_backend();
    try {
      torch.backends.set_backend("js");
      expect(torch.ones(2, 2)._storage.backend.name).toBe("js");
      expect(() => torch.backends.set_backend("cuda")).toThrow('unknown backend "cuda"; registered: js, wasm');
    } finally {
      torch.backends.set_backend(previous);
    }
  });
});
