/**
 * The page: builds the model the user chose, hands training to a module worker
 * (train_worker.ts), plots what it reports, shows the first layer's weights, predicts the digit
 * drawn on the pad with the latest weights, and offers them as a safetensors file for PyTorch.
 *
 * `window.torchDemo` exposes the numbers shown, for the end-to-end test (test/browser/e2e.test.ts).
 */

import torch from "torch-ts";
import { buildMlp, parseHidden, pytorchSource, type ActivationName, type Model } from "./model.js";
import { Pad } from "./pad.js";
import type { BackendInfo, FromWorker, ToWorker, TrainConfig } from "./protocol.js";
import { drawWeights, trainingChart } from "./views.js";

const FILENAME = "mnist_mlp.safetensors";
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

interface DemoState {
  cross_origin_isolated: boolean;
  info: BackendInfo | null;
  threading_text: string;
  running: boolean;
  done: boolean;
  losses: { step: number; loss: number; train_accuracy: number }[];
  test_accuracies: { step: number; accuracy: number }[];
  /** The last prediction: the digit, softmax probabilities, and the 28x28 image the model saw. */
  prediction: { digit: number; probabilities: number[]; image: number[] } | null;
  error: string | null;
}
const state: DemoState = {
  cross_origin_isolated: self.crossOriginIsolated === true,
  info: null,
  threading_text: "",
  running: false,
  done: false,
  losses: [],
  test_accuracies: [],
  prediction: null,
  error: null,
};
(window as unknown as { torchDemo: DemoState }).torchDemo = state;

const chart = trainingChart($<HTMLCanvasElement>("chart"));
let config: TrainConfig | null = null;
let model: Model | null = null;
let weights: Uint8Array | null = null;

// ---- the worker ----------------------------------------------------------------------------

const worker = new Worker(new URL("./train_worker.ts", import.meta.url), { type: "module" });
const send = (message: ToWorker) => worker.postMessage(message);

$("isolation").textContent = state.cross_origin_isolated
  ? "This page is cross-origin isolated (COOP/COEP): SharedArrayBuffer is available."
  : "This page is not cross-origin isolated: no SharedArrayBuffer, so WebAssembly runs single-threaded.";

function threadingText(info: BackendInfo): string {
  const kernel = info.kernel ? `${info.kernel} kernels` : "kernels compiling";
  const backend = `Training worker: torch-ts's ${info.backend} backend (${kernel})`;
  if (info.threads === null) {
    return `${backend}, single-threaded (this torch-ts build has no torch.backends.wasm.threads()).`;
  }
  const mode = info.threads > 1 ? `multi-threaded, ${info.threads} threads through Web Workers` : "single-threaded, 1 thread";
  const why = info.cross_origin_isolated ? "cross-origin isolated" : "not cross-origin isolated";
  const chosen = info.threading !== null ? `; torch.backends.wasm.threading(): ${info.threading}` : "";
  return `${backend}: ${mode} (${why}, ${info.hardware_concurrency} cores${chosen}).`;
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  switch (m.type) {
    case "ready":
      state.info = m.info;
      state.threading_text = threadingText(m.info);
      $("threading").textContent = state.threading_text;
      $<HTMLButtonElement>("train").disabled = false;
      break;
    case "data":
      $("progress").textContent = `Loaded ${m.train + m.test} digits in ${m.seconds.toFixed(1)} s (${m.train} to train on, ${m.test} to test).`;
      break;
    case "progress":
      state.losses.push({ step: m.step, loss: m.loss, train_accuracy: m.train_accuracy });
      chart.addLoss(m.step, m.loss, m.train_accuracy);
      $("loss").textContent = m.loss.toFixed(4);
      $("progress").textContent =
        `Epoch ${m.epoch} of ${config!.epochs}, step ${m.step} of ${m.steps}: ${Math.round(m.images_per_s)} images/s.`;
      if (m.test_accuracy !== null) testAccuracy(m.step, m.test_accuracy);
      if (m.weights !== null) setWeights(m.weights);
      break;
    case "done":
      testAccuracy(m.step, m.test_accuracy);
      setWeights(m.weights);
      state.running = false;
      state.done = true;
      $("progress").textContent =
        `${m.stopped ? "Stopped" : "Finished"} after ${m.step} steps in ${m.seconds.toFixed(1)} s; test accuracy ${(100 * m.test_accuracy).toFixed(2)}%.`;
      setRunning(false);
      break;
    case "error":
      state.error = m.message;
      state.running = false;
      $("progress").textContent = `Error in the training worker: ${m.message}`;
      setRunning(false);
      break;
  }
};
worker.onerror = (e) => {
  state.error = e.message || "the training worker failed to start";
  $("threading").textContent = `The training worker failed: ${state.error}`;
};

