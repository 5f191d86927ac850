"""The PyTorch side of test/serialization/safetensors_pytorch.test.ts.

    /usr/bin/python3 scripts/reference/safetensors_roundtrip.py FROM_TORCH_TS OUT

Builds, in PyTorch, the tensors the test builds in torch-ts (the same definitions, including an
nn.Linear initialised after manual_seed(0)); reads FROM_TORCH_TS (written by torch-ts) and
compares every tensor bit for bit; checks that its bytes are what the reference writer lays out
for the same tensors; writes OUT with PyTorch's tensors for torch-ts to read. Prints one JSON
line: {"reader", "torch_version", "mismatches", "bytes_equal"}.
Uses the `safetensors` package when installed, else the by-the-spec reader in safetensors_spec.py.
"""

import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_spec  # noqa: E402

METADATA = {"format": "pt"}


def expected():
    torch.manual_seed(0)
    linear = torch.nn.Linear(4, 3)
    return {
        "f32": torch.tensor([0.0, -0.0, math.inf, -math.inf, math.nan, 1e-45, 3.4028234663852886e38, -1.5],
                            dtype=torch.float32).view(2, 4),
        "arange": torch.arange(24, dtype=torch.float32).div(7).sub(1).view(2, 3, 4),
        "f64": torch.tensor([0.1, 1 / 3, -2.5e-300, 5e-324, -0.0], dtype=torch.float64),
        "i64": torch.tensor([-(2**63), 2**63 - 1, 0, -1, 12345678901234], dtype=torch.int64),
        "i32": torch.tensor([-(2**31), 2**31 - 1, 0, -7], dtype=torch.int32).view(2, 2),
        "bool": torch.tensor([[True, False, True], [False, False, True]]),
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 3),
        "w\u00ebight": torch.ones(2, dtype=torch.float64),
        "\uff21": torch.full((1,), 2.0),
        "\U0001f600": torch.full((1,), 3.0),
        "linear.weight": linear.weight.detach(),
        "linear.bias": linear.bias.detach(),
    }


def same_bits(a: torch.Tensor, b: torch.Tensor) -> bool:
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    as_int = {torch.float32: torch.int32, torch.float64: torch.int64}.get(a.dtype)
    if as_int is not None:
        return torch.equal(a.contiguous().view(as_int), b.contiguous().view(as_int))
    return torch.equal(a, b)


def main():
    src, out = sys.argv[1], sys.argv[2]
    want = expected()
    with open(src, "rb") as f:
        data = f.read()
    got, metadata = safetensors_spec.load(data)
    mismatches = []
    for name, t in want.items():
        if name not in got:
            mismatches.append(f"{name}: missing")
        elif not same_bits(got[name], t):
            mismatches.append(f"{name}: {got[name].dtype} {list(got[name].shape)} {got[name].flatten()[:8].tolist()} "
                              f"!= {t.dtype} {list(t.shape)} {t.flatten()[:8].tolist()}")
    for name in got:
        if name not in want:
            mismatches.append(f"{name}: unexpected")
    if metadata != METADATA:
        mismatches.append(f"metadata {metadata} != {METADATA}")
    written = safetensors_spec.save(want, METADATA)
    with open(out, "wb") as f:
        f.write(written)
    print(json.dumps({
        "reader": "safetensors package" if safetensors_spec.HAVE_REAL else "by-the-spec reader (safetensors_spec.py)",
        "torch_version": torch.__version__,
        "mismatches": mismatches,
        "bytes_equal": written == data,
    }))


if __name__ == "__main__":
    main()
