"""Write test/golden/indexing/*.json: joining, splitting and indexing ops in real PyTorch.

Run with Debian's interpreter, which has torch installed:

    /usr/bin/python3 scripts/golden/indexing.py

cases.json: for each case, the inputs (float32 as uint32 bit patterns, float64 as 16 hex
digits of its bits, integers as numbers), the op and its arguments, every output (shape,
stride, storage offset, values, grad_fn name), the random upstream gradients fed to backward
and the gradients that reach each input. The ops copy values, so outputs are bit-exact; the
gradients of ops that accumulate (index_add, scatter_add, gather's backward) are flagged so
that a backend summing in another order may be compared with a tolerance.

errors.json: the exception class and message for invalid calls.

Where PyTorch 1.13 (the torch here) and 2.x differ, torch-ts follows 2.x: the case keeps the
1.13 value and adds the 2.x one ("grad_fn_2x", "error_2x", "message_2x") with a note.
"""

import json
import os
import sys

# This folder's random.py would shadow the standard library's `random`, which torch imports.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import torch  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(_HERE))
OUT_DIR = os.path.join(ROOT, "test", "golden", "indexing")
META = {"torch_version": torch.__version__, "script": "scripts/golden/indexing.py"}

DTYPES = {
    "float32": torch.float32,
    "float64": torch.float64,
    "int64": torch.int64,
    "int32": torch.int32,
    "bool": torch.bool,
}
NAMES = {v: k for k, v in DTYPES.items()}


def encode(t):
    flat = t.detach().contiguous().reshape(-1)
    if t.dtype == torch.float32:
        return [v & 0xFFFFFFFF for v in flat.view(torch.int32).tolist()]
    if t.dtype == torch.float64:
        return ["%016x" % (v & 0xFFFFFFFFFFFFFFFF) for v in flat.view(torch.int64).tolist()]
    return flat.tolist()


def describe(t):
    return {"shape": list(t.shape), "dtype": NAMES[t.dtype], "values": encode(t)}


def random_tensor(shape, dtype):
    if dtype in (torch.float32, torch.float64):
        return torch.randn(shape, dtype=dtype)
    if dtype == torch.bool:
        return torch.rand(shape) > 0.5
    return torch.randint(-5, 6, shape, dtype=dtype)


def make_input(spec, values=True):
    """A leaf from a spec; with `permute`, the op sees leaf.permute(...) (a strided view)."""
    dtype = DTYPES[spec.get("dtype", "float32")]
    shape = spec["shape"]
    leaf = random_tensor(shape, dtype) if values else torch.zeros(shape, dtype=dtype)
    if spec.get("requires_grad"):
        leaf.requires_grad_(True)
    view = leaf.permute(spec["permute"]) if "permute" in spec else leaf
    return leaf, view


def make_index(spec):
    if spec is None:
        return None
    return torch.tensor(spec["values"], dtype=DTYPES[spec.get("dtype", "int64")]).reshape(spec["shape"])


def call(op, xs, index, args):
    """Runs the op; returns a list of outputs."""
    dim = args.get("dim", 0)
    if op == "cat":
        return [torch.cat(xs, dim)]
    if op == "stack":
        return [torch.stack(xs, dim)]
    if op == "hstack":
        return [torch.hstack(xs)]
    if op == "vstack":
        return [torch.vstack(xs)]
    if op == "split":
        return list(torch.split(xs[0], args["split"], dim))
    if op == "chunk":
        return list(torch.chunk(xs[0], args["chunks"], dim))
    if op == "unbind":
        return list(torch.unbind(xs[0], dim))
    if op == "tensor_split":
        return list(torch.tensor_split(xs[0], args["sections"], dim))
    if op == "index_select":
        return [torch.index_select(xs[0], dim, index)]
    if op == "index_add":
        return [torch.index_add(xs[0], dim, index, xs[1], alpha=args.get("alpha", 1))]
    if op == "gather":
        return [torch.gather(xs[0], dim, index)]
    if op == "scatter":
        src = xs[1] if len(xs) > 1 else args["value"]
        return [torch.scatter(xs[0], dim, index, src)]
    if op == "scatter_add":
        return [torch.scatter_add(xs[0], dim, index, xs[1])]
    if op == "scatter_backward":
        out = torch.scatter(xs[0], dim, index, xs[1])
        out.sum().backward()
        return [out]
    if op == "take_along_dim":
        return [torch.take_along_dim(xs[0], index, args.get("dim"))]
    if op == "masked_select":
        return [torch.masked_select(xs[0], index)]
    if op == "diagonal":
        return [torch.diagonal(xs[0], args.get("offset", 0), args.get("dim1", 0), args.get("dim2", 1))]
    if op == "diag_embed":
        return [torch.diag_embed(xs[0], args.get("offset", 0), args.get("dim1", -2), args.get("dim2", -1))]
    if op == "diag":
        return [torch.diag(xs[0], args.get("diagonal", 0))]
    if op == "tril":
        return [torch.tril(xs[0], args.get("diagonal", 0))]
    if op == "triu":
        return [torch.triu(xs[0], args.get("diagonal", 0))]
    raise ValueError(op)


