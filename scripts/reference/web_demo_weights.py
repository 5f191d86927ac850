"""The PyTorch side of test/browser/e2e.test.ts: PyTorch loads the weights the browser demo (web/)
downloaded, into the same model built in PyTorch, and predicts the digit drawn on the page.

    /usr/bin/python3 scripts/reference/web_demo_weights.py WEIGHTS.safetensors CASE.json

CASE.json: {"hidden": [128, 64], "activation": "ReLU", "image": [784 floats in [0, 1]]}.
Builds nn.Sequential(nn.Linear(784, h0), nn.<activation>(), ..., nn.Linear(h_last, 10)), loads
the file with load_state_dict(strict=True) and prints one JSON line: {"torch_version", "reader",
"keys", "shapes", "probabilities"} (softmax of the model's output for the image).
Reads the file with the `safetensors` package when installed, else by the format's
specification (safetensors_spec.py: json + struct + torch.frombuffer; Debian has no package).
"""

import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_spec  # noqa: E402


def main():
    weights_path, case_path = sys.argv[1], sys.argv[2]
    with open(case_path) as f:
        case = json.load(f)
    with open(weights_path, "rb") as f:
        tensors, metadata = safetensors_spec.load(f.read())

    layers = []
    width = 784
    for h in case["hidden"]:
        layers += [nn.Linear(width, h), getattr(nn, case["activation"])()]
        width = h
    layers.append(nn.Linear(width, 10))
    model = nn.Sequential(*layers)
    model.load_state_dict(tensors, strict=True)  # raises on a missing, extra or misshapen key
    model.eval()

    image = torch.tensor(case["image"], dtype=torch.float32).view(1, 784)
    with torch.no_grad():
        probabilities = torch.softmax(model(image), dim=1)[0]
    print(json.dumps({
        "torch_version": torch.__version__,
        "reader": "safetensors" if safetensors_spec.HAVE_REAL else "spec (json + struct + torch.frombuffer)",
        "metadata": metadata,
        "keys": list(model.state_dict().keys()),
        "shapes": {k: list(v.shape) for k, v in tensors.items()},
        "probabilities": probabilities.tolist(),
    }))


if __name__ == "__main__":
    main()