function testAccuracy(step: number, accuracy: number): void {
  state.test_accuracies.push({ step, accuracy });
  chart.addTestAccuracy(step, accuracy);
  $("accuracy").textContent = `${(100 * accuracy).toFixed(2)}%`;
}

/** The worker's latest weights (a safetensors file): into the page's model, the tiles and the download. */
function setWeights(buffer: ArrayBuffer): void {
  weights = new Uint8Array(buffer);
  model!.load_state_dict(torch.safetensors.load(weights));
  const first = model!.state_dict()["0.weight"]!;
  drawWeights($<HTMLCanvasElement>("weights"), first.flatten().tolist() as number[], first.shape[0]!);
  $<HTMLButtonElement>("download").disabled = false;
  predict();
}

// ---- the form --------------------------------------------------------------------------------

function readConfig(): TrainConfig {
  const number = (id: string) => Number($<HTMLInputElement>(id).value);
  const c: TrainConfig = {
    hidden: parseHidden($<HTMLInputElement>("hidden").value),
    activation: $<HTMLSelectElement>("activation").value as ActivationName,
    epochs: number("epochs"),
    lr: number("lr"),
    batch_size: number("batch"),
  };
  if (!Number.isInteger(c.epochs) || c.epochs < 1) throw new Error("epochs must be a positive integer");
  if (!(c.lr > 0)) throw new Error("the learning rate must be positive");
  if (!Number.isInteger(c.batch_size) || c.batch_size < 1) throw new Error("the batch size must be a positive integer");
  return c;
}

function showModel(): void {
  const error = $("config-error");
  try {
    const c = readConfig();
    $("model-repr").textContent = String(buildMlp(c)); // PyTorch's repr of the model
    $("pytorch-code").textContent = pytorchSource(c, FILENAME);
    error.hidden = true;
  } catch (e) {
    error.textContent = (e as Error).message;
    error.hidden = false;
  }
}

function setRunning(running: boolean): void {
  state.running = running;
  $<HTMLButtonElement>("train").disabled = running;
  $<HTMLButtonElement>("stop").disabled = !running;
  for (const id of ["hidden", "activation", "epochs", "lr", "batch"]) $<HTMLInputElement>(id).disabled = running;
}

$("config").addEventListener("input", showModel);
$("config").addEventListener("submit", (e) => {
  e.preventDefault();
  if (state.running) return;
  try {
    config = readConfig();
  } catch {
    return showModel();
  }
  model = buildMlp(config);
  model.eval();
  weights = null;
  state.done = false;
  state.losses = [];
  state.test_accuracies = [];
  chart.reset();
  $<HTMLButtonElement>("download").disabled = true;
  $("pytorch-code").textContent = pytorchSource(config, FILENAME);
  $("progress").textContent = "Loading the digits…";
  setRunning(true);
  send({ type: "train", config });
});
$("stop").addEventListener("click", () => send({ type: "stop" }));
showModel();

// ---- drawing and predicting ----------------------------------------------------------------

const pad = new Pad($<HTMLCanvasElement>("pad"), () => predict());
$("clear").addEventListener("click", () => pad.clear());

function predict(): void {
  const image = pad.image();
  if (!model || !weights || !image) {
    state.prediction = null;
    $("prediction").textContent = weights ? "draw a digit" : "train the model first";
    $("probs").replaceChildren();
    return;
  }
  const probabilities = torch.no_grad(() => torch.softmax(model!(torch.tensor(image).view(1, 784)), 1)).flatten().tolist() as number[];
  const digit = probabilities.indexOf(Math.max(...probabilities));
  state.prediction = { digit, probabilities, image: Array.from(image) };
  $("prediction").textContent = `${digit} (${(100 * probabilities[digit]!).toFixed(1)}%)`;
  $("probs").replaceChildren(
    ...probabilities.flatMap((p, d) => {
      const label = Object.assign(document.createElement("span"), { textContent: String(d) });
      const bar = Object.assign(document.createElement("div"), { className: d === digit ? "bar top" : "bar" });
      bar.style.width = `${(100 * p).toFixed(1)}%`;
      const value = Object.assign(document.createElement("span"), { textContent: `${(100 * p).toFixed(1)}%` });
      return [label, bar, value];
    }),
  );
}

// ---- the download ----------------------------------------------------------------------------

$("download").addEventListener("click", () => {
  if (!weights) return;
  const url = URL.createObjectURL(new Blob([weights as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }));
  const a = Object.assign(document.createElement("a"), { href: url, download: FILENAME });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
});
