import { describe, expect, test } from "vitest";

import torch, { nn, Tensor } from "../../src/index.js";
import { expectLoaded, expected, fixture } from "./pt_golden.js";

const fx = expected();

describe("torch.load reads what PyTorch's torch.save wrote", () => {
  for (const [name, want] of Object.entries(fx.valid)) {
    test(name, () => {
      expectLoaded(torch.load(fixture("valid", name)), want);
    });
  }

  test("accepts an ArrayBuffer, a Node Buffer and a path", () => {
    const bytes = fixture("valid", "linear_float32");
    const want = fx.valid["linear_float32"]!;
    expectLoaded(torch.load(bytes.slice().buffer), want);
    expectLoaded(torch.load(Buffer.from(bytes)), want);
    expectLoaded(torch.load("test/golden/pt/valid/linear_float32.pt"), want);
  });

  test("a loaded state_dict fills a model defined the same way, with PyTorch's key names", () => {
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
    const result = model.load_state_dict(torch.load<nn.StateDict>(fixture("valid", "sequential")));
    expect(String(result)).toBe("<All keys matched successfully>");
    expect(Object.keys(model.state_dict())).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
  });

  test("the README's five lines", () => {
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
    model.load_state_dict(torch.load<nn.StateDict>("test/golden/pt/valid/sequential.pt")); // torch.save(model.state_dict(), ...)
    model.eval();
    const out = model(torch.randn(1, 4));
    expect([...out.shape]).toEqual([1, 2]);
  });

  test("half-precision checkpoints load into float32 models (widened exactly)", () => {
    for (const dtype of ["float16", "bfloat16"]) {
      const model = new nn.Linear(4, 3);
      model.load_state_dict(torch.load<nn.StateDict>(fixture("valid", `linear_${dtype}`)));
      expect(model.weight.dtype).toBe(torch.float32);
    }
  });

  test("tensors that shared a storage share one again: a write through one shows in the other", () => {
    const sd = torch.load<Record<string, Tensor>>(fixture("valid", "shared"));
    sd["view"]!.select(0, 0).select(0, 0).fill_(-1);
    expect(sd["base"]!.tolist()).toEqual([[0, 1, 2, 3], [-1, 5, 6, 7], [8, 9, 10, 11]]);
    expect(sd["same"]).toBe(sd["base"]);
  });

  test("an optimizer state_dict loads into torch-ts's Adam", () => {
    const model = new nn.Linear(3, 2);
    const opt = new torch.optim.Adam(model.parameters(), { lr: 0.001 });
    const sd = torch.load<{ state: Record<string, Record<string, Tensor>>; param_groups: object[] }>(
      fixture("valid", "optimizer"),
    );
    opt.load_state_dict(sd);
    const state = opt.state.get(model.weight) as Record<string, Tensor>;
    expect(state["step"]!.item()).toBe(3);
    expect([...state["exp_avg"]!.shape]).toEqual([2, 3]);
  });
});
