/**
 * torch-ts: PyTorch's tensors, autograd and torch.nn in TypeScript.
 *
 * `import torch from "torch-ts"` gives the `torch` namespace; every name is also a named export
 * (`import { nn, randn } from "torch-ts"`).
 */

import * as torch from "./torch.js";

export * from "./torch.js";
export default torch;
