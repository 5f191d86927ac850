#!/usr/bin/python3
"""Golden fixtures for torch-ts's torch.load / torch.save (src/serialization/pt.ts), written by
real PyTorch.

Run with Debian's interpreter (python3-torch 1.13):

    /usr/bin/python3 -P scripts/golden/pt.py

Writes test/golden/pt/:
  * valid/*.pt: files written by torch.save (state_dicts of Linear models in several dtypes, a
    Sequential, every dtype, non-contiguous views, shared storages, an optimizer state_dict,
    Parameters, nested Python values, the legacy format, pickle protocol 4);
  * hostile/*.pt: files that must be refused: pickles whose __reduce__ calls os.system,
    builtins.eval, subprocess.Popen, ..., tensors larger than their storage, storages whose
    declared size disagrees with their record, deep nesting, a big-endian byte order, complex
    storages. They are built with Python's pickle module and zipfile, laid out as torch.save lays
    out its archives;
  * pickles/*.pkl: plain pickles of one object at protocols 2 to 5 (their opcodes differ:
    FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL, BINBYTES, EMPTY_SET / ADDITEMS, ...);
  * expected.json: {"metadata": {...}, "valid": {name: encoded value}, "hostile": {name: {...}},
    "pickles": {name: encoded value}}.

Encoding of a loaded value: dicts as {"kind": "dict", "ordered": bool, "items": [[k, v], ...]}
(plus "metadata": the `_metadata` attribute state_dicts carry),
lists / tuples / sets as {"kind": "list" | "tuple" | "set", "items": [...]} (sets sorted),
torch.Size as {"kind": "size"},
bytes as {"kind": "bytes", "hex"}, infinite floats and NaN as {"kind": "float", "value": repr},
ints beyond 2^53 as {"kind": "int", "value": str}, tensors as
{"kind": "tensor", "dtype" (the file's), "shape", "stride", "offset", "requires_grad",
"parameter", "storage" (an index: equal indices share one storage), "values"}. Tensor values are
those torch-ts loads (float16 / bfloat16 widened to float32, small ints to int32), flattened in
row-major order: float32 as uint32 bit patterns, float64 as 16 hex digits, int64 as decimal
strings, bool as 0/1.

Rerunning rewrites the same bytes except for the legacy-format files, whose storage keys are
memory addresses (PyTorch's choice).

Where 1.13 and 2.x differ, torch-ts follows 2.x: 1.13's weights_only unpickler says
"Unsupported class posix.system" where 2.x says "Trying to load unsupported GLOBAL posix.system
whose module posix is blocked." or "Unsupported global: GLOBAL eval was not an allowed global by
default." Each hostile entry records 1.13's own error ("torch_1_13") and a phrase the refusal
must contain ("message"): for globals, 2.x's wording (from torch/_weights_only_unpickler.py in
2.x, "source": "pytorch-2.x"); for the rest, torch-ts's own ("source": "torch-ts"), since
PyTorch checks those with other words or not at all.
"""

import collections
import io
import json
import math
import os
import pickle
import shutil
import struct
import subprocess
import warnings
import zipfile

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "test", "golden", "pt")
VALID = os.path.join(OUT, "valid")
HOSTILE = os.path.join(OUT, "hostile")
# The payloads would create this file in the working directory if anything ever ran them.
MARKER = "torch_ts_pwned_marker"

warnings.simplefilter("ignore")
torch.set_num_threads(1)


def metadata():
    return {"torch_version": torch.__version__, "script": "scripts/golden/pt.py"}


# ---- encoding what a file holds -----------------------------------------------------------


def f32_bits(values):
    return [struct.unpack("<I", struct.pack("<f", v))[0] for v in values]


def tensor_values(t):
    flat = t.detach().reshape(-1)
    if t.dtype in (torch.float16, torch.bfloat16, torch.float32):
        return f32_bits(flat.float().tolist())
    if t.dtype == torch.float64:
        return [struct.pack(">d", v).hex() for v in flat.tolist()]
    if t.dtype == torch.int64:
        return [str(v) for v in flat.tolist()]
    if t.dtype == torch.bool:
        return [int(v) for v in flat.tolist()]
    return [int(v) for v in flat.tolist()]


