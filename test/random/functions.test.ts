/**
 * The public random API (src/random/functions.ts, exported on `torch`): factories, in-place
 * Tensor methods, options, layouts and errors, and the golden PyTorch 1.13 streams replayed
 * through tensors (float32 and integer values bit for bit; float64 normals within 1 ulp, see
 * golden.test.ts). Uses the "1.13" compat for the goldens, as they come from PyTorch 1.13.
 */

import { describe, expect, it } from "vitest";
import torch, { Tensor } from "../../src/index.js";
import { normalFill, randintFill, uniformFill } from "../../src/random/distributions.js";
import { Generator as RawGenerator } from "../../src/random/generator.js";
import { fma64Exact } from "../../src/random/fma.js";
import type { DType } from "../../src/tensor/dtype.js";
import { bitDistance64 } from "../harness/golden.js";
import { TOLERANCE } from "../harness/tolerance.js";
import { hexOfF32, hexOfF64, loadGolden, type GoldenStep } from "./golden.js";
import { encode, isLibmDependent, replayAs113, runStep } from "./replay.js";

const DTYPES: Record<string, DType | undefined> = {
  float32: torch.float32,
  float64: torch.float64,
  int64: torch.int64,
  int32: torch.int32,
  bool: torch.bool,
};

/** A tensor's values in row-major order, in the fixtures' encoding. */
function valuesOf(t: Tensor, dtype: string): string[] {
  return encode(t._values() as Float32Array, dtype);
}

/** One golden step through the public API; dtypes the core lacks go through the typed layer. */
function runStepPublic(step: GoldenStep, gen: torch.Generator): string[] {
  const dtypeName = step.dtype ?? "float32";
  const dtype = DTYPES[dtypeName];
  const opts = { dtype, generator: gen };
  const size = step.size ?? [];
  if (!dtype && step.op !== "randperm" && step.op !== "initial_seed" && step.op !== "get_state") {
    return runStep(step, gen); // int16, int8, uint8: same generator, same stream
  }
  switch (step.op) {
    case "rand":
      return valuesOf(torch.rand(size, opts), dtypeName);
    case "randn":
      return valuesOf(torch.randn(...size, opts), dtypeName);
    case "uniform_":
      return valuesOf(torch.empty(size, { dtype }).uniform_(step.from as number, step.to as number, opts), dtypeName);
    case "normal_":
      return valuesOf(torch.empty(size, { dtype }).normal_(step.mean as number, step.std as number, opts), dtypeName);
    case "randint":
      return valuesOf(torch.randint(BigInt(step.low as string), BigInt(step.high as string), size, opts), dtypeName);
    case "randperm":
      return valuesOf(torch.randperm(step.n as number, { generator: gen }), "int64");
    case "random_": {
      const t = torch.empty(size, { dtype });
      const a = (step.args as (string | null)[]).map((v) => (v === null ? null : BigInt(v)));
      if (a.length === 0) t.random_({ generator: gen });
      else if (a.length === 1) t.random_(a[0]!, { generator: gen });
      else t.random_(a[0]!, a[1]!, { generator: gen });
      return valuesOf(t, dtypeName);
    }
    case "transposed": {
      const n = step.n as number;
      const base = torch.empty(n, n, { dtype });
      const view = base.t();
      expect(view.is_contiguous()).toBe(false);
      if (step.kind === "normal") view.normal_((step.mean as number) ?? 0, (step.std as number) ?? 1, { generator: gen });
      else view.uniform_((step.from as number) ?? 0, (step.to as number) ?? 1, { generator: gen });
      return valuesOf(base, dtypeName);
    }
    case "sliced_normal": {
      const view = torch.empty(step.rows as number, step.cols as number, { dtype }).narrow(1, 0, step.keep as number);
      return valuesOf(view.normal_(0, 1, { generator: gen }), dtypeName);
    }
    default:
      return runStep(step, gen);
  }
}

replayAs113();

describe("golden PyTorch streams through the public API", () => {
  for (const file of ["float32.json", "float64.json", "integer.json", "generator.json"]) {
    const golden = loadGolden(file);
    it(`${file}: ${golden.cases.length} cases`, () => {
      for (const c of golden.cases) {
        // The default generator is torch.manual_seed's; "g" a torch.Generator of its own.
        const gens: Record<string, torch.Generator> = { default: torch.manual_seed(BigInt(c.seed)) };
        if (c.g_seed !== null) gens.g = new torch.Generator().manual_seed(BigInt(c.g_seed));
        for (const [k, step] of c.steps.entries()) {
          const got = runStepPublic(step, gens[step.gen]!);
          const where = `${c.name} step ${k} (${step.op})`;
          if (isLibmDependent(step)) {
            expect(got.length, where).toBe(step.values.length);
            got.forEach((v, i) => expect(bitDistance64(v, step.values[i]!), where).toBeLessThanOrEqual(TOLERANCE.float64.libmUlps));
          } else {
            expect(got, where).toEqual(step.values);
          }
        }
      }
    });
  }
});

