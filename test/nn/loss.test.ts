import { describe, expect, test } from "vitest";

import torch, { nn, F, Tensor } from "../../src/index.js";
import {
  captureWarnings, decode, expectClose, expectPyError, f64, golden, type Enc, type Numbers, type PyError,
} from "./layers_golden.js";
import { firstGrad } from "../harness/gradcheck.js";

type Fn = "cross_entropy" | "nll_loss" | "mse_loss" | "l1_loss" | "binary_cross_entropy_with_logits";
type Reduction = "mean" | "sum" | "none";

interface Case {
  name: string;
  call: { fn: Fn; options: { reduction?: Reduction; ignore_index?: number; label_smoothing?: number } };
  x: Enc;
  target: Enc;
  weight: Enc | null;
  pos_weight: Enc | null;
  target_grad: boolean;
  y: Numbers;
  g: Enc;
  grad_input: Numbers;
  grad_target: Numbers | null;
  grad_fn: string;
}

const fx = golden<{
  cases: Case[];
  special: Record<string, Numbers>;
  errors: Record<string, PyError>;
  warnings: string[];
  legacy: Record<string, string>;
  reprs: Record<string, string>;
  state_dicts: Record<string, string[]>;
  attrs: { CrossEntropyLoss: { ignore_index: number; label_smoothing: number; reduction: string } };
}>("losses");

interface Args {
  weight: Tensor | null;
  pos_weight: Tensor | null;
  options: Case["call"]["options"];
}

function callF(fn: Fn, x: Tensor, t: Tensor, a: Args): Tensor {
  const o = a.options;
  switch (fn) {
    case "cross_entropy": return F.cross_entropy(x, t, { ...o, weight: a.weight });
    case "nll_loss": return F.nll_loss(x, t, { ...o, weight: a.weight });
    case "mse_loss": return F.mse_loss(x, t, o);
    case "l1_loss": return F.l1_loss(x, t, o);
    case "binary_cross_entropy_with_logits":
      return F.binary_cross_entropy_with_logits(x, t, { ...o, weight: a.weight, pos_weight: a.pos_weight });
  }
}

/** The loss module for a case, configured through its constructor. */
function callModule(fn: Fn, x: Tensor, t: Tensor, a: Args): Tensor {
  const o = a.options;
  const m = {
    cross_entropy: () => new nn.CrossEntropyLoss({ ...o, weight: a.weight }),
    nll_loss: () => new nn.NLLLoss({ ...o, weight: a.weight }),
    mse_loss: () => new nn.MSELoss(o),
    l1_loss: () => new nn.L1Loss(o),
    binary_cross_entropy_with_logits: () => new nn.BCEWithLogitsLoss({ ...o, weight: a.weight, pos_weight: a.pos_weight }),
  }[fn]();
  return m(x, t);
}

describe("warnings (first: each is shown once)", () => {
  test("a target size different from the input size; the legacy size_average", () => {
    const seen = captureWarnings(() => {
      F.mse_loss(torch.randn(2, 3), torch.randn(3));
      new nn.MSELoss({ size_average: false });
    });
    expect(seen).toEqual(fx.warnings.map((m) => `UserWarning: ${m}`));
  });
});

