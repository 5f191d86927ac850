/** `torch.utils`: so far only `torch.utils.data`. */

export * as data from "./data/index.js";
