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