describe("losses match PyTorch: value, gradients, node, for every option", () => {
  for (const c of fx.cases) {
    test(c.name, () => {
      const x = decode(c.x).requires_grad_(true);
      const t = c.target_grad ? decode(c.target).requires_grad_(true) : decode(c.target);
      const args: Args = {
        weight: c.weight ? decode(c.weight) : null,
        pos_weight: c.pos_weight ? decode(c.pos_weight) : null,
        options: c.call.options,
      };
      let y!: Tensor;
      captureWarnings(() => (y = callF(c.call.fn, x, t, args)));
      expectClose(y, c.y, "loss");
      expect(y.grad_fn!.name()).toBe(c.grad_fn);
      const inputs = c.target_grad ? [x, t] : [x];
      const grads = torch.autograd.grad(y, inputs, decode(c.g));
      expectClose(grads[0]!, c.grad_input, "grad_input");
      if (c.target_grad) expectClose(grads[1]!, c.grad_target, "grad_target");
      expectClose(callModule(c.call.fn, x, t, args), c.y, "module");
    });
  }

  test("no targets to count: NaN for 'mean', 0 for 'sum'", () => {
    const c = fx.cases.find((k) => k.name === "ce_mean")!;
    const x = decode(c.x);
    const ignored = torch.full([6], -100, { dtype: torch.int64 });
    expectClose(F.nll_loss(x, ignored), fx.special.nll_all_ignored_mean!);
    expectClose(F.cross_entropy(x, ignored), fx.special.ce_all_ignored_mean!);
    expectClose(F.cross_entropy(x, ignored, { label_smoothing: 0.1 }), fx.special.ce_all_ignored_ls!);
    const x4 = decode(fx.cases.find((k) => k.name === "ce_4d_mean_w")!.x);
    expectClose(F.nll_loss(x4, torch.full([2, 2, 3], -100, { dtype: torch.int64 })), fx.special.nll2d_all_ignored_mean!);
    const empty = torch.zeros([0], { dtype: torch.int64 });
    expectClose(F.nll_loss(torch.randn(0, 3), empty), fx.special.nll_empty_mean!);
    expectClose(F.nll_loss(torch.randn(0, 3), empty, { reduction: "sum" }), fx.special.nll_empty_sum!);
  });

  test("ignored elements are skipped whatever the input holds; weight 0 still multiplies", () => {
    const values = fx.special.nll_ignored_inf_x!.values.map(Number);
    const t = torch.tensor([-100, 1, 2]);
    // Dense input takes the fused kernel, a transposed copy the composite: both are PyTorch's.
    const dense = torch.tensor(values, { dtype: torch.float32 }).reshape(3, 3);
    const strided = dense.t().contiguous().t();
    for (const x of [dense, strided]) {
      expectClose(F.nll_loss(x, t, { reduction: "none" }), fx.special.nll_ignored_inf_none!);
      expectClose(F.nll_loss(x, t, { reduction: "sum" }), fx.special.nll_ignored_inf_sum!);
      const leaf = x.detach().requires_grad_(true);
      const loss = F.nll_loss(leaf, t);
      expectClose(loss, fx.special.nll_ignored_inf_mean!);
      loss.backward();
      expectClose(leaf.grad, fx.special.nll_ignored_inf_grad!);
      const weight = torch.tensor([0, 1, 2], { dtype: torch.float32 });
      const counted = torch.tensor([0, 1, 2]);
      expectClose(F.nll_loss(x, counted, { weight, reduction: "none" }), fx.special.nll_zero_weight_inf_none!);
      expectClose(F.nll_loss(x, counted, { weight, reduction: "sum" }), fx.special.nll_zero_weight_inf_sum!);
    }
  });
});