def F(shape, rg=True, dtype="float32", **extra):
    spec = {"shape": shape, "dtype": dtype, "requires_grad": rg and dtype.startswith("float")}
    spec.update(extra)
    return spec


def I(values, dtype="int64", shape=None):
    t = torch.tensor(values)
    return {"shape": list(t.shape) if shape is None else shape, "dtype": dtype, "values": t.reshape(-1).tolist()}


# (name, op, inputs, index, args, options). options: used (outputs fed to backward),
# accumulates (gradients sum several contributions), grad_fn_2x and note.
CASES = [
    ("cat dim 0", "cat", [F([2, 3]), F([1, 3])], None, {"dim": 0}, {}),
    ("cat dim -1 of three", "cat", [F([2, 1]), F([2, 3]), F([2, 2])], None, {"dim": -1}, {}),
    ("cat promotes float32 and float64", "cat", [F([2, 2]), F([2, 1], dtype="float64")], None, {"dim": 1}, {}),
    ("cat promotes int64 and float32", "cat", [F([1, 2], dtype="int64"), F([2, 2])], None, {"dim": 0}, {}),
    ("cat promotes bool and int64", "cat", [F([2], dtype="bool"), F([3], dtype="int64")], None, {"dim": 0}, {}),
    ("cat skips 1-D empty tensors", "cat", [F([2, 3]), F([0]), F([1, 3])], None, {"dim": 0}, {}),
    ("cat skips 1-D empty before the first valid", "cat", [F([0], dtype="float64"), F([2, 2]), F([2, 1])], None, {"dim": 1}, {}),
    ("cat of only 1-D empty tensors", "cat", [F([0]), F([0])], None, {"dim": 0}, {}),
    ("cat keeps other empty shapes", "cat", [F([2, 0, 3]), F([2, 2, 3])], None, {"dim": 1}, {}),
    ("cat of a transposed input", "cat", [F([2, 3], permute=[1, 0]), F([3, 2])], None, {"dim": 1}, {}),
    ("cat of the same tensor twice", "cat", [F([2, 2])], None, {"dim": 0, "repeat": 2}, {}),
    ("stack dim 0", "stack", [F([2, 3]), F([2, 3]), F([2, 3])], None, {"dim": 0}, {}),
    ("stack dim -1", "stack", [F([2, 3]), F([2, 3])], None, {"dim": -1}, {}),
    ("stack dim 1 promotes", "stack", [F([2, 3], dtype="float64"), F([2, 3])], None, {"dim": 1}, {}),
    ("stack of 0-d tensors", "stack", [F([]), F([]), F([])], None, {"dim": 0}, {}),
    ("stack of a transposed input", "stack", [F([3, 2], permute=[1, 0]), F([2, 3])], None, {"dim": 2}, {}),
    ("hstack 1-D", "hstack", [F([2]), F([3])], None, {}, {}),
    ("hstack 2-D", "hstack", [F([2, 1]), F([2, 3])], None, {}, {}),
    ("vstack 1-D", "vstack", [F([3]), F([3])], None, {}, {}),
    ("vstack 2-D and 1-D", "vstack", [F([1, 3]), F([2, 3]), F([3])], None, {}, {}),
    ("split by 2", "split", [F([5, 2])], None, {"split": 2, "dim": 0}, {}),
    ("split by sizes, one piece used", "split", [F([3, 5])], None, {"split": [1, 4], "dim": 1}, {"used": [1]}),
    ("split by 2 along -1 of a transposed input", "split", [F([3, 4], permute=[1, 0])], None, {"split": 2, "dim": -1}, {}),
    ("split by 0 of an empty dim", "split", [F([0, 2])], None, {"split": 0, "dim": 0}, {}),
    ("split with zero sizes", "split", [F([4])], None, {"split": [0, 3, 0, 1], "dim": 0}, {}),
    ("chunk 5 into 3", "chunk", [F([5])], None, {"chunks": 3, "dim": 0}, {}),
    ("chunk 6 into 4 gives 3", "chunk", [F([6, 2])], None, {"chunks": 4, "dim": 0}, {"used": [0, 2]}),
    ("chunk of an empty dim", "chunk", [F([0, 3])], None, {"chunks": 2, "dim": 0}, {}),
    ("chunk along dim 1", "chunk", [F([2, 5])], None, {"chunks": 2, "dim": 1}, {}),
    ("unbind dim 1", "unbind", [F([2, 3])], None, {"dim": 1}, {"used": [0, 2]}),
    ("unbind dim 0 of 3-D", "unbind", [F([2, 3, 2])], None, {"dim": 0}, {}),
    ("unbind dim -1 of a transposed input", "unbind", [F([2, 3], permute=[1, 0])], None, {"dim": -1}, {}),
    ("tensor_split into 3", "tensor_split", [F([7])], None, {"sections": 3, "dim": 0}, {}),
    ("tensor_split at indices", "tensor_split", [F([7, 2])], None, {"sections": [-2, 1, 10, 5], "dim": 0}, {"used": [0, 2, 4]}),
    ("tensor_split along dim 1", "tensor_split", [F([2, 5])], None, {"sections": 2, "dim": 1}, {}),
    ("index_select dim 0 with repeats", "index_select", [F([4, 3])], I([3, 0, 3]), {"dim": 0}, {"accumulates": True}),
    ("index_select dim 1 int32 index", "index_select", [F([2, 4])], I([1, 1, 0], "int32"), {"dim": 1}, {"accumulates": True}),
    ("index_select with a 0-d index", "index_select", [F([3])], I(2), {"dim": 0}, {}),
    ("index_select of a 0-d input", "index_select", [F([])], I([0]), {"dim": 0}, {}),
    ("index_select of a transposed input", "index_select", [F([3, 4], permute=[1, 0])], I([2, 0]), {"dim": -1}, {}),
    ("index_select of int64", "index_select", [F([5], dtype="int64")], I([4, 0]), {"dim": 0}, {}),
    ("index_select float64", "index_select", [F([3, 2], dtype="float64")], I([1, 1]), {"dim": 0}, {"accumulates": True}),
    ("index_add dim 0 with repeats", "index_add", [F([3, 2]), F([3, 2])], I([0, 2, 0]), {"dim": 0}, {"accumulates": True}),
    ("index_add dim 1 with alpha", "index_add", [F([2, 4]), F([2, 2])], I([3, 1]), {"dim": 1, "alpha": 2.5}, {"accumulates": True}),
    ("index_add of int64 with alpha", "index_add", [F([5], dtype="int64"), F([2], dtype="int64")], I([1, 1]), {"dim": 0, "alpha": 3}, {}),
    ("index_add of 0-d tensors", "index_add", [F([]), F([])], I([0]), {"dim": 0}, {}),
    ("gather dim 0", "gather", [F([3, 4])], I([[0, 1, 2, 0], [2, 2, 1, 0]]), {"dim": 0}, {"accumulates": True}),
    ("gather dim 1 smaller index", "gather", [F([3, 4])], I([[3, 3], [0, 1]]), {"dim": 1}, {"accumulates": True}),
    ("gather dim -1 of 3-D float64", "gather", [F([2, 2, 3], dtype="float64")], I([[[2], [0]], [[1], [1]]]), {"dim": -1}, {}),
    ("gather of 0-d", "gather", [F([])], I(0), {"dim": 0}, {}),
    ("gather with an empty index", "gather", [F([3, 4])], I([], shape=[0, 4]), {"dim": 0}, {}),
    ("gather of a transposed input", "gather", [F([4, 3], permute=[1, 0])], I([[0, 3], [1, 1]]), {"dim": 1}, {"accumulates": True}),
    ("scatter src dim 0", "scatter", [F([3, 5]), F([1, 4])], I([[0, 1, 2, 0]]), {"dim": 0}, {}),
    ("scatter src dim 1 with repeats", "scatter", [F([2, 3]), F([2, 2])], I([[0, 2], [1, 1]]), {"dim": 1}, {}),
    ("scatter value", "scatter", [F([2, 4])], I([[1], [3]]), {"dim": 1, "value": 2.5}, {}),
    ("scatter value into int64 truncates", "scatter", [F([3], dtype="int64")], I([0, 1]), {"dim": 0, "value": 2.7}, {}),
    ("scatter from a larger src", "scatter", [F([3, 3]), F([2, 3], rg=False)], I([[1, 0]]), {"dim": 0}, {}),
    ("scatter_add dim 0", "scatter_add", [F([3, 3]), F([2, 3])], I([[0, 1, 2], [0, 1, 0]]), {"dim": 0}, {"accumulates": True}),
    ("scatter_add 1-D repeats", "scatter_add", [F([4]), F([4])], I([0, 0, 3, 0]), {"dim": 0}, {"accumulates": True}),
    ("scatter_add of 0-d", "scatter_add", [F([]), F([1])], I([0]), {"dim": 0}, {}),
    ("take_along_dim dim 1", "take_along_dim", [F([3, 4])], I([[0], [2], [1]]), {"dim": 1}, {}),
    ("take_along_dim broadcasts", "take_along_dim", [F([3, 1])], I([[0, 2]]), {"dim": 0}, {"accumulates": True}),
    ("take_along_dim flattened", "take_along_dim", [F([2, 3])], I([5, 0, 5]), {"dim": None}, {"accumulates": True}),
    ("masked_select", "masked_select", [F([3, 4])], I([[True, False, True, True], [False] * 4, [True, False, False, True]], "bool"), {}, {}),
    ("masked_select broadcasts", "masked_select", [F([3, 1])], I([[[True, False, True, False]], [[False, True, True, True]]], "bool"), {}, {"accumulates": True}),
    ("masked_select 0-d mask", "masked_select", [F([2, 2])], I(True, "bool"), {}, {}),
    ("diagonal", "diagonal", [F([3, 4])], None, {}, {}),
    ("diagonal below of dims 2 and 1", "diagonal", [F([2, 3, 4])], None, {"offset": -1, "dim1": 2, "dim2": 1}, {}),
    ("diagonal above", "diagonal", [F([3, 4])], None, {"offset": 2}, {}),
    ("diagonal past the end", "diagonal", [F([2, 3])], None, {"offset": 5}, {}),
    ("diagonal of a transposed input", "diagonal", [F([4, 3], permute=[1, 0])], None, {"offset": 1}, {}),
    ("diag_embed", "diag_embed", [F([2, 3])], None, {}, {}),
    ("diag_embed offset 1 dims 0 2", "diag_embed", [F([2, 3])], None, {"offset": 1, "dim1": 0, "dim2": 2}, {}),
    ("diag of 1-D", "diag", [F([3])], None, {"diagonal": -1},
     {"grad_fn_2x": "DiagEmbedBackward0", "note": "2.x builds diag from diag_embed; 1.13 has its own node"}),
    ("diag of 2-D", "diag", [F([3, 4])], None, {"diagonal": 1},
     {"grad_fn_2x": "DiagonalBackward0_copy", "note": "2.x builds diag from diagonal_copy; 1.13 has its own node"}),
    ("tril", "tril", [F([3, 4])], None, {}, {}),
    ("tril -1 batched", "tril", [F([2, 3, 3])], None, {"diagonal": -1}, {}),
    ("triu 1", "triu", [F([4, 3])], None, {"diagonal": 1}, {}),
    ("triu of bool", "triu", [F([3, 3], dtype="bool")], None, {}, {}),
    ("tril of int64 past the corner", "tril", [F([2, 3], dtype="int64")], None, {"diagonal": 5}, {}),
]


