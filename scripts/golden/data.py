#!/usr/bin/python3
"""Golden fixtures for torch-ts's torch.utils.data (src/utils/data) and the IDX reader, written by
real PyTorch.

    /usr/bin/python3 scripts/golden/data.py

Writes test/golden/data/:
  samplers.json   RandomSampler / DataLoader orders for several seeds, with and without an
                  explicit generator, and the generators' next rand(3) after iterating (which pins
                  down how many draws each iteration consumed: the DataLoader iterator's base-seed
                  draw, the sampler's seed draw, randperm's n - 1 draws).
  split.json      random_split with counts and fractions (remainder distribution), and its errors.
  collate.json    default_collate's dtypes and values for numbers, nested lists and dicts.
  idx/*           small IDX files (valid, gzip'd, truncated, malformed) and idx.json describing
                  what each must parse to, or that it must be refused.
  fashion_mnist.json  facts about the real Fashion-MNIST files of Debian's dataset-fashion-mnist
                  package (shapes, first labels, label counts, pixel sums), read here with numpy
                  and gzip, independently of torch-ts; skipped when the package is absent.

float32 values are 8 hex digits of their bit patterns. PyTorch 1.13 and 2.x agree on everything
recorded here: DataLoader's iterator has drawn its base seed with
`torch.empty((), dtype=torch.int64).random_(generator=loader.generator)` since 1.x, RandomSampler's
seeding and random_split's algorithm are unchanged in 2.x.
"""

import gzip
import json
import os
import struct

import numpy as np
import torch
from torch.utils.data import (BatchSampler, DataLoader, RandomSampler, SequentialSampler,
                              TensorDataset, random_split)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "..", "test", "golden", "data")
META = {"torch_version": torch.__version__, "script": "scripts/golden/data.py"}
SEEDS = [0, 1, 42]


def f32_hex(t):
    return [format(struct.unpack("<I", struct.pack("<f", v))[0], "08x") for v in t.tolist()]


def write(name, obj):
    with open(os.path.join(OUT_DIR, name), "w") as f:
        json.dump({**META, **obj}, f, indent=1)
        f.write("\n")


# ---- samplers and DataLoader ---------------------------------------------------------------

def sampler_cases():
    cases = []
    for seed in SEEDS:
        for n, kw in [(10, {}), (37, {}), (10, {"num_samples": 25}), (10, {"num_samples": 4}),
                      (10, {"replacement": True}), (5, {"replacement": True, "num_samples": 70})]:
            for explicit in (False, True):
                torch.manual_seed(seed)
                g = torch.Generator().manual_seed(seed + 1000) if explicit else None
                s = RandomSampler(range(n), generator=g, **kw)
                epochs = [list(s), list(s)]
                case = {"seed": seed, "n": n, "options": kw,
                        "generator_seed": seed + 1000 if explicit else None,
                        "len": len(s), "epochs": epochs, "rand_after": f32_hex(torch.rand(3))}
                if explicit:
                    case["g_rand_after"] = f32_hex(torch.rand(3, generator=g))
                cases.append(case)
    return cases


def loader_cases():
    cases = []
    for seed in SEEDS:
        for n, batch_size, drop_last, shuffle in [
            (10, 1, False, True), (10, 3, False, True), (10, 3, True, True), (10, 4, False, True),
            (10, 10, False, True), (37, 8, False, True), (37, 8, True, True), (10, 3, False, False),
        ]:
            for explicit in (False, True):
                torch.manual_seed(seed)
                g = torch.Generator().manual_seed(seed + 1000) if explicit else None
                ds = TensorDataset(torch.arange(n), torch.arange(n) * 10)
                loader = DataLoader(ds, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last,
                                    generator=g)
                epochs = []
                for _ in range(2):
                    batches = []
                    for x, y in loader:
                        assert torch.equal(y, x * 10)
                        batches.append(x.tolist())
                    epochs.append(batches)
                case = {"seed": seed, "n": n, "batch_size": batch_size, "drop_last": drop_last,
                        "shuffle": shuffle, "generator_seed": seed + 1000 if explicit else None,
                        "len": len(loader), "epochs": epochs, "rand_after": f32_hex(torch.rand(3))}
                if explicit:
                    case["g_rand_after"] = f32_hex(torch.rand(3, generator=g))
                cases.append(case)
    # Breaking out after the first batch: the sampler has drawn its seed and its permutation,
    # the iterator its base seed; nothing more.
    partial = []
    for seed in SEEDS:
        torch.manual_seed(seed)
        loader = DataLoader(TensorDataset(torch.arange(10)), batch_size=4, shuffle=True)
        first = next(iter(loader))[0].tolist()
        partial.append({"seed": seed, "first": first, "rand_after": f32_hex(torch.rand(3))})
    # Only creating the iterator: the base seed is drawn, the sampler's generator body has not
    # started.
    created = []
    for seed in SEEDS:
        torch.manual_seed(seed)
        loader = DataLoader(TensorDataset(torch.arange(10)), batch_size=4, shuffle=True)
        it = iter(loader)
        created.append({"seed": seed, "rand_after": f32_hex(torch.rand(3))})
        del it
    # batch_size=None: no auto-collation, each sample converted on its own.
    torch.manual_seed(0)
    unbatched = [[t.tolist() for t in item]
                 for item in DataLoader(TensorDataset(torch.arange(5)), batch_size=None, shuffle=True)]
    # An explicit BatchSampler over a SequentialSampler, and BatchSampler's own lists.
    batch_sampler = [list(BatchSampler(SequentialSampler(range(10)), 3, False)),
                     list(BatchSampler(SequentialSampler(range(10)), 3, True))]
    return {"loaders": cases, "partial": partial, "created": created,
            "unbatched_seed0": unbatched, "batch_sampler": batch_sampler}