describe("errors as PyTorch words them", () => {
  const xe = torch.randn(2, 3);
  const te = torch.tensor([0, 2]);
  const long = (shape: number[]) => torch.zeros(shape, { dtype: torch.int64 });
  const cases: Record<string, () => unknown> = {
    target_out_of_bounds: () => F.cross_entropy(xe, torch.tensor([0, 5])),
    target_negative: () => F.cross_entropy(xe, torch.tensor([0, -1])),
    target_float: () => F.cross_entropy(xe, torch.tensor([0.5, 1.5])),
    target_int32: () => F.cross_entropy(xe, torch.tensor([0, 1], { dtype: torch.int32 })),
    prob_target_long: () => F.cross_entropy(xe, long([2, 3])),
    batch_mismatch: () => F.cross_entropy(xe, torch.tensor([0, 1, 2])),
    target_size_3d: () => F.cross_entropy(torch.randn(2, 3, 4), long([2, 3])),
    target_size_3d_rank: () => F.cross_entropy(torch.randn(2, 3, 4), long([2])),
    target_rank_4d: () => F.cross_entropy(torch.randn(2, 3, 4, 5), long([2, 4])),
    target_size_4d: () => F.cross_entropy(torch.randn(2, 3, 4, 5), long([2, 4, 6])),
    target_out_of_bounds_4d: () => F.nll_loss(torch.randn(2, 3, 2, 2), torch.full([2, 2, 2], 5, { dtype: torch.int64 })),
    weight_size: () => F.cross_entropy(xe, te, { weight: torch.ones(4) }),
    weight_size_4d: () => F.nll_loss(torch.randn(2, 3, 2, 2), long([2, 2, 2]), { weight: torch.ones(4) }),
    weight_size_prob: () => F.cross_entropy(xe, torch.rand(2, 3), { weight: torch.ones(4) }),
    label_smoothing_above_1: () => F.cross_entropy(xe, te, { label_smoothing: 1.5 }),
    label_smoothing_above_1_prob: () => F.cross_entropy(xe, torch.rand(2, 3), { label_smoothing: 1.5 }),
    ignore_index_prob: () => F.cross_entropy(xe, torch.rand(2, 3), { ignore_index: 1 }),
    bad_reduction: () => F.cross_entropy(xe, te, { reduction: "foo" as "mean" }),
    bad_reduction_mse: () => F.mse_loss(xe, xe, { reduction: "foo" as "mean" }),
    bad_reduction_module: () => new nn.L1Loss({ reduction: "foo" as "mean" })(xe, xe),
    scalar_input: () => F.cross_entropy(torch.tensor(1.5), torch.tensor(0)),
    nll_target_2d: () => F.nll_loss(xe, long([2, 2])),
    nll_1d_target_1d: () => F.nll_loss(torch.randn(3), torch.tensor([1])),
    nll_scalar_input: () => F.nll_loss(torch.tensor(1.5), torch.tensor(0)),
    bce_size: () => F.binary_cross_entropy_with_logits(xe, torch.rand(2, 4)),
    mse_broadcast_fail: () => captureWarnings(() => F.mse_loss(xe, torch.rand(2, 4))),
  };
  for (const [name, fn] of Object.entries(cases)) {
    test(name, () => expectPyError(fn, fx.errors[name]!));
  }
});

describe("modules: reprs, buffers, attributes, legacy options", () => {
  const modules: Record<string, () => nn.Module> = {
    "CrossEntropyLoss()": () => new nn.CrossEntropyLoss(),
    "NLLLoss()": () => new nn.NLLLoss(),
    "MSELoss()": () => new nn.MSELoss(),
    "L1Loss()": () => new nn.L1Loss(),
    "BCEWithLogitsLoss()": () => new nn.BCEWithLogitsLoss(),
    "CrossEntropyLoss(weight)": () => new nn.CrossEntropyLoss({ weight: torch.ones(3) }),
  };
  for (const [key, make] of Object.entries(modules)) {
    test(`repr ${key}`, () => expect(String(make())).toBe(fx.reprs[key]));
  }

  test("class weights are buffers, in the state_dict when given", () => {
    const w = torch.ones(3);
    const sd = (m: nn.Module) => Object.keys(m.state_dict());
    expect(sd(new nn.CrossEntropyLoss({ weight: w }))).toEqual(fx.state_dicts["CrossEntropyLoss(weight)"]);
    expect(sd(new nn.CrossEntropyLoss())).toEqual(fx.state_dicts["CrossEntropyLoss()"]);
    expect(sd(new nn.BCEWithLogitsLoss({ pos_weight: w }))).toEqual(fx.state_dicts["BCEWithLogitsLoss(pos_weight)"]);
    expect(sd(new nn.BCEWithLogitsLoss({ weight: w, pos_weight: w }))).toEqual(fx.state_dicts["BCEWithLogitsLoss(weight, pos_weight)"]);
    expect(new nn.CrossEntropyLoss({ weight: w }).weight).toBe(w);
  });

  test("attributes", () => {
    const m = new nn.CrossEntropyLoss();
    const e = fx.attrs.CrossEntropyLoss;
    expect([m.ignore_index, m.label_smoothing, m.reduction]).toEqual([e.ignore_index, e.label_smoothing, e.reduction]);
  });

  test("size_average and reduce map to a reduction", () => {
    captureWarnings(() => {
      expect(new nn.MSELoss({ size_average: false }).reduction).toBe(fx.legacy.size_average_false);
      expect(new nn.MSELoss({ reduce: false }).reduction).toBe(fx.legacy.reduce_false);
      expect(new nn.L1Loss({ size_average: true }).reduction).toBe(fx.legacy.size_average_true);
    });
  });
});

