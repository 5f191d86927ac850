/**
 * The demo's model, built the same way in the training worker and in the page (which predicts
 * with the weights the worker posts): an `nn.Sequential` of `nn.Linear` layers with an
 * activation after each hidden one. With no Flatten in front, the state_dict keys are PyTorch's
 * for the same Sequential: `0.weight`, `0.bias`, `2.weight`, ...
 */

import torch from "torch-ts";
const nn = torch.nn;

export type Model = InstanceType<typeof nn.Sequential>;

/** The activations offered, by their PyTorch class names. */
export const ACTIVATIONS = {
  ReLU: () => new nn.ReLU(),
  GELU: () => new nn.GELU(),
  SiLU: () => new nn.SiLU(),
  Tanh: () => new nn.Tanh(),
  Sigmoid: () => new nn.Sigmoid(),
  LeakyReLU: () => new nn.LeakyReLU(),
} as const;
export type ActivationName = keyof typeof ACTIVATIONS;

export interface MlpConfig {
  /** Hidden layer widths, first to last (may be empty: a linear classifier). */
  hidden: number[];
  activation: ActivationName;
}

export const IMAGE_SIZE = 28 * 28;
export const CLASSES = 10;

/** 784 -> hidden[0] -> ... -> 10, an activation after every hidden Linear. */
export function buildMlp(config: MlpConfig): Model {
  const layers: InstanceType<typeof nn.Module>[] = [];
  let width = IMAGE_SIZE;
  for (const h of config.hidden) {
    layers.push(new nn.Linear(width, h), ACTIVATIONS[config.activation]());
    width = h;
  }
  layers.push(new nn.Linear(width, CLASSES));
  return new nn.Sequential(...layers);
}

/** The Python that builds the same model in PyTorch and loads the downloaded weights. */
export function pytorchSource(config: MlpConfig, filename: string): string {
  const layers: string[] = [];
  let width = IMAGE_SIZE;
  for (const h of config.hidden) {
    layers.push(`nn.Linear(${width}, ${h})`, `nn.${config.activation}()`);
    width = h;
  }
  layers.push(`nn.Linear(${width}, ${CLASSES})`);
  return [
    "import torch",
    "from torch import nn",
    "from safetensors.torch import load_file",
    "",
    `model = nn.Sequential(\n    ${layers.join(",\n    ")},\n)`,
    `model.load_state_dict(load_file("${filename}"))`,
    "model.eval()",
  ].join("\n");
}

/** Parses "128, 64" into [128, 64]; throws on anything but positive integers up to 4096. */
export function parseHidden(text: string): number[] {
  const parts = text.split(/[\s,]+/).filter((p) => p.length > 0);
  return parts.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 4096) throw new Error(`hidden width "${p}" is not an integer from 1 to 4096`);
    return n;
  });
}
