/**
 * The training worker: the page posts a configuration, this builds the MLP, trains it on 8,000
 * digits with Adam and cross-entropy, and posts the running loss and accuracy, the accuracy on
 * the 2,000 held-out digits, and the weights (as a safetensors file) as it goes. The loop is
 * PyTorch's; it yields to the event loop between reports so that a "stop" message gets in.
 *
 * Started by the page as a module worker:
 *   new Worker(new URL("./train_worker.ts", import.meta.url), { type: "module" })
 */

import torch, { type Tensor } from "torch-ts";
import { loadDigits } from "./digits.js";
import { buildMlp } from "./model.js";
import type { BackendInfo, FromWorker, ToWorker, TrainConfig } from "./protocol.js";
const { DataLoader, TensorDataset, random_split } = torch.utils.data;
const nn = torch.nn;

/** Steps between progress reports, and between evaluations on the held-out digits. */
const REPORT_EVERY = 10;
const EVAL_EVERY = 50;

function post(message: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, { transfer });
}

/** torch.backends.wasm, with the threading queries of builds that have them. */
const wasm = torch.backends.wasm as typeof torch.backends.wasm & {
  threads?: () => number;
  threading?: () => unknown;
};

async function backendInfo(): Promise<BackendInfo> {
  await wasm.ready();
  const threading = typeof wasm.threading === "function" ? wasm.threading() : null;
  return {
    backend: torch.backends.get_backend(),
    kernel: wasm.kernel(),
    cross_origin_isolated: self.crossOriginIsolated === true,
    hardware_concurrency: navigator.hardwareConcurrency ?? 1,
    threads: typeof wasm.threads === "function" ? wasm.threads() : null,
    threading: threading === null ? null : typeof threading === "string" ? threading : JSON.stringify(threading),
    num_threads: torch.get_num_threads(),
  };
}

let data: Promise<{ images: Tensor; labels: Tensor }> | null = null;
let stopRequested = false;
let running = false;

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function train(config: TrainConfig): Promise<void> {
  const start = performance.now();
  if (data === null) {
    data = loadDigits();
    const { images } = await data;
    post({ type: "data", train: 8000, test: images.shape[0]! - 8000, seconds: (performance.now() - start) / 1000 });
  }
  const { images, labels } = await data;

  torch.manual_seed(0);
  const [trainSet, testSet] = random_split(new TensorDataset(images, labels), [8000, images.shape[0]! - 8000]);
  const testIndex = torch.tensor(testSet!.indices as number[]);
  const testImages = images.index_select(0, testIndex);
  const testLabels = labels.index_select(0, testIndex);
  const loader = new DataLoader(trainSet!, { batch_size: config.batch_size, shuffle: true });
  const model = buildMlp(config);
  const optimizer = new torch.optim.Adam(model.parameters(), { lr: config.lr });
  const criterion = new nn.CrossEntropyLoss();

  const evaluate = (): number => {
    model.eval();
    const correct = torch.no_grad(() => model(testImages).argmax(1).eq(testLabels).sum().item() as number);
    model.train();
    return correct / testImages.shape[0]!;
  };
  const weights = (): ArrayBuffer => {
    const bytes = torch.safetensors.save(model.state_dict(), { format: "pt" });
    return bytes.buffer as ArrayBuffer;
  };

  const steps = config.epochs * loader.length;
  let step = 0;
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  let since = performance.now();
  const trainStart = performance.now();
  model.train();
  outer: for (let epoch = 1; epoch <= config.epochs; epoch++) {
    for (const [x, y] of loader) {
      optimizer.zero_grad();
      const output = model(x!); // (B, 784) -> (B, 10)
      const loss = criterion(output, y!);
      loss.backward();
      optimizer.step();

      step += 1;
      lossSum += (loss.item() as number) * x!.shape[0]!;
      correct += torch.no_grad(() => output.argmax(1).eq(y!).sum().item() as number);
      seen += x!.shape[0]!;
      const last = step === steps;
      if (step % REPORT_EVERY === 0 || last) {
        const now = performance.now();
        const withEval = step % EVAL_EVERY === 0 && !last; // the last step's evaluation is the "final" message
        const w = withEval ? weights() : null;
        post(
          {
            type: "progress",
            epoch,
            step,
            steps,
            loss: lossSum / seen,
            train_accuracy: correct / seen,
            test_accuracy: withEval ? evaluate() : null,
            images_per_s: seen / ((now - since) / 1000),
            weights: w,
          },
          w ? [w] : [],
        );
        lossSum = 0;
        correct = 0;
        seen = 0;
        await nextTask(); // lets a "stop" message in
        since = performance.now();
        if (stopRequested) break outer;
      }
    }
  }
  const seconds = (performance.now() - trainStart) / 1000;
  const w = weights();
  post({ type: "done", stopped: stopRequested, step, seconds, test_accuracy: evaluate(), weights: w }, [w]);
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === "stop") {
    stopRequested = true;
    return;
  }
  if (running) return;
  running = true;
  stopRequested = false;
  train(message.config)
    .catch((e: unknown) => post({ type: "error", message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }))
    .finally(() => (running = false));
};

backendInfo().then(
  (info) => post({ type: "ready", info }),
  (e: unknown) => post({ type: "error", message: String(e) }),
);
