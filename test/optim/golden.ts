/**
 * The optimizer fixtures written by scripts/golden/optim.py (real PyTorch), and the model they
 * were made with: a two-layer MLP of raw leaf tensors,
 *
 *     loss = mean((relu(x @ W1.T + b1) @ W2.T + b2 - target) ** 2)
 */

import torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { float32FromBits, readGolden } from "../harness/golden.js";
import { TOLERANCE } from "../harness/tolerance.js";

export interface Encoded {
  shape: number[];
  bits: number[];
}

export interface TrajectoryConfig {
  name: string;
  optimizer: "SGD" | "Adam" | "AdamW";
  options: Record<string, unknown>;
  groups: ({ params: ParamName[] } & Record<string, unknown>)[] | null;
  scheduler: { name: "OneCycleLR"; max_lr: number; options: Record<string, unknown> } | null;
  losses: number[];
  lrs: number[][];
  params_after: Record<string, Record<ParamName, number[]>>;
}

export type ParamName = "W1" | "b1" | "W2" | "b2";
export const NAMES: ParamName[] = ["W1", "b1", "W2", "b2"];

export function load<T>(name: string): T & { torch_version: string; script: string } {
  return readGolden<T & { torch_version: string; script: string }>("optim", name);
}

/** A float32 tensor from the fixture's bit patterns (exactly PyTorch's values). */
export function decode(e: Encoded): Tensor {
  return torch.tensor(float32FromBits(e.bits)).reshape(e.shape);
}

export const trajectories = load<{
  steps: number;
  record_after: number[];
  init: Record<ParamName, Encoded>;
  x: Encoded;
  target: Encoded;
  configs: TrajectoryConfig[];
}>("trajectories.json");

const X = decode(trajectories.x);
const TARGET = decode(trajectories.target);

/** Fresh leaf parameters with the fixture's initial values. */
export function freshParams(): Record<ParamName, Tensor> {
  const out = {} as Record<ParamName, Tensor>;
  for (const n of NAMES) out[n] = decode(trajectories.init[n]).requires_grad_(true);
  return out;
}

export function lossOf(p: Record<ParamName, Tensor>): Tensor {
  const hidden = X.matmul(p.W1.t()).add(p.b1).relu();
  const out = hidden.matmul(p.W2.t()).add(p.b2);
  const diff = out.sub(TARGET);
  return diff.mul(diff).sum().div(diff.numel());
}

type OptimizerCtor = new (params: never, options?: never) => InstanceType<typeof torch.optim.SGD> | InstanceType<typeof torch.optim.Adam>;

/** The optimizer a config describes, over `params`. */
export function makeOptimizer(
  kind: TrajectoryConfig["optimizer"],
  options: Record<string, unknown>,
  groups: TrajectoryConfig["groups"],
  params: Record<ParamName, Tensor>,
) {
  const Ctor = torch.optim[kind] as unknown as OptimizerCtor;
  const input = groups === null
    ? NAMES.map((n) => params[n])
    : groups.map((g) => ({ ...g, params: g.params.map((n) => params[n]) }));
  return new Ctor(input as never, options as never);
}

/** The one tolerance of the trajectory tests, on {@link relativeError} (see tolerance.ts). */
export const RTOL = TOLERANCE.float32.trajectoryRtol;

/** max|ours − expected| / max|expected|: the tensor's relative error. */
export function relativeError(ours: ArrayLike<number>, expected: ArrayLike<number>): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    err = Math.max(err, Math.abs(ours[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  if (ours.length !== expected.length) return Infinity;
  return scale === 0 ? err : err / scale;
}

/** A tensor's values as JS numbers. */
export function valuesOf(t: Tensor): number[] {
  return (t.detach().reshape(-1).tolist() as number[]).map(Number);
}
