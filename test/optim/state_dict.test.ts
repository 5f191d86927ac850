import { describe, expect, it } from "vitest";

import torch, { Tensor, ValueError } from "../../src/index.js";
import type { OptimizerStateDict } from "../../src/optim/index.js";
import {
  decode, freshParams, load, lossOf, makeOptimizer, NAMES, relativeError, RTOL, trajectories, valuesOf,
  type Encoded, type ParamName, type TrajectoryConfig,
} from "./golden.js";

interface EncodedTensor {
  tensor: true;
  dtype: string;
  shape: number[];
  values: number[];
}
type Value = EncodedTensor | number | boolean | null | number[];

interface StateDictCase {
  name: string;
  optimizer: TrajectoryConfig["optimizer"];
  options: Record<string, unknown>;
  groups: TrajectoryConfig["groups"];
  state: [number, [string, Value][]][];
  param_groups: [string, Value][][];
  params: Record<ParamName, Encoded>;
}

const golden = load<{ steps: number; cases: StateDictCase[] }>("state_dicts.json");

function isEncodedTensor(v: Value): v is EncodedTensor {
  return typeof v === "object" && v !== null && !Array.isArray(v) && v.tensor === true;
}

/** What PyTorch 2.x adds to 1.13's param_group keys, with 2.x's defaults (see the script). */
const ADDED_IN_2X: Record<string, Record<string, unknown>> = {
  SGD: { fused: null },
  Adam: { decoupled_weight_decay: false },
  AdamW: { differentiable: false, fused: null, decoupled_weight_decay: true },
};

/** Defaults 2.x changed: Adam's fused was False in 1.13 and is None (decide later) in 2.x. */
const CHANGED_IN_2X: Record<string, Record<string, unknown>> = { SGD: {}, Adam: { fused: null }, AdamW: {} };

/** PyTorch 2.x's key order of each optimizer's defaults (torch/optim/{sgd,adam}.py). */
const KEYS_2X: Record<string, string[]> = {
  SGD: ["lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize", "foreach", "differentiable", "fused"],
  Adam: ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach", "capturable", "differentiable", "fused", "decoupled_weight_decay"],
};
KEYS_2X["AdamW"] = KEYS_2X["Adam"]!;

function train(optimizer: ReturnType<typeof makeOptimizer>, params: Record<ParamName, Tensor>, steps: number): void {
  for (let i = 0; i < steps; i++) {
    optimizer.zero_grad();
    lossOf(params).backward();
    optimizer.step();
  }
}

/** The golden state_dict in torch-ts's format (tensors made from the recorded values). */
function goldenStateDict(c: StateDictCase): OptimizerStateDict {
  const decodeValue = (v: Value): unknown =>
    isEncodedTensor(v)
      ? torch.tensor(v.values, { dtype: v.dtype === "float64" ? torch.float64 : torch.float32 }).reshape(v.shape)
      : v;
  const state: OptimizerStateDict["state"] = {};
  for (const [k, entries] of c.state) state[k] = Object.fromEntries(entries.map(([sk, sv]) => [sk, decodeValue(sv)]));
  const param_groups = c.param_groups.map((g) => Object.fromEntries(g) as OptimizerStateDict["param_groups"][number]);
  return { state, param_groups };
}

