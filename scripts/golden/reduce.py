"""Write test/golden/reduce/*.json: reductions and einsum computed by real PyTorch.

Run with Debian's interpreter, which has torch installed:

    /usr/bin/python3 -P scripts/golden/reduce.py

Files:
  reductions.json  sum, mean, prod, max, min, amax, amin, argmax, argmin, var, std, var_mean,
                   std_mean, logsumexp, norm, cumsum: values, dtype, shape, grad_fn name and the
                   gradient of the (leaf) input for a random upstream gradient.
  einsum.json      einsum equations with their values and the gradient of every operand.
  errors.json      error class and message of invalid calls.

Each case names the op and its call as torch-ts spells it: `args` are positional, `kwargs` the
trailing options object (dtype names as strings). An input is a contiguous base tensor
(`shape`, `values`), optionally seen through `permute` (a non-contiguous view); gradients are
those of the base. Values are plain JSON numbers (a float32 converted to a double is exact);
NaN and infinities are the strings "nan", "inf", "-inf".

Where PyTorch 1.13 (which writes these files) and 2.x differ, the case holds the 2.x value
and the 1.13 one under a `torch_1_13` key with a note: torch.norm's node is
LinalgVectorNormBackward0 in 2.x (NormBackward1 in 1.13), and 2.x's vector_norm refuses the
inf/negative norms of empty tensors, where 1.13's norm returned 0.
"""

import json
import math
import os

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "golden", "reduce")

DTYPES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.bool: "bool"}
BY_NAME = {v: k for k, v in DTYPES.items()}

gen = torch.Generator().manual_seed(20240611)


def randn(*shape, dtype=torch.float32):
    return torch.randn(tuple(shape), generator=gen, dtype=torch.float64).to(dtype)