def run_case(name, op, specs, index_spec, args, options):
    leaves, views = [], []
    for spec in specs * args.get("repeat", 1):
        if args.get("repeat") and leaves:
            leaf, view = leaves[0], views[0]
        else:
            leaf, view = make_input(spec)
        leaves.append(leaf)
        views.append(view)
    index = make_index(index_spec)
    outs = call(op, views, index, args)
    case = {
        "name": name,
        "op": op,
        "args": {k: v for k, v in args.items() if k != "repeat"},
        "repeat": args.get("repeat", 1),
        "inputs": [dict(spec, **describe(leaf)) for spec, leaf in zip(specs, leaves)],
        "index": index_spec,
        "outputs": [],
        "accumulates": bool(options.get("accumulates")),
    }
    for o in outs:
        d = describe(o)
        d["stride"] = list(o.stride())
        d["storage_offset"] = o.storage_offset()
        d["grad_fn"] = o.grad_fn.name() if o.grad_fn is not None else None
        case["outputs"].append(d)
    if "grad_fn_2x" in options:
        case["grad_fn_2x"] = options["grad_fn_2x"]
        case["note"] = options["note"]
    used = options.get("used", list(range(len(outs))))
    used = [i for i in used if outs[i].requires_grad]
    case["used"] = used
    if used:
        upstream = [random_tensor(list(outs[i].shape), outs[i].dtype) for i in used]
        torch.autograd.backward([outs[i] for i in used], upstream)
        case["upstream"] = [describe(u) for u in upstream]
        distinct = leaves[:1] if args.get("repeat") else leaves
        case["grads"] = [describe(leaf.grad) if leaf.grad is not None else None for leaf in distinct]
    return case


