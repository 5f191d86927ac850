import { describe, expect, it } from "vitest";

import torch from "../../src/index.js";
import { setFlatUpdates } from "../../src/optim/flat_update.js";
import {
  freshParams, lossOf, makeOptimizer, NAMES, relativeError, RTOL, trajectories, valuesOf, type TrajectoryConfig,
} from "./golden.js";

interface RunOptions {
  /** Pass the loss computation to step() as a closure instead of calling backward first. */
  closure?: boolean;
  /** zero_grad({ set_to_none: false }) instead of the default. */
  zeroInPlace?: boolean;
}

/** Trains for the fixture's number of steps and checks losses, lrs and parameters. */
function checkTrajectory(c: TrajectoryConfig, run: RunOptions = {}): void {
  const params = freshParams();
  const optimizer = makeOptimizer(c.optimizer, c.options, c.groups, params);
  const scheduler = c.scheduler
    ? new torch.optim.lr_scheduler.OneCycleLR(optimizer, c.scheduler.max_lr, c.scheduler.options)
    : null;
  for (let step = 1; step <= trajectories.steps; step++) {
    let loss: number;
    if (run.closure) {
      const value = optimizer.step(() => {
        optimizer.zero_grad();
        const l = lossOf(params);
        l.backward();
        return l;
      });
      loss = value!.item() as number;
    } else {
      optimizer.zero_grad({ set_to_none: !run.zeroInPlace });
      const l = lossOf(params);
      l.backward();
      optimizer.step();
      loss = l.item() as number;
    }
    expect(Math.abs(loss - c.losses[step - 1]!), `loss at step ${step}`).toBeLessThanOrEqual(RTOL * Math.abs(c.losses[step - 1]!));
    optimizer.param_groups.forEach((g, i) => {
      const expected = c.lrs[step - 1]![i]!;
      expect(Math.abs(g.lr - expected), `lr of group ${i} at step ${step}`).toBeLessThanOrEqual(1e-12 * expected);
    });
    if (scheduler && step < trajectories.steps) scheduler.step();
    const snapshot = c.params_after[String(step)];
    if (snapshot) {
      for (const n of NAMES) {
        expect(relativeError(valuesOf(params[n]), snapshot[n]), `${n} after step ${step}`).toBeLessThanOrEqual(RTOL);
      }
    }
  }
}

describe(`optimizer trajectories match PyTorch ${trajectories.torch_version} (20 steps of an MLP)`, () => {
  it("has the fixture", () => {
    expect(trajectories.script).toBe("scripts/golden/optim.py");
    expect(trajectories.configs.length).toBeGreaterThanOrEqual(15);
    expect(trajectories.record_after).toContain(trajectories.steps);
  });

  for (const c of trajectories.configs) {
    it(`${c.name}: ${c.optimizer}(${JSON.stringify(c.groups ? { groups: c.groups, ...c.options } : c.options)})`, () => {
      checkTrajectory(c);
    });
  }

  it("step(closure) follows the same trajectory and returns the closure's loss", () => {
    checkTrajectory(trajectories.configs.find((c) => c.name === "sgd_momentum")!, { closure: true });
    checkTrajectory(trajectories.configs.find((c) => c.name === "adam_amsgrad")!, { closure: true });
  });

  it("zero_grad({ set_to_none: false }) follows the same trajectory", () => {
    checkTrajectory(trajectories.configs.find((c) => c.name === "adamw_amsgrad")!, { zeroInPlace: true });
    checkTrajectory(trajectories.configs.find((c) => c.name === "sgd_nesterov")!, { zeroInPlace: true });
  });

  it("the tensor-op path (the reference for the one-pass updates) follows the same trajectories", () => {
    setFlatUpdates(false);
    try {
      for (const name of ["sgd_maximize", "sgd_two_groups", "adam_weight_decay", "adamw_onecycle"]) {
        checkTrajectory(trajectories.configs.find((c) => c.name === name)!);
      }
    } finally {
      setFlatUpdates(true);
    }
  });

  it("parameters without a gradient are left alone and get no state", () => {
    const c = trajectories.configs.find((x) => x.name === "adam_default")!;
    const params = freshParams();
    const frozen = params.b2;
    const before = valuesOf(frozen);
    const optimizer = makeOptimizer(c.optimizer, c.options, c.groups, params);
    for (let i = 0; i < 3; i++) {
      optimizer.zero_grad();
      lossOf(params).backward();
      frozen.grad = null;
      optimizer.step();
    }
    expect(valuesOf(frozen)).toEqual(before);
    expect(optimizer.state.has(frozen)).toBe(false);
    expect(optimizer.state.has(params.W1)).toBe(true);
  });
});