def encode_number(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
    return v


def encode_values(t):
    return [encode_number(v) for v in t.detach().contiguous().reshape(-1).tolist()]


def encode_tensor(t):
    return {"shape": list(t.shape), "dtype": DTYPES[t.dtype], "values": encode_values(t)}


def encode_arg(a):
    if isinstance(a, torch.dtype):
        return DTYPES[a]
    if isinstance(a, tuple):
        return [encode_arg(x) for x in a]
    if isinstance(a, float):
        return encode_number(a)
    return a


def decode_kwargs(kwargs):
    return {k: (BY_NAME[v] if k == "dtype" else v) for k, v in kwargs.items()}


def input_spec(base, permute=None):
    spec = encode_tensor(base)
    spec["permute"] = list(permute) if permute is not None else None
    return spec


def view_of(base, permute):
    return base.permute(*permute) if permute is not None else base


def outputs_of(result):
    """A list of output tensors: a named tuple or tuple gives several."""
    if isinstance(result, torch.Tensor):
        return [result]
    return list(result)


def grad_fn_name(t):
    return type(t.grad_fn).__name__ if t.grad_fn is not None else None


reductions = []


def case(name, op, base, args=(), kwargs=None, permute=None, grad_outputs=None, override=None):
    """Runs torch.<op>(view, *args, **kwargs); backward through `grad_outputs` (output indices)."""
    kwargs = kwargs or {}
    differentiable = base.dtype.is_floating_point
    leaf = base.clone().requires_grad_(differentiable)
    x = view_of(leaf, permute)
    result = getattr(torch, op)(x, *args, **kwargs)
    outs = outputs_of(result)
    entry = {
        "name": name,
        "op": op,
        "input": input_spec(base, permute),
        "args": [encode_arg(a) for a in args],
        "kwargs": {k: encode_arg(v) for k, v in kwargs.items()},
        "outputs": [encode_tensor(o) for o in outs],
        "grad_fn": grad_fn_name(outs[0]),
    }
    if differentiable:
        which = grad_outputs if grad_outputs is not None else list(range(len(outs)))
        which = [i for i in which if outs[i].requires_grad]
        upstream = [randn(*outs[i].shape, dtype=outs[i].dtype) for i in which]
        if which:
            torch.autograd.backward([outs[i] for i in which], upstream)
        entry["upstream"] = {str(i): encode_values(u) for i, u in zip(which, upstream)}
        entry["grad"] = encode_values(leaf.grad) if leaf.grad is not None else None
    if override:
        entry["torch_1_13"] = {k: entry[k] for k in override if k != "note"}
        entry.update({k: v for k, v in override.items()})
    reductions.append(entry)


x34 = randn(3, 4)
x345 = randn(3, 4, 5)
x53 = randn(5, 3)  # seen as (3, 5) through permute (1, 0)
x423 = randn(4, 2, 3)  # seen as (3, 4, 2) through permute (2, 0, 1)
ints = torch.tensor([[3, -1, 4], [1, -5, 9], [2, 6, -5]])
bools = torch.tensor([[True, False, True], [False, False, True]])
x64 = randn(4, 3, dtype=torch.float64)
empty = torch.empty(0, 3)
ties = torch.tensor([[1.0, 3.0, 3.0, -2.0], [0.5, 0.5, 0.5, 0.5], [-1.0, 4.0, 2.0, 4.0]])
with_nan = torch.tensor([[1.0, float("nan"), 3.0, float("nan")], [2.0, -1.0, 0.0, 5.0], [float("nan"), 0.0, 1.0, 1.0]])
with_zeros = torch.tensor([[1.5, 0.0, -2.0, 0.5], [0.0, 3.0, 0.0, 2.0], [1.25, -0.5, 2.0, -1.5]])
with_inf = torch.tensor([[0.5, float("inf"), 1.0], [float("-inf"), float("-inf"), float("-inf")], [1.0, 2.0, 3.0]])
big = torch.tensor([[1000.0, 1000.5, 999.0], [-1000.0, -999.0, -1001.0]])

for op in ["sum", "mean"]:
    case(f"{op} all", op, x34)
    case(f"{op} dim 1", op, x34, (1,))
    case(f"{op} dim -1 keepdim", op, x345, (-1,), {"keepdim": True})
    case(f"{op} dim list", op, x345, ((0, 2),))
    case(f"{op} dim list negative keepdim", op, x345, ((-3, -1),), {"keepdim": True})
    case(f"{op} transposed", op, x53, (1,), permute=(1, 0))
    case(f"{op} permuted 3-d", op, x423, ((0, 2),), permute=(2, 0, 1))
    case(f"{op} dtype float64", op, x34, (0,), {"dtype": torch.float64})
    case(f"{op} float64 input", op, x64, (1,))
    case(f"{op} empty", op, empty)
    case(f"{op} empty dim 0", op, empty, (0,))
    case(f"{op} 0-d", op, torch.tensor(2.5))
case("sum int64", "sum", ints)
case("sum int64 dim", "sum", ints, (0,))
case("sum bool", "sum", bools, (1,))
case("mean int with dtype", "mean", ints, (), {"dtype": torch.float32})

case("prod all", "prod", x34)
case("prod dim 1", "prod", x34, (1,))
case("prod dim 0 keepdim", "prod", x34, (0,), {"keepdim": True})
case("prod transposed", "prod", x53, (0,), permute=(1, 0))
case("prod with zeros all", "prod", with_zeros)
case("prod with zeros dim 1", "prod", with_zeros, (1,))
case("prod with zeros dim 0", "prod", with_zeros, (0,))
case("prod one zero all", "prod", torch.tensor([[1.5, -2.0], [0.0, 0.5]]))
case("prod int64", "prod", ints, (1,))
case("prod bool", "prod", bools)
case("prod dtype float64", "prod", x34, (1,), {"dtype": torch.float64})
case("prod empty", "prod", empty)
case("prod 0-d dim 0", "prod", torch.tensor(-1.5), (0,))

for op in ["max", "min"]:
    case(f"{op} all", op, x34)
    case(f"{op} dim 1", op, x34, (1,), grad_outputs=[0])
    case(f"{op} dim -1 keepdim", op, x345, (-1,), {"keepdim": True}, grad_outputs=[0])
    case(f"{op} dim 0 transposed", op, x53, (0,), permute=(1, 0), grad_outputs=[0])
    case(f"{op} ties all", op, ties)
    case(f"{op} ties dim 1", op, ties, (1,), grad_outputs=[0])
    case(f"{op} nan all", op, with_nan)
    case(f"{op} nan dim 1", op, with_nan, (1,), grad_outputs=[0])
    case(f"{op} int64", op, ints)
    case(f"{op} int64 dim 0", op, ints, (0,))
    case(f"{op} empty dim 1", op, empty, (1,))
    case(f"{op} 0-d dim 0", op, torch.tensor(1.25), (0,), grad_outputs=[0])
    case(f"{op} bool", op, bools)

for op in ["amax", "amin"]:
    case(f"{op} all", op, x34)
    case(f"{op} dim 1", op, x34, (1,))
    case(f"{op} dim list keepdim", op, x345, ((0, 2),), {"keepdim": True})
    case(f"{op} permuted", op, x423, ((1, -1),), permute=(2, 0, 1))
    case(f"{op} ties", op, ties, (1,))
    case(f"{op} ties all", op, ties)
    case(f"{op} nan", op, with_nan, (1,))
    case(f"{op} int64", op, ints, (0,))
    case(f"{op} empty dim 1", op, empty, (1,))

for op in ["argmax", "argmin"]:
    case(f"{op} all", op, x34)
    case(f"{op} dim 1", op, x34, (1,))
    case(f"{op} dim 0 keepdim", op, x345, (0,), {"keepdim": True})
    case(f"{op} none keepdim", op, x34, (None,), {"keepdim": True})
    case(f"{op} transposed", op, x53, (1,), permute=(1, 0))
    case(f"{op} transposed all", op, x53, permute=(1, 0))
    case(f"{op} ties", op, ties, (1,))
    case(f"{op} nan", op, with_nan, (1,))
    case(f"{op} nan all", op, with_nan)
    case(f"{op} int64", op, ints, (0,))
    case(f"{op} empty dim 1", op, empty, (1,))

for op in ["var", "std"]:
    case(f"{op} all", op, x34)
    case(f"{op} dim 1", op, x34, (1,))
    case(f"{op} dim list keepdim", op, x345, ((0, 2),), {"keepdim": True})
    case(f"{op} correction 0", op, x34, (0,), {"correction": 0})
    case(f"{op} correction 2", op, x345, (-1,), {"correction": 2})
    case(f"{op} all correction 0", op, x34, (None,), {"correction": 0})
    case(f"{op} unbiased false", op, x34, (), {"unbiased": False})
    case(f"{op} unbiased positional", op, x34, (False,))
    case(f"{op} transposed", op, x53, (1,), permute=(1, 0))
    case(f"{op} float64", op, x64, (0,))
    case(f"{op} single element dim 0", op, torch.tensor([1.5]), (0,))
    case(f"{op} constant rows", op, torch.tensor([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]]), (1,))
    case(f"{op} one per row", op, x53, (1,), {"correction": 3})
    case(f"{op} empty", op, empty)

