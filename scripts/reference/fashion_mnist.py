"""examples/fashion_mnist.ts in real PyTorch: the same MLP and recipe, on one thread.

    /usr/bin/python3 scripts/reference/fashion_mnist.py [--data DIR] [--epochs 15] [--subset N]

Prints test accuracy and time per epoch, for the README's side-by-side numbers.
"""

import argparse
import gzip
import os
import struct
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnist_demo import evaluate, mlp  # noqa: E402


def load_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    return torch.from_numpy(np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape).copy())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--subset", type=int)
    args = parser.parse_args()
    torch.set_num_threads(1)

    def images(name):
        x = load_idx(os.path.join(args.data, name)).float()
        return x.view(x.shape[0], 784).div(255)

    x_train, y_train = images("train-images-idx3-ubyte.gz"), load_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz")).long()
    x_test, y_test = images("t10k-images-idx3-ubyte.gz"), load_idx(os.path.join(args.data, "t10k-labels-idx1-ubyte.gz")).long()
    if args.subset:
        x_train, y_train = x_train[: args.subset], y_train[: args.subset]

    torch.manual_seed(0)
    train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)
    test_loader = DataLoader(TensorDataset(x_test, y_test), batch_size=1000)
    model = mlp()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, epochs=args.epochs,
                                                    steps_per_epoch=len(train_loader))
    criterion = nn.CrossEntropyLoss()
    total = 0.0
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
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
        total += seconds
        accuracy = evaluate(model, test_loader)
        print(f"epoch {epoch}: {seconds:.2f} s (CPU {cpu:.2f} s) | test accuracy {accuracy:.4f}", flush=True)
    print(f"final test accuracy: {accuracy:.4f} after {args.epochs} epochs; {total / args.epochs:.2f} s per epoch "
          f"(PyTorch {torch.__version__}, 1 thread)")


if __name__ == "__main__":
    main()
