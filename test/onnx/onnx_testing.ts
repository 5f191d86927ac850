/**
 * What the ONNX tests share: running a model in onnxruntime-node, decoding a model file, and
 * the one tolerance by which onnxruntime's float32 results are compared with torch-ts's.
 */

import ort from "onnxruntime-node";
import { expect } from "vitest";

import torch, { Tensor } from "../../src/index.js";
import { ModelProtoType } from "../../src/onnx/onnx_proto.js";

/**
 * float32 tolerance: |ort − torch-ts| ≤ ATOL + RTOL·|torch-ts|. The two libraries sum matrix
 * products in different orders and use different exp/erf/tanh approximations, each within a
 * few float32 ulps; the models here are small (≤ 16 features), so a few ulps of the largest
 * intermediate bound the difference.
 */
export const ATOL = 1e-5;
export const RTOL = 1e-5;

export interface Decoded {
  ir_version: number;
  opset_import: { domain?: string; version: number }[];
  producer_name: string;
  producer_version: string;
  graph: {
    name: string;
    node: { input?: string[]; output: string[]; name: string; op_type: string; attribute?: DecodedAttribute[] }[];
    initializer?: { name: string; dims?: number[]; data_type: number; raw_data: Uint8Array }[];
    input: DecodedValueInfo[];
    output: DecodedValueInfo[];
  };
}

export interface DecodedAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  ints?: number[];
  t?: { dims?: number[]; data_type: number; raw_data: Uint8Array };
}

export interface DecodedValueInfo {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: { dim_value?: number; dim_param?: string }[] } } };
}

/** A model file as plain objects (int64 fields as numbers). */
export function decode(bytes: Uint8Array): Decoded {
  return ModelProtoType.toObject(ModelProtoType.decode(bytes), { longs: Number }) as Decoded;
}

/** A float32 raw_data's values (a copy: a decoded field may be a view into a larger buffer). */
export function float32s(raw: Uint8Array): number[] {
  return Array.from(new Float32Array(new Uint8Array(raw).buffer));
}

export function opTypes(model: Decoded): string[] {
  return model.graph.node.map((n) => n.op_type);
}

export function initializerNames(model: Decoded): string[] {
  return (model.graph.initializer ?? []).map((t) => t.name);
}

/** A value_info's shape: numbers and dim_param names. */
export function dims(info: DecodedValueInfo): (number | string)[] {
  return info.type.tensor_type.shape.dim.map((d) => d.dim_param ?? d.dim_value!);
}

export function toOrt(t: Tensor): ort.Tensor {
  const values = t.contiguous().flatten().tolist() as number[];
  if (t.dtype === torch.float64) return new ort.Tensor("float64", Float64Array.from(values), [...t.shape]);
  return new ort.Tensor("float32", Float32Array.from(values), [...t.shape]);
}

/** Runs the model on named inputs; returns every output. */
export async function run(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = toOrt(t);
  const out = await session.run(ortFeeds);
  await session.release();
  return out;
}

/** onnxruntime's output equals `expected` in shape and, within the tolerance, in value. */
export function expectClose(actual: ort.Tensor, expected: Tensor | { shape: number[]; values: number[] }): void {
  const shape = expected instanceof Tensor ? [...expected.shape] : expected.shape;
  const values = expected instanceof Tensor ? (expected.contiguous().flatten().tolist() as number[]) : expected.values;
  expect([...actual.dims]).toEqual(shape);
  const got = actual.data as Float32Array | Float64Array;
  expect(got.length).toBe(values.length);
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    const excess = Math.abs(got[i]! - values[i]!) - (ATOL + RTOL * Math.abs(values[i]!));
    worst = Math.max(worst, excess);
  }
  expect(worst, "largest excess over the float32 tolerance").toBeLessThanOrEqual(0);
}