for op in ["var_mean", "std_mean"]:
    case(f"{op} all", op, x34)
    case(f"{op} dim 1", op, x34, (1,))
    case(f"{op} dim list keepdim correction 0", op, x345, ((0, 1),), {"keepdim": True, "correction": 0})
    case(f"{op} only mean used", op, x34, (0,), grad_outputs=[1])
    case(f"{op} only spread used", op, x34, (0,), grad_outputs=[0])

case("logsumexp dim 1", "logsumexp", x34, (1,))
case("logsumexp dim list keepdim", "logsumexp", x345, ((0, 2),), {"keepdim": True})
case("logsumexp transposed", "logsumexp", x53, (0,), permute=(1, 0))
case("logsumexp large", "logsumexp", big, (1,))
case("logsumexp infinities", "logsumexp", with_inf, (1,))
case("logsumexp int64", "logsumexp", ints, (1,))
case("logsumexp empty", "logsumexp", empty, (0,))
case("logsumexp float64", "logsumexp", x64, (0,))

NORM_2X = {"grad_fn": "LinalgVectorNormBackward0", "note": "PyTorch 2.x's torch.norm is linalg.vector_norm"}
for name, kwargs in [
    ("fro", {}),
    ("p 2 dim 1", {"p": 2, "dim": 1}),
    ("p 1 dim 1", {"p": 1, "dim": 1}),
    ("p 3 dim list keepdim", {"p": 3, "dim": (0, 2), "keepdim": True}),
    ("p 1.5", {"p": 1.5}),
    ("p 0.5 dim 0", {"p": 0.5, "dim": 0}),
    ("p inf dim 1", {"p": float("inf"), "dim": 1}),
    ("p -inf dim 1", {"p": float("-inf"), "dim": 1}),
    ("p -1", {"p": -1}),
    ("p 0", {"p": 0}),
    ("fro dim list", {"p": "fro", "dim": (0, 1)}),
    ("p 2 dtype float64", {"p": 2, "dtype": torch.float64}),
]:
    base = x345 if "list keepdim" in name else x34
    case(f"norm {name}", "norm", base, (), kwargs, override=NORM_2X)
