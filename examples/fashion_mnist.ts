/**
 * Fashion-MNIST with the demo's MLP and recipe (examples/mlp.ts): 60,000 training and 10,000
 * test images of clothing read from the IDX files, 15 epochs of AdamW + OneCycleLR, test
 * accuracy and time per epoch.
 *
 *   node build/examples/fashion_mnist.js [--data DIR] [--epochs N] [--subset N]
 *
 * Options:
 *   --data DIR    the four *-ubyte.gz files (default /usr/share/datasets/fashion-mnist, where
 *                 Debian's dataset-fashion-mnist installs them)
 *   --epochs N    epochs to train (default 15)
 *   --subset N    train on the first N training images only (for CI); the test set stays whole
 *   --threads N   torch.set_num_threads(N) (default 1, as scripts/reference/fashion_mnist.py
 *                 sets PyTorch's, so the two runs compare like for like)
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import torch from "torch-ts";
import { load_idx } from "torch-ts/node";
import { mlp, test, train } from "./mlp.js";
const { DataLoader, TensorDataset } = torch.utils.data;

const { values: args } = parseArgs({
  options: {
    data: { type: "string", default: "/usr/share/datasets/fashion-mnist" },
    epochs: { type: "string", default: "15" },
    subset: { type: "string" },
    threads: { type: "string", default: "1" },
  },
});
torch.set_num_threads(Number(args.threads));
const epochs = Number(args.epochs);
if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs: expected a positive integer, got ${args.epochs}`);

// ---- data: pixels scaled to [0, 1], as torchvision's ToTensor does -----------------------------
const loadStart = performance.now();
function images(file: string) {
  const x = load_idx(join(args.data!, file), { dtype: torch.float32 }); // (N, 28, 28), 0..255
  return x.view(x.shape[0]!, 784).div(255); // (N, 28, 28) -> (N, 784)
}
function labels(file: string) {
  return load_idx(join(args.data!, file), { dtype: torch.int64 }); // (N,)
}
let trainImages = images("train-images-idx3-ubyte.gz");
let trainLabels = labels("train-labels-idx1-ubyte.gz");
const testImages = images("t10k-images-idx3-ubyte.gz");
const testLabels = labels("t10k-labels-idx1-ubyte.gz");
if (args.subset !== undefined) {
  const n = Number(args.subset);
  if (!Number.isInteger(n) || n < 1 || n > trainImages.shape[0]!) throw new Error(`--subset: expected 1..${trainImages.shape[0]}, got ${args.subset}`);
  trainImages = trainImages.narrow(0, 0, n);
  trainLabels = trainLabels.narrow(0, 0, n);
}
const loadSeconds = (performance.now() - loadStart) / 1000;

torch.manual_seed(0);
const trainLoader = new DataLoader(new TensorDataset(trainImages, trainLabels), { batch_size: 64, shuffle: true });
const testLoader = new DataLoader(new TensorDataset(testImages, testLabels), { batch_size: 1000 });

const model = mlp();
const optimizer = new torch.optim.AdamW(model.parameters(), { lr: 2e-3, weight_decay: 1e-2 });
const scheduler = new torch.optim.lr_scheduler.OneCycleLR(optimizer, 3e-3, {
  epochs, steps_per_epoch: trainLoader.length,
});

console.log(`Fashion-MNIST from ${args.data}: ${trainImages.shape[0]} train, ${testImages.shape[0]} test ` +
  `(loaded in ${loadSeconds.toFixed(2)} s); backend ${torch.backends.get_backend()}`);

let accuracy = 0;
let trainSeconds = 0;
let cpuSeconds = 0;
for (let epoch = 1; epoch <= epochs; epoch++) {
  const stats = train(model, trainLoader, optimizer, scheduler, epoch, epochs);
  const result = test(model, testLoader);
  accuracy = result.accuracy;
  trainSeconds += stats.seconds;
  cpuSeconds += stats.cpu_seconds;
  console.log(
    `epoch ${epoch}: train loss ${stats.loss.toFixed(4)}, ${stats.seconds.toFixed(2)} s (CPU ${stats.cpu_seconds.toFixed(2)} s), ` +
      `${Math.round(stats.images_per_s)} img/s | test accuracy ${accuracy.toFixed(4)}`,
  );
}
console.log(
  `final test accuracy: ${accuracy.toFixed(4)} after ${epochs} epochs; ` +
    `${(trainSeconds / epochs).toFixed(2)} s per epoch (CPU ${(cpuSeconds / epochs).toFixed(2)} s)`,
);
