/**
 * Serialization: the formats tensors travel in: safetensors (`torch.safetensors`, which mirrors
 * Python's `safetensors.torch`; its file functions are in `torch-ts/node`) and PyTorch's .pt.
 */

export * as safetensors from "./safetensors.js";

// PyTorch .pt / .pth checkpoints (pt.ts): torch.load and torch.save, and the unpickler's error.
export { load, save } from "./pt.js";
export type { LoadOptions, FileLike } from "./pt.js";
// A fetch Response or a Blob / File: torch.load and safetensors.load read one asynchronously (from_web.ts).
export type { WebFile } from "./from_web.js";
export { UnpicklingError } from "./pickle.js";
