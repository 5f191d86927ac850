"""Write test/golden/isclose/isclose.json: torch.isclose / allclose results and errors.

    /usr/bin/python3 -P scripts/golden/isclose.py

Cases: float32 values at the edge of the tolerance (where float32 rounding of atol + rtol*|b|
decides), NaN with and without equal_nan, infinities, float64, int64 (compared in the default
dtype), bool, broadcasting, custom rtol/atol, and the error messages.
Float values are stored as float64 hex bit patterns (exact for float32 inputs too).
"""

import json
import os
import struct

import torch

OUT = os.path.join("test", "golden", "isclose", "isclose.json")


def enc(t):
    t = t.detach()
    if t.dtype in (torch.float32, torch.float64):
        return [struct.pack(">d", float(v)).hex() for v in t.reshape(-1).double().tolist()]
    return [int(v) for v in t.reshape(-1).tolist()]


def case(a, b, **kw):
    out = torch.isclose(a, b, **kw)
    return {
        "a": {"dtype": str(a.dtype).replace("torch.", ""), "shape": list(a.shape), "values": enc(a)},
        "b": {"dtype": str(b.dtype).replace("torch.", ""), "shape": list(b.shape), "values": enc(b)},
        "options": kw,
        "isclose": {"shape": list(out.shape), "values": [bool(v) for v in out.reshape(-1).tolist()]},
        "allclose": bool(torch.allclose(a, b, **kw)),
    }


g = torch.Generator().manual_seed(0)
base = torch.rand(64, generator=g, dtype=torch.float32) * 4 - 2
# neighbours of the tolerance edge: b = a * (1 + k * 1e-6) for k around 10
edge = torch.cat([base * (1 + k * 1e-6) for k in (8, 9, 9.5, 10, 10.5, 11, 12)]).float()
a_edge = torch.cat([base] * 7)
nan, inf = float("nan"), float("inf")
special_a = torch.tensor([1.0, nan, nan, inf, -inf, inf, 0.0, 1e-9, 0.0, -0.0])
special_b = torch.tensor([1.00001, nan, 1.0, inf, -inf, -inf, 1e-8, 0.0, 2e-8, 0.0])

cases = [
    case(a_edge, edge),
    case(a_edge, edge, rtol=1e-4, atol=0.0),
    case(a_edge.double(), edge.double()),
    case(special_a, special_b),
    case(special_a, special_b, equal_nan=True),
    case(special_a, special_b, rtol=0.0, atol=0.0),
    case(torch.tensor([1, 2, 100000, -5]), torch.tensor([1, 3, 100001, -5])),
    case(torch.tensor([1, 2, 100000, -5]), torch.tensor([1, 3, 100001, -5]), rtol=1e-3),
    case(torch.tensor([True, False]), torch.tensor([True, True])),
    case(torch.tensor([[1.0], [2.0], [3.0]]), torch.tensor([1.0, 2.000001, 3.0])),
]

errors = []
for label, fn in [
    ("dtype", lambda: torch.isclose(torch.ones(2), torch.ones(2, dtype=torch.float64))),
    ("rtol", lambda: torch.isclose(torch.ones(2), torch.ones(2), rtol=-1.0)),
    ("atol", lambda: torch.isclose(torch.ones(2), torch.ones(2), atol=-0.5)),
    ("shape", lambda: torch.allclose(torch.ones(4), torch.ones(3))),
]:
    try:
        fn()
        errors.append({"label": label, "error": None})
    except Exception as e:  # noqa: BLE001 - the message is what the fixture records
        errors.append({"label": label, "type": type(e).__name__, "message": str(e)})

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump(
        {"metadata": {"torch_version": torch.__version__, "script": "scripts/golden/isclose.py"},
         "cases": cases, "errors": errors},
        f, indent=1,
    )
print("wrote", OUT)
