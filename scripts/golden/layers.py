#!/usr/bin/python3
"""Golden fixtures for torch-ts's layers, losses and their functional forms (src/nn:
activation, functional_activation, loss, functional_loss, functional_nll, dropout,
normalization, sparse; src/random/bernoulli), written by real PyTorch.

Run with Debian's interpreter (python3-torch 1.13):

    /usr/bin/python3 -P scripts/golden/layers.py

Writes test/golden/layers/*.json, each starting with
{"metadata": {"torch_version": ..., "script": "scripts/golden/layers.py"}, ...}.

Encoding: float32 tensors as uint32 bit patterns, float64 as 16 hex digits ("bits"), so inputs
are reproduced exactly and RNG results (dropout masks, Embedding init) compare bit for bit.
Computed values (forward results, gradients) are plain numbers, compared with a tolerance.

1.13 against 2.x, for what these fixtures record (torch-ts follows 2.x):
  * every node name recorded here is the same in 2.x (CPU dropout stays the composite
    `input * noise`, MulBackward0; 2.x uses NativeDropoutBackward0 only for CUDA/XPU/lazy);
  * nn.LayerNorm's `bias=False` is 2.x only (2.1+); its case is built here from
    `F.layer_norm(..., bias=None)`, which is what the 2.x module computes;
  * binary_cross_entropy_with_logits: 2.x computes (1 - y) x - log_sigmoid(x) (times the
    pos_weight factor), 1.13 the max-trick form of the same function; equal to rounding;
  * Bernoulli draws: Debian's build has no MKL, so its dropout masks are those of the default
    kernel, which 2.x also runs on every CPU but Intel ones with an MKL build (see
    src/random/bernoulli.ts).
"""

import json
import math
import os
import struct
import warnings

import torch
from torch import nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "..", "test", "golden", "layers")
SCRIPT = "scripts/golden/layers.py"

torch.set_num_threads(1)
warnings.simplefilter("ignore")  # the fixtures record the warnings they test themselves


def metadata():
    return {"torch_version": torch.__version__, "script": SCRIPT}


def bits(t):
    t = t.detach().contiguous().flatten()
    if t.dtype == torch.float32:
        return [struct.unpack("<I", struct.pack("<f", v))[0] for v in t.tolist()]
    if t.dtype == torch.float64:
        return [struct.pack(">d", v).hex() for v in t.tolist()]
    raise ValueError(t.dtype)


def enc(t):
    """A tensor exactly: float bits, or integer values."""
    if t.dtype in (torch.float32, torch.float64):
        return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "bits": bits(t)}
    return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "values": t.flatten().tolist()}


def number(v):
    """A float for JSON: non-finite values as the strings "nan", "inf", "-inf"."""
    v = float(v)
    return v if math.isfinite(v) else str(v)


def numbers(t):
    if t is None:
        return None
    return {"shape": list(t.shape), "values": [number(v) for v in t.detach().flatten().tolist()]}


def error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return {"type": type(e).__name__, "message": str(e)}
    raise AssertionError("expected an error")


