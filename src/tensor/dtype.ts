/**
 * Data types: `torch.float32`, `torch.float64`, `torch.int64`, `torch.int32`, `torch.bool`, and
 * PyTorch's type promotion between them.
 */

export type DTypeName = "float32" | "float64" | "int64" | "int32" | "bool";

/** The three promotion categories, ordered: a higher one wins regardless of dimension. */
export const enum Category {
  Bool = 0,
  Integral = 1,
  Floating = 2,
}

export type TypedArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

export class DType {
  private constructor(
    readonly name: DTypeName,
    /** Bytes per element. */
    readonly itemsize: number,
    readonly is_floating_point: boolean,
    readonly is_signed: boolean,
    /** The promotion rank within all dtypes: the larger wins between two of one category. */
    readonly rank: number,
    /** PyTorch's short name used in some messages: `Float`, `Double`, `Long`, `Int`, `Bool`. */
    readonly scalarTypeName: string,
  ) {}

  get category(): Category {
    if (this.is_floating_point) return Category.Floating;
    return this.name === "bool" ? Category.Bool : Category.Integral;
  }

  /** `torch.float32` */
  toString(): string {
    return `torch.${this.name}`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** @internal */
  static readonly all: Record<DTypeName, DType> = {
    bool: new DType("bool", 1, false, false, 0, "Bool"),
    int32: new DType("int32", 4, false, true, 3, "Int"),
    int64: new DType("int64", 8, false, true, 4, "Long"),
    float32: new DType("float32", 4, true, true, 6, "Float"),
    float64: new DType("float64", 8, true, true, 7, "Double"),
  };
}

export const float32 = DType.all.float32;
export const float64 = DType.all.float64;
export const int64 = DType.all.int64;
export const int32 = DType.all.int32;
export const bool = DType.all.bool;
// PyTorch's aliases.
export const float = float32;
export const double = float64;
export const long = int64;
export const int = int32;

let defaultDtype: DType = float32;

/** `torch.get_default_dtype()`: the dtype of floating tensors made from Python floats. */
export function get_default_dtype(): DType {
  return defaultDtype;
}

/** `torch.set_default_dtype(d)`; only floating dtypes are accepted, as in PyTorch. */
export function set_default_dtype(d: DType): void {
  if (!d.is_floating_point) {
    throw new TypeError(`only floating-point types are supported as the default type`);
  }
  defaultDtype = d;
}

/** The element type of a dtype's storage in the JS backend. */
export function typedArrayFor(d: DType, length: number): TypedArray {
  switch (d.name) {
    case "float32":
      return new Float32Array(length);
    case "float64":
      return new Float64Array(length);
    case "int64":
      return new BigInt64Array(length);
    case "int32":
      return new Int32Array(length);
    case "bool":
      return new Uint8Array(length);
  }
}

/** `torch.promote_types(a, b)`: the smallest dtype both convert to without losing category. */
export function promote_types(a: DType, b: DType): DType {
  return a.rank >= b.rank ? a : b;
}

/** The dtype PyTorch gives a Python scalar of this kind when it stands alone. */
export function scalarDtype(value: number | bigint | boolean): DType {
  if (typeof value === "boolean") return bool;
  if (typeof value === "bigint") return int64;
  return Number.isInteger(value) ? int64 : defaultDtype;
}

/**
 * One operand as type promotion sees it: a tensor with dimensions, a zero-dim tensor, or a
 * Python scalar ("wrapped number"). PyTorch's rule (`torch.result_type`): within the highest
 * category present, dimensioned tensors decide over zero-dim tensors, which decide over scalars;
 * a lower tier only matters when it brings a higher category. A scalar of a new category takes
 * the default dtype of that category (float32 for floats, int64 for ints).
 */
export interface PromotionOperand {
  dtype: DType;
  tier: "dim" | "zerodim" | "scalar";
}

export function resultTypeOf(operands: readonly PromotionOperand[]): DType {
  let dimResult: DType | null = null;
  let zeroResult: DType | null = null;
  let scalarResult: DType | null = null;
  for (const op of operands) {
    if (op.tier === "dim") dimResult = dimResult ? promote_types(dimResult, op.dtype) : op.dtype;
    else if (op.tier === "zerodim") zeroResult = zeroResult ? promote_types(zeroResult, op.dtype) : op.dtype;
    else scalarResult = scalarResult ? promote_types(scalarResult, op.dtype) : op.dtype;
  }
  let result = dimResult;
  for (const next of [zeroResult, scalarResult]) {
    if (next === null) continue;
    if (result === null) {
      result = next;
    } else if (next.category > result.category) {
      // Scalars already carry their category's default (float32 or int64), as PyTorch's do.
      result = next;
    }
  }
  return result ?? defaultDtype;
}
