import { afterEach, describe, expect, it, vi } from "vitest";

import torch, { KeyError, Tensor, ValueError } from "../../src/index.js";
import { load } from "./golden.js";
import { TOLERANCE } from "../harness/tolerance.js";

const { SGD, Adam, Optimizer, lr_scheduler } = torch.optim;
const { LRScheduler, StepLR, CosineAnnealingLR, LinearLR, OneCycleLR } = lr_scheduler;

interface SchedulerCase {
  name: string;
  optimizer: "SGD" | "Adam";
  lrs: number[];
  optimizer_options: Record<string, unknown>;
  scheduler: "StepLR" | "CosineAnnealingLR" | "LinearLR" | "OneCycleLR";
  positional: unknown[];
  options: Record<string, unknown>;
  steps: number;
  last_lr: number[][];
  momentum: (number | null)[][];
  total_steps: number | null;
}

const golden = load<{ cases: SchedulerCase[] }>("schedulers.json");

function expectClose(ours: readonly number[], expected: readonly number[], what: string): void {
  expect(ours.length, what).toBe(expected.length);
  ours.forEach((v, i) => {
    expect(Math.abs(v - expected[i]!), `${what}[${i}]: ${v} vs ${expected[i]}`).toBeLessThanOrEqual(
      TOLERANCE.float64.lrRtol * Math.abs(expected[i]!),
    );
  });
}

function build(c: SchedulerCase) {
  const groups = c.lrs.map((lr) => ({ params: [torch.zeros([2]).requires_grad_(true)], lr }));
  const optimizer = c.optimizer === "SGD" ? new SGD(groups, c.optimizer_options) : new Adam(groups, c.optimizer_options);
  const Ctor = lr_scheduler[c.scheduler] as unknown as new (...args: unknown[]) => InstanceType<typeof LRScheduler>;
  const scheduler = c.scheduler === "LinearLR"
    ? new Ctor(optimizer, c.options)
    : new Ctor(optimizer, ...c.positional, c.options);
  return { optimizer, scheduler };
}

function momentaOf(optimizer: InstanceType<typeof Optimizer>): (number | null)[] {
  return optimizer.param_groups.map((g) => (g["betas"] ? (g["betas"] as number[])[0]! : (g["momentum"] as number)));
}

afterEach(() => vi.restoreAllMocks());

describe(`learning-rate schedules match PyTorch ${golden.torch_version}`, () => {
  it("has the fixture", () => {
    expect(golden.script).toBe("scripts/golden/optim.py");
    expect(new Set(golden.cases.map((c) => c.scheduler))).toEqual(
      new Set(["StepLR", "CosineAnnealingLR", "LinearLR", "OneCycleLR"]),
    );
  });

  for (const c of golden.cases) {
    it(`${c.name}: ${c.scheduler}(${JSON.stringify([...c.positional, c.options])}) over ${c.steps} steps`, () => {
      const warn = vi.spyOn(console, "warn");
      const { optimizer, scheduler } = build(c);
      expectClose(scheduler.get_last_lr(), c.last_lr[0]!, "lr after construction");
      expectClose(momentaOf(optimizer) as number[], c.momentum[0] as number[], "momentum after construction");
      for (let step = 1; step <= c.steps; step++) {
        optimizer.step();
        scheduler.step();
        expectClose(scheduler.get_last_lr(), c.last_lr[step]!, `lr after step ${step}`);
        expectClose(optimizer.param_groups.map((g) => g.lr), c.last_lr[step]!, `group lr after step ${step}`);
        expectClose(momentaOf(optimizer) as number[], c.momentum[step] as number[], `momentum after step ${step}`);
      }
      expect(warn).not.toHaveBeenCalled();
    });
  }

  it("OneCycleLR refuses to step past total_steps, with PyTorch 2.x's message", () => {
    const c = golden.cases.find((x) => x.name === "onecycle_cos")!;
    const { optimizer, scheduler } = build(c);
    for (let i = 0; i < c.total_steps!; i++) {
      optimizer.step();
      scheduler.step();
    }
    // 1.13 printed last_epoch + 1 here; 2.x prints last_epoch.
    expect(() => scheduler.step()).toThrow(
      new ValueError(`Tried to step ${c.total_steps! + 1} times. The specified number of total steps is ${c.total_steps}`),
    );
  });

  it("the deprecated step(epoch) jumps by the closed form, with PyTorch's warning", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    for (const name of ["step_lr", "cosine_eta_min", "linear_decay"]) {
      const c = golden.cases.find((x) => x.name === name)!;
      const { optimizer, scheduler } = build(c);
      optimizer.step();
      scheduler.step(14);
      expect(scheduler.last_epoch).toBe(14);
      expectClose(scheduler.get_last_lr(), c.last_lr[14]!, `${name} at epoch 14`);
    }
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^UserWarning: The epoch parameter in `scheduler.step\(\)` was not necessary/));
  });
});