describe(`optimizer.state_dict() matches PyTorch ${golden.torch_version}'s after ${golden.steps} steps`, () => {
  for (const c of golden.cases) {
    it(`${c.name}: state keyed by parameter index, tensors and step`, () => {
      const params = freshParams();
      const optimizer = makeOptimizer(c.optimizer, c.options, c.groups, params);
      train(optimizer, params, golden.steps);
      const sd = optimizer.state_dict();
      expect(Object.keys(sd.state).map(Number)).toEqual(c.state.map(([k]) => k));
      for (const [k, entries] of c.state) {
        const ours = sd.state[k]!;
        expect(Object.keys(ours)).toEqual(entries.map(([sk]) => sk));
        for (const [sk, sv] of entries) {
          const v = ours[sk];
          if (!isEncodedTensor(sv)) {
            expect(v).toEqual(sv);
            continue;
          }
          expect(v).toBeInstanceOf(Tensor);
          const t = v as Tensor;
          expect(t.dtype.name, `${k}.${sk} dtype`).toBe(sv.dtype);
          expect([...t.shape], `${k}.${sk} shape`).toEqual(sv.shape);
          expect(relativeError(valuesOf(t), sv.values), `${k}.${sk}`).toBeLessThanOrEqual(RTOL);
        }
      }
    });

    it(`${c.name}: param_groups hold every hyperparameter, params as index lists`, () => {
      const params = freshParams();
      const optimizer = makeOptimizer(c.optimizer, c.options, c.groups, params);
      train(optimizer, params, golden.steps);
      const sd = optimizer.state_dict();
      expect(sd.param_groups.length).toBe(c.param_groups.length);
      sd.param_groups.forEach((group, i) => {
        const expected = Object.fromEntries(c.param_groups[i]!);
        const keys = Object.keys(group);
        expect(keys[keys.length - 1]).toBe("params");
        expect(keys.slice(0, -1).sort()).toEqual(
          [...Object.keys(expected).filter((k) => k !== "params"), ...Object.keys(ADDED_IN_2X[c.optimizer]!)].sort(),
        );
        const changed = CHANGED_IN_2X[c.optimizer]!;
        for (const [k, v] of Object.entries(expected)) expect(group[k], `group ${i} ${k}`).toEqual(k in changed ? changed[k] : v);
        for (const [k, v] of Object.entries(ADDED_IN_2X[c.optimizer]!)) expect(group[k], `group ${i} ${k}`).toEqual(v);
        if (c.groups === null) expect(keys.slice(0, -1)).toEqual(KEYS_2X[c.optimizer]);
      });
    });

    it(`${c.name}: PyTorch's state, loaded into a fresh optimizer, continues PyTorch's trajectory`, () => {
      const trajectory = trajectories.configs.find((t) => t.name === c.name)!;
      const params = {} as Record<ParamName, Tensor>;
      for (const n of NAMES) params[n] = decode(c.params[n]).requires_grad_(true);
      const optimizer = makeOptimizer(c.optimizer, c.options, c.groups, params);
      optimizer.load_state_dict(goldenStateDict(c));
      // 1.13's groups lack 2.x's keys; loading fills them in as 2.x's __setstate__ does.
      for (const group of optimizer.param_groups) {
        for (const k of KEYS_2X[c.optimizer]!) expect(k in group, k).toBe(true);
        if (c.optimizer === "AdamW") expect(group["decoupled_weight_decay"]).toBe(true);
      }
      train(optimizer, params, trajectories.steps - golden.steps);
      const final = trajectory.params_after[String(trajectories.steps)]!;
      for (const n of NAMES) expect(relativeError(valuesOf(params[n]), final[n]), n).toBeLessThanOrEqual(RTOL);
    });
  }
});

