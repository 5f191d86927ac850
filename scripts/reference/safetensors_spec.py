"""The safetensors format by its specification, for machines without the `safetensors` package.

    [8 bytes: N, little-endian u64] [N bytes: UTF-8 JSON header] [the tensors' bytes]

Written from the format's description (huggingface/safetensors README) with json, struct and
torch.frombuffer, so that torch-ts's reader and writer are checked against an implementation
that is not torch-ts's. Where the real package is installed, `load` and `save` are its own.
"""

import json
import struct

import torch

DTYPES = {"F64": torch.float64, "F32": torch.float32, "I64": torch.int64, "I32": torch.int32, "BOOL": torch.bool}
# Dtypes torch-ts widens on load (scripts/golden/safetensors.py writes files of them).
DTYPES.update({"F16": torch.float16, "BF16": torch.bfloat16, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8})
NAMES = {v: k for k, v in DTYPES.items()}
# The Rust crate's Dtype order (increasing alignment); its writer sorts by it descending, then by name.
ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]

try:
    import safetensors.torch as _real  # noqa: F401

    HAVE_REAL = True
except ImportError:
    HAVE_REAL = False


def spec_load(data: bytes):
    """Returns (tensors, metadata) of a safetensors file's bytes, checking the layout strictly."""
    (n,) = struct.unpack("<Q", data[:8])
    assert n <= 100_000_000 and 8 + n <= len(data), "bad header length"
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", None)
    body = data[8 + n :]
    tensors = {}
    end = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        begin, stop = info["data_offsets"]
        assert begin == end, f"{name}: offsets not contiguous"
        end = stop
        dtype = DTYPES[info["dtype"]]
        raw = bytearray(body[begin:stop])
        t = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        numel = 1
        for s in info["shape"]:
            numel *= s
        assert t.numel() == numel, f"{name}: {t.numel()} elements for shape {info['shape']}"
        tensors[name] = t.reshape(info["shape"])
    assert end == len(body), "data not fully covered"
    return tensors, metadata


def spec_save(tensors, metadata=None) -> bytes:
    """The bytes the Rust writer produces: sorted by dtype (descending), then name; header padded to 8."""
    items = sorted(tensors.items(), key=lambda kv: (-ORDER.index(NAMES[kv[1].dtype]), kv[0].encode("utf-8")))
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    chunks = []
    offset = 0
    for name, t in items:
        if t.dtype == torch.bfloat16:  # numpy has no bfloat16: its bytes are those of the int16 view
            raw = t.contiguous().view(torch.int16).numpy().tobytes()
        elif t.dtype == torch.bool:
            raw = t.to(torch.uint8).numpy().tobytes()
        else:
            raw = t.contiguous().numpy().tobytes()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def load(data: bytes):
    """(tensors, metadata), with the real package when it is installed."""
    if HAVE_REAL:
        import safetensors
        import safetensors.torch

        tensors = safetensors.torch.load(data)
        _, metadata = spec_load(data)  # the package's load() drops metadata; read it by the spec
        return tensors, metadata
    return spec_load(data)


def save(tensors, metadata=None) -> bytes:
    if HAVE_REAL:
        import safetensors.torch

        return safetensors.torch.save(tensors, metadata=metadata)
    return spec_save(tensors, metadata)
