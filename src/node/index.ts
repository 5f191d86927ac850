/**
 * `torch-ts/node`: the parts of torch-ts that need Node (reading files from disk). The main
 * entry, `torch-ts`, stays free of Node modules so that it runs in browsers.
 *
 * ```ts
 * import torch from "torch-ts";
 * import { load_idx } from "torch-ts/node";
 * const labels = load_idx("train-labels-idx1-ubyte.gz", { dtype: torch.int64 });
 * ```
 */

export { load_idx } from "./idx.js";
export type { LoadIdxOptions } from "./idx.js";

// safetensors.torch with files: save_file, load_file, safe_open (plus save / load on bytes).
export * as safetensors from "./safetensors.js";

// ONNX export to a file, synchronously: onnx.export(model, args, path, options).
export * as onnx from "./onnx.js";

// PyTorch checkpoints from and to files: load(path | bytes), save(obj, path).
export { load, save } from "./pt.js";