# ---- random_split --------------------------------------------------------------------------

def split_cases():
    cases = []
    for n, lengths in [(10, [3, 7]), (30, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]), (10, [0.33, 0.33, 0.34]),
                       (7, [0.25, 0.25, 0.25, 0.25]), (5, [0.1, 0.9]), (100, [0.8, 0.2]),
                       (10000, [0.8, 0.2]), (10000, [8000, 2000]), (3, [1.0]), (4, [0, 4])]:
        for seed in SEEDS:
            for explicit in (False, True):
                torch.manual_seed(seed)
                g = torch.Generator().manual_seed(seed) if explicit else torch.default_generator
                parts = random_split(range(n), lengths, generator=g)
                case = {"n": n, "lengths": lengths, "seed": seed, "explicit": explicit,
                        "lens": [len(p) for p in parts], "rand_after": f32_hex(torch.rand(3))}
                if n <= 100:
                    case["subsets"] = [list(p) for p in parts]
                else:
                    case["heads"] = [[p[i] for i in range(5)] for p in parts]
                    case["sums"] = [sum(p.indices) for p in parts]
                cases.append(case)
    errors = []
    for n, lengths in [(10, [3, 8]), (10, [0.5, 0.6]), (10, [-0.5, 1.5]), (10, [1.2, -0.2])]:
        try:
            random_split(range(n), lengths)
            errors.append({"n": n, "lengths": lengths, "error": None})
        except Exception as e:  # noqa: BLE001
            errors.append({"n": n, "lengths": lengths, "error": type(e).__name__, "message": str(e)})
    return {"cases": cases, "errors": errors}


# ---- default_collate -----------------------------------------------------------------------

def describe(x):
    if isinstance(x, torch.Tensor):
        return {"tensor": {"dtype": str(x.dtype).replace("torch.", ""), "shape": list(x.shape),
                           "values": x.flatten().tolist()}}
    if isinstance(x, dict):
        return {"dict": {k: describe(v) for k, v in x.items()}}
    if isinstance(x, (list, tuple)):
        return {"list": [describe(v) for v in x]}
    return {"value": x}


def collate_cases():
    from torch.utils.data import default_collate
    batches = {
        "ints": [0, 1, 2, 3],
        "floats": [0.5, 1.5, 2.25],
        "bools": [True, False, True],
        "strings": ["a", "b"],
        "tuples": [(0, 1.5), (2, 3.5)],
        "lists": [[0, 1], [2, 3]],
        "dicts": [{"A": 0, "B": 1.5}, {"A": 100, "B": 2.5}],
        "tensors": [torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])],
        "int_tensors": [torch.tensor([1, 2]), torch.tensor([3, 4])],
        "scalar_tensors": [torch.tensor(1.5), torch.tensor(2.5)],
        "nested": [{"x": torch.tensor([1.0]), "y": [1, {"z": 0.5}]},
                   {"x": torch.tensor([2.0]), "y": [2, {"z": 1.5}]}],
    }
    out = {name: describe(default_collate(b)) for name, b in batches.items()}
    errors = {}
    for name, b in {"ragged": [[0, 1], [2]], "none": [None, None]}.items():
        try:
            default_collate(b)
            errors[name] = None
        except Exception as e:  # noqa: BLE001
            errors[name] = {"error": type(e).__name__, "message": str(e)}
    try:
        TensorDataset(torch.zeros(3), torch.zeros(4))
    except AssertionError as e:
        errors["tensor_dataset"] = {"error": "AssertionError", "message": str(e)}
    return {"collated": out, "errors": errors}


# ---- IDX files -----------------------------------------------------------------------------