def write(name, data):
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, name + ".json")
    with open(path, "w") as f:
        json.dump({"metadata": metadata(), **data}, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes")


def probe():
    """Two float32 uniforms: they fix the number of draws consumed before them."""
    return bits(torch.rand(2))


def grads_of(out, inputs, upstream):
    wanted = [t for t in inputs if t is not None and t.requires_grad]
    got = torch.autograd.grad(out, wanted, grad_outputs=upstream, allow_unused=True)
    it = iter(got)
    return [numbers(next(it)) if (t is not None and t.requires_grad) else None for t in inputs]


# ---- activations -----------------------------------------------------------------------------

def activations():
    torch.manual_seed(0)
    x = torch.randn(4, 5) * 2
    x[0, 0] = 0.0
    x[0, 1] = -0.0
    x[1, 0] = 3.0
    x[1, 1] = -3.0
    x3 = torch.randn(2, 3, 4)
    cases = []

    def case(name, fn, inp, call):
        xi = inp.clone().requires_grad_(True)
        y = fn(xi)
        g = torch.randn(y.shape)
        (gx,) = torch.autograd.grad(y, [xi], g)
        cases.append({"name": name, "call": call, "x": enc(inp), "y": numbers(y), "g": enc(g), "grad": numbers(gx),
                      "grad_fn": y.grad_fn.name()})

    case("relu", F.relu, x, {"fn": "relu"})
    case("leaky_relu", F.leaky_relu, x, {"fn": "leaky_relu"})
    case("leaky_relu_0.2", lambda t: F.leaky_relu(t, 0.2), x, {"fn": "leaky_relu", "negative_slope": 0.2})
    case("gelu", F.gelu, x, {"fn": "gelu"})
    case("gelu_tanh", lambda t: F.gelu(t, approximate="tanh"), x, {"fn": "gelu", "approximate": "tanh"})
    case("silu", F.silu, x, {"fn": "silu"})
    case("sigmoid", torch.sigmoid, x, {"fn": "sigmoid"})
    case("tanh", torch.tanh, x, {"fn": "tanh"})
    for d in (0, 1, -1):
        case(f"softmax_{d}", lambda t, d=d: F.softmax(t, d), x, {"fn": "softmax", "dim": d})
        case(f"log_softmax_{d}", lambda t, d=d: F.log_softmax(t, d), x, {"fn": "log_softmax", "dim": d})
    case("softmax_3d_1", lambda t: F.softmax(t, 1), x3, {"fn": "softmax", "dim": 1})
    case("log_softmax_3d_2", lambda t: F.log_softmax(t, 2), x3, {"fn": "log_softmax", "dim": 2})
    big = x * 40  # exp would overflow without the max shift
    case("softmax_large", lambda t: F.softmax(t, 1), big, {"fn": "softmax", "dim": 1})
    case("log_softmax_large", lambda t: F.log_softmax(t, 1), big, {"fn": "log_softmax", "dim": 1})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case("softmax_implicit_2d", lambda t: F.softmax(t), x, {"fn": "softmax"})
        case("softmax_implicit_3d", lambda t: F.softmax(t), x3, {"fn": "softmax"})
        case("log_softmax_implicit_3d", lambda t: F.log_softmax(t), x3, {"fn": "log_softmax"})

    # softmax with dtype: the cast first, then float64 softmax.
    xi = x.clone().requires_grad_(True)
    y = F.softmax(xi, 1, dtype=torch.float64)
    dtype_case = {"x": enc(x), "y_dtype": str(y.dtype), "y": numbers(y), "grad_fn": y.grad_fn.name(),
                  "next": y.grad_fn.next_functions[0][0].name()}

    inplace = {}
    for name, fn in [("relu", lambda t: F.relu(t, inplace=True)), ("leaky_relu", lambda t: F.leaky_relu(t, 0.1, inplace=True)),
                     ("silu", lambda t: F.silu(t, inplace=True))]:
        leaf = x.clone().requires_grad_(True)
        t = leaf.clone()
        y = fn(t)
        g = torch.randn(y.shape)
        (gx,) = torch.autograd.grad(y, [leaf], g)
        inplace[name] = {"same": y is t, "grad_fn": y.grad_fn.name(), "y": numbers(y), "g": enc(g), "grad": numbers(gx)}

    def neg_slope_inplace():
        t = torch.randn(3, requires_grad=True).clone()
        F.leaky_relu(t, -0.1, inplace=True).sum().backward()

    errors = {
        "gelu_approximate": error(lambda: F.gelu(x, approximate="foo")),
        "gelu_module_approximate": error(lambda: nn.GELU("foo")(x)),
        "softmax_long": error(lambda: F.softmax(torch.tensor([1, 2]), 0)),
        "softmax_long_dim0": error(lambda: F.softmax(torch.tensor([[1, 2]]), 0)),
        "log_softmax_long": error(lambda: F.log_softmax(torch.tensor([1, 2]), 0)),
        "softmax_dim": error(lambda: F.softmax(x, 2)),
        "relu_inplace_leaf": error(lambda: F.relu(x.clone().requires_grad_(True), inplace=True)),
        "leaky_relu_inplace_negative_slope": error(neg_slope_inplace),
    }
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        F.softmax(x)
        F.log_softmax(x)
        implicit_warnings = [str(i.message) for i in w]

    reprs = {
        "ReLU()": repr(nn.ReLU()), "ReLU(true)": repr(nn.ReLU(True)),
        "LeakyReLU()": repr(nn.LeakyReLU()), "LeakyReLU(0.2, true)": repr(nn.LeakyReLU(0.2, True)),
        "GELU()": repr(nn.GELU()), "GELU('tanh')": repr(nn.GELU("tanh")),
        "SiLU()": repr(nn.SiLU()), "SiLU(true)": repr(nn.SiLU(True)),
        "Sigmoid()": repr(nn.Sigmoid()), "Tanh()": repr(nn.Tanh()),
        "Softmax()": repr(nn.Softmax()), "Softmax(1)": repr(nn.Softmax(1)), "LogSoftmax(-1)": repr(nn.LogSoftmax(-1)),
        "Sequential": repr(nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Dropout(0.2), nn.Linear(3, 1), nn.Softmax(1))),
    }
    special = {
        "softmax_all_neg_inf": numbers(F.softmax(torch.tensor([[-float("inf"), -float("inf")]]), 1)),
        "log_softmax_neg_inf": numbers(F.log_softmax(torch.tensor([[-float("inf"), 0.0]]), 1)),
        "softmax_scalar": numbers(F.softmax(torch.tensor(2.0), 0)),
        "log_softmax_scalar": numbers(F.log_softmax(torch.tensor(2.0), -1)),
        "softmax_empty_shape": list(F.softmax(torch.randn(0, 3), 1).shape),
    }
    write("activations", {"cases": cases, "softmax_dtype": dtype_case, "inplace": inplace, "errors": errors,
                          "implicit_warnings": implicit_warnings, "reprs": reprs, "special": special})