describe("gradcheck (float64 finite differences)", () => {
  const x = f64(torch.tensor([[0.3, -1.2, 0.8, 0.1], [1.1, 0.5, -0.4, -2.0], [0.0, 0.7, 0.2, -0.6]]));
  const t = torch.tensor([3, 0, 1]);
  const w = torch.tensor([0.5, 1.5, 1.0, 2.0], { dtype: torch.float64 });
  const probs = torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25], [0.7, 0.1, 0.1, 0.1]], { dtype: torch.float64 });
  const x3 = f64(torch.tensor([[[0.2, -0.5], [1.0, 0.3], [-0.7, 0.9]], [[0.4, 0.1], [-1.2, 0.6], [0.8, -0.3]]]));
  const t3 = torch.tensor([[0, 2], [1, -100]]);
  const x4 = f64(x3.detach().reshape(2, 3, 2, 1));
  const t4 = t3.reshape(2, 2, 1);
  const fns: Record<string, [(...a: Tensor[]) => Tensor, Tensor[]]> = {
    ce_mean: [(a) => F.cross_entropy(a!, t), [x]],
    ce_sum_weight_ignore: [(a) => F.cross_entropy(a!, t, { weight: w, ignore_index: 0, reduction: "sum" }), [x]],
    ce_none: [(a) => F.cross_entropy(a!, t, { reduction: "none" }), [x]],
    ce_label_smoothing_weight: [(a) => F.cross_entropy(a!, t, { weight: w, label_smoothing: 0.2 }), [x]],
    ce_probabilities: [(a, p) => F.cross_entropy(a!, p!, { weight: w, label_smoothing: 0.1 }), [x, f64(probs)]],
    ce_3d: [(a) => F.cross_entropy(a!, t3, { reduction: "none" }), [x3]],
    ce_4d_weight: [(a) => F.cross_entropy(a!, t4, { weight: w.narrow(0, 0, 3) }), [x4]],
    nll: [(a) => F.nll_loss(a!, t, { weight: w }), [x]],
    mse: [(a, b) => F.mse_loss(a!, b!), [x, f64(probs)]],
    mse_broadcast: [(a, b) => F.mse_loss(a!, b!, { reduction: "sum" }), [x, f64(probs.narrow(0, 0, 1))]],
    l1: [(a, b) => F.l1_loss(a!, b!, { reduction: "none" }), [x, f64(probs)]],
    bce: [(a, b) => F.binary_cross_entropy_with_logits(a!, b!), [x, f64(probs)]],
    bce_weights: [
      (a, b) => F.binary_cross_entropy_with_logits(a!, b!, { weight: probs, pos_weight: w, reduction: "sum" }), [x, f64(probs)],
    ],
  };
  const quiet = (f: () => boolean) => {
    let r = false;
    captureWarnings(() => (r = f()));
    return r;
  };
  for (const [name, [fn, inputs]] of Object.entries(fns)) {
    test(name, () => expect(quiet(() => torch.autograd.gradcheck(fn, inputs))).toBe(true));
  }

  test("double backward of cross_entropy and binary_cross_entropy_with_logits", () => {
    expect(torch.autograd.gradcheck(firstGrad((a) => F.cross_entropy(a, t, { weight: w, label_smoothing: 0.1 })), [x])).toBe(true);
    expect(torch.autograd.gradcheck(firstGrad((a) => F.binary_cross_entropy_with_logits(a, probs, { pos_weight: w })), [x])).toBe(true);
  });
});
