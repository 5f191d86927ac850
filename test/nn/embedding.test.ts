import { describe, expect, test } from "vitest";

import torch, { nn, F } from "../../src/index.js";
import type { EmbeddingFunctionalOptions } from "../../src/nn/sparse.js";
import {
  decode, expectClose, expectExact, expectProbe, expectPyError, f64, golden, type Enc, type Numbers, type PyError,
} from "./layers_golden.js";

const fx = golden<{
  inits: {
    seed: number; num: number; dim: number; padding_idx: number | null; dtype: "float32" | "float64";
    stored_padding_idx: number | null; weight: Enc; probe: number[];
  }[];
  forwards: {
    name: string; options: EmbeddingFunctionalOptions; indices: Enc; weight: Enc; y: Numbers; g: Enc;
    grad_weight: Numbers; grad_fn: string; weight_after: Enc;
  }[];
  pretrained: { y: Numbers; requires_grad: boolean; repr: string; unfrozen_requires_grad: boolean };
  errors: Record<string, PyError>;
  reprs: Record<string, string>;
  state_dict: string[];
}>("embedding");

describe("nn.Embedding init is PyTorch's N(0, 1) draws, bit for bit", () => {
  for (const c of fx.inits) {
    test(`seed ${c.seed}: Embedding(${c.num}, ${c.dim}, padding_idx=${c.padding_idx}) ${c.dtype}`, () => {
      torch.manual_seed(c.seed);
      const m = new nn.Embedding(c.num, c.dim, { padding_idx: c.padding_idx, dtype: torch[c.dtype] });
      expect(m.padding_idx).toBe(c.stored_padding_idx);
      expectExact(m.weight, c.weight);
      expectProbe(c.probe);
    });
  }
});

describe("F.embedding matches PyTorch (output, weight gradient, node)", () => {
  for (const c of fx.forwards) {
    test(c.name, () => {
      const w = decode(c.weight).requires_grad_(true);
      const y = F.embedding(decode(c.indices), w, c.options);
      expectClose(y, c.y, "y");
      expect(y.grad_fn!.name()).toBe(c.grad_fn);
      const [gw] = torch.autograd.grad(y, w, decode(c.g));
      expectClose(gw!, c.grad_weight, "grad_weight");
      // max_norm renormalises the looked-up rows of the weight in place.
      expectClose(w.detach(), { shape: c.weight_after.shape, values: Array.from(decode(c.weight_after)._values() as Float32Array) });
    });
  }

  test("the module forwards its options", () => {
    const c = fx.forwards.find((k) => k.name === "freq_padding")!;
    const m = new nn.Embedding(7, 3, { _weight: decode(c.weight), padding_idx: 4, scale_grad_by_freq: true });
    const y = m(decode(c.indices));
    expectClose(y, c.y);
    y.backward(decode(c.g));
    expectClose(m.weight.grad, c.grad_weight);
  });

  test("from_pretrained", () => {
    const e = nn.Embedding.from_pretrained(torch.tensor([[1, 2.3, 3], [4, 5.1, 6.3]]));
    expectClose(e(torch.tensor([1])), fx.pretrained.y);
    expect(e.weight.requires_grad).toBe(fx.pretrained.requires_grad);
    expect(String(e)).toBe(fx.pretrained.repr);
    expect(nn.Embedding.from_pretrained(torch.ones(2, 2), { freeze: false }).weight.requires_grad).toBe(
      fx.pretrained.unfrozen_requires_grad,
    );
  });

  // padding_idx and scale_grad_by_freq change the gradient on purpose (it is no longer the
  // derivative), so only the plain lookup is checked by finite differences; those two are
  // checked against PyTorch's gradients above.
  test("gradcheck of the weight (float64)", () => {
    const w = f64(torch.randn(4, 3));
    expect(torch.autograd.gradcheck((a) => F.embedding(torch.tensor([[1, 2, 2], [0, 3, 1]]), a!), [w])).toBe(true);
    expect(torch.autograd.gradcheck((a) => F.embedding(torch.tensor([3, 3], { dtype: torch.int32 }), a!), [w])).toBe(true);
  });

  test("sparse gradients are refused", () => {
    expect(() => new nn.Embedding(3, 2, { sparse: true })).toThrow(/sparse/);
  });
});

describe("errors, reprs, state_dict", () => {
  const cases: Record<string, () => unknown> = {
    float_indices: () => F.embedding(torch.tensor([0.5, 1.5]), torch.randn(3, 2)),
    out_of_range: () => F.embedding(torch.tensor([3]), torch.randn(3, 2)),
    negative_index: () => F.embedding(torch.tensor([-1]), torch.randn(3, 2)),
    weight_1d: () => F.embedding(torch.tensor([0]), torch.randn(3)),
    padding_too_big: () => new nn.Embedding(3, 2, { padding_idx: 3 }),
    padding_too_negative: () => new nn.Embedding(3, 2, { padding_idx: -4 }),
    weight_shape: () => new nn.Embedding(3, 2, { _weight: torch.randn(2, 2) }),
    functional_padding: () => F.embedding(torch.tensor([0]), torch.randn(3, 2), { padding_idx: 5 }),
    pretrained_1d: () => nn.Embedding.from_pretrained(torch.ones(3)),
  };
  for (const [name, fn] of Object.entries(cases)) {
    test(name, () => expectPyError(fn, fx.errors[name]!));
  }

  test("reprs", () => {
    expect(String(new nn.Embedding(10, 3))).toBe(fx.reprs["Embedding(10, 3)"]);
    expect(String(new nn.Embedding(10, 3, { padding_idx: 0 }))).toBe(fx.reprs["Embedding(10, 3, padding_idx=0)"]);
    expect(String(new nn.Embedding(10, 3, { padding_idx: -1 }))).toBe(fx.reprs["Embedding(10, 3, padding_idx=-1)"]);
    expect(String(new nn.Embedding(10, 3, { max_norm: 1, scale_grad_by_freq: true }))).toBe(
      fx.reprs["Embedding(10, 3, max_norm=1, freq)"],
    );
    expect(String(new nn.Embedding(10, 3, { norm_type: 1 }))).toBe(fx.reprs["Embedding(10, 3, norm_type=1)"]);
  });

  test("state_dict", () => {
    expect(Object.keys(new nn.Embedding(3, 2).state_dict())).toEqual(fx.state_dict);
  });
});
