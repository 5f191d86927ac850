/**
 * `torch.onnx`: `torch.onnx.export(model, args, f?, options?)` and `OnnxExporterError`.
 * Writing a file directly, synchronously, is `onnx.export` of "torch-ts/node".
 */

export { export_ as export } from "./export.js";
export type { ExportOptions, DynamicAxes } from "./export.js";
export { OnnxExporterError } from "./errors.js";
