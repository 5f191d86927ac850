/**
 * The model and the two loops that examples/demo.ts (MNIST digits) and
 * examples/fashion_mnist.ts share, written as a PyTorch user writes them (compare `train` and
 * `test` in pytorch/examples' mnist/main.py).
 */

import torch from "torch-ts";
import { SingleBar } from "cli-progress";
import type { Tensor } from "torch-ts";
const nn = torch.nn;

/** The 784-256-128-10 MLP, with Dropout(0.2) after each hidden ReLU. */
export function mlp(): InstanceType<typeof nn.Sequential> {
  return new nn.Sequential(
    new nn.Flatten(), // (B, 28, 28) -> (B, 784); a no-op on flat images
    new nn.Linear(784, 256),
    new nn.ReLU(),
    new nn.Dropout(0.2),
    new nn.Linear(256, 128),
    new nn.ReLU(),
    new nn.Dropout(0.2),
    new nn.Linear(128, 10),
  );
}

type Model = ReturnType<typeof mlp>;
/** What the loops read: a DataLoader of [images, labels] batches (`length` is `len(loader)`). */
type Loader = Iterable<Tensor[]> & { readonly length: number };

export interface EpochStats {
  /** Mean training loss over the epoch's batches. */
  loss: number;
  /** Wall-clock seconds of the epoch (training only). */
  seconds: number;
  /** CPU seconds of this process in the epoch, all threads (V8's collector threads included). */
  cpu_seconds: number;
  /** Training images per second. */
  images_per_s: number;
}

/**
 * One epoch of training: for each batch, forward, cross-entropy, backward, optimizer step and
 * scheduler step (OneCycleLR steps per batch). Shows a progress bar with the running loss and
 * throughput when stderr is a terminal.
 */
export function train(
  model: Model,
  loader: Loader,
  optimizer: InstanceType<typeof torch.optim.Optimizer>,
  scheduler: InstanceType<typeof torch.optim.lr_scheduler.LRScheduler>,
  epoch: number,
  epochs: number,
): EpochStats {
  const criterion = new nn.CrossEntropyLoss();
  const bar = new SingleBar({
    format: `epoch ${String(epoch).padStart(String(epochs).length)}/${epochs} [{bar}] {value}/{total} | loss {loss} | {speed} img/s | {duration_formatted}`,
    barsize: 24,
    hideCursor: true,
    clearOnComplete: true, // the epoch's summary line replaces it
  });
  bar.start(loader.length, 0, { loss: "-", speed: "-" });
  model.train();
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let images = 0;
  let lossSum = 0;
  let batches = 0;
  for (const [data, target] of loader) {
    optimizer.zero_grad();
    const output = model(data);
    const loss = criterion(output, target);
    loss.backward();
    optimizer.step();
    scheduler.step();
    images += data.shape[0]!;
    lossSum += loss.item() as number;
    batches += 1;
    const seconds = (performance.now() - start) / 1000;
    bar.update(batches, { loss: (lossSum / batches).toFixed(4), speed: Math.round(images / seconds) });
  }
  bar.stop();
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { loss: lossSum / batches, seconds, cpu_seconds: (cpu.user + cpu.system) / 1e6, images_per_s: images / seconds };
}

/** Accuracy of the model on a loader, in eval mode and without recording a graph. */
export function test(model: Model, loader: Loader): { accuracy: number; loss: number } {
  model.eval();
  let correct = 0;
  let total = 0;
  let lossSum = 0;
  torch.no_grad(() => {
    for (const [data, target] of loader) {
      const output = model(data);
      lossSum += torch.nn.functional.cross_entropy(output, target, { reduction: "sum" }).item() as number;
      const pred = output.argmax(1);
      correct += pred.eq(target).sum().item() as number;
      total += target.shape[0]!;
    }
  });
  return { accuracy: correct / total, loss: lossSum / total };
}