def encode(x, storages):
    if torch.is_tensor(x):
        ptr = x.storage().data_ptr()
        storages.setdefault(ptr, len(storages))
        return {
            "kind": "tensor",
            "dtype": str(x.dtype).replace("torch.", ""),
            "shape": list(x.shape),
            "stride": list(x.stride()),
            "offset": x.storage_offset(),
            "requires_grad": x.requires_grad,
            "parameter": isinstance(x, nn.Parameter),
            "storage": storages[ptr],
            "values": tensor_values(x),
        }
    if isinstance(x, torch.Size):
        return {"kind": "size", "items": list(x)}
    if isinstance(x, dict):
        out = {
            "kind": "dict",
            "ordered": isinstance(x, collections.OrderedDict),
            "items": [[encode(k, storages), encode(v, storages)] for k, v in x.items()],
        }
        if hasattr(x, "_metadata"):
            out["metadata"] = encode(x._metadata, storages)
        return out
    if isinstance(x, (list, tuple)):
        return {"kind": "list" if isinstance(x, list) else "tuple", "items": [encode(v, storages) for v in x]}
    if isinstance(x, bytes):
        return {"kind": "bytes", "hex": x.hex()}
    if isinstance(x, set):
        return {"kind": "set", "items": [encode(v, storages) for v in sorted(x)]}
    if isinstance(x, float) and not math.isfinite(x):
        return {"kind": "float", "value": repr(x)}
    if isinstance(x, bool) or x is None or isinstance(x, (str, float)):
        return x
    if isinstance(x, int):
        return x if abs(x) <= 2**53 else {"kind": "int", "value": str(x)}
    raise TypeError(type(x))


# ---- valid files, written by torch.save ---------------------------------------------------


def linear_state(dtype):
    torch.manual_seed(0)
    return nn.Linear(4, 3).to(dtype).state_dict()


def valid_objects():
    out = {}
    for dtype in [torch.float32, torch.float64, torch.float16, torch.bfloat16]:
        out["linear_" + str(dtype).replace("torch.", "")] = (linear_state(dtype), {})

    torch.manual_seed(1)
    out["sequential"] = (nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)).state_dict(), {})

    specials = [0.0, -0.0, 1.0, -2.5, 65504.0, 6.1e-5, 5.96e-8, float("inf"), float("-inf"), 1 / 3]
    out["dtypes"] = (
        {
            "float32": torch.tensor(specials + [3.4e38, 1e-45], dtype=torch.float32),
            "float64": torch.tensor(specials + [1e308, 5e-324], dtype=torch.float64),
            "float16": torch.tensor(specials, dtype=torch.float16),
            # NaNs with payloads (quiet, signalling, negative) widen bit-exactly.
            "float16_nan": torch.tensor([0x7E00, 0x7C01, -0x0200, 0x7FFF], dtype=torch.int16).view(torch.float16),
            "bfloat16": torch.tensor(specials + [3e38], dtype=torch.bfloat16),
            "int64": torch.tensor([0, -1, 2**62, -(2**63), 2**53 + 1], dtype=torch.int64),
            "int32": torch.tensor([0, -1, 2**31 - 1, -(2**31)], dtype=torch.int32),
            "int16": torch.tensor([0, -1, 32767, -32768], dtype=torch.int16),
            "int8": torch.tensor([0, -1, 127, -128], dtype=torch.int8),
            "uint8": torch.tensor([0, 1, 128, 255], dtype=torch.uint8),
            "bool": torch.tensor([True, False, True]),
            "scalar": torch.tensor(3.5),
            "empty": torch.zeros(0, 3),
        },
        {},
    )

    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    out["noncontiguous"] = (
        {
            "transposed": base.t(),
            "columns": base[:, 1:4],
            "row": base[2],
            "step": base[::2, ::3],
            "element": base[3, 5],
            "expanded": torch.tensor([1.0, 2.0]).expand(3, 2),
        },
        {},
    )

    x = torch.arange(12, dtype=torch.float64).reshape(3, 4)
    other = torch.ones(2, dtype=torch.int64)
    out["shared"] = (
        {"base": x, "view": x[1:], "transposed": x.t(), "same": x, "flat": x.view(-1)[5:], "other": other},
        {},
    )

    torch.manual_seed(2)
    model = nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    inp = torch.randn(5, 3)
    for _ in range(3):
        opt.zero_grad()
        model(inp).pow(2).sum().backward()
        opt.step()
    out["optimizer"] = (opt.state_dict(), {})

    out["nested"] = (
        {
            "int": 7,
            "negative": -300,
            "int32": 2**31 - 1,
            "big": 2**40,
            "huge": 2**70,
            "float": 0.5,
            "str": "héllo ☃",
            "none": None,
            "bools": [True, False],
            "tuple": (1, 2.5, "x"),
            "list": [1, [2, [3, []]]],
            "size": torch.Size([2, 3]),
            "int_keys": {0: "a", 1: "b", 10: "c"},
            "mixed_keys": {1: "one", "1": "string one", (2, 3): "tuple"},
            "bytes": b"\x00\x01\xff",
            "empty": {},
            "ordered": collections.OrderedDict([("b", 1), ("a", 2)]),
            "tensor": torch.tensor([1.5, -2.0]),
        },
        {},
    )

    p = nn.Parameter(torch.tensor([1.0, 2.0]))
    frozen = nn.Parameter(torch.tensor([[3.0]]), requires_grad=False)
    out["parameters"] = ({"p": p, "frozen": frozen, "leaf": torch.tensor([4.0]).requires_grad_()}, {})

    torch.manual_seed(3)
    out["legacy"] = (nn.Linear(2, 2).state_dict(), {"_use_new_zipfile_serialization": False})
    legacy_shared = torch.arange(6, dtype=torch.int32)
    out["legacy_shared"] = ({"a": legacy_shared, "b": legacy_shared[2:]}, {"_use_new_zipfile_serialization": False})
    torch.manual_seed(4)
    out["protocol4"] = (nn.Linear(2, 3).state_dict(), {"pickle_protocol": 4})
    out["tensor"] = (torch.arange(5, dtype=torch.int64), {})
    return out


