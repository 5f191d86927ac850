#!/usr/bin/python3
"""Golden fixtures for torch-ts's ONNX export (src/onnx), written by real PyTorch.

Run with Debian's interpreter (python3-torch 1.13, whose TorchScript-based torch.onnx.export
needs no `onnx` package):

    /usr/bin/python3 -P scripts/golden/onnx.py

Writes test/golden/onnx/models.json:
{"metadata": {"torch_version": ..., "script": "scripts/golden/onnx.py"}, "models": [...]}.

Each model entry holds PyTorch's exported file (base64), its state_dict, an input and
PyTorch's output for it. The tests use it two ways:
  * decode PyTorch's file with torch-ts's ONNX schema: an independent writer, so a wrong field
    number in our schema shows up as missing or garbled fields;
  * load the state_dict into the same model built with torch-ts, export it with torch-ts, run
    that in onnxruntime and compare with PyTorch's output; and compare the graph's operator
    sequence with PyTorch's.

Values are plain numbers (float32 printed by Python exactly, compared with a tolerance).
"""

import base64
import io
import json
import os
import warnings

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "..", "test", "golden", "onnx")

warnings.simplefilter("ignore")
torch.set_num_threads(1)


def metadata():
    return {"torch_version": torch.__version__, "script": "scripts/golden/onnx.py"}


def tensor_json(t):
    t = t.detach().contiguous()
    return {"shape": list(t.shape), "values": t.flatten().tolist()}


def entry(name, model, x, opset=17, **kwargs):
    model.eval()
    f = io.BytesIO()
    torch.onnx.export(model, (x,), f, opset_version=opset, **kwargs)
    with torch.no_grad():
        y = model(x)
    return {
        "name": name,
        "opset_version": opset,
        "export_kwargs": kwargs,
        "onnx_base64": base64.b64encode(f.getvalue()).decode("ascii"),
        "state_dict": {k: tensor_json(v) for k, v in model.state_dict().items()},
        "input": tensor_json(x),
        "output": tensor_json(y),
    }


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    torch.manual_seed(0)
    models = []
    # The constructors here are mirrored by `build` in test/onnx/golden.test.ts.
    models.append(entry(
        "mlp",
        nn.Sequential(nn.Flatten(), nn.Linear(6, 5), nn.ReLU(), nn.Dropout(0.3), nn.Linear(5, 3), nn.Tanh()),
        torch.randn(4, 2, 3),
        input_names=["x"], output_names=["y"], dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}},
    ))
    models.append(entry("linear_3d", nn.Linear(4, 3), torch.randn(2, 5, 4)))
    models.append(entry("linear_no_bias", nn.Linear(4, 3, bias=False), torch.randn(2, 4)))
    models.append(entry(
        "nested",
        nn.Sequential(nn.Linear(4, 4), nn.Sequential(nn.SiLU(), nn.Linear(4, 2)), nn.LogSoftmax(dim=1)),
        torch.randn(3, 4),
    ))
    ln = nn.LayerNorm(4)
    with torch.no_grad():
        ln.weight.uniform_(0.5, 1.5)
        ln.bias.uniform_(-0.5, 0.5)
    models.append(entry("layernorm", nn.Sequential(nn.Linear(3, 4), ln, nn.GELU()), torch.randn(2, 3)))
    models.append(entry(
        "gelu_tanh_softmax",
        nn.Sequential(nn.Linear(3, 4), nn.GELU(approximate="tanh"), nn.LeakyReLU(0.2), nn.Sigmoid(), nn.Softmax(dim=-1)),
        torch.randn(2, 3),
    ))
    with open(os.path.join(OUT_DIR, "models.json"), "w") as f:
        json.dump({"metadata": metadata(), "models": models}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
