"""Optimizer trajectories, LR-scheduler sequences and optimizer state_dicts from real PyTorch.

Writes test/golden/optim/{trajectories,schedulers,state_dicts,pointwise}.json for test/optim and
test/ops/pointwise.test.ts.

The model is a small MLP written as raw leaf tensors (no torch.nn, no loss modules), so the
fixture depends on nothing but tensor ops and autograd:

    loss = mean((relu(x @ W1.T + b1) @ W2.T + b2 - target) ** 2)

Initial parameters, input and target are written as float32 bit patterns (the tests load them
exactly); trajectories (losses, parameters after some steps) are written as numbers, compared
with a tolerance.

Version notes (this runs with Debian's torch 1.13; torch-ts follows PyTorch 2.x):
- SGD's lr had no default in 1.13 (2.x: 1e-3) and zero_grad's set_to_none defaulted to False
  (2.x: True): every config passes lr, and zero_grad(set_to_none=True) is explicit, so the
  trajectories are the same under both versions.
- 1.13's Adam updates exp_avg with mul_(beta1).add_(grad, alpha=1 - beta1); 2.x uses
  lerp_(grad, 1 - beta1). The two differ by float32 rounding only.
- state_dict param_groups: 2.x adds SGD's `fused` and Adam's `decoupled_weight_decay` (AdamW is
  Adam with decoupled_weight_decay=True), and Adam's `fused` default went from False to None;
  1.13's SGD keeps a `momentum_buffer: None` state entry
  even when momentum is 0 (2.x keeps no state then). The fixture records 1.13's keys; the tests
  name the 2.x differences.
- OneCycleLR's "Tried to step N times" message: 1.13 prints last_epoch + 1, 2.x last_epoch.
  The fixture records total_steps only; the tests check 2.x's text.
"""
import json
import math
import pathlib

import numpy as np
import torch

OUT = pathlib.Path(__file__).resolve().parents[2] / "test" / "golden" / "optim"
META = {"torch_version": torch.__version__, "script": "scripts/golden/optim.py"}


def bits(t):
    return t.detach().contiguous().numpy().astype(np.float32).view(np.uint32).ravel().tolist()


def nums(t):
    return [float(v) for v in t.detach().contiguous().reshape(-1).tolist()]


def write(name, payload):
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    path.write_text(json.dumps({**META, **payload}, indent=None, separators=(",", ":")) + "\n")
    print("wrote", path, path.stat().st_size, "bytes")


# ---- the model -------------------------------------------------------------------------------

torch.manual_seed(20240611)
INIT = {
    "W1": torch.randn(16, 8) * 0.4,
    "b1": torch.randn(16) * 0.1,
    "W2": torch.randn(4, 16) * 0.3,
    "b2": torch.randn(4) * 0.1,
}
X = torch.randn(12, 8)
TARGET = torch.randn(12, 4)
NAMES = ["W1", "b1", "W2", "b2"]


def fresh_params():
    return {k: v.clone().requires_grad_(True) for k, v in INIT.items()}


def loss_fn(p):
    hidden = torch.relu(X @ p["W1"].T + p["b1"])
    out = hidden @ p["W2"].T + p["b2"]
    return ((out - TARGET) ** 2).mean()


OPTIMIZERS = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW}

