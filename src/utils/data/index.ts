/**
 * `torch.utils.data`: datasets, samplers, `DataLoader` and collation, plus `parse_idx` for the
 * MNIST file format. Everything here runs in browsers as well as Node (file reading is in
 * `torch-ts/node`).
 */

export { Dataset, IterableDataset, TensorDataset, StackDataset, ConcatDataset, ChainDataset, Subset } from "./dataset.js";
export type { MapStyleDataset, DatasetLike, Sized } from "./dataset.js";
export { random_split } from "./random_split.js";
export type { RandomSplitOptions } from "./random_split.js";
export { Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, BatchSampler } from "./sampler.js";
export type { SamplerLike, RandomSamplerOptions } from "./sampler.js";
export { DataLoader, DataLoaderIterator, StopIteration } from "./dataloader.js";
export type { DataLoaderOptions, LoaderDataset } from "./dataloader.js";
export { default_collate, default_convert } from "./collate.js";
export type { Collated } from "./collate.js";
export { parse_idx, parse_idx_header } from "./idx.js";
export type { IdxHeader, ParseIdxOptions } from "./idx.js";
