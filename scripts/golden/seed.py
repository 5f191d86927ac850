"""The seed example's printed output, from real PyTorch: the text examples/seed.ts must print."""
import contextlib
import io
import json
import pathlib

import torch
from torch import nn

out = io.StringIO()
with contextlib.redirect_stdout(out):
    torch.manual_seed(0)
    m = nn.Linear(2, 3)
    input = torch.randn(4, 2)
    output = m(input)
    print(output.size())
    print(m)
    print(output)

dest = pathlib.Path(__file__).resolve().parents[2] / "test" / "golden" / "seed" / "seed.json"
dest.write_text(json.dumps({
    "torch_version": torch.__version__,
    "script": "scripts/golden/seed.py",
    "stdout": out.getvalue(),
}, indent=1) + "\n")
print("wrote", dest)
