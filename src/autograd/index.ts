/** `torch.autograd`: backward, grad, the grad-mode scopes, and the graph's node type. */

export { backward, grad } from "./engine.js";
export type { BackwardOptions, GradOptions } from "./engine.js";
export { no_grad, enable_grad, set_grad_enabled, is_grad_enabled } from "./grad_mode.js";
export { Node, AccumulateGrad } from "./graph.js";
export { gradcheck, GradcheckError } from "./gradcheck.js";
export type { GradcheckOptions } from "./gradcheck.js";
