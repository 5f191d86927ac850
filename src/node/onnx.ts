/**
 * `onnx` of "torch-ts/node": ONNX export straight to a file, synchronously.
 *
 * ```ts
 * import { onnx } from "torch-ts/node";
 * onnx.export(model, torch.randn(1, 4), "model.onnx", { input_names: ["x"] });
 * ```
 */

import { writeFileSync } from "node:fs";
import type { Module } from "../nn/module.js";
import type { Tensor } from "../tensor/tensor.js";
import { exportToBytes, type ExportOptions } from "../onnx/export.js";

/** Writes model bytes to `path` (what `torch.onnx.export(model, args, path)` calls). */
export function writeModel(path: string, bytes: Uint8Array): void {
  writeFileSync(path, bytes);
}

/**
 * `torch.onnx.export(model, args, f, options)` that writes `f` before returning (no Promise)
 * and returns the bytes written. Arguments and options as `torch.onnx.export`.
 */
function exportFile(model: Module, args: Tensor | readonly Tensor[], f: string, options: ExportOptions = {}): Uint8Array {
  if (typeof f !== "string") throw new TypeError("onnx.export: f must be a file path (a string)");
  const bytes = exportToBytes(model, args, options);
  writeModel(f, bytes);
  return bytes;
}

export { exportFile as export };
export type { ExportOptions };