IDX_TYPES = {0x08: ("u1", "uint8"), 0x09: ("i1", "int8"), 0x0B: (">i2", "int16"),
             0x0C: (">i4", "int32"), 0x0D: (">f4", "float32"), 0x0E: (">f8", "float64")}


def idx_bytes(code, array):
    header = bytes([0, 0, code, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(IDX_TYPES[code][0]).tobytes()


def idx_cases():
    d = os.path.join(OUT_DIR, "idx")
    os.makedirs(d, exist_ok=True)
    rng = np.random.RandomState(0)
    files = []

    def valid(name, code, array, gz=False):
        data = idx_bytes(code, array)
        with open(os.path.join(d, name), "wb") as f:
            f.write(gzip.compress(data, mtime=0) if gz else data)
        files.append({"file": name, "type": IDX_TYPES[code][1], "shape": list(array.shape),
                      "values": array.flatten().tolist()})

    def invalid(name, data, why, gz=False):
        with open(os.path.join(d, name), "wb") as f:
            f.write(gzip.compress(data, mtime=0) if gz else data)
        files.append({"file": name, "error": why})

    images = rng.randint(0, 256, size=(3, 4, 5)).astype(np.uint8)
    valid("images-u8.idx3", 0x08, images)
    valid("images-u8.idx3.gz", 0x08, images, gz=True)
    valid("labels-u8.idx1", 0x08, np.array([7, 2, 1, 0, 4, 255], dtype=np.uint8))
    valid("i8.idx2", 0x09, rng.randint(-128, 128, size=(2, 3)).astype(np.int8))
    valid("i16.idx1", 0x0B, np.array([-32768, -1, 0, 1, 32767], dtype=np.int16))
    valid("i32.idx2", 0x0C, np.array([[-2**31, -1, 0], [1, 2**31 - 1, 123456]], dtype=np.int32))
    valid("f32.idx2", 0x0D, rng.randn(2, 2).astype(np.float32))
    valid("f64.idx1", 0x0E, np.array([0.1, -2.5, 1e300], dtype=np.float64))
    valid("scalar.idx0", 0x08, np.array(9, dtype=np.uint8))
    valid("empty.idx2", 0x08, np.zeros((0, 3), dtype=np.uint8))
    good = idx_bytes(0x08, images)
    invalid("truncated-data.idx3", good[:-7], "truncated")
    invalid("truncated-data.idx3.gz", good[:-7], "truncated", gz=True)
    invalid("truncated-header.idx3", good[:9], "truncated")
    invalid("short.idx", b"\x00\x00", "truncated")
    invalid("bad-magic.idx3", b"\x01\x02" + good[2:], "magic")
    invalid("bad-type.idx3", b"\x00\x00\x07\x03" + good[4:], "type")
    invalid("trailing.idx3", good + b"\x00\x00", "length")
    # dims whose product is about 2^96 bytes: must be refused before any allocation
    invalid("huge.idx3", b"\x00\x00\x08\x03" + b"\xff\xff\xff\xff" * 3 + b"\x00" * 16, "length")
    # A ".gz" name on uncompressed data (browsers sometimes unpack downloads and keep the name):
    # the reader goes by the gzip magic bytes, not the name, so this parses.
    with open(os.path.join(d, "not-gzip.idx3.gz"), "wb") as f:
        f.write(good)
    files.append({**files[0], "file": "not-gzip.idx3.gz"})
    invalid("corrupt.idx3.gz", gzip.compress(good, mtime=0)[:30], "gzip")
    return {"files": files}


def fashion_mnist():
    root = "/usr/share/datasets/fashion-mnist"
    if not os.path.isdir(root):
        return None
    out = {"root": root, "files": {}}
    for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]:
        raw = gzip.open(os.path.join(root, name)).read()
        ndim = raw[3]
        shape = list(struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim]))
        a = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)
        info = {"type_code": raw[2], "shape": shape, "total": int(a.astype(np.int64).sum())}
        if ndim == 1:
            info["first"] = a[:20].tolist()
            info["counts"] = np.bincount(a, minlength=10).tolist()
        else:
            info["image_sums"] = [int(s) for s in a[:5].reshape(5, -1).astype(np.int64).sum(1)]
            info["first_row14"] = a[0, 14].tolist()
        out["files"][name] = info
    return out


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    write("samplers.json", {"random_sampler": sampler_cases(), **loader_cases()})
    write("split.json", split_cases())
    write("collate.json", collate_cases())
    write("idx.json", idx_cases())
    fm = fashion_mnist()
    if fm is not None:
        write("fashion_mnist.json", fm)
    else:
        print("dataset-fashion-mnist is not installed: fashion_mnist.json not written")


main()