case("norm transposed", "norm", x53, (), {"dim": 0}, permute=(1, 0), override=NORM_2X)
case("norm with zeros p 2 dim 1", "norm", torch.tensor([[0.0, 0.0], [3.0, -4.0]]), (), {"dim": 1}, override=NORM_2X)
case("norm with zeros p 3 dim 1", "norm", torch.tensor([[0.0, 0.0], [3.0, -4.0]]), (), {"p": 3, "dim": 1}, override=NORM_2X)
case("norm ties inf", "norm", torch.tensor([[1.0, -3.0, 3.0], [2.0, 0.5, -1.0]]), (), {"p": float("inf"), "dim": 1}, override=NORM_2X)
case("norm empty", "norm", empty, override=NORM_2X)

case("cumsum dim 0", "cumsum", x34, (0,))
case("cumsum dim -1", "cumsum", x345, (-1,))
case("cumsum transposed", "cumsum", x53, (1,), permute=(1, 0))
case("cumsum int64", "cumsum", ints, (1,))
case("cumsum bool", "cumsum", bools, (1,))
case("cumsum dtype float64", "cumsum", x34, (1,), {"dtype": torch.float64})
case("cumsum 0-d", "cumsum", torch.tensor(3.5), (0,))
case("cumsum empty", "cumsum", empty, (0,))

# ---- einsum -------------------------------------------------------------------------------

einsums = []


def einsum_case(name, equation, *operands, permutes=None):
    permutes = permutes or [None] * len(operands)
    leaves = [o.clone().requires_grad_(True) for o in operands]
    views = [view_of(l, p) for l, p in zip(leaves, permutes)]
    out = torch.einsum(equation, *views)
    upstream = randn(*out.shape)
    out.backward(upstream)
    einsums.append({
        "name": name,
        "equation": equation,
        "operands": [input_spec(o, p) for o, p in zip(operands, permutes)],
        "output": encode_tensor(out),
        "grad_fn": grad_fn_name(out),
        "upstream": encode_values(upstream),
        "grads": [encode_values(l.grad) if l.grad is not None else None for l in leaves],
    })


