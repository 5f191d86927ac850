/** The messages between the page (main.ts) and the training worker (train_worker.ts). */

import type { MlpConfig } from "./model.js";

export interface TrainConfig extends MlpConfig {
  epochs: number;
  lr: number;
  batch_size: number;
}

/** How the worker's torch-ts runs its WebAssembly kernels (what torch.backends.wasm reports). */
export interface BackendInfo {
  backend: string;
  kernel: string | null;
  /** The worker's `crossOriginIsolated` (SharedArrayBuffer is available only when true). */
  cross_origin_isolated: boolean;
  hardware_concurrency: number;
  /** torch.backends.wasm.threads(), where this build of torch-ts has it. */
  threads: number | null;
  /** torch.backends.wasm.threading(), where this build of torch-ts has it, as text. */
  threading: string | null;
  /** torch.get_num_threads(). */
  num_threads: number;
}

export type ToWorker = { type: "train"; config: TrainConfig } | { type: "stop" };

export type FromWorker =
  | { type: "ready"; info: BackendInfo }
  | { type: "data"; train: number; test: number; seconds: number }
  | {
      type: "progress";
      epoch: number;
      step: number;
      steps: number;
      /** Mean training loss over the batches since the last report. */
      loss: number;
      /** Accuracy on the training batches since the last report. */
      train_accuracy: number;
      /** Accuracy on the 2,000 held-out digits, where this report evaluated it. */
      test_accuracy: number | null;
      images_per_s: number;
      /** The state_dict as a safetensors file (torch.safetensors.save), where this report has it. */
      weights: ArrayBuffer | null;
    }
  /** After the last step, or the step at which "stop" arrived: the final accuracy and weights. */
  | { type: "done"; stopped: boolean; step: number; seconds: number; test_accuracy: number; weights: ArrayBuffer }
  | { type: "error"; message: string };