describe("state_dict round trip", () => {
  /** A copy with tensors of their own, as saving and loading a checkpoint gives. */
  function copied(sd: OptimizerStateDict): OptimizerStateDict {
    const state: OptimizerStateDict["state"] = {};
    for (const [k, s] of Object.entries(sd.state)) {
      state[Number(k)] = Object.fromEntries(Object.entries(s).map(([sk, v]) => [sk, v instanceof Tensor ? v.clone() : v]));
    }
    return { state, param_groups: JSON.parse(JSON.stringify(sd.param_groups)) as OptimizerStateDict["param_groups"] };
  }

  for (const name of ["sgd_two_groups", "adam_amsgrad", "adamw_default", "sgd_nesterov"]) {
    it(`${name}: load into a fresh optimizer and continue -> the same trajectory`, () => {
      const c = trajectories.configs.find((t) => t.name === name)!;
      const params = freshParams();
      const optimizer = makeOptimizer(c.optimizer, c.options, c.groups, params);
      train(optimizer, params, 10);

      const resumedParams = {} as Record<ParamName, Tensor>;
      for (const n of NAMES) resumedParams[n] = params[n].detach().clone().requires_grad_(true);
      // Built with other hyperparameters: load_state_dict restores the saved ones.
      const resumed = makeOptimizer(c.optimizer, { lr: 0.5 }, c.groups, resumedParams);
      resumed.load_state_dict(copied(optimizer.state_dict()));
      expect(resumed.param_groups.map((g) => g.lr)).toEqual(optimizer.param_groups.map((g) => g.lr));

      train(optimizer, params, 10);
      train(resumed, resumedParams, 10);
      const final = c.params_after["20"]!;
      for (const n of NAMES) {
        expect(valuesOf(resumedParams[n]), n).toEqual(valuesOf(params[n]));
        expect(relativeError(valuesOf(resumedParams[n]), final[n]), n).toBeLessThanOrEqual(RTOL);
      }
    });
  }

  it("state tensors are the optimizer's own; loading uses tensors of the right dtype as they are", () => {
    const p = freshParams();
    const optimizer = new torch.optim.Adam([p.W1, p.b1]);
    train(optimizer as never, p, 1);
    const sd = optimizer.state_dict();
    expect(sd.state[0]!["exp_avg"]).toBe(optimizer.state.get(p.W1)!.exp_avg);
    const q = freshParams();
    const other = new torch.optim.Adam([q.W1, q.b1]);
    other.load_state_dict(sd);
    expect(other.state.get(q.W1)!.exp_avg).toBe(sd.state[0]!["exp_avg"]);
    // Hyperparameters are copied, not shared.
    sd.param_groups[0]!["betas"] = [0.5, 0.5];
    expect(other.param_groups[0]!.betas).toEqual([0.9, 0.999]);
  });

  it("state is cast to the parameter's dtype, except step", () => {
    const w = torch.zeros([3], { dtype: torch.float64, requires_grad: true });
    const optimizer = new torch.optim.Adam([w]);
    optimizer.load_state_dict({
      state: { 0: { step: torch.tensor(2.0, { dtype: torch.float32 }), exp_avg: torch.zeros([3]), exp_avg_sq: torch.zeros([3]) } },
      param_groups: [{ ...optimizer.state_dict().param_groups[0]!, params: [0] }],
    });
    const s = optimizer.state.get(w)!;
    expect(s.exp_avg!.dtype).toBe(torch.float64);
    expect(s.step!.dtype).toBe(torch.float32);
  });

  it("a numeric step from an old checkpoint becomes a tensor", () => {
    const w = torch.zeros([2], { requires_grad: true });
    const optimizer = new torch.optim.AdamW([w]);
    optimizer.load_state_dict({
      state: { 0: { step: 4, exp_avg: torch.zeros([2]), exp_avg_sq: torch.zeros([2]) } },
      param_groups: [{ lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, params: [0] }],
    });
    const step = optimizer.state.get(w)!.step!;
    expect(step).toBeInstanceOf(Tensor);
    expect(step.item()).toBe(4);
    expect(step.dtype).toBe(torch.float32);
    expect(optimizer.param_groups[0]!.decoupled_weight_decay).toBe(true);
    expect(optimizer.param_groups[0]!.maximize).toBe(false);
  });

  it("refuses a state dict whose groups do not match, in PyTorch's words", () => {
    const p = freshParams();
    const one = new torch.optim.SGD([p.W1, p.b1], { lr: 0.1 });
    const two = new torch.optim.SGD([{ params: [p.W1] }, { params: [p.b1] }], { lr: 0.1 });
    const three = new torch.optim.SGD([p.W1], { lr: 0.1 });
    expect(() => one.load_state_dict(two.state_dict())).toThrow(ValueError);
    expect(() => one.load_state_dict(two.state_dict())).toThrow(
      "loaded state dict has a different number of parameter groups",
    );
    expect(() => one.load_state_dict(three.state_dict())).toThrow(
      "loaded state dict contains a parameter group that doesn't match the size of optimizer's group",
    );
  });
});