einsum_case("matrix product", "ij,jk->ik", randn(3, 4), randn(4, 5))
einsum_case("matrix product implicit", "ij,jk", randn(3, 4), randn(4, 5))
einsum_case("matrix product transposed operands", "ij,jk->ik", randn(4, 3), randn(5, 4), permutes=[(1, 0), (1, 0)])
einsum_case("batch matmul", "bij,bjk->bik", randn(2, 3, 4), randn(2, 4, 5))
einsum_case("trace", "ii", randn(4, 4))
einsum_case("diagonal", "ii->i", randn(4, 4))
einsum_case("batch diagonal", "...ii->...i", randn(2, 3, 3))
einsum_case("repeated index three times", "iii->i", randn(3, 3, 3))
einsum_case("diagonal then contract", "iij,jk->ik", randn(3, 3, 4), randn(4, 2))
einsum_case("outer", "i,j->ij", randn(3), randn(4))
einsum_case("dot", "i,i->", randn(5), randn(5))
einsum_case("dot implicit", "i,i", randn(5), randn(5))
einsum_case("transpose implicit", "ba", randn(3, 4))
einsum_case("transpose explicit", "ij->ji", randn(3, 4))
einsum_case("sum all", "ij->", randn(3, 4))
einsum_case("sum dim", "ij->j", randn(3, 4))
einsum_case("ellipsis batch matmul broadcast", "...ij,...jk->...ik", randn(2, 1, 3, 4), randn(5, 4, 2))
einsum_case("ellipsis implicit", "...ij,...jk", randn(2, 3, 4), randn(2, 4, 2))
einsum_case("ellipsis in the middle summed", "i...j->ij", randn(2, 3, 4, 5))
einsum_case("ellipsis not in output", "...i,...i->i", randn(2, 3, 4), randn(3, 4))
einsum_case("bilinear", "bn,anm,bm->ba", randn(3, 4), randn(2, 4, 5), randn(3, 5))
einsum_case("three operands chain", "ij,jk,kl->il", randn(2, 3), randn(3, 4), randn(4, 2))
einsum_case("broadcast size-1 dim", "ij,ij->ij", randn(3, 1), randn(3, 4))
einsum_case("broadcast size-1 contracted", "ij,jk->ik", randn(3, 1), randn(4, 2))
einsum_case("upper and lower case", "Ab,bC->CA", randn(2, 3), randn(3, 4))
einsum_case("spaces", " ij , jk -> ik ", randn(2, 3), randn(3, 2))
einsum_case("contract two dims", "ijk,jkl->il", randn(2, 3, 4), randn(3, 4, 2))
einsum_case("summed in one operand only", "ij,k->k", randn(2, 3), randn(4))
einsum_case("hadamard then sum", "bij,bij->b", randn(2, 3, 4), randn(2, 3, 4))
einsum_case("permuted 3-d", "abc->cab", randn(2, 3, 4))
einsum_case("scalar operand", ",ij->ij", torch.tensor(1.5), randn(2, 3))
einsum_case("attention scores", "bhqd,bhkd->bhqk", randn(2, 2, 3, 4), randn(2, 2, 5, 4))

# ---- errors -------------------------------------------------------------------------------

errors = []


def error_case(name, op, base, args=(), kwargs=None, permute=None, override=None):
    kwargs = kwargs or {}
    try:
        getattr(torch, op)(view_of(base, permute), *args, **decode_kwargs(kwargs))
    except Exception as e:  # noqa: BLE001 - the class is what we record
        entry = {"name": name, "op": op, "input": input_spec(base, permute), "args": [encode_arg(a) for a in args],
                 "kwargs": {k: encode_arg(v) for k, v in kwargs.items()}, "error": type(e).__name__, "message": str(e)}
        if override:
            entry["torch_1_13"] = {k: entry[k] for k in override if k != "note"}
            entry.update(override)
        errors.append(entry)
        return
    raise AssertionError(f"{name}: no error")


def einsum_error(name, equation, *shapes):
    try:
        torch.einsum(equation, *[torch.zeros(*s) for s in shapes])
    except Exception as e:  # noqa: BLE001
        errors.append({"name": name, "op": "einsum", "equation": equation, "shapes": [list(s) for s in shapes],
                       "error": type(e).__name__, "message": str(e)})
        return
    raise AssertionError(f"{name}: no error")