describe("factories", () => {
  it("rand / randn take sizes variadic or as one array, and PyTorch's options", () => {
    torch.manual_seed(0);
    const a = torch.rand(2, 3);
    torch.manual_seed(0);
    const b = torch.rand([2, 3]);
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe(torch.float32);
    expect(a.equal(b)).toBe(true);
    expect(hexOfF32(a._values()[0] as number)).toBe("3efe1558"); // 0.49625659, PyTorch's first rand
    const g = new torch.Generator().manual_seed(0);
    expect(torch.rand([2, 3], { generator: g }).equal(a)).toBe(true);
    const r = torch.randn(4, { dtype: torch.float64, requires_grad: true });
    expect(r.dtype).toBe(torch.float64);
    expect(r.requires_grad).toBe(true);
    expect(r.is_leaf).toBe(true);
    expect(torch.rand([]).shape).toEqual([]);
    expect(torch.rand(0, 3).numel()).toBe(0);
  });

  it("follow the default dtype", () => {
    torch.set_default_dtype(torch.float64);
    try {
      expect(torch.rand(2).dtype).toBe(torch.float64);
      expect(torch.randn(2).dtype).toBe(torch.float64);
      expect(torch.normal(0, 1, [2]).dtype).toBe(torch.float64);
    } finally {
      torch.set_default_dtype(torch.float32);
    }
  });

  it("randint: randint(high, size) and randint(low, high, size), int64 by default", () => {
    torch.manual_seed(3);
    const a = torch.randint(10, [5]);
    torch.manual_seed(3);
    const b = torch.randint(0, 10, [5]);
    expect(a.dtype).toBe(torch.int64);
    expect(a.equal(b)).toBe(true);
    const expected = new BigInt64Array(5);
    randintFill(expected, 0n, 10n, new RawGenerator().manual_seed(3));
    expect(Array.from(a._values() as BigInt64Array)).toEqual(Array.from(expected));
    expect(torch.randint(-5, 5, [2, 2], { dtype: torch.int32 }).dtype).toBe(torch.int32);
    expect(torch.randint(0, 2, [4], { dtype: torch.bool }).dtype).toBe(torch.bool);
    expect(() => torch.randint(5, 3, [0])).toThrow("random_ expects 'from' to be less than 'to', but got from=5 >= to=3");
    expect(() => torch.randint(0, 10, [3], { dtype: torch.bool })).toThrow("to - 1 is out of bounds for bool");
  });

  it("randperm: int64 by default, other dtypes on request", () => {
    const p = torch.randperm(10, { generator: new torch.Generator().manual_seed(0) });
    expect(p.dtype).toBe(torch.int64);
    expect((p.tolist() as number[]).slice().sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const f = torch.randperm(10, { dtype: torch.float32, generator: new torch.Generator().manual_seed(0) });
    expect(f.tolist()).toEqual(p.tolist());
    expect(torch.randperm(0).shape).toEqual([0]);
    expect(() => torch.randperm(-1)).toThrow("Trying to create tensor with negative dimension -1: [-1]");
    expect(() => torch.randperm(3, { dtype: torch.bool })).toThrow(`"randperm" not implemented for 'Bool'`);
  });

  it("refuse non-floating dtypes where PyTorch does, with its messages", () => {
    expect(() => torch.rand(3, { dtype: torch.int64 })).toThrow(`"check_uniform_bounds" not implemented for 'Long'`);
    expect(() => torch.randn(3, { dtype: torch.int64 })).toThrow(`"normal_kernel_cpu" not implemented for 'Long'`);
    expect(() => torch.empty([3], { dtype: torch.bool }).normal_()).toThrow(`not implemented for 'Bool'`);
    expect(() => torch.rand(2, { generator: 5 as unknown as torch.Generator })).toThrow(TypeError);
    expect(() => torch.rand(2, { device: "cuda" })).toThrow();
  });
});

describe("in-place methods", () => {
  it("uniform_, normal_ and random_ return the tensor and follow from/to, mean/std", () => {
    const t = torch.empty(100);
    expect(t.uniform_(-2, 3, { generator: new torch.Generator().manual_seed(1) })).toBe(t);
    const v = t._values() as Float32Array;
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...v)).toBeLessThan(3);
    const expected = new Float32Array(100);
    uniformFill(expected, -2, 3, new RawGenerator().manual_seed(1));
    expect(Array.from(v)).toEqual(Array.from(expected));
    const n = torch.empty(20, { dtype: torch.float64 }).normal_(1.5, 0.5, { generator: new torch.Generator().manual_seed(2) });
    const en = new Float64Array(20);
    normalFill(en, 1.5, 0.5, new RawGenerator().manual_seed(2));
    expect(Array.from(n._values() as Float64Array)).toEqual(Array.from(en));
    const r = torch.empty([1000], { dtype: torch.int64 }).random_(3, 7);
    const vals = new Set((r.tolist() as number[]));
    expect([...vals].sort()).toEqual([3, 4, 5, 6]);
    expect(torch.empty([50], { dtype: torch.int32 }).random_(4).max().item()).toBeLessThan(4);
    expect(torch.empty([50], { dtype: torch.int64 }).random_().min().item()).toBeGreaterThanOrEqual(0);
  });

  it("defaults: uniform_() is [0, 1), normal_() is N(0, 1), the global generator", () => {
    torch.manual_seed(5);
    const a = torch.empty(3).uniform_();
    torch.manual_seed(5);
    expect(a.equal(torch.rand(3))).toBe(true);
    torch.manual_seed(5);
    const b = torch.empty(17).normal_();
    torch.manual_seed(5);
    expect(b.equal(torch.randn(17))).toBe(true);
  });

  it("a non-contiguous tensor is filled in memory order; 16+ elements take the scalar path", () => {
    const g1 = new torch.Generator().manual_seed(0);
    const base = torch.empty(3, 4);
    base.t().uniform_(0, 1, { generator: g1 });
    const g2 = new torch.Generator().manual_seed(0);
    expect(base.equal(torch.rand(3, 4, { generator: g2 }))).toBe(true);
    // normal_ on a 4x4 transposed view: path S over 16 values, not the float32 block path.
    const x = torch.empty(4, 4);
    x.t().normal_(0, 1, { generator: new torch.Generator().manual_seed(0) });
    const s = new Float32Array(16);
    normalFill(s, 0, 1, new RawGenerator().manual_seed(0), false);
    expect(Array.from(x._values() as Float32Array)).toEqual(Array.from(s));
    const c = new Float32Array(16);
    normalFill(c, 0, 1, new RawGenerator().manual_seed(0), true);
    expect(Array.from(c)).not.toEqual(Array.from(s));
    // A strided slice writes only its own elements.
    const y = torch.zeros(2, 6);
    y.narrow(1, 1, 3).uniform_(5, 6);
    const rows = y.tolist() as number[][];
    expect(rows[0]![0]).toBe(0);
    expect(rows[1]![5]).toBe(0);
    expect(rows[1]![2]).toBeGreaterThanOrEqual(5);
  });

  it("refuses tensors whose elements share memory, and leaves that require grad", () => {
    const msg = "unsupported operation: more than one element of the written-to tensor refers to a single memory location.";
    expect(() => torch.empty(1).expand(20).normal_()).toThrow(msg);
    expect(() => torch.empty(3).expand(2, 3).uniform_()).toThrow(msg);
    expect(() => torch.empty([1], { dtype: torch.int64 }).expand(4).random_()).toThrow(msg);
    const w = torch.zeros(3, { requires_grad: true });
    expect(() => w.uniform_()).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
    torch.no_grad(() => w.uniform_());
    expect(w.requires_grad).toBe(true);
  });

  it("in-place writes bump the version counter", () => {
    const t = torch.empty(3);
    const v = t._version;
    t.normal_();
    expect(t._version).toBe(v + 1);
  });

  it("checks bounds and std", () => {
    expect(() => torch.empty(3).uniform_(2, 1)).toThrow("uniform_ expects to return a [from, to) range, but found from=2 > to=1");
    expect(() => torch.empty(3).normal_(0, -1)).toThrow("normal expects std >= 0.0, but found std -1");
    expect(() => torch.empty([3], { dtype: torch.int32 }).random_(0, 2 ** 40)).toThrow("to - 1 is out of bounds for int");
  });
});