# ---- hostile files ------------------------------------------------------------------------


class Evil:
    """Unpickling an instance calls func(*args): what a malicious checkpoint does."""

    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


class Pid:
    """A storage reference whose fields are chosen freely (torch.save checks them; this does not)."""

    def __init__(self, storage_type, key, numel):
        self.storage_type, self.key, self.numel = storage_type, key, numel


class Rebuild:
    """A tensor whose _rebuild_tensor_v2 arguments are chosen freely."""

    def __init__(self, pid, offset, size, stride):
        self.pid, self.offset, self.size, self.stride = pid, offset, size, stride

    def __reduce__(self):
        args = (self.pid, self.offset, self.size, self.stride, False, collections.OrderedDict())
        return (torch._utils._rebuild_tensor_v2, args)


class PidPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Pid):
            return ("storage", obj.storage_type, obj.key, "cpu", obj.numel)
        return None


def pickle_with_pids(obj, protocol=2):
    buf = io.BytesIO()
    PidPickler(buf, protocol=protocol).dump(obj)
    return buf.getvalue()


def zip_entry(name):
    """A stored entry with a fixed date, so that rerunning the script rewrites the same bytes."""
    return zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))


def write_zip(path, pkl, storages=(), extra=()):
    """An archive laid out as torch.save's: archive/data.pkl, archive/data/<key>, archive/version."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(zip_entry("archive/data.pkl"), pkl)
        for key, data in storages:
            z.writestr(zip_entry(f"archive/data/{key}"), data)
        for name, data in extra:
            z.writestr(zip_entry(f"archive/{name}"), data)
        z.writestr(zip_entry("archive/version"), b"3\n")


def floats(n):
    return struct.pack(f"<{n}f", *range(n))


BLOCKED = "Trying to load unsupported GLOBAL {g} whose module {m} is blocked."
UNSUPPORTED = "Unsupported global: GLOBAL {g} was not an allowed global by default."


def hostile_files():
    """name -> (writer(path), a phrase the refusal contains). Phrases built from BLOCKED and
    UNSUPPORTED are PyTorch 2.x's; the others are torch-ts's own wording for checks PyTorch
    makes with other messages or not at all (recorded per file as "source")."""
    touch = f"touch {MARKER}"
    files = {}

    def saved(obj, **kw):
        return lambda path: torch.save(obj, path, **kw)

    def raw(pkl, storages=(), extra=()):
        return lambda path: write_zip(path, pkl, storages, extra)

    files["os_system"] = (saved(Evil(os.system, (touch,))), BLOCKED.format(g="posix.system", m="posix"))
    files["eval"] = (saved(Evil(eval, (f"__import__('os').system('{touch}')",))), UNSUPPORTED.format(g="eval"))
    files["exec"] = (saved(Evil(exec, (f"import os; os.system('{touch}')",))), UNSUPPORTED.format(g="exec"))
    files["subprocess"] = (
        saved(Evil(subprocess.Popen, (["touch", MARKER],))),
        UNSUPPORTED.format(g="subprocess.Popen"),
    )
    files["getattr"] = (saved(Evil(getattr, ("abc", "upper"))), UNSUPPORTED.format(g="getattr"))
    files["hidden_in_state_dict"] = (
        saved(collections.OrderedDict([("weight", torch.ones(2)), ("bias", Evil(os.system, (touch,)))])),
        BLOCKED.format(g="posix.system", m="posix"),
    )
    files["protocol4_stack_global"] = (
        raw(pickle.dumps(Evil(os.system, (touch,)), protocol=4)),
        BLOCKED.format(g="posix.system", m="posix"),
    )
    files["custom_class"] = (saved(Pid(None, "k", 0)), UNSUPPORTED.format(g="__main__.Pid"))

    # Nesting 5000 lists deep: EMPTY_LIST x N, then APPEND x (N - 1).
    depth = 5000
    deep = b"\x80\x02" + b"]" * depth + b"a" * (depth - 1) + b"."
    files["deep"] = (raw(deep), "nests containers more than 1000 levels deep")

    six = floats(6)
    fs = torch.FloatStorage
    files["tensor_larger_than_storage"] = (
        raw(pickle_with_pids(Rebuild(Pid(fs, "0", 6), 0, (100,), (1,))), [("0", six)]),
        "out of bounds for storage of size 24",
    )
    files["offset_out_of_range"] = (
        raw(pickle_with_pids(Rebuild(Pid(fs, "0", 6), 10, (1,), (1,))), [("0", six)]),
        "out of bounds for storage of size 24",
    )
    files["stride_out_of_range"] = (
        raw(pickle_with_pids(Rebuild(Pid(fs, "0", 6), 0, (2, 3), (1, 10))), [("0", six)]),
        "out of bounds for storage of size 24",
    )
    files["negative_size"] = (
        raw(pickle_with_pids(Rebuild(Pid(fs, "0", 6), 0, (-1,), (1,))), [("0", six)]),
        "must be a non-negative integer",
    )
    files["numel_disagrees_with_record"] = (
        raw(pickle_with_pids(Rebuild(Pid(fs, "0", 1000), 0, (6,), (1,))), [("0", six)]),
        "declares 1000 elements of float32 (4000 bytes) but its record holds 24 bytes",
    )
    files["huge_numel"] = (
        raw(pickle_with_pids(Rebuild(Pid(fs, "0", 2**60), 0, (6,), (1,))), [("0", six)]),
        "the element count of storage 0 is 1152921504606846976, more than torch-ts can address",
    )
    files["same_key_two_dtypes"] = (
        raw(
            pickle_with_pids(
                [Rebuild(Pid(fs, "0", 6), 0, (6,), (1,)), Rebuild(Pid(torch.IntStorage, "0", 6), 0, (6,), (1,))]
            ),
            [("0", six)],
        ),
        "storage 0 is referenced as 6 elements of float32 and as 6 elements of int32",
    )
    files["missing_record"] = (
        raw(pickle_with_pids(Rebuild(Pid(fs, "7", 6), 0, (6,), (1,))), [("0", six)]),
        "file not found",
    )
    files["storage_type_not_a_class"] = (
        raw(pickle_with_pids(Rebuild(Pid("FloatStorage", "0", 6), 0, (6,), (1,))), [("0", six)]),
        "a storage's type must be a torch storage class",
    )
    files["complex"] = (saved(torch.zeros(2, dtype=torch.complex64)), "torch.ComplexFloatStorage is not supported")
    files["truncated_pickle"] = (raw(pickle.dumps({"a": [1, 2, 3]}, protocol=2)[:-6]), "pickle data was truncated")
    # UNICODE ('V'), a protocol-0 text opcode that neither torch.save nor the restricted unpickler use.
    files["protocol0_opcode"] = (raw(b"\x80\x02Vhello\n."), "Unsupported operand 86")
    files["no_mark"] = (raw(b"this is not a pickle"), "could not find MARK")
    files["big_endian"] = (
        lambda path: big_endian(path),
        "saved on a big-endian machine",
    )
    files["no_version"] = (
        lambda path: drop_record(path, "archive/version"),
        "file not found",
    )
    return files


def big_endian(path):
    buf = io.BytesIO()
    torch.save(torch.ones(2), buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for info in src.infolist():
            z.writestr(zip_entry(info.filename), src.read(info.filename))
        z.writestr(zip_entry("archive/byteorder"), b"big")


def drop_record(path, name):
    buf = io.BytesIO()
    torch.save(torch.ones(2), buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for info in src.infolist():
            if info.filename != name:
                z.writestr(zip_entry(info.filename), src.read(info.filename))


def pickled_object():
    return {
        "list": [1, 2.5, "x", None, True, False],
        "tuple": (1, (2,), (3, 4, 5, 6)),
        "set": {3, 1, 2},
        "bytes": b"\x00bytes\xff",
        "ints": [0, 255, 256, 65535, 65536, -1, 2**31 - 1, -(2**31), 2**31, 2**63, -(2**100)],
        "floats": [0.0, -0.0, 1e-300, float("inf"), 1 / 3],
        "ordered": collections.OrderedDict([("z", 1), ("y", {"nested": [[]]})]),
        "long_str": "ü" * 300,
        # Enough distinct values that the memo passes 256 entries (LONG_BINPUT / LONG_BINGET).
        "memo": [str(i) for i in range(300)] + ["7", "299"],
        "shared": [[1, 2]] * 3,
    }


def torch_load_error(path):
    """What PyTorch 1.13 itself does with the file under weights_only=True."""
    try:
        torch.load(path, weights_only=True)
    except Exception as e:  # noqa: BLE001 - recording whatever PyTorch raises
        return {"type": type(e).__name__, "message": str(e)[:600]}
    return None


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(VALID)
    os.makedirs(HOSTILE)
    valid = {}
    for name, (obj, kwargs) in valid_objects().items():
        path = os.path.join(VALID, name + ".pt")
        torch.save(obj, path, **kwargs)
        # These files were just written here; weights_only=False only because 1.13's restricted
        # unpickler lacks BINFLOAT and the protocol-4 opcodes (2.x has them).
        loaded = torch.load(path, weights_only=False)
        valid[name] = encode(loaded, {})

    hostile = {}
    for name, (write, message_2x) in hostile_files().items():
        path = os.path.join(HOSTILE, name + ".pt")
        write(path)
        source = "pytorch-2.x" if "GLOBAL" in message_2x else "torch-ts"
        hostile[name] = {"message": message_2x, "source": source, "torch_1_13": torch_load_error(path)}
        if os.path.exists(MARKER):
            raise SystemExit(f"{name}: torch.load(weights_only=True) ran the payload")

    os.makedirs(os.path.join(OUT, "pickles"))
    pickles = {}
    for protocol in [2, 3, 4, 5]:
        name = f"protocol{protocol}"
        data = pickle.dumps(pickled_object(), protocol=protocol)
        with open(os.path.join(OUT, "pickles", name + ".pkl"), "wb") as f:
            f.write(data)
        pickles[name] = encode(pickle.loads(data), {})

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        everything = {"metadata": metadata(), "marker": MARKER, "valid": valid, "hostile": hostile, "pickles": pickles}
        json.dump(everything, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