# ---- losses ----------------------------------------------------------------------------------

def losses():
    torch.manual_seed(1)
    cases = []

    def run(name, fn, call, x, target, weight=None, pos_weight=None, target_grad=False):
        xi = x.clone().requires_grad_(True)
        ti = target.clone().requires_grad_(True) if target_grad else target
        kwargs = dict(call.get("options", {}))
        if weight is not None:
            kwargs["weight"] = weight
        if pos_weight is not None:
            kwargs["pos_weight"] = pos_weight
        y = fn(xi, ti, **kwargs)
        g = torch.randn(y.shape) if y.dim() > 0 else torch.tensor(1.0)
        grads = grads_of(y, [xi, ti], g)
        cases.append({
            "name": name, "call": call, "x": enc(x), "target": enc(target),
            "weight": enc(weight) if weight is not None else None,
            "pos_weight": enc(pos_weight) if pos_weight is not None else None,
            "target_grad": target_grad, "y": numbers(y), "g": enc(g), "grad_input": grads[0], "grad_target": grads[1],
            "grad_fn": y.grad_fn.name(),
        })

    x = torch.randn(6, 4)
    t = torch.tensor([0, 3, 1, 1, 2, 3])
    w = torch.rand(4) + 0.5
    for red in ("mean", "sum", "none"):
        for use_w in (False, True):
            for ignore in (None, 1):
                for ls in (0.0, 0.1):
                    opts = {"reduction": red}
                    if ignore is not None:
                        opts["ignore_index"] = ignore
                    if ls:
                        opts["label_smoothing"] = ls
                    name = f"ce_{red}{'_w' if use_w else ''}{'_ign' if ignore is not None else ''}{'_ls' if ls else ''}"
                    run(name, F.cross_entropy, {"fn": "cross_entropy", "options": opts}, x, t, w if use_w else None)
        run(f"nll_{red}", F.nll_loss, {"fn": "nll_loss", "options": {"reduction": red}}, F.log_softmax(x, 1), t)
        run(f"nll_{red}_w_ign", F.nll_loss, {"fn": "nll_loss", "options": {"reduction": red, "ignore_index": 3}},
            F.log_softmax(x, 1), t, w)
    # Shapes: (C) with a 0-d target, (N, C, d), (N, C, H, W), (N, C, d1, d2, d3).
    x1 = torch.randn(5)
    for red in ("mean", "none"):
        run(f"ce_1d_{red}", F.cross_entropy, {"fn": "cross_entropy", "options": {"reduction": red}}, x1, torch.tensor(2))
    x3 = torch.randn(2, 4, 3)
    t3 = torch.tensor([[0, 3, 1], [2, 2, -100]])
    x4 = torch.randn(2, 4, 2, 3)
    t4 = torch.randint(0, 4, (2, 2, 3))
    t4[1, 1, 2] = -100
    x5 = torch.randn(2, 3, 2, 1, 2)
    t5 = torch.randint(0, 3, (2, 2, 1, 2))
    for red in ("mean", "sum", "none"):
        run(f"ce_3d_{red}", F.cross_entropy, {"fn": "cross_entropy", "options": {"reduction": red}}, x3, t3)
        run(f"ce_4d_{red}_w", F.cross_entropy, {"fn": "cross_entropy", "options": {"reduction": red}}, x4, t4, w)
        run(f"ce_5d_{red}", F.cross_entropy, {"fn": "cross_entropy", "options": {"reduction": red}}, x5, t5)
        run(f"ce_4d_{red}_ls", F.cross_entropy, {"fn": "cross_entropy", "options": {"reduction": red, "label_smoothing": 0.2}},
            x4, t4, w)
    # Class probabilities.
    p = torch.softmax(torch.randn(6, 4), 1)
    p3 = torch.softmax(torch.randn(2, 4, 3), 1)
    for red in ("mean", "sum", "none"):
        for use_w in (False, True):
            for ls in (0.0, 0.25):
                opts = {"reduction": red}
                if ls:
                    opts["label_smoothing"] = ls
                run(f"ce_prob_{red}{'_w' if use_w else ''}{'_ls' if ls else ''}", F.cross_entropy,
                    {"fn": "cross_entropy", "options": opts}, x, p, w if use_w else None)
        run(f"ce_prob_3d_{red}_w", F.cross_entropy, {"fn": "cross_entropy", "options": {"reduction": red}}, x3, p3, w)
    run("ce_prob_1d", F.cross_entropy, {"fn": "cross_entropy", "options": {}}, x1, torch.softmax(torch.randn(5), 0))
    # Regression and binary losses, with target gradients.
    y = torch.randn(6, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for red in ("mean", "sum", "none"):
            run(f"mse_{red}", F.mse_loss, {"fn": "mse_loss", "options": {"reduction": red}}, x, y, target_grad=True)
            run(f"l1_{red}", F.l1_loss, {"fn": "l1_loss", "options": {"reduction": red}}, x, y, target_grad=True)
            run(f"mse_bcast_{red}", F.mse_loss, {"fn": "mse_loss", "options": {"reduction": red}}, x, y[0], target_grad=True)
            run(f"l1_bcast_{red}", F.l1_loss, {"fn": "l1_loss", "options": {"reduction": red}}, x, y[:, :1], target_grad=True)
    logits = torch.randn(6, 4) * 3
    yb = torch.rand(6, 4)
    wb = torch.rand(6, 4)
    pw = torch.rand(4) * 3
    for red in ("mean", "sum", "none"):
        for use_w in (False, True):
            for use_pw in (False, True):
                run(f"bce_{red}{'_w' if use_w else ''}{'_pw' if use_pw else ''}", F.binary_cross_entropy_with_logits,
                    {"fn": "binary_cross_entropy_with_logits", "options": {"reduction": red}}, logits, yb,
                    wb if use_w else None, pw if use_pw else None, target_grad=True)

    special = {
        "nll_all_ignored_mean": numbers(F.nll_loss(x, torch.full((6,), -100))),
        "ce_all_ignored_mean": numbers(F.cross_entropy(x, torch.full((6,), -100))),
        "ce_all_ignored_ls": numbers(F.cross_entropy(x, torch.full((6,), -100), label_smoothing=0.1)),
        "nll2d_all_ignored_mean": numbers(F.nll_loss(x4, torch.full((2, 2, 3), -100))),
        "nll_empty_mean": numbers(F.nll_loss(torch.randn(0, 3), torch.zeros(0, dtype=torch.long))),
        "nll_empty_sum": numbers(F.nll_loss(torch.randn(0, 3), torch.zeros(0, dtype=torch.long), reduction="sum")),
    }
    # Ignored elements are skipped, whatever the input holds (an inf at class 0 stays out); a
    # counted element of weight 0 still multiplies its input (inf * 0 = nan).
    xi = torch.tensor([[float("inf"), 1.0, 2.0], [0.5, 0.2, 0.1], [-1.0, float("nan"), 3.0]], requires_grad=True)
    ti = torch.tensor([-100, 1, 2])
    F.nll_loss(xi, ti).backward()
    special["nll_ignored_inf_x"] = numbers(xi)
    special["nll_ignored_inf_none"] = numbers(F.nll_loss(xi, ti, reduction="none"))
    special["nll_ignored_inf_mean"] = numbers(F.nll_loss(xi, ti))
    special["nll_ignored_inf_sum"] = numbers(F.nll_loss(xi, ti, reduction="sum"))
    special["nll_ignored_inf_grad"] = numbers(xi.grad)
    wz = torch.tensor([0.0, 1.0, 2.0])
    special["nll_zero_weight_inf_none"] = numbers(F.nll_loss(xi, torch.tensor([0, 1, 2]), weight=wz, reduction="none"))
    special["nll_zero_weight_inf_sum"] = numbers(F.nll_loss(xi, torch.tensor([0, 1, 2]), weight=wz, reduction="sum"))

    xe = torch.randn(2, 3)
    te = torch.tensor([0, 2])
    errors = {
        "target_out_of_bounds": error(lambda: F.cross_entropy(xe, torch.tensor([0, 5]))),
        "target_negative": error(lambda: F.cross_entropy(xe, torch.tensor([0, -1]))),
        "target_float": error(lambda: F.cross_entropy(xe, torch.tensor([0.0, 1.0]))),
        "target_int32": error(lambda: F.cross_entropy(xe, torch.tensor([0, 1], dtype=torch.int32))),
        "prob_target_long": error(lambda: F.cross_entropy(xe, torch.zeros(2, 3, dtype=torch.long))),
        "batch_mismatch": error(lambda: F.cross_entropy(xe, torch.tensor([0, 1, 2]))),
        "target_size_3d": error(lambda: F.cross_entropy(torch.randn(2, 3, 4), torch.zeros(2, 3, dtype=torch.long))),
        "target_size_3d_rank": error(lambda: F.cross_entropy(torch.randn(2, 3, 4), torch.zeros(2, dtype=torch.long))),
        "target_rank_4d": error(lambda: F.cross_entropy(torch.randn(2, 3, 4, 5), torch.zeros(2, 4, dtype=torch.long))),
        "target_size_4d": error(lambda: F.cross_entropy(torch.randn(2, 3, 4, 5), torch.zeros(2, 4, 6, dtype=torch.long))),
        "target_out_of_bounds_4d": error(lambda: F.nll_loss(torch.randn(2, 3, 2, 2), torch.full((2, 2, 2), 5))),
        "weight_size": error(lambda: F.cross_entropy(xe, te, weight=torch.ones(4))),
        "weight_size_4d": error(lambda: F.nll_loss(torch.randn(2, 3, 2, 2), torch.zeros(2, 2, 2, dtype=torch.long),
                                                   weight=torch.ones(4))),
        "weight_size_prob": error(lambda: F.cross_entropy(xe, torch.rand(2, 3), weight=torch.ones(4))),
        "label_smoothing_above_1": error(lambda: F.cross_entropy(xe, te, label_smoothing=1.5)),
        "label_smoothing_above_1_prob": error(lambda: F.cross_entropy(xe, torch.rand(2, 3), label_smoothing=1.5)),
        "ignore_index_prob": error(lambda: F.cross_entropy(xe, torch.rand(2, 3), ignore_index=1)),
        "bad_reduction": error(lambda: F.cross_entropy(xe, te, reduction="foo")),
        "bad_reduction_mse": error(lambda: F.mse_loss(xe, xe, reduction="foo")),
        "bad_reduction_module": error(lambda: nn.L1Loss(reduction="foo")(xe, xe)),
        "scalar_input": error(lambda: F.cross_entropy(torch.tensor(1.0), torch.tensor(0))),
        "nll_target_2d": error(lambda: F.nll_loss(xe, torch.zeros(2, 2, dtype=torch.long))),
        "nll_1d_target_1d": error(lambda: F.nll_loss(torch.randn(3), torch.tensor([1]))),
        "nll_scalar_input": error(lambda: F.nll_loss(torch.tensor(1.0), torch.tensor(0))),
        "bce_size": error(lambda: F.binary_cross_entropy_with_logits(xe, torch.rand(2, 4))),
        "mse_broadcast_fail": error(lambda: F.mse_loss(xe, torch.rand(2, 4))),
    }
    with warnings.catch_warnings(record=True) as wlist:
        warnings.simplefilter("always")
        F.mse_loss(torch.randn(2, 3), torch.randn(3))
        nn.MSELoss(size_average=False)
        mse_warnings = [str(i.message) for i in wlist]
    legacy = {
        "size_average_false": nn.MSELoss(size_average=False).reduction,
        "reduce_false": nn.MSELoss(reduce=False).reduction,
        "size_average_true": nn.L1Loss(size_average=True).reduction,
    }
    reprs = {
        "CrossEntropyLoss()": repr(nn.CrossEntropyLoss()), "NLLLoss()": repr(nn.NLLLoss()), "MSELoss()": repr(nn.MSELoss()),
        "L1Loss()": repr(nn.L1Loss()), "BCEWithLogitsLoss()": repr(nn.BCEWithLogitsLoss()),
        "CrossEntropyLoss(weight)": repr(nn.CrossEntropyLoss(weight=torch.ones(3))),
    }
    state_dicts = {
        "CrossEntropyLoss(weight)": list(nn.CrossEntropyLoss(weight=torch.ones(3)).state_dict().keys()),
        "CrossEntropyLoss()": list(nn.CrossEntropyLoss().state_dict().keys()),
        "BCEWithLogitsLoss(pos_weight)": list(nn.BCEWithLogitsLoss(pos_weight=torch.ones(3)).state_dict().keys()),
        "BCEWithLogitsLoss(weight, pos_weight)": list(
            nn.BCEWithLogitsLoss(weight=torch.ones(3), pos_weight=torch.ones(3)).state_dict().keys()),
    }
    attrs = {"CrossEntropyLoss": {"ignore_index": nn.CrossEntropyLoss().ignore_index,
                                  "label_smoothing": nn.CrossEntropyLoss().label_smoothing,
                                  "reduction": nn.CrossEntropyLoss().reduction}}
    write("losses", {"cases": cases, "special": special, "errors": errors, "warnings": mse_warnings, "legacy": legacy,
                     "reprs": reprs, "state_dicts": state_dicts, "attrs": attrs})


# ---- dropout ---------------------------------------------------------------------------------

def mask_text(y):
    return "".join("1" if v != 0 else "0" for v in y.flatten().tolist())


def dropout():
    masks = []
    for seed in (0, 1, 42, 1234):
        for n in (1, 15, 16, 17, 100, 1000):
            for p in (0.2, 0.5):
                torch.manual_seed(seed)
                y = F.dropout(torch.ones(n), p)
                nz = y[y != 0]
                masks.append({"seed": seed, "n": n, "p": p, "mask": mask_text(y),
                              "scale_bits": bits(nz[:1])[0] if nz.numel() else None, "probe": probe()})
    # The example of rasbt/LLMs-from-scratch#57 and pytorch#121595 (seed 123, 6x6, p 0.5).
    torch.manual_seed(123)
    book = {"mask": mask_text(F.dropout(torch.ones(6, 6), 0.5))}

    torch.manual_seed(7)
    x = torch.randn(4, 5)
    torch.manual_seed(3)
    y = F.dropout(x, 0.3)
    values = {"seed": 3, "p": 0.3, "x": enc(x), "y": enc(y), "probe": probe()}
    torch.manual_seed(3)
    y64 = F.dropout(x.double(), 0.3)
    values64 = {"seed": 3, "p": 0.3, "x": enc(x.double()), "y": enc(y64), "probe": probe()}
    # A transposed (dense, non-contiguous) input: the noise is still row-major (LEGACY_CONTIGUOUS_MEMORY_FORMAT).
    torch.manual_seed(5)
    yt = F.dropout(torch.ones(4, 6).t(), 0.5)
    transposed = {"seed": 5, "p": 0.5, "mask": mask_text(yt), "probe": probe()}
    # A sliced (not dense) input: contiguous noise, drawn in logical order.
    torch.manual_seed(5)
    ys = F.dropout(torch.ones(4, 6)[:, ::2], 0.5)
    sliced = {"seed": 5, "p": 0.5, "mask": mask_text(ys), "probe": probe()}
    # Gradient: the mask times 1/(1-p); node MulBackward0.
    torch.manual_seed(11)
    xg = torch.randn(3, 4, requires_grad=True)
    torch.manual_seed(12)
    yg = F.dropout(xg, 0.4)
    gg = torch.randn(3, 4)
    (gx,) = torch.autograd.grad(yg, [xg], gg)
    grad = {"x": enc(xg), "seed": 12, "p": 0.4, "y": enc(yg), "g": enc(gg), "grad": enc(gx), "grad_fn": yg.grad_fn.name()}
    # The module: train and eval, inplace.
    torch.manual_seed(2)
    m = nn.Dropout(0.25)
    ym = m(torch.ones(20))
    m.eval()
    xe = torch.ones(3)
    module = {"seed": 2, "p": 0.25, "train_mask": mask_text(ym), "eval_is_input": m(xe) is xe}
    leaf = torch.ones(10, requires_grad=True)
    t = leaf.clone()
    torch.manual_seed(4)
    yi = F.dropout(t, 0.5, inplace=True)
    inplace = {"seed": 4, "same": yi is t, "grad_fn": yi.grad_fn.name(), "mask": mask_text(yi), "probe": probe()}
    x2 = torch.randn(3, requires_grad=True)
    edge = {
        "p1_grad_fn": F.dropout(x2, 1.0).grad_fn.name(), "p1": numbers(F.dropout(x2, 1.0)),
        "p0_is_input": F.dropout(x2, 0.0) is x2, "eval_is_input": F.dropout(x2, 0.5, training=False) is x2,
    }
    # bernoulli_ directly, several dtypes and p.
    bern = []
    for dtype in ("float32", "float64", "int64", "bool"):
        for p in (0.0, 0.3, 1.0):
            torch.manual_seed(9)
            b = torch.empty(20, dtype=getattr(torch, dtype)).bernoulli_(p)
            bern.append({"dtype": dtype, "p": p, "seed": 9, "mask": mask_text(b), "probe": probe()})
    # bernoulli_ on a transposed tensor fills it in memory order (TensorIterator), unlike dropout's noise.
    torch.manual_seed(5)
    bt = torch.empty(4, 6).t().bernoulli_(0.5)
    bern_t = {"seed": 5, "p": 0.5, "mask": mask_text(bt), "probe": probe()}
    errors = {
        "p_above_1": error(lambda: F.dropout(x, 1.5)),
        "p_negative": error(lambda: F.dropout(x, -0.1)),
        "module_p": error(lambda: nn.Dropout(1.5)),
        "bernoulli_p": error(lambda: torch.empty(3).bernoulli_(1.5)),
        "inplace_leaf": error(lambda: F.dropout(torch.ones(3, requires_grad=True), 0.5, inplace=True)),
    }
    reprs = {"Dropout()": repr(nn.Dropout()), "Dropout(0.2, true)": repr(nn.Dropout(0.2, True)),
             "Dropout(0.25)": repr(nn.Dropout(0.25))}
    write("dropout", {"masks": masks, "book": book, "values": values, "values64": values64, "transposed": transposed,
                      "sliced": sliced, "grad": grad, "module": module, "inplace": inplace, "edge": edge,
                      "bernoulli": bern, "bernoulli_transposed": bern_t, "errors": errors, "reprs": reprs})


# ---- layer_norm ------------------------------------------------------------------------------

def layer_norm():
    torch.manual_seed(2)
    cases = []

    def case(name, x, shape, affine, bias, eps):
        xi = x.clone().requires_grad_(True)
        w = (torch.randn(shape) * 0.5 + 1).requires_grad_(True) if affine else None
        b = (torch.randn(shape) * 0.1).requires_grad_(True) if (affine and bias) else None
        y = F.layer_norm(xi, shape, w, b, eps)
        g = torch.randn(y.shape)
        grads = grads_of(y, [xi, w, b], g)
        cases.append({"name": name, "shape": list(shape), "eps": eps, "x": enc(x), "weight": enc(w) if w is not None else None,
                      "bias": enc(b) if b is not None else None, "y": numbers(y), "g": enc(g),
                      "grad_input": grads[0], "grad_weight": grads[1], "grad_bias": grads[2], "grad_fn": y.grad_fn.name()})

    case("2d_affine", torch.randn(4, 10) * 3 + 1, (10,), True, True, 1e-5)
    case("2d_plain", torch.randn(4, 10), (10,), False, False, 1e-5)
    case("3d_two_dims", torch.randn(2, 3, 4), (3, 4), True, True, 1e-5)
    case("3d_eps", torch.randn(2, 3, 4) * 0.01, (4,), True, True, 1e-3)
    case("weight_only", torch.randn(5, 6), (6,), True, False, 1e-5)
    case("1d", torch.randn(7), (7,), True, True, 1e-5)

    torch.manual_seed(0)
    m = nn.LayerNorm(10)
    xm = torch.randn(3, 10)
    module = {"weight": enc(m.weight), "bias": enc(m.bias), "x": enc(xm), "y": numbers(m(xm)),
              "params": [k for k, _ in m.named_parameters()], "state_dict": list(m.state_dict().keys())}
    x = torch.randn(2, 3)
    errors = {
        "shape_mismatch": error(lambda: F.layer_norm(x, (4,))),
        "shape_mismatch_2": error(lambda: F.layer_norm(x, (2, 4))),
        "weight_shape": error(lambda: F.layer_norm(x, (3,), weight=torch.ones(4))),
        "bias_shape": error(lambda: F.layer_norm(x, (3,), weight=torch.ones(3), bias=torch.ones(2))),
        "empty_shape": error(lambda: F.layer_norm(x, ())),
    }
    reprs = {"LayerNorm(10)": repr(nn.LayerNorm(10)),
             "LayerNorm([3, 4], eps=1e-6, affine=false)": repr(nn.LayerNorm([3, 4], eps=1e-6, elementwise_affine=False)),
             "LayerNorm(5, eps=0.001)": repr(nn.LayerNorm(5, eps=0.001))}
    no_affine = nn.LayerNorm(4, elementwise_affine=False)
    write("layer_norm", {"cases": cases, "module": module, "errors": errors, "reprs": reprs,
                         "no_affine_state_dict": list(no_affine.state_dict().keys())})


# ---- embedding -------------------------------------------------------------------------------

def embedding():
    inits = []
    for seed in (0, 1, 42):
        for (num, dim, pad, dtype) in ((10, 3, None, "float32"), (5, 3, None, "float32"), (4, 4, 1, "float32"),
                                       (6, 5, -1, "float32"), (10, 3, None, "float64"), (100, 16, 0, "float32")):
            if num * dim > 1000 and seed != 0:
                continue  # one large table is enough
            torch.manual_seed(seed)
            m = nn.Embedding(num, dim, padding_idx=pad, dtype=getattr(torch, dtype))
            inits.append({"seed": seed, "num": num, "dim": dim, "padding_idx": pad, "dtype": dtype,
                          "stored_padding_idx": m.padding_idx, "weight": enc(m.weight), "probe": probe()})

    torch.manual_seed(3)
    weight = torch.randn(7, 3)
    idx = torch.tensor([[1, 2, 4, 5], [4, 3, 2, 6]])
    forwards = []

    def case(name, opts, indices):
        w = weight.clone().requires_grad_(True)
        y = F.embedding(indices, w, **opts)
        g = torch.randn(y.shape)
        (gw,) = torch.autograd.grad(y, [w], g)
        forwards.append({"name": name, "options": opts, "indices": enc(indices), "weight": enc(weight), "y": numbers(y),
                         "g": enc(g), "grad_weight": numbers(gw), "grad_fn": y.grad_fn.name(),
                         "weight_after": enc(w.detach())})

    case("plain", {}, idx)
    case("padding", {"padding_idx": 2}, idx)
    case("padding_negative", {"padding_idx": -3}, idx)
    case("freq", {"scale_grad_by_freq": True}, idx)
    case("freq_padding", {"scale_grad_by_freq": True, "padding_idx": 4}, idx)
    case("int32_indices", {}, idx.int())
    case("1d_indices", {}, torch.tensor([0, 6, 6, 1]))
    case("0d_index", {}, torch.tensor(5))
    case("max_norm", {"max_norm": 1.0}, idx)
    case("max_norm_p1", {"max_norm": 1.5, "norm_type": 1.0}, idx)

    pre = nn.Embedding.from_pretrained(torch.tensor([[1, 2.3, 3], [4, 5.1, 6.3]]))
    pretrained = {"y": numbers(pre(torch.tensor([1]))), "requires_grad": pre.weight.requires_grad, "repr": repr(pre),
                  "unfrozen_requires_grad": nn.Embedding.from_pretrained(torch.ones(2, 2), freeze=False).weight.requires_grad}
    errors = {
        "float_indices": error(lambda: F.embedding(torch.tensor([0.0, 1.0]), torch.randn(3, 2))),
        "out_of_range": error(lambda: F.embedding(torch.tensor([3]), torch.randn(3, 2))),
        "negative_index": error(lambda: F.embedding(torch.tensor([-1]), torch.randn(3, 2))),
        "weight_1d": error(lambda: F.embedding(torch.tensor([0]), torch.randn(3))),
        "padding_too_big": error(lambda: nn.Embedding(3, 2, padding_idx=3)),
        "padding_too_negative": error(lambda: nn.Embedding(3, 2, padding_idx=-4)),
        "weight_shape": error(lambda: nn.Embedding(3, 2, _weight=torch.randn(2, 2))),
        "functional_padding": error(lambda: F.embedding(torch.tensor([0]), torch.randn(3, 2), padding_idx=5)),
        "pretrained_1d": error(lambda: nn.Embedding.from_pretrained(torch.ones(3))),
    }
    reprs = {"Embedding(10, 3)": repr(nn.Embedding(10, 3)),
             "Embedding(10, 3, padding_idx=0)": repr(nn.Embedding(10, 3, padding_idx=0)),
             "Embedding(10, 3, padding_idx=-1)": repr(nn.Embedding(10, 3, padding_idx=-1)),
             "Embedding(10, 3, max_norm=1, freq)": repr(nn.Embedding(10, 3, max_norm=1.0, scale_grad_by_freq=True)),
             "Embedding(10, 3, norm_type=1)": repr(nn.Embedding(10, 3, norm_type=1.0))}
    write("embedding", {"inits": inits, "forwards": forwards, "pretrained": pretrained, "errors": errors, "reprs": reprs,
                        "state_dict": list(nn.Embedding(3, 2).state_dict().keys())})


if __name__ == "__main__":
    activations()
    losses()
    dropout()
    layer_norm()
    embedding()