def Z(shape, dtype="float32", rg=False, **extra):
    spec = {"shape": shape, "dtype": dtype, "requires_grad": rg}
    spec.update(extra)
    return spec


# (name, op, inputs, index, args, 2.x override or None). Inputs are zeros of the given shape.
ERRORS = [
    ("cat of no tensors", "cat", [], None, {"dim": 0}, None),
    ("cat sizes differ, dim 1", "cat", [Z([2, 2]), Z([3, 3])], None, {"dim": 1}, None),
    ("cat sizes differ, dim 0", "cat", [Z([2, 2]), Z([3, 3])], None, {"dim": 0}, None),
    ("cat sizes differ, third tensor", "cat", [Z([2, 2]), Z([1, 2]), Z([2, 3])], None, {"dim": 0}, None),
    ("cat dims differ", "cat", [Z([2, 2]), Z([2])], None, {"dim": 0}, None),
    ("cat of a 0-d tensor", "cat", [Z([2]), Z([])], None, {"dim": 0}, None),
    ("cat dim out of range", "cat", [Z([2, 2]), Z([2, 2])], None, {"dim": 2}, None),
    ("cat dim out of range after an empty", "cat", [Z([0]), Z([2, 2])], None, {"dim": -3}, None),
    ("stack sizes differ", "stack", [Z([2, 3]), Z([2, 4])], None, {"dim": 0}, None),
    ("stack of no tensors", "stack", [], None, {"dim": 0}, None),
    ("stack dims differ", "stack", [Z([2]), Z([1, 2])], None, {"dim": 0}, None),
    ("stack dim out of range", "stack", [Z([2]), Z([2])], None, {"dim": 2}, None),
    ("hstack of no tensors", "hstack", [], None, {}, None),
    ("vstack of no tensors", "vstack", [], None, {}, None),
    ("split sizes do not sum", "split", [Z([5])], None, {"split": [2, 2], "dim": 0}, None),
    ("split sizes do not sum, dim -1", "split", [Z([2, 5])], None, {"split": [2, 2], "dim": -1}, None),
    ("split negative size entry", "split", [Z([3])], None, {"split": [1, -1, 3], "dim": 0}, None),
    ("split by 0", "split", [Z([3])], None, {"split": 0, "dim": 0}, None),
    ("split by -1", "split", [Z([3])], None, {"split": -1, "dim": 0}, None),
    ("split of 0-d", "split", [Z([])], None, {"split": 1, "dim": 0}, None),
    ("split dim out of range", "split", [Z([3, 4])], None, {"split": 2, "dim": 2}, None),
    ("chunk into 0", "chunk", [Z([5])], None, {"chunks": 0, "dim": 0}, None),
    ("chunk into -1", "chunk", [Z([5])], None, {"chunks": -1, "dim": 0}, None),
    ("chunk of 0-d", "chunk", [Z([])], None, {"chunks": 2, "dim": 0}, None),
    ("unbind of 0-d", "unbind", [Z([])], None, {"dim": 0}, None),
    ("unbind dim out of range", "unbind", [Z([3])], None, {"dim": 1}, None),
    ("tensor_split of 0-d", "tensor_split", [Z([])], None, {"sections": 2, "dim": 0}, None),
    ("tensor_split into 0", "tensor_split", [Z([3])], None, {"sections": 0, "dim": 0}, None),
    ("index_select index too large", "index_select", [Z([3])], I([3]), {"dim": 0}, None),
    ("index_select negative index", "index_select", [Z([3])], I([-1]), {"dim": 0}, None),
    ("index_select float index", "index_select", [Z([3])], I([0.0], "float32"), {"dim": 0}, None),
    ("index_select 2-D index", "index_select", [Z([3])], I([[0]]), {"dim": 0}, None),
    ("index_select dim out of range", "index_select", [Z([3, 4])], I([0]), {"dim": 2}, None),
    ("index_select of 0-d with two indices", "index_select", [Z([])], I([0, 0]), {"dim": 0},
     ("RuntimeError", "index_select(): Index to scalar can have only 1 value, got 2 value(s)",
      "1.13 allows it; 2.x checks")),
    ("index_select of 0-d index 1", "index_select", [Z([])], I([1]), {"dim": 0}, None),
    ("index_add count mismatch", "index_add", [Z([3]), Z([3])], I([0, 1]), {"dim": 0}, None),
    ("index_add index out of range", "index_add", [Z([3]), Z([1])], I([5]), {"dim": 0}, None),
    ("index_add negative index", "index_add", [Z([3]), Z([1])], I([-1]), {"dim": 0}, None),
    ("index_add dtype mismatch", "index_add", [Z([3]), Z([1], "float64")], I([0]), {"dim": 0}, None),
    ("index_add float index", "index_add", [Z([3]), Z([1])], I([0.0], "float32"), {"dim": 0}, None),
    ("index_add 2-D index", "index_add", [Z([3]), Z([1])], I([[0]]), {"dim": 0}, None),
    ("index_add dim beyond source", "index_add", [Z([3, 3]), Z([1])], I([0]), {"dim": 1}, None),
    ("index_add slice shapes differ", "index_add", [Z([3, 2]), Z([1, 3])], I([0]), {"dim": 0},
     ("RuntimeError",
      "source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = [3, 2] source.shape = [1, 3]",
      "1.13 fails inside add_ with a broadcast message; 2.x checks the slice shapes first")),
    ("gather index dims differ", "gather", [Z([3])], I([[0]]), {"dim": 0}, None),
    ("gather int32 index", "gather", [Z([3])], I([0], "int32"), {"dim": 0}, None),
    ("gather negative index", "gather", [Z([3])], I([-1]), {"dim": 0}, None),
    ("gather index too large", "gather", [Z([3])], I([3]), {"dim": 0}, None),
    ("gather index larger than input", "gather", [Z([3, 4])], I([[0], [1], [2], [1]]), {"dim": 1}, None),
    ("gather dim out of range", "gather", [Z([3, 4])], I([[0]]), {"dim": 2}, None),
    ("scatter int32 index", "scatter", [Z([3]), Z([1])], I([0], "int32"), {"dim": 0}, None),
    ("scatter_add int32 index", "scatter_add", [Z([3]), Z([1])], I([0], "int32"), {"dim": 0}, None),
    ("scatter dtype mismatch", "scatter", [Z([3]), Z([1], "float64")], I([0]), {"dim": 0}, None),
    ("scatter_add dtype mismatch", "scatter_add", [Z([3]), Z([1], "float64")], I([0]), {"dim": 0}, None),
    ("scatter index dims differ from self", "scatter", [Z([3]), Z([1])], I([[0]]), {"dim": 0}, None),
    ("scatter index dims differ from src", "scatter", [Z([3]), Z([1, 1])], I([0]), {"dim": 0}, None),
    ("scatter index larger than src", "scatter", [Z([3]), Z([1])], I([0, 1]), {"dim": 0}, None),
    ("scatter_add index larger than src", "scatter_add", [Z([3]), Z([1])], I([0, 1]), {"dim": 0}, None),
    ("scatter value index larger than self", "scatter", [Z([3, 3])], I([[1, 1, 1, 1]]), {"dim": 0, "value": 1.0}, None),
    ("scatter index out of range", "scatter", [Z([3]), Z([1])], I([5]), {"dim": 0}, None),
    ("scatter negative index", "scatter", [Z([3])], I([-1]), {"dim": 0, "value": 1.0}, None),
    ("scatter_add index out of range", "scatter_add", [Z([2, 2]), Z([1, 2])], I([[0, 2]]), {"dim": 1}, None),
    ("scatter gradient for a larger src", "scatter_backward", [Z([3, 3]), Z([2, 2], rg=True)], I([[1]]), {"dim": 0}, None),
    ("take_along_dim dims differ", "take_along_dim", [Z([3, 4])], I([0]), {"dim": 1}, None),
    ("take_along_dim float indices", "take_along_dim", [Z([3, 4])], I([[0.0]], "float32"), {"dim": 1}, None),
    ("take_along_dim does not broadcast", "take_along_dim", [Z([3, 4])], I([[0, 1]]), {"dim": 0}, None),
    ("take_along_dim index out of range", "take_along_dim", [Z([3, 4])], I([[5]]), {"dim": 1}, None),
    ("take_along_dim flattens a view", "take_along_dim", [Z([3, 4], permute=[1, 0])], I([0]), {"dim": None}, None),
    ("masked_select float mask", "masked_select", [Z([3])], I([1.0, 0.0, 1.0], "float32"), {},
     ("RuntimeError", "masked_select: expected BoolTensor for mask", "2.x no longer names ByteTensor")),
    ("masked_select does not broadcast", "masked_select", [Z([3])], I([True, False], "bool"), {}, None),
    ("diagonal identical dims", "diagonal", [Z([2, 3])], None, {"offset": 0, "dim1": 0, "dim2": -2}, None),
    ("diagonal of 1-D", "diagonal", [Z([3])], None, {}, None),
    ("diag_embed of 0-d", "diag_embed", [Z([])], None, {}, None),
    ("diag_embed identical dims", "diag_embed", [Z([2])], None, {"dim1": 1, "dim2": -1}, None),
    ("diag of 3-D", "diag", [Z([2, 2, 2])], None, {},
     ("RuntimeError", "diag(): Supports 1D or 2D tensors. Got 3D", "2.x's composite diag checks with this message")),
    ("diag of 0-d", "diag", [Z([])], None, {},
     ("RuntimeError", "diag(): Supports 1D or 2D tensors. Got 0D", "2.x's composite diag checks with this message")),
    ("tril of 1-D", "tril", [Z([3])], None, {},
     ("RuntimeError", "tril: input tensor must have at least 2 dimensions", "2.x's meta function checks the rank")),
    ("triu of 1-D", "triu", [Z([3])], None, {},
     ("RuntimeError", "triu: input tensor must have at least 2 dimensions", "2.x's meta function checks the rank")),
]


