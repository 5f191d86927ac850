#!/usr/bin/python3
"""Golden fixtures for torch-ts's torch.nn (src/nn), written by real PyTorch.

Run with Debian's interpreter (python3-torch 1.13):

    /usr/bin/python3 -P scripts/golden/nn.py

Writes test/golden/nn/*.json, each starting with
{"metadata": {"torch_version": ..., "script": "scripts/golden/nn.py"}, ...}.

Encoding: float32 tensors as uint32 bit patterns (numbers), float64 as 16 hex digits, so the
init fixtures compare bit for bit. Results of matrix products are plain numbers (compared
with a tolerance: the summation order is the BLAS library's, see docs/pytorch-rng.md 9).

Where 1.13 and 2.x differ, torch-ts follows 2.x; the fixture records 1.13's value and the
2.x one next to it, with a note:
  * ModuleList's repr compresses runs of equal children in 2.x ("(0-1): 2 x Linear(...)").
    The 2.x text is produced here by the 2.x algorithm applied to 1.13's child reprs.
  * grad_fn of a view made by reshape: ReshapeAliasBackward0 in 1.13, ViewBackward0 in 2.x.
  * F.linear with a contiguous input and a 1-D bias goes through one addmm and a view in 2.x
    (ATen's _flatten_nd_linear), so a 1-D input's output has grad_fn ViewBackward0 there;
    1.13 runs matmul + add_ (AddBackward0). The 2.x name ("grad_fn") comes from running 2.x's
    dispatch rule (linear_2x below) with 1.13's ops; "grad_fn_1_13" is what F.linear gave.
  * F.linear on a 0-d input: 2.x checks in linear itself ("both arguments to linear need to be
    at least 1D, ..."), recorded as message_2x; 1.13's message comes from matmul.
"""

import collections
import json
import math
import os
import struct
import warnings

import torch
from torch import nn
import torch.nn.functional as F
from torch.nn.modules.module import _addindent

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "..", "test", "golden", "nn")
SEEDS = [0, 1, 42]

warnings.simplefilter("ignore")
torch.set_num_threads(1)


def metadata():
    return {"torch_version": torch.__version__, "script": "scripts/golden/nn.py"}


def bits(t):
    """A tensor's values in row-major order: float32 as uint32, float64 as hex."""
    t = t.detach().contiguous().flatten()
    if t.dtype == torch.float32:
        return [struct.unpack("<I", struct.pack("<f", v))[0] for v in t.tolist()]
    if t.dtype == torch.float64:
        return [struct.pack(">d", v).hex() for v in t.tolist()]
    raise ValueError(t.dtype)


def enc(t):
    return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "bits": bits(t)}


def numbers(t):
    return {"shape": list(t.shape), "values": t.detach().flatten().tolist()}


def probe():
    """Two float32 uniforms: they fix the number of draws consumed before them."""
    return bits(torch.rand(2))


def error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return {"type": type(e).__name__, "message": str(e) if not isinstance(e, KeyError) else e.args[0]}
    raise AssertionError("expected an error")


