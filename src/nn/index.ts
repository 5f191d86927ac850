/**
 * `torch.nn`: modules, parameters, containers, `nn.functional` and `nn.init`.
 */

export { Module } from "./module.js";
export type { ForwardHook, ForwardPreHook, HookOptions, ForwardHookOptions, ModuleToOptions } from "./module.js";
export { Parameter, UninitializedParameter } from "./parameter.js";
export { RemovableHandle } from "./hooks.js";
export { IncompatibleKeys } from "./state_dict.js";
export type { StateDict } from "./state_dict.js";
export { Identity, Linear, LazyLinear, Bilinear } from "./linear.js";
export type { LinearOptions } from "./linear.js";
export { Sequential, ModuleList, ModuleDict } from "./container.js";
export { Flatten, Unflatten } from "./flatten.js";
export { ReLU, LeakyReLU, GELU, SiLU, Sigmoid, Tanh, Softmax, LogSoftmax } from "./activation.js";
export { CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCEWithLogitsLoss } from "./loss.js";
export type { CrossEntropyLossOptions, NLLLossModuleOptions, BCEWithLogitsLossOptions } from "./loss.js";
export { Dropout } from "./dropout.js";
export { LayerNorm } from "./normalization.js";
export type { LayerNormOptions } from "./normalization.js";
export { Embedding } from "./sparse.js";
export type { EmbeddingOptions } from "./sparse.js";
export * as functional from "./functional.js";
export * as init from "./init.js";
export * as parameter from "./parameter.js";