# name, optimizer, options, groups (None: all four parameters in one group), scheduler
CONFIGS = [
    ("sgd_plain", "SGD", {"lr": 0.1}, None, None),
    ("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}, None, None),
    ("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, None, None),
    ("sgd_weight_decay", "SGD", {"lr": 0.1, "weight_decay": 0.05}, None, None),
    ("sgd_dampening", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}, None, None),
    ("sgd_maximize", "SGD", {"lr": 0.005, "momentum": 0.5, "weight_decay": 0.01, "maximize": True}, None, None),
    ("adam_default", "Adam", {}, None, None),
    ("adam_amsgrad", "Adam", {"lr": 0.01, "betas": [0.8, 0.99], "amsgrad": True}, None, None),
    ("adam_weight_decay", "Adam", {"lr": 0.01, "weight_decay": 0.1}, None, None),
    ("adam_maximize", "Adam", {"lr": 0.005, "eps": 1e-6, "maximize": True}, None, None),
    ("adamw_default", "AdamW", {}, None, None),
    ("adamw_amsgrad", "AdamW", {"lr": 0.01, "weight_decay": 0.05, "amsgrad": True}, None, None),
    ("sgd_two_groups", "SGD", {"lr": 0.01, "momentum": 0.9},
     [{"params": ["W1", "b1"], "lr": 0.1}, {"params": ["W2", "b2"], "weight_decay": 0.01}], None),
    ("adam_two_groups", "Adam", {"lr": 0.002},
     [{"params": ["W2", "b2"], "lr": 0.02, "amsgrad": True}, {"params": ["W1", "b1"]}], None),
    ("adamw_onecycle", "AdamW", {"lr": 0.001, "weight_decay": 0.01}, None,
     {"name": "OneCycleLR", "max_lr": 0.01, "options": {"total_steps": 20}}),
]
STEPS = 20
RECORD_AFTER = [1, 10, 20]


def make_optimizer(kind, options, groups, params):
    opts = dict(options)
    if "betas" in opts:
        opts["betas"] = tuple(opts["betas"])
    if groups is None:
        return OPTIMIZERS[kind]([params[n] for n in NAMES], **opts)
    torch_groups = []
    for g in groups:
        tg = {k: v for k, v in g.items() if k != "params"}
        tg["params"] = [params[n] for n in g["params"]]
        torch_groups.append(tg)
    return OPTIMIZERS[kind](torch_groups, **opts)


def run_config(name, kind, options, groups, scheduler_spec):
    params = fresh_params()
    opt = make_optimizer(kind, options, groups, params)
    sched = None
    if scheduler_spec is not None:
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, scheduler_spec["max_lr"], **scheduler_spec["options"])
    losses, snapshots, lrs = [], {}, []
    for step in range(1, STEPS + 1):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(params)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        lrs.append([g["lr"] for g in opt.param_groups])
        if sched is not None and step < STEPS:
            sched.step()
        if step in RECORD_AFTER:
            snapshots[str(step)] = {n: nums(params[n]) for n in NAMES}
    return {
        "name": name,
        "optimizer": kind,
        "options": options,
        "groups": groups,
        "scheduler": scheduler_spec,
        "losses": losses,
        "lrs": lrs,
        "params_after": snapshots,
    }


write("trajectories.json", {
    "model": "loss = mean((relu(x @ W1.T + b1) @ W2.T + b2 - target) ** 2)",
    "steps": STEPS,
    "record_after": RECORD_AFTER,
    "init": {n: {"shape": list(INIT[n].shape), "bits": bits(INIT[n])} for n in NAMES},
    "x": {"shape": list(X.shape), "bits": bits(X)},
    "target": {"shape": list(TARGET.shape), "bits": bits(TARGET)},
    "configs": [run_config(*c) for c in CONFIGS],
})


# ---- state_dict structure after 3 steps -----------------------------------------------------
# Each case's optimizer and options are also a trajectory config above, so a test can load the
# state into a fresh optimizer and compare the rest of the run with that trajectory.


def encode_value(v):
    if isinstance(v, torch.Tensor):
        return {"tensor": True, "dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape), "values": nums(v)}
    if isinstance(v, tuple):
        return list(v)
    return v


def state_dict_case(name, kind, options, groups):
    params = fresh_params()
    opt = make_optimizer(kind, options, groups, params)
    for _ in range(3):
        opt.zero_grad(set_to_none=True)
        loss_fn(params).backward()
        opt.step()
    sd = opt.state_dict()
    return {
        "name": name,
        "optimizer": kind,
        "options": options,
        "groups": groups,
        # JSON objects keep insertion order, so the key lists are PyTorch's order.
        "state": [[k, [[sk, encode_value(sv)] for sk, sv in v.items()]] for k, v in sd["state"].items()],
        "param_groups": [[[k, encode_value(v)] for k, v in g.items()] for g in sd["param_groups"]],
        # The parameters at that point, exactly, so that a test can load this state and go on.
        "params": {n: {"shape": list(params[n].shape), "bits": bits(params[n])} for n in NAMES},
    }


write("state_dicts.json", {
    "steps": 3,
    "cases": [
        state_dict_case("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}, None),
        state_dict_case("sgd_two_groups", "SGD", {"lr": 0.01, "momentum": 0.9},
                        [{"params": ["W1", "b1"], "lr": 0.1}, {"params": ["W2", "b2"], "weight_decay": 0.01}]),
        state_dict_case("adam_amsgrad", "Adam", {"lr": 0.01, "betas": [0.8, 0.99], "amsgrad": True}, None),
        state_dict_case("adamw_default", "AdamW", {}, None),
    ],
    # repr(optimizer): the class name and each group's options, sorted.
    "reprs": [
        {"optimizer": "SGD", "options": {"lr": 0.1, "momentum": 0.9},
         "repr": repr(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9))},
        {"optimizer": "Adam", "options": {"lr": 1e-5, "betas": [0.8, 0.95]},
         "repr": repr(torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=1e-5, betas=(0.8, 0.95)))},
        {"optimizer": "AdamW", "options": {},
         "repr": repr(torch.optim.AdamW([torch.zeros(1, requires_grad=True)]))},
    ],
})