def write(name, data):
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, name + ".json")
    with open(path, "w") as f:
        json.dump({"metadata": metadata(), **data}, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes")


# ---- Linear init ---------------------------------------------------------------------------

LINEAR_SHAPES = [
    {"in": 2, "out": 3, "bias": True, "dtype": "float32"},
    {"in": 784, "out": 10, "bias": True, "dtype": "float32"},
    {"in": 5, "out": 4, "bias": False, "dtype": "float32"},
    {"in": 1, "out": 1, "bias": True, "dtype": "float32"},
    {"in": 0, "out": 3, "bias": True, "dtype": "float32"},
    {"in": 2, "out": 3, "bias": True, "dtype": "float64"},
    {"in": 3, "out": 0, "bias": True, "dtype": "float32"},
]


def linear_init():
    cases = []
    for seed in SEEDS:
        for spec in LINEAR_SHAPES:
            torch.manual_seed(seed)
            dtype = getattr(torch, spec["dtype"])
            m = nn.Linear(spec["in"], spec["out"], bias=spec["bias"], dtype=dtype)
            case = dict(spec, seed=seed, weight=enc(m.weight),
                        bias_values=enc(m.bias) if m.bias is not None else None)
            if m.weight.numel() > 1000 and seed != 0:
                # Keep the fixture small: every 37th value (plus the probe, which fixes the count).
                case["weight"] = dict(case["weight"], stride=37, bits=bits(m.weight.flatten()[::37]))
            case["probe"] = probe()
            cases.append(case)
    # Bilinear's init: weight then bias, both U(+-1/sqrt(in1)).
    bilinear = []
    for seed in SEEDS:
        torch.manual_seed(seed)
        m = nn.Bilinear(3, 2, 4)
        bilinear.append({"seed": seed, "in1": 3, "in2": 2, "out": 4, "weight": enc(m.weight), "bias": enc(m.bias),
                         "probe": probe()})
    # LazyLinear draws at its first call, in Linear's order.
    lazy = []
    for seed in SEEDS:
        torch.manual_seed(seed)
        m = nn.LazyLinear(3)
        before = repr(m)
        x = torch.ones(2, 4)
        y = m(x)
        lazy.append({"seed": seed, "repr_before": before, "repr_after": repr(m), "class_after": type(m).__name__,
                     "in_features": m.in_features, "weight": enc(m.weight), "bias": enc(m.bias),
                     "y": numbers(y), "probe": probe()})
    write("linear_init", {"linear": cases, "bilinear": bilinear, "lazy": lazy})


# ---- the article's sequence and forward passes --------------------------------------------

def linear_2x(x, w, b):
    """ATen's 2.x `linear` dispatch (Linear.cpp), run with 1.13's ops: gives the 2.x grad_fn."""
    if x.dim() == 2 and b is not None:
        return torch.addmm(b, x, w.t())
    if b is not None and x.is_contiguous() and (x.dim() == 3 or b.dim() == 1):
        rows = 1
        for s in x.shape[:-1]:
            rows *= s
        r = torch.addmm(b, x.reshape(rows, x.shape[-1]), w.t())
        return r.view(*x.shape[:-1], r.shape[1])
    out = x.matmul(w.t())
    return out + b if b is not None else out


def linear_forward():
    seq = []
    for seed in SEEDS:
        torch.manual_seed(seed)
        m = nn.Linear(2, 3)
        x = torch.randn(4, 2)
        y = m(x)
        seq.append({
            "seed": seed, "weight": enc(m.weight), "bias": enc(m.bias), "x": enc(x), "y": numbers(y),
            "size_text": str(y.size()), "module_text": str(m), "y_text": str(y), "grad_fn": type(y.grad_fn).__name__,
        })
    # Shapes through F.linear: values (tolerance) and the grad_fn each dispatch path names.
    torch.manual_seed(7)
    shapes = []
    specs = [
        ("2d_bias", [4, 3], [5, 3], [5], None),
        ("2d_nobias", [4, 3], [5, 3], None, None),
        ("1d_input", [3], [5, 3], [5], "1.13 runs matmul + add_ (AddBackward0); 2.x flattens (ViewBackward0)"),
        ("3d_bias", [2, 4, 3], [5, 3], [5], None),
        ("3d_noncontig", [4, 2, 3], [5, 3], [5], "transposed input: matmul + add in both"),
        ("4d_bias", [2, 2, 2, 3], [5, 3], [5], "1.13 runs matmul + add_ (AddBackward0); 2.x flattens (ViewBackward0)"),
        ("1d_weight", [4, 3], [3], None, None),
        ("1d_weight_0d_bias", [3], [3], [], None),
        ("1d_weight_0d_bias_4d", [2, 2, 1, 3], [3], [], None),
    ]
    for name, xs, ws, bs, note in specs:
        x = torch.randn(*xs, requires_grad=True)
        if name == "3d_noncontig":
            x = torch.randn(2, 4, 3).transpose(0, 1).detach().requires_grad_()
        w = torch.randn(*ws, requires_grad=True)
        b = torch.randn(tuple(bs), requires_grad=True) if bs is not None else None
        y = F.linear(x, w, b)
        y.sum().backward()
        entry = {"name": name, "x": enc(x), "w": enc(w), "b": enc(b) if b is not None else None, "y": numbers(y),
                 "grad_fn": type(linear_2x(x, w, b).grad_fn).__name__, "grad_fn_1_13": type(y.grad_fn).__name__, "x_grad": numbers(x.grad), "w_grad": numbers(w.grad),
                 "b_grad": numbers(b.grad) if b is not None else None, "x_strides": list(x.stride())}
        if note:
            entry["note"] = note
        shapes.append(entry)
    errors = {
        "mismatch_2d": error(lambda: F.linear(torch.randn(4, 2), torch.randn(3, 3), torch.randn(3))),
        "mismatch_2d_nobias": error(lambda: F.linear(torch.randn(4, 2), torch.randn(3, 3))),
        "mismatch_3d": error(lambda: F.linear(torch.randn(5, 4, 2), torch.randn(3, 3), torch.randn(3))),
        "weight_1d_bias_0d_3d": error(lambda: F.linear(torch.randn(2, 4, 3), torch.randn(3), torch.randn(()))),
        # 1.13 reports this from matmul; 2.x checks in linear first (Linear.cpp's TORCH_CHECK).
        "scalar_input": dict(error(lambda: F.linear(torch.tensor(1.0), torch.randn(3, 3), torch.randn(3))),
                             message_2x="both arguments to linear need to be at least 1D, but they are 0D and 2D"),
        "module_mismatch": error(lambda: nn.Linear(3, 3)(torch.randn(4, 2))),
        "bilinear_dims": error(lambda: F.bilinear(torch.randn(4, 3), torch.randn(2), torch.randn(5, 3, 2))),
        "bilinear_batch": error(lambda: F.bilinear(torch.randn(4, 3), torch.randn(5, 2), torch.randn(5, 3, 2))),
        "bilinear_in1": error(lambda: F.bilinear(torch.randn(4, 2), torch.randn(4, 2), torch.randn(5, 3, 2))),
        "bilinear_in2": error(lambda: F.bilinear(torch.randn(4, 3), torch.randn(4, 3), torch.randn(5, 3, 2))),
        "bilinear_bias": error(
            lambda: F.bilinear(torch.randn(4, 3), torch.randn(4, 2), torch.randn(5, 3, 2), torch.randn(4))),
    }
    # Bilinear values.
    torch.manual_seed(3)
    x1, x2 = torch.randn(4, 3, requires_grad=True), torch.randn(4, 2, requires_grad=True)
    w, b = torch.randn(5, 3, 2, requires_grad=True), torch.randn(5, requires_grad=True)
    y = F.bilinear(x1, x2, w, b)
    y.sum().backward()
    bil = {"x1": enc(x1), "x2": enc(x2), "w": enc(w), "b": enc(b), "y": numbers(y),
           "grads": [numbers(t.grad) for t in (x1, x2, w, b)], "grad_fn": type(y.grad_fn).__name__,
           "grad_fn_nobias_1_13": type(F.bilinear(x1, x2, w).grad_fn).__name__,
           # 2.x names the final reshape's view ViewBackward0 (1.13: ReshapeAliasBackward0).
           "grad_fn_nobias": type(F.bilinear(x1, x2, w).view(4, 5).grad_fn).__name__,
           "y_1d": numbers(F.bilinear(x1[0], x2[0], w, b)),
           "y_3d": numbers(F.bilinear(x1.view(2, 2, 3), x2.view(2, 2, 2), w, b))}
    write("linear_forward", {"sequence": seq, "shapes": shapes, "errors": errors, "bilinear": bil})


# ---- reprs ---------------------------------------------------------------------------------

def modulelist_repr_2x(ml):
    """ModuleList.__repr__ of PyTorch 2.x (consecutive equal child reprs collapse)."""
    reprs = [repr(m) for m in ml]
    if not reprs:
        return ml._get_name() + "()"
    blocks = [[0, 0, reprs[0]]]
    for i, r in enumerate(reprs[1:], 1):
        if r == blocks[-1][2]:
            blocks[-1][1] = i
        else:
            blocks.append([i, i, r])
    lines = []
    for s, e, b in blocks:
        text = f"({s}): {b}" if s == e else f"({s}-{e}): {e - s + 1} x {b}"
        lines.append(_addindent(text, 2))
    return ml._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


class Net(nn.Module):
    """A custom module with an extra_repr, parameters, buffers and children."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(3))
        self.encoder = nn.Sequential(nn.Linear(4, 3), nn.Identity())
        self.register_buffer("steps", torch.zeros((), dtype=torch.int64))
        self.register_buffer("cache", torch.zeros(2), persistent=False)
        self.heads = nn.ModuleDict({"cls": nn.Linear(3, 2), "reg": nn.Linear(3, 1, bias=False)})
        self.offset = nn.Parameter(torch.zeros(1))

    def extra_repr(self):
        return "hidden=3\nnote=two lines"


def reprs():
    torch.manual_seed(0)
    cases = []

    def add(name, m, code, repr_2x=None):
        entry = {"name": name, "code": code, "repr": repr(m)}
        if repr_2x is not None and repr_2x != entry["repr"]:
            entry["repr_1_13"] = entry["repr"]
            entry["repr"] = repr_2x
            entry["note"] = "2.x ModuleList repr collapses runs of equal children"
        cases.append(entry)

    add("linear", nn.Linear(2, 3), "new nn.Linear(2, 3)")
    add("linear_nobias", nn.Linear(5, 4, bias=False), "new nn.Linear(5, 4, { bias: false })")
    add("identity", nn.Identity(54, unused_argument1=0.1), "new nn.Identity(54, { unused_argument1: 0.1 })")
    add("flatten", nn.Flatten(), "new nn.Flatten()")
    add("flatten_0_2", nn.Flatten(0, 2), "new nn.Flatten(0, 2)")
    add("unflatten", nn.Unflatten(1, (2, 5, 5)), "new nn.Unflatten(1, [2, 5, 5])")
    add("unflatten_1", nn.Unflatten(-1, (6,)), "new nn.Unflatten(-1, [6])")
    add("bilinear", nn.Bilinear(3, 2, 5), "new nn.Bilinear(3, 2, 5)")
    add("bilinear_nobias", nn.Bilinear(3, 2, 5, bias=False), "new nn.Bilinear(3, 2, 5, { bias: false })")
    add("lazy", nn.LazyLinear(3), "new nn.LazyLinear(3)")
    add("sequential_empty", nn.Sequential(), "new nn.Sequential()")
    add("sequential", nn.Sequential(nn.Linear(2, 4), nn.Identity(), nn.Flatten(), nn.Linear(4, 1)),
        "new nn.Sequential(new nn.Linear(2, 4), new nn.Identity(), new nn.Flatten(), new nn.Linear(4, 1))")
    add("sequential_docs", nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2)),
        "new nn.Sequential(new nn.Linear(2, 2), new nn.Linear(2, 2))")
    add("sequential_named", nn.Sequential(collections.OrderedDict([("fc1", nn.Linear(2, 3)), ("act", nn.Identity())])),
        'new nn.Sequential(new Map([["fc1", new nn.Linear(2, 3)], ["act", new nn.Identity()]]))')
    add("sequential_nested",
        nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Linear(3, 3), nn.Sequential(nn.Identity())), nn.Flatten(0)),
        "new nn.Sequential(new nn.Linear(2, 3), new nn.Sequential(new nn.Linear(3, 3), "
        "new nn.Sequential(new nn.Identity())), new nn.Flatten(0))")
    ml = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 3), nn.Identity(), nn.Identity(),
                        nn.Identity()])
    add("modulelist", ml, "new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2), new nn.Linear(2, 3), "
        "new nn.Identity(), new nn.Identity(), new nn.Identity()])", modulelist_repr_2x(ml))
    ml2 = nn.ModuleList([nn.Sequential(nn.Linear(2, 2)), nn.Sequential(nn.Linear(2, 2))])
    add("modulelist_nested", ml2, "new nn.ModuleList([new nn.Sequential(new nn.Linear(2, 2)), "
        "new nn.Sequential(new nn.Linear(2, 2))])", modulelist_repr_2x(ml2))
    add("modulelist_empty", nn.ModuleList(), "new nn.ModuleList()", modulelist_repr_2x(nn.ModuleList()))
    add("moduledict", nn.ModuleDict({"b": nn.Linear(2, 2), "a": nn.Identity(), "10": nn.Flatten()}),
        'new nn.ModuleDict(new Map([["b", new nn.Linear(2, 2)], ["a", new nn.Identity()], ["10", new nn.Flatten()]]))')
    add("custom", Net(), "new Net()")
    shared = nn.Linear(2, 2)
    add("shared", nn.Sequential(shared, shared), "new nn.Sequential(shared, shared)")
    gap = nn.Sequential(nn.Identity())
    gap.add_module("gap", None)
    add("none_child", gap, 'seq.add_module("gap", null)')
    params = {
        "parameter": str(nn.Parameter(torch.tensor([[1.0, 2.0], [3.0, 4.5]]))),
        "parameter_no_grad": str(nn.Parameter(torch.tensor([1.0, -2.0]), requires_grad=False)),
        "uninitialized": repr(nn.parameter.UninitializedParameter()),
        "parameter_empty": str(nn.Parameter()),
    }
    write("repr", {"modules": cases, "parameters": params})


# ---- state dicts and module errors ----------------------------------------------------------

def state_dicts():
    torch.manual_seed(0)
    models = {}

    def keys(name, m, code):
        sd = m.state_dict()
        models[name] = {
            "code": code,
            "state_dict": list(sd.keys()),
            "shapes": [list(v.shape) for v in sd.values()],
            "named_parameters": [n for n, _ in m.named_parameters()],
            # 1.13's named_parameters has no remove_duplicate: 2.x's walk, spelled out.
            "named_parameters_nodedup": [
                p + ("." if p else "") + k
                for p, mod in m.named_modules(remove_duplicate=False)
                for k, v in mod._parameters.items() if v is not None],
            "named_buffers": [n for n, _ in m.named_buffers()],
            "named_modules": [n for n, _ in m.named_modules()],
            "named_children": [n for n, _ in m.named_children()],
            "parameters_count": len(list(m.parameters())),
            "parameters_norecurse": [n for n, _ in m.named_parameters(recurse=False)],
        }

    keys("nested", nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Linear(3, 3), nn.Identity()),
                                 nn.Linear(3, 1, bias=False)), "nested")
    keys("custom", Net(), "custom")
    shared = nn.Linear(2, 2)
    keys("shared", nn.Sequential(shared, shared), "shared")
    keys("prefix_named", nn.Sequential(collections.OrderedDict([("fc1", nn.Linear(2, 3)), ("fc2", nn.Linear(3, 1))])),
         "named")

    errs = {}
    m = nn.Linear(2, 3)
    errs["missing"] = error(lambda: m.load_state_dict({"weight": torch.zeros(3, 2)}))
    errs["missing_both"] = error(lambda: m.load_state_dict({}))
    errs["unexpected"] = error(lambda: m.load_state_dict(
        {"weight": torch.zeros(3, 2), "bias": torch.zeros(3), "extra": torch.zeros(1), "more.x": torch.zeros(1)}))
    errs["size_mismatch"] = error(lambda: m.load_state_dict({"weight": torch.zeros(3, 3), "bias": torch.zeros(3)}))
    errs["all_three"] = error(lambda: m.load_state_dict({"weight": torch.zeros(2, 2), "foo": torch.zeros(1)}))
    errs["not_dict"] = error(lambda: m.load_state_dict([1, 2]))
    errs["not_tensor"] = error(lambda: m.load_state_dict({"weight": 3, "bias": torch.zeros(3)}))
    seq = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    errs["nested"] = error(lambda: seq.load_state_dict({"0.weight": torch.zeros(3, 2), "1.weight": torch.zeros(1, 2),
                                                        "2.bias": torch.zeros(1)}))
    nobias = nn.Linear(2, 3, bias=False)
    errs["bias_none"] = error(lambda: nobias.load_state_dict({"weight": torch.zeros(3, 2), "bias": torch.zeros(3)}))
    results = {
        "ok": str(m.load_state_dict({"weight": torch.ones(3, 2), "bias": torch.ones(3)})),
        "non_strict": str(m.load_state_dict({"weight": torch.ones(3, 2), "extra": torch.zeros(1)}, strict=False)),
        "non_strict_missing": list(m.load_state_dict({"extra": torch.zeros(1)}, strict=False).missing_keys),
        "non_strict_unexpected": list(m.load_state_dict({"extra": torch.zeros(1)}, strict=False).unexpected_keys),
    }
    # 0-d parameter from a 1-element 1-D tensor (the BC shim).
    class Scalar(nn.Module):
        def __init__(self):
            super().__init__()
            self.s = nn.Parameter(torch.tensor(1.0))

    sm = Scalar()
    results["bc_shim"] = str(sm.load_state_dict({"s": torch.tensor([2.5])}))
    results["bc_shim_value"] = sm.s.item()

    def register(fn):
        mod = nn.Linear(2, 2)
        return error(lambda: fn(mod))

    module_errors = {
        "assign_tensor_to_param": register(lambda mod: setattr(mod, "weight", torch.zeros(2, 2))),
        "assign_int_to_param": register(lambda mod: setattr(mod, "weight", 3)),
        "assign_tensor_to_child": error(lambda: setattr(nn.Sequential(nn.Identity()), "0", torch.zeros(1))),
        "param_dot": register(lambda mod: mod.register_parameter("a.b", None)),
        "param_empty": register(lambda mod: mod.register_parameter("", None)),
        "param_exists": register(lambda mod: mod.register_parameter("in_features", None)),
        "param_not_param": register(lambda mod: mod.register_parameter("p", torch.zeros(1))),
        "param_nonleaf": register(
            lambda mod: mod.register_parameter("p", nn.Parameter(torch.zeros(1)) * 2)),
        "buffer_dot": register(lambda mod: mod.register_buffer("a.b", None)),
        "buffer_empty": register(lambda mod: mod.register_buffer("", None)),
        "buffer_exists": register(lambda mod: mod.register_buffer("weight", None)),
        "buffer_not_tensor": register(lambda mod: mod.register_buffer("b", 3)),
        "module_not_module": register(lambda mod: mod.add_module("m", 3)),
        "module_dot": register(lambda mod: mod.add_module("a.b", None)),
        "module_empty": register(lambda mod: mod.add_module("", None)),
        "module_exists": register(lambda mod: mod.add_module("weight", None)),
        "get_submodule_missing": error(lambda: nn.Sequential(nn.Linear(2, 2)).get_submodule("0.foo")),
        "get_submodule_not_module": error(lambda: nn.Sequential(nn.Linear(2, 2)).get_submodule("0.weight")),
        "get_parameter_missing": error(lambda: nn.Sequential(nn.Linear(2, 2)).get_parameter("0.foo")),
        "get_parameter_not_param": error(lambda: nn.Sequential(nn.Linear(2, 2)).get_parameter("0.in_features")),
        "get_buffer_not_buffer": error(lambda: nn.Sequential(nn.Linear(2, 2)).get_buffer("0.weight")),
        "to_int": register(lambda mod: mod.to(torch.int64)),
        "train_not_bool": register(lambda mod: mod.train("yes")),
        "forward_missing": error(lambda: nn.Module()(torch.zeros(1))),
        "sequential_index": error(lambda: nn.Sequential(nn.Identity())[3]),
        "modulelist_index": error(lambda: nn.ModuleList([nn.Identity()])[-2]),
    }
    write("state_dict", {"models": models, "load_errors": errs, "load_results": results,
                         "module_errors": module_errors})


# ---- nn.init --------------------------------------------------------------------------------

def init_values():
    cases = []

    def case(name, shape, fn, code, dtype=torch.float32, exact=True):
        for seed in SEEDS:
            torch.manual_seed(seed)
            t = torch.empty(*shape, dtype=dtype)
            fn(t)
            cases.append({"name": name, "seed": seed, "shape": list(shape), "code": code, "exact": exact,
                          "values": enc(t), "probe": probe()})

    init = nn.init
    case("uniform_default", (3, 5), lambda t: init.uniform_(t), "uniform_(t)")
    case("uniform_ab", (4, 4), lambda t: init.uniform_(t, -0.3, 0.7), "uniform_(t, { a: -0.3, b: 0.7 })")
    case("normal_small", (3, 5), lambda t: init.normal_(t, 0.5, 2.0), "normal_(t, { mean: 0.5, std: 2 })")
    case("normal_large", (4, 5), lambda t: init.normal_(t), "normal_(t)")
    case("xavier_uniform", (3, 5), lambda t: init.xavier_uniform_(t), "xavier_uniform_(t)")
    case("xavier_uniform_relu", (6, 4, 3), lambda t: init.xavier_uniform_(t, gain=init.calculate_gain("relu")),
         "xavier_uniform_(t, { gain: calculate_gain('relu') })")
    case("xavier_normal", (3, 5), lambda t: init.xavier_normal_(t), "xavier_normal_(t)")
    case("xavier_normal_large", (8, 6), lambda t: init.xavier_normal_(t, gain=2.0), "xavier_normal_(t, { gain: 2 })")
    case("kaiming_uniform", (4, 3), lambda t: init.kaiming_uniform_(t), "kaiming_uniform_(t)")
    case("kaiming_uniform_sqrt5", (3, 2), lambda t: init.kaiming_uniform_(t, a=math.sqrt(5)),
         "kaiming_uniform_(t, { a: sqrt(5) })")
    case("kaiming_uniform_fan_out_relu", (5, 3, 2),
         lambda t: init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"),
         "kaiming_uniform_(t, { mode: 'fan_out', nonlinearity: 'relu' })")
    case("kaiming_normal", (3, 4), lambda t: init.kaiming_normal_(t), "kaiming_normal_(t)")
    case("kaiming_normal_large", (6, 5), lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"),
         "kaiming_normal_(t, { mode: 'fan_out', nonlinearity: 'relu' })")
    case("kaiming_uniform_f64", (4, 3), lambda t: init.kaiming_uniform_(t, a=math.sqrt(5)),
         "kaiming_uniform_(t, { a: sqrt(5) }) float64", dtype=torch.float64)
    case("kaiming_normal_f64", (5, 4), lambda t: init.kaiming_normal_(t), "kaiming_normal_(t) float64",
         dtype=torch.float64)
    case("trunc_normal", (4, 5), lambda t: init.trunc_normal_(t), "trunc_normal_(t)", exact=False)
    case("trunc_normal_shifted", (3, 3), lambda t: init.trunc_normal_(t, mean=1.0, std=0.5, a=0.0, b=2.0),
         "trunc_normal_(t, { mean: 1, std: 0.5, a: 0, b: 2 })", exact=False)
    case("orthogonal_wide", (3, 5), lambda t: init.orthogonal_(t), "orthogonal_(t)", exact=False)
    case("orthogonal_tall", (5, 3), lambda t: init.orthogonal_(t, gain=2.0), "orthogonal_(t, { gain: 2 })",
         exact=False)
    case("orthogonal_4d", (4, 2, 2), lambda t: init.orthogonal_(t), "orthogonal_(t)", exact=False)
    case("orthogonal_square_f64", (6, 6), lambda t: init.orthogonal_(t), "orthogonal_(t) float64",
         dtype=torch.float64, exact=False)
    case("constant", (2, 3), lambda t: init.constant_(t, 0.3), "constant_(t, 0.3)")
    case("ones", (2, 3), lambda t: init.ones_(t), "ones_(t)")
    case("zeros", (2, 3), lambda t: init.zeros_(t), "zeros_(t)")
    case("eye", (3, 5), lambda t: init.eye_(t), "eye_(t)")
    case("dirac", (4, 2, 3), lambda t: init.dirac_(t), "dirac_(t)")
    case("dirac_groups", (4, 2, 3, 3), lambda t: init.dirac_(t, 2), "dirac_(t, { groups: 2 })")

    gains = {}
    for nl in ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
               "sigmoid", "tanh", "relu", "leaky_relu", "selu"]:
        gains[nl] = init.calculate_gain(nl)
    gains["leaky_relu_0.2"] = init.calculate_gain("leaky_relu", 0.2)
    gains["leaky_relu_0"] = init.calculate_gain("leaky_relu", 0)

    errors = {
        "fan_1d": error(lambda: init.xavier_uniform_(torch.empty(3))),
        "kaiming_1d": error(lambda: init.kaiming_normal_(torch.empty(3))),
        "mode": error(lambda: init.kaiming_uniform_(torch.empty(3, 3), mode="fan_avg")),
        "mode_upper": error(lambda: init.kaiming_uniform_(torch.empty(3, 3), mode="FAN_AVG")),
        "nonlinearity": error(lambda: init.kaiming_uniform_(torch.empty(3, 3), nonlinearity="gelu")),
        "gain_unsupported": error(lambda: init.calculate_gain("foo")),
        "slope": error(lambda: init.calculate_gain("leaky_relu", True)),
        "eye_3d": error(lambda: init.eye_(torch.empty(2, 2, 2))),
        "dirac_2d": error(lambda: init.dirac_(torch.empty(2, 2))),
        "dirac_groups": error(lambda: init.dirac_(torch.empty(3, 2, 3), 2)),
        "orthogonal_1d": error(lambda: init.orthogonal_(torch.empty(3))),
    }
    # A zero-size tensor: kaiming draws nothing.
    torch.manual_seed(0)
    init.kaiming_uniform_(torch.empty(0, 3))
    zero_probe = probe()
    write("init", {"cases": cases, "gains": gains, "errors": errors, "zero_size_probe": zero_probe})


if __name__ == "__main__":
    linear_init()
    linear_forward()
    reprs()
    state_dicts()
    init_values()
