/**
 * `torch.onnx.OnnxExporterError`: raised when a model cannot be exported. PyTorch's is a
 * `RuntimeError` subclass; so is ours, so `catch (e) { e instanceof torch.RuntimeError }` works.
 */

import { RuntimeError } from "../errors.js";

export class OnnxExporterError extends RuntimeError {
  override name = "OnnxExporterError";
}
