/**
 * The subset of ONNX's protobuf schema (onnx/onnx.proto, proto2) that export writes, as a
 * protobufjs JSON descriptor: ModelProto, OperatorSetIdProto, GraphProto, NodeProto,
 * AttributeProto, TensorProto, ValueInfoProto, TypeProto, TensorShapeProto.
 *
 * Field numbers are onnx.proto's. Fields export never writes are left out; a reader using this
 * schema skips them as unknown fields, so it still reads models written by other exporters.
 *
 * onnx.proto is proto2, and every message and enum here is marked so: protobufjs takes a JSON
 * type without an edition as proto3, whose implicit presence would drop fields holding their
 * default (an attribute `i: 0`, Softmax's axis 0). Repeated numeric fields are packed only where
 * onnx.proto says `[packed = true]`, so the bytes match what the reference C++ protobuf writes.
 *
 * protobufjs's light build reads the descriptor without its .proto parser, and works in
 * browsers as well as Node.
 */

import protobuf from "protobufjs/light.js";

const repeated = "repeated" as const;
const packed = { packed: true };

const descriptor = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            ir_version: { type: "int64", id: 1 },
            opset_import: { rule: repeated, type: "OperatorSetIdProto", id: 8 },
            producer_name: { type: "string", id: 2 },
            producer_version: { type: "string", id: 3 },
            domain: { type: "string", id: 4 },
            model_version: { type: "int64", id: 5 },
            doc_string: { type: "string", id: 6 },
            graph: { type: "GraphProto", id: 7 },
          },
        },
        OperatorSetIdProto: {
          fields: {
            domain: { type: "string", id: 1 },
            version: { type: "int64", id: 2 },
          },
        },
        GraphProto: {
          fields: {
            node: { rule: repeated, type: "NodeProto", id: 1 },
            name: { type: "string", id: 2 },
            initializer: { rule: repeated, type: "TensorProto", id: 5 },
            doc_string: { type: "string", id: 10 },
            input: { rule: repeated, type: "ValueInfoProto", id: 11 },
            output: { rule: repeated, type: "ValueInfoProto", id: 12 },
            value_info: { rule: repeated, type: "ValueInfoProto", id: 13 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: repeated, type: "string", id: 1 },
            output: { rule: repeated, type: "string", id: 2 },
            name: { type: "string", id: 3 },
            op_type: { type: "string", id: 4 },
            domain: { type: "string", id: 7 },
            attribute: { rule: repeated, type: "AttributeProto", id: 5 },
            doc_string: { type: "string", id: 6 },
          },
        },
        AttributeProto: {
          nested: {
            AttributeType: {
              values: {
                UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, SPARSE_TENSOR: 11, TYPE_PROTO: 13,
                FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10, SPARSE_TENSORS: 12, TYPE_PROTOS: 14,
              },
            },
          },
          fields: {
            name: { type: "string", id: 1 },
            ref_attr_name: { type: "string", id: 21 },
            doc_string: { type: "string", id: 13 },
            type: { type: "AttributeType", id: 20 },
            f: { type: "float", id: 2 },
            i: { type: "int64", id: 3 },
            s: { type: "bytes", id: 4 },
            t: { type: "TensorProto", id: 5 },
            g: { type: "GraphProto", id: 6 },
            floats: { rule: repeated, type: "float", id: 7 },
            ints: { rule: repeated, type: "int64", id: 8 },
            strings: { rule: repeated, type: "bytes", id: 9 },
            tensors: { rule: repeated, type: "TensorProto", id: 10 },
            graphs: { rule: repeated, type: "GraphProto", id: 11 },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { type: "string", id: 1 },
            type: { type: "TypeProto", id: 2 },
            doc_string: { type: "string", id: 3 },
          },
        },
        TensorProto: {
          nested: {
            DataType: {
              values: {
                UNDEFINED: 0, FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
                FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16,
              },
            },
          },
          fields: {
            dims: { rule: repeated, type: "int64", id: 1 },
            data_type: { type: "int32", id: 2 },
            float_data: { rule: repeated, type: "float", id: 4, options: packed },
            int32_data: { rule: repeated, type: "int32", id: 5, options: packed },
            string_data: { rule: repeated, type: "bytes", id: 6 },
            int64_data: { rule: repeated, type: "int64", id: 7, options: packed },
            name: { type: "string", id: 8 },
            doc_string: { type: "string", id: 12 },
            raw_data: { type: "bytes", id: 9 },
            double_data: { rule: repeated, type: "double", id: 10, options: packed },
            uint64_data: { rule: repeated, type: "uint64", id: 11, options: packed },
          },
        },
        TensorShapeProto: {
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ["dim_value", "dim_param"] } },
              fields: {
                dim_value: { type: "int64", id: 1 },
                dim_param: { type: "string", id: 2 },
                denotation: { type: "string", id: 3 },
              },
            },
          },
          fields: {
            dim: { rule: repeated, type: "Dimension", id: 1 },
          },
        },
        TypeProto: {
          nested: {
            Tensor: {
              fields: {
                elem_type: { type: "int32", id: 1 },
                shape: { type: "TensorShapeProto", id: 2 },
              },
            },
          },
          oneofs: { value: { oneof: ["tensor_type"] } },
          fields: {
            tensor_type: { type: "Tensor", id: 1 },
            denotation: { type: "string", id: 6 },
          },
        },
      },
    },
  },
};

/** Marks every message and enum of a descriptor as proto2 (see the top of this file). */
function proto2(node: object): object {
  const out: Record<string, unknown> = { ...node };
  if ("fields" in node || "values" in node) out.edition = "proto2";
  if ("nested" in node) {
    const nested = node.nested as Record<string, object>;
    out.nested = Object.fromEntries(Object.entries(nested).map(([k, v]) => [k, proto2(v)]));
  }
  return out;
}

const root = protobuf.Root.fromJSON(proto2(descriptor) as protobuf.INamespace);

/** `onnx.ModelProto`, to encode a {@link ModelProto} or decode a model file. */
export const ModelProtoType = root.lookupType("onnx.ModelProto");

/** TensorProto.DataType values. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;

/** AttributeProto.AttributeType values. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

// The plain objects export builds; protobufjs encodes them as they are.

export interface TensorProto {
  name?: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: number[];
}

export interface NodeProto {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  domain?: string;
  attribute: AttributeProto[];
}

export interface DimensionProto {
  dim_value?: number;
  dim_param?: string;
}

export interface ValueInfoProto {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: DimensionProto[] } } };
}

export interface GraphProto {
  node: NodeProto[];
  name: string;
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
}

export interface ModelProto {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  producer_name: string;
  producer_version: string;
  graph: GraphProto;
}

/**
 * The bytes of a model, in a Uint8Array of their own: on Node protobufjs returns a Buffer,
 * often a view into Node's shared pool, whose `.buffer` would expose unrelated memory.
 */
export function encodeModel(model: ModelProto): Uint8Array {
  const encoded = ModelProtoType.encode(model).finish();
  const bytes = new Uint8Array(encoded.length);
  bytes.set(encoded);
  return bytes;
}
