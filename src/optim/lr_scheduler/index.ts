/**
 * `torch.optim.lr_scheduler`: adjusting the learning rate during training. Create the
 * scheduler after the optimizer and call `scheduler.step()` after `optimizer.step()`.
 */

export { LRScheduler } from "./lr_scheduler.js";
export { StepLR } from "./step_lr.js";
export { CosineAnnealingLR } from "./cosine_annealing_lr.js";
export { LinearLR, type LinearLROptions } from "./linear_lr.js";
export { OneCycleLR, type OneCycleLROptions } from "./one_cycle_lr.js";