error_case("mean of int64", "mean", ints)
error_case("mean of bool", "mean", bools)
error_case("mean with int dtype", "mean", ints, (), {"dtype": "int64"})
error_case("max of empty", "max", empty)
error_case("min of empty", "min", empty)
error_case("max of empty dim", "max", empty, (0,))
error_case("max of empty negative dim", "max", empty, (-2,))
error_case("amax of empty", "amax", empty)
error_case("amax of empty dim", "amax", empty, (-2,))
error_case("amin of empty dims", "amin", empty, ((1, 0),))
error_case("argmax of empty", "argmax", empty)
error_case("argmin of empty dim", "argmin", empty, (-2,))
error_case("argmax of bool", "argmax", bools)
error_case("var of int64", "var", ints)
error_case("std of int64", "std", ints, (1,))
error_case("sum dim out of range", "sum", x34, (2,))
error_case("max dim out of range", "max", x34, (-3,))
error_case("amax repeated dim", "amax", x34, ((0, -2),))
error_case("sum repeated dim", "sum", x34, ((1, 1),))
error_case("mean 0-d dim out of range", "mean", torch.tensor(1.0), (1,))
error_case("norm of int64", "norm", ints, override={
    "message": "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long",
    "note": "PyTorch 2.x's torch.norm is linalg.vector_norm"})
# 2.x's torch.norm is linalg.vector_norm, which refuses inf and negative norms of empty tensors.
for name, args in [("inf of empty", (float("inf"),)), ("-1 of empty dim 0", (-1, 0)), ("inf of empty dims", (float("inf"), (1, 0)))]:
    try:
        torch.linalg.vector_norm(empty, *args)
    except RuntimeError as e:
        ord_, *dim = args
        kwargs = {"p": encode_number(float(ord_))}
        if dim:
            kwargs["dim"] = encode_arg(dim[0])
        errors.append({"name": f"norm {name}", "op": "norm", "input": input_spec(empty), "args": [], "kwargs": kwargs,
                       "error": "RuntimeError", "message": str(e),
                       "note": "taken from torch.linalg.vector_norm, which 2.x's torch.norm calls (1.13's norm returned 0)"})

einsum_error("too few subscripts", "ij", (2, 3, 4))
einsum_error("too many subscripts with ellipsis", "ijkl...", (2, 3, 4))
einsum_error("fewer operands", "ij,jk", (2, 3))
einsum_error("more operands", "ij", (2, 3), (3, 4))
einsum_error("stray dot", "i.j", (2, 3))
einsum_error("two ellipses", "i......", (2, 3))
einsum_error("invalid subscript", "i1", (2, 3))
einsum_error("invalid output subscript", "ij->i1", (2, 3))
einsum_error("output repeated", "ij->ii", (2, 3))
einsum_error("output unknown", "ij->k", (2, 3))
einsum_error("output two ellipses", "ij->......", (2, 3))
einsum_error("output stray dot", "ij->..", (2, 3))
einsum_error("repeated sizes differ", "ii", (3, 2))
einsum_error("sizes do not broadcast", "ij,jk->ik", (2, 3), (4, 4))
einsum_error("ellipsis does not broadcast", "...ij,...jk->ik", (2, 2, 3), (3, 3, 4))
einsum_error("operand ndim mismatch", "ij,jk->ik", (2, 3), (2, 3, 4))
try:
    torch.einsum("ij")
except ValueError as e:
    errors.append({"name": "no operands", "op": "einsum", "equation": "ij", "shapes": [], "error": "ValueError", "message": str(e)})
try:
    torch.einsum(torch.zeros(2, 3), [0, 60])
except ValueError as e:
    errors.append({"name": "sublist out of range", "op": "einsum", "sublist": [[0, 60]], "shapes": [[2, 3]],
                   "error": "ValueError", "message": str(e)})

metadata = {"torch_version": torch.__version__, "script": "scripts/golden/reduce.py"}
os.makedirs(OUT, exist_ok=True)
for fname, cases in [("reductions.json", reductions), ("einsum.json", einsums), ("errors.json", errors)]:
    with open(os.path.join(OUT, fname), "w") as f:
        json.dump({"metadata": metadata, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(fname, len(cases), "cases")