describe("LRScheduler", () => {
  function sgd(lr = 0.1, momentum = 0) {
    return new SGD([torch.zeros([1]).requires_grad_(true)], { lr, momentum });
  }

  it("records initial_lr and takes the first step at construction", () => {
    const optimizer = sgd(0.1);
    const scheduler = new LinearLR(optimizer, { start_factor: 0.5 });
    expect(optimizer.param_groups[0]!["initial_lr"]).toBe(0.1);
    expect(scheduler.base_lrs).toEqual([0.1]);
    expect(scheduler.last_epoch).toBe(0);
    expect(optimizer.param_groups[0]!.lr).toBe(0.05);
  });

  it("warns when scheduler.step() comes before optimizer.step()", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const scheduler = new StepLR(sgd(), 2);
    scheduler.step();
    expect(warn).toHaveBeenCalledWith(
      "UserWarning: Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you " +
        "should call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this " +
        "will result in PyTorch skipping the first value of the learning rate schedule. See more details at " +
        "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate",
    );
  });

  it("warns when get_lr() is called from outside step()", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    new CosineAnnealingLR(sgd(), 10).get_lr();
    expect(warn).toHaveBeenCalledWith(
      "UserWarning: To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
    );
  });

  it("resuming needs initial_lr in every group, and (2.x) leaves the lr as it is", () => {
    expect(() => new StepLR(sgd(), 3, { last_epoch: 4 })).toThrow(
      new KeyError("param 'initial_lr' is not specified in param_groups[0] when resuming an optimizer"),
    );
    expect(() => new StepLR(sgd(), 3, { last_epoch: 4 })).toThrow(KeyError);
    const optimizer = sgd(0.1);
    optimizer.param_groups[0]!["initial_lr"] = 0.4;
    optimizer.param_groups[0]!.lr = 0.03;
    // PyTorch 2.x's initial step in "initial" mode keeps the optimizer's lr when resuming.
    const cosine = new CosineAnnealingLR(optimizer, 10, { last_epoch: 5 });
    expect(cosine.last_epoch).toBe(6);
    expect(optimizer.param_groups[0]!.lr).toBe(0.03);
    expect(cosine.base_lrs).toEqual([0.4]);
  });

  it("state_dict holds everything but the optimizer; loading it resumes the schedule", () => {
    const c = golden.cases.find((x) => x.name === "cosine_eta_min")!;
    const a = build(c);
    for (let i = 0; i < 10; i++) {
      a.optimizer.step();
      a.scheduler.step();
    }
    const sd = a.scheduler.state_dict();
    expect("optimizer" in sd).toBe(false);
    expect(sd["last_epoch"]).toBe(10);
    expect(sd["T_max"]).toBe(12);
    expect(sd["base_lrs"]).toEqual(c.lrs);

    const b = build(c);
    b.optimizer.load_state_dict(a.optimizer.state_dict());
    b.scheduler.load_state_dict(JSON.parse(JSON.stringify(sd)) as Record<string, unknown>);
    for (let step = 11; step <= c.steps; step++) {
      b.optimizer.step();
      b.scheduler.step();
      expectClose(b.scheduler.get_last_lr(), c.last_lr[step]!, `resumed lr after step ${step}`);
    }
  });

  it("refuses what is not an optimizer", () => {
    expect(() => new StepLR({} as never, 1)).toThrow(new TypeError("dict is not an Optimizer"));
  });
});

describe("scheduler arguments", () => {
  const sgd = () => new SGD([torch.zeros([1]).requires_grad_(true)], { lr: 0.1, momentum: 0.9 });

  it("LinearLR factors", () => {
    expect(() => new LinearLR(sgd(), { start_factor: 0 })).toThrow(
      new ValueError("Starting multiplicative factor expected to be greater than 0 and less or equal to 1."),
    );
    expect(() => new LinearLR(sgd(), { end_factor: 1.5 })).toThrow(
      new ValueError("Ending multiplicative factor expected to be between 0 and 1."),
    );
  });

  it("OneCycleLR", () => {
    expect(() => new OneCycleLR(sgd(), 0.1)).toThrow(
      new ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)"),
    );
    expect(() => new OneCycleLR(sgd(), 0.1, { total_steps: 0 })).toThrow(
      new ValueError("Expected positive integer total_steps, but got 0"),
    );
    expect(() => new OneCycleLR(sgd(), 0.1, { epochs: 2, steps_per_epoch: 0 })).toThrow(
      new ValueError("Expected positive integer steps_per_epoch, but got 0"),
    );
    expect(() => new OneCycleLR(sgd(), 0.1, { total_steps: 10, pct_start: 1.5 })).toThrow(
      new ValueError("Expected float between 0 and 1 pct_start, but got 1.5"),
    );
    expect(() => new OneCycleLR(sgd(), 0.1, { total_steps: 10, anneal_strategy: "exp" as never })).toThrow(
      new ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got exp"),
    );
    expect(() => new OneCycleLR(sgd(), [0.1, 0.2], { total_steps: 10 })).toThrow(
      new ValueError("max_lr must have the same length as optimizer.param_groups. max_lr has 2 values, param_groups has 1."),
    );
    class Plain extends Optimizer {
      constructor(params: Tensor[]) {
        super(params, { lr: 0.1 });
      }
    }
    expect(() => new OneCycleLR(new Plain([torch.zeros([1]).requires_grad_(true)]), 0.1, { total_steps: 10 })).toThrow(
      new ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled"),
    );
    expect(() =>
      new OneCycleLR(new Plain([torch.zeros([1]).requires_grad_(true)]), 0.1, { total_steps: 10, cycle_momentum: false }),
    ).not.toThrow();
  });

  it("OneCycleLR sets each group's schedule keys, as PyTorch", () => {
    const optimizer = new Adam([torch.zeros([1]).requires_grad_(true)], { lr: 1 });
    new OneCycleLR(optimizer, 0.5, { total_steps: 10, div_factor: 5, final_div_factor: 10 });
    const g = optimizer.param_groups[0]!;
    expect([g["initial_lr"], g["max_lr"], g["min_lr"], g["max_momentum"], g["base_momentum"]]).toEqual([0.1, 0.5, 0.01, 0.95, 0.85]);
    expect(g.betas).toEqual([0.95, 0.999]);
    expectClose([g.lr], [0.1], "lr");
  });
});
