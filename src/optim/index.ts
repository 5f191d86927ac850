/**
 * `torch.optim`: optimizers (`SGD`, `Adam`, `AdamW`), their `Optimizer` base, and
 * `torch.optim.lr_scheduler`.
 *
 * @example
 * const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * const scheduler = new torch.optim.lr_scheduler.StepLR(optimizer, 30);
 */

import "../ops/pointwise.js";

export { Optimizer } from "./optimizer.js";
export type { LoadableStateDict, OptimizerStateDict, ParamGroup, ParamGroupInput, ParamState, Params } from "./optimizer.js";
export { SGD } from "./sgd.js";
export type { SGDOptions, SGDParamGroup, SGDState } from "./sgd.js";
export { Adam } from "./adam.js";
export type { AdamOptions, AdamParamGroup, AdamState } from "./adam.js";
export { AdamW } from "./adamw.js";
export type { AdamWOptions } from "./adamw.js";
export * as lr_scheduler from "./lr_scheduler/index.js";
