#!/usr/bin/python3
"""Golden fixture for torch-ts's safetensors reader (src/serialization/safetensors.ts): a file of
the dtypes torch-ts widens on load (F16, BF16 to float32; I16, I8, U8 to int32), written by real
PyTorch's tensors laid out as the Rust crate lays them out (scripts/reference/safetensors_spec.py,
since Debian has no `safetensors` package).

Run with Debian's interpreter (python3-torch 1.13):

    /usr/bin/python3 -P scripts/golden/safetensors.py

Writes test/golden/safetensors/:
  * widened.safetensors: the file;
  * expected.json: {"metadata": {...}, "file_metadata": {...}, "tensors": {name: {"dtype" (the
    file's), "shape", "values"}}}, values flattened row-major as PyTorch widens them: `.float()`
    as uint32 bit patterns for the half types, `.int()` as numbers for the integer types.
"""

import json
import os
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts", "reference"))
import safetensors_spec  # noqa: E402

OUT = os.path.join(ROOT, "test", "golden", "safetensors")


def halfs(bits):
    return torch.from_numpy(np.array(bits, dtype=np.uint16).view(np.float16).copy())


def bfloat16s(bits):
    return torch.from_numpy(np.array(bits, dtype=np.uint16).view(np.int16).copy()).view(torch.bfloat16)


def main():
    g = torch.Generator().manual_seed(0)
    special16 = [
        0x0000, 0x8000, 0x3C00, 0xBC00, 0x7BFF, 0xFBFF,  # 0, -0, 1, -1, +-65504
        0x0400, 0x8400, 0x0001, 0x8001, 0x03FF, 0x0200,  # smallest normals, subnormals
        0x7C00, 0xFC00, 0x7E00, 0xFE00, 0x7C01, 0x7D55, 0xFFFF, 0x3555,  # inf, NaNs (quiet, signalling, payloads)
    ]
    random16 = torch.randint(0, 2**16, (2, 3, 4), generator=g).tolist()
    flat_random = [b for plane in random16 for row in plane for b in row]
    # bf16 rounding is PyTorch's: float32s rounded to nearest-even, including ties and overflow.
    f32 = torch.tensor(
        [1.0, 1.00390625, 1.01171875, 1.0078125, -3.14159265, 3.4e38, 3.3961e38, 1e-40, -1e-45, 0.1, 65504.0],
        dtype=torch.float32,
    )
    tensors = {
        "f16.special": halfs(special16).view(4, 5),
        "f16.random": halfs(flat_random).view(2, 3, 4),
        "f16.scalar": torch.tensor(0.333, dtype=torch.float16),
        "f16.empty": torch.zeros(0, 2, dtype=torch.float16),
        "bf16.rounded": f32.to(torch.bfloat16),
        "bf16.special": bfloat16s([0x0000, 0x8000, 0x7F80, 0xFF80, 0x7FC0, 0x7F81, 0xFFFF, 0x0001, 0x807F, 0x7F7F]),
        "bf16.random": bfloat16s(torch.randint(0, 2**16, (12,), generator=g).tolist()).view(3, 4),
        "i16": torch.tensor([[-32768, 32767, 0], [-1, 1, 12345]], dtype=torch.int16),
        "i8": torch.tensor([-128, 127, 0, -1, 1, 42], dtype=torch.int8),
        "u8": torch.tensor([[0, 255], [1, 128], [127, 200]], dtype=torch.uint8),
        "u8.empty": torch.zeros(3, 0, dtype=torch.uint8),
        "f32": torch.tensor([1.5, -2.0, 3.0], dtype=torch.float32),  # alongside, to check layout
    }
    metadata = {"format": "pt"}
    data = safetensors_spec.spec_save(tensors, metadata)
    loaded, file_metadata = safetensors_spec.spec_load(data)
    assert file_metadata == metadata
    for name, t in tensors.items():
        assert torch.equal(loaded[name].reshape(-1).view(torch.uint8), t.reshape(-1).view(torch.uint8)), name  # bytes, NaNs included

    expected = {}
    for name, t in tensors.items():
        if t.is_floating_point():
            values = t.float().reshape(-1).view(torch.int32).tolist()
            values = [v & 0xFFFFFFFF for v in values]
        else:
            values = t.int().reshape(-1).tolist()
        expected[name] = {"dtype": safetensors_spec.NAMES[t.dtype], "shape": list(t.shape), "values": values}
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "widened.safetensors"), "wb") as f:
        f.write(data)
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(
            {
                "metadata": {"torch_version": torch.__version__, "script": "scripts/golden/safetensors.py"},
                "file_metadata": metadata,
                "tensors": expected,
            },
            f,
            separators=(",", ":"),
        )
        f.write("\n")


if __name__ == "__main__":
    main()