describe("normal, and the *_like functions", () => {
  it("normal(float, float, size)", () => {
    const g = new torch.Generator().manual_seed(4);
    const t = torch.normal(2, 3, [5], { generator: g });
    const e = new Float32Array(5);
    normalFill(e, 2, 3, new RawGenerator().manual_seed(4));
    expect(Array.from(t._values() as Float32Array)).toEqual(Array.from(e));
  });

  it("normal(Tensor, float) = N(0, std) then + mean, as PyTorch computes it", () => {
    const mean = torch.tensor([0, 10, 20], { dtype: torch.float64 });
    const t = torch.normal(mean, 2, { generator: new torch.Generator().manual_seed(4) });
    const z = new Float64Array(3);
    normalFill(z, 0, 2, new RawGenerator().manual_seed(4));
    expect(Array.from(t._values() as Float64Array)).toEqual([z[0]! + 0, z[1]! + 10, z[2]! + 20]);
  });

  it("normal(float, Tensor) and normal(Tensor, Tensor): N(0, 1) · std + mean, broadcast", () => {
    const std = torch.tensor([1, 2], { dtype: torch.float64 });
    const t = torch.normal(0.5, std, { generator: new torch.Generator().manual_seed(6) });
    const z = new Float64Array(2);
    normalFill(z, 0, 1, new RawGenerator().manual_seed(6));
    expect(Array.from(t._values() as Float64Array)).toEqual([z[0]! * 1 + 0.5, z[1]! * 2 + 0.5]);
    const m = torch.zeros(2, 3, { dtype: torch.float64 });
    const s = torch.ones(3, { dtype: torch.float64 });
    expect(torch.normal(m, s).shape).toEqual([2, 3]);
    expect(() => torch.normal(torch.zeros(3), torch.tensor([1, -1, 1], { dtype: torch.float32 }))).toThrow(
      "normal expects all elements of std >= 0.0",
    );
    void fma64Exact;
  });

  it("normal with tensor arguments has a zero gradient, as in PyTorch", () => {
    const m = torch.zeros(3, { requires_grad: true });
    const s = torch.ones(3, { requires_grad: true });
    const a = torch.normal(m, 1);
    const b = torch.normal(0, s);
    const c = torch.normal(m, s);
    expect(a.grad_fn?.name()).toBe("NormalBackward1");
    expect(b.grad_fn?.name()).toBe("NormalBackward2");
    expect(c.grad_fn?.name()).toBe("NormalBackward3");
    a.sum().add(b.sum()).add(c.sum()).backward();
    expect(m.grad!.tolist()).toEqual([0, 0, 0]);
    expect(s.grad!.tolist()).toEqual([0, 0, 0]);
  });

  it("rand_like / randn_like / randint_like keep shape, dtype and a dense layout", () => {
    const x = torch.zeros(2, 3, { dtype: torch.float64 }).t(); // strides [1, 3]
    const r = torch.rand_like(x, { generator: new torch.Generator().manual_seed(0) });
    expect(r.shape).toEqual([3, 2]);
    expect(r.dtype).toBe(torch.float64);
    expect(r.stride()).toEqual([1, 3]); // as PyTorch: empty_like preserves a dense layout
    // Filled in memory order: r's storage holds rand(6) front to back.
    const flat = torch.rand(6, { dtype: torch.float64, generator: new torch.Generator().manual_seed(0) });
    expect(r.t().contiguous().flatten().equal(flat)).toBe(true);
    expect(torch.randn_like(torch.zeros(4)).shape).toEqual([4]);
    const i = torch.randint_like(torch.zeros(4), 3, 5);
    expect(i.dtype).toBe(torch.float32);
    expect((i.tolist() as number[]).every((v) => v === 3 || v === 4)).toBe(true);
    expect(torch.randint_like(torch.zeros([4], { dtype: torch.int64 }), 2).dtype).toBe(torch.int64);
    expect(() => torch.rand_like(torch.zeros([2], { dtype: torch.int64 }))).toThrow(
      `"check_uniform_bounds" not implemented for 'Long'`,
    );
  });
});

describe("generator functions on torch", () => {
  it("manual_seed returns the default generator; seed / initial_seed / rng state", () => {
    const g = torch.manual_seed(42);
    expect(g).toBe(torch.default_generator);
    expect(torch.initial_seed()).toBe(42);
    const state = torch.get_rng_state();
    const a = torch.rand(3);
    torch.set_rng_state(state);
    expect(torch.rand(3).equal(a)).toBe(true);
    const s = torch.seed();
    expect(torch.initial_seed()).toBe(s);
    expect(hexOfF64(torch.rand(1, { dtype: torch.float64, generator: new torch.Generator() })._values()[0] as number)).toMatch(/^3f/);
  });
});
