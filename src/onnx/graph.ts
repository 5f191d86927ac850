/**
 * The graph being exported: nodes, initializers and value names, named the way PyTorch's
 * exporter names them, so that a graph from torch-ts reads like one from `torch.onnx.export`:
 *
 * - a node is `<scope>/<OpType>` (`/1/Gemm`), then `/1/Gemm_1`, ... within one scope, where
 *   the scope lists every enclosing module by its qualified name (`/1/1.0/Sigmoid`; the root
 *   module's own nodes are `/Gemm`);
 * - a node's k-th output is `<node name>_output_<k>`;
 * - parameters are initializers named by their `named_parameters()` key (`0.weight`).
 */

import type { Tensor } from "../tensor/tensor.js";
import type { DType, TypedArray } from "../tensor/dtype.js";
import { OnnxExporterError } from "./errors.js";
import {
  AttributeType, DataType, type AttributeProto, type DimensionProto, type NodeProto, type TensorProto,
  type ValueInfoProto,
} from "./onnx_proto.js";

/** A dimension: its size, or the name of a dynamic axis. */
export type Dim = number | string;

/** A value flowing through the graph: its ONNX name, its shape as exported, and its dtype. */
export interface Value {
  name: string;
  shape: Dim[];
  dtype: DType;
}

/** The ONNX element type of a dtype. */
export function elemType(dtype: DType): number {
  switch (dtype.name) {
    case "float32":
      return DataType.FLOAT;
    case "float64":
      return DataType.DOUBLE;
    case "int64":
      return DataType.INT64;
    case "int32":
      return DataType.INT32;
    case "bool":
      return DataType.BOOL;
  }
}

export function valueInfo(name: string, shape: readonly Dim[], dtype: DType): ValueInfoProto {
  const dim: DimensionProto[] = shape.map((d) => (typeof d === "number" ? { dim_value: d } : { dim_param: d }));
  return { name, type: { tensor_type: { elem_type: elemType(dtype), shape: { dim } } } };
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The values as raw_data wants them: fixed width, little-endian, booleans one byte each. */
function rawBytes(typed: TypedArray, dtype: DType): Uint8Array {
  if (littleEndian || dtype.itemsize === 1) {
    return new Uint8Array(typed.buffer.slice(typed.byteOffset, typed.byteOffset + typed.byteLength));
  }
  const out = new DataView(new ArrayBuffer(typed.length * dtype.itemsize));
  for (let i = 0; i < typed.length; i++) {
    const v = typed[i]!;
    if (dtype.name === "float32") out.setFloat32(4 * i, v as number, true);
    else if (dtype.name === "float64") out.setFloat64(8 * i, v as number, true);
    else if (dtype.name === "int32") out.setInt32(4 * i, v as number, true);
    else out.setBigInt64(8 * i, v as bigint, true);
  }
  return new Uint8Array(out.buffer);
}

/** A tensor's contents as a TensorProto (row-major, whatever its strides). */
export function tensorProto(t: Tensor, name?: string): TensorProto {
  const proto: TensorProto = { dims: [...t.shape], data_type: elemType(t.dtype), raw_data: rawBytes(t._values(), t.dtype) };
  if (name !== undefined) proto.name = name;
  return proto;
}

/** A constant from plain numbers. */
export function constantProto(values: readonly number[], dims: readonly number[], dtype: DType): TensorProto {
  let typed: TypedArray;
  switch (dtype.name) {
    case "float32":
      typed = Float32Array.from(values);
      break;
    case "float64":
      typed = Float64Array.from(values);
      break;
    case "int32":
      typed = Int32Array.from(values);
      break;
    case "int64":
      typed = BigInt64Array.from(values, (v) => BigInt(v));
      break;
    case "bool":
      typed = Uint8Array.from(values, (v) => (v ? 1 : 0));
      break;
  }
  return { dims: [...dims], data_type: elemType(dtype), raw_data: rawBytes(typed, dtype) };
}

// Attributes. AttributeProto.type must be set (IR version 2 and later).

export function intAttr(name: string, i: number): AttributeProto {
  return { name, type: AttributeType.INT, i };
}

export function floatAttr(name: string, f: number): AttributeProto {
  return { name, type: AttributeType.FLOAT, f };
}

export function intsAttr(name: string, ints: readonly number[]): AttributeProto {
  return { name, type: AttributeType.INTS, ints: [...ints] };
}

export function stringAttr(name: string, s: string): AttributeProto {
  return { name, type: AttributeType.STRING, s: new TextEncoder().encode(s) };
}

export function tensorAttr(name: string, t: TensorProto): AttributeProto {
  return { name, type: AttributeType.TENSOR, t };
}

/** Builds one graph: nodes in topological order (the order they are added), initializers. */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  /** Every parameter used, as a graph input would declare it. */
  readonly parameterInfos: ValueInfoProto[] = [];
  private readonly counts = new Map<string, number>();
  private readonly initialized = new Map<Tensor, string>();
  /** Derived values computed once per source (a transposed weight used by two calls). */
  readonly memo = new Map<unknown, string>();

  constructor(
    readonly opset: number,
    /** Every parameter's name, PyTorch's `named_parameters()` key (the first for a shared one). */
    private readonly parameterNames: Map<Tensor, string>,
    private readonly exportParams: boolean,
  ) {}

  /**
   * Adds a node in `scope` and returns its output names. `inputs` may contain "" for an
   * optional input left out.
   */
  node(scope: string, opType: string, inputs: readonly string[], attributes: AttributeProto[] = [], outputs = 1): string[] {
    const base = `${scope}/${opType}`;
    const n = this.counts.get(base) ?? 0;
    this.counts.set(base, n + 1);
    const name = n === 0 ? base : `${base}_${n}`;
    const out = Array.from({ length: outputs }, (_, k) => `${name}_output_${k}`);
    this.nodes.push({ input: [...inputs], output: out, name, op_type: opType, attribute: attributes });
    return out;
  }

  /** A `Constant` node holding `tensor`; returns its output name. */
  constant(scope: string, tensor: TensorProto): string {
    return this.node(scope, "Constant", [], [tensorAttr("value", tensor)])[0]!;
  }

  /** The name of a parameter, added as an initializer (or a graph input) on first use. */
  parameter(t: Tensor, owner: string): string {
    const known = this.initialized.get(t);
    if (known !== undefined) return known;
    const name = this.parameterNames.get(t);
    if (name === undefined) {
      throw new OnnxExporterError(`torch.onnx.export: a parameter of module '${owner}' is not registered in the model`);
    }
    if (this.exportParams) this.initializers.push(tensorProto(t, name));
    this.parameterInfos.push(valueInfo(name, [...t.shape], t.dtype));
    this.initialized.set(t, name);
    return name;
  }

  /** Renames a value everywhere it appears (the model's output gets the user's name). */
  rename(from: string, to: string): void {
    for (const node of this.nodes) {
      node.input = node.input.map((v) => (v === from ? to : v));
      node.output = node.output.map((v) => (v === from ? to : v));
    }
  }
}