# ---- learning-rate schedulers --------------------------------------------------------------

SCHED = torch.optim.lr_scheduler

# name, optimizer kind, optimizer groups' lrs, optimizer options, scheduler, positional, options, steps
SCHEDULERS = [
    ("step_lr", "SGD", [0.1], {"momentum": 0.9}, "StepLR", [7], {"gamma": 0.5}, 35),
    ("step_lr_two_groups", "SGD", [0.1, 0.02], {}, "StepLR", [10], {}, 35),
    ("cosine", "SGD", [0.1], {}, "CosineAnnealingLR", [10], {}, 35),
    ("cosine_eta_min", "SGD", [0.05, 0.2], {}, "CosineAnnealingLR", [12], {"eta_min": 0.001}, 40),
    ("linear_default", "SGD", [0.1], {}, "LinearLR", [], {}, 30),
    ("linear_decay", "Adam", [0.01], {}, "LinearLR", [], {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 20}, 30),
    ("onecycle_cos", "SGD", [0.1], {"momentum": 0.9}, "OneCycleLR", [0.5], {"total_steps": 40}, 40),
    ("onecycle_linear_adam", "Adam", [0.01, 0.01], {}, "OneCycleLR", [[0.3, 0.1]],
     {"epochs": 4, "steps_per_epoch": 10, "anneal_strategy": "linear", "pct_start": 0.25,
      "div_factor": 10.0, "final_div_factor": 100.0}, 40),
    ("onecycle_three_phase", "SGD", [0.1], {"momentum": 0.9}, "OneCycleLR", [1.0],
     {"total_steps": 45, "three_phase": True, "base_momentum": 0.8, "max_momentum": 0.9}, 45),
    ("onecycle_three_phase_linear", "SGD", [0.1], {}, "OneCycleLR", [0.2],
     {"total_steps": 33, "three_phase": True, "anneal_strategy": "linear", "cycle_momentum": False,
      "pct_start": 0.4}, 33),
]


def run_scheduler(name, kind, lrs, opt_options, sched_name, positional, options, steps):
    ws = [torch.zeros(2, requires_grad=True) for _ in lrs]
    groups = [{"params": [w], "lr": lr} for w, lr in zip(ws, lrs)]
    opt = OPTIMIZERS[kind](groups, **opt_options)
    sched = getattr(SCHED, sched_name)(opt, *positional, **options)
    seq_lr, seq_momentum = [sched.get_last_lr()], []

    def momenta():
        return [g["betas"][0] if "betas" in g else g.get("momentum") for g in opt.param_groups]

    seq_momentum.append(momenta())
    for _ in range(steps):
        opt.step()  # no gradients: a no-op that keeps PyTorch's step-order check quiet
        sched.step()
        seq_lr.append(sched.get_last_lr())
        seq_momentum.append(momenta())
    return {
        "name": name,
        "optimizer": kind,
        "lrs": lrs,
        "optimizer_options": opt_options,
        "scheduler": sched_name,
        "positional": positional,
        "options": options,
        "steps": steps,
        "last_lr": seq_lr,
        "momentum": seq_momentum,
        "total_steps": getattr(sched, "total_steps", None),
    }


write("schedulers.json", {"cases": [run_scheduler(*c) for c in SCHEDULERS]})


# ---- the pointwise ops the optimizers use --------------------------------------------------

torch.manual_seed(7)
a = torch.randn(3, 4)
t1 = torch.randn(3, 4)
t2 = torch.rand(1, 4) + 0.5  # broadcast, positive so that addcdiv is tame
end = torch.randn(3, 4)
weight = torch.rand(3, 4)
write("pointwise.json", {
    "inputs": {k: {"shape": list(v.shape), "bits": bits(v)} for k, v in
               {"a": a, "t1": t1, "t2": t2, "end": end, "weight": weight}.items()},
    "cases": [
        {"op": "addcmul", "value": 1, "out": nums(torch.addcmul(a, t1, t2))},
        {"op": "addcmul", "value": -0.3, "out": nums(torch.addcmul(a, t1, t2, value=-0.3))},
        {"op": "addcdiv", "value": 1, "out": nums(torch.addcdiv(a, t1, t2))},
        {"op": "addcdiv", "value": 2.5, "out": nums(torch.addcdiv(a, t1, t2, value=2.5))},
        {"op": "lerp_scalar", "weight": 0.1, "out": nums(torch.lerp(a, end, 0.1))},
        {"op": "lerp_scalar", "weight": 0.75, "out": nums(torch.lerp(a, end, 0.75))},
        {"op": "lerp_tensor", "out": nums(torch.lerp(a, end, weight))},
    ],
})