def run_error(name, op, specs, index_spec, args, override):
    views = [make_input(spec, values=False)[1] for spec in specs]
    index = make_index(index_spec)
    try:
        call(op, views, index, args)
    except Exception as e:  # noqa: BLE001 - recording whatever PyTorch raises is the point
        case = {
            "name": name,
            "op": op,
            "inputs": specs,
            "index": index_spec,
            "args": args,
            "error": type(e).__name__,
            "message": str(e).split("\n")[0],
        }
        if override:
            case["error_2x"], case["message_2x"], case["note"] = override
        return case
    if override is None:
        raise AssertionError(f"{name}: no error raised")
    error_2x, message_2x, note = override
    return {
        "name": name, "op": op, "inputs": specs, "index": index_spec, "args": args, "error": None,
        "message": None, "error_2x": error_2x, "message_2x": message_2x, "note": note,
    }


def main():
    torch.manual_seed(20240611)
    os.makedirs(OUT_DIR, exist_ok=True)
    cases = [run_case(*c) for c in CASES]
    errors = [run_error(*e) for e in ERRORS]
    for file, key, data in [("cases.json", "cases", cases), ("errors.json", "errors", errors)]:
        with open(os.path.join(OUT_DIR, file), "w") as f:
            json.dump({"metadata": META, key: data}, f, separators=(",", ":"))
            f.write("\n")
    print(f"wrote {len(cases)} cases and {len(errors)} errors to {OUT_DIR}")


if __name__ == "__main__":
    main()
