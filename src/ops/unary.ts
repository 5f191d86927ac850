/**
 * Unary elementwise ops as one table: PyTorch name, kernel, dtype rule, node name and gradient.
 * Each gets a function (`torch.exp`), a method (`t.exp()`) and an in-place method (`t.exp_()`).
 */

import { Tensor } from "../tensor/tensor.js";
import type { UnaryOp } from "../backend/backend.js";
import { bool, DType, get_default_dtype, int64 } from "../tensor/dtype.js";
import { needsGrad, record } from "../autograd/graph.js";
import { RuntimeError } from "../errors.js";
import { zeros_like } from "../tensor/creation.js";
import { newOutput, writeInPlace } from "./common.js";
import { applyInplace } from "./arithmetic.js";

/**
 * How the output dtype follows the input: "float" ops compute integers in the default float
 * dtype (torch.exp of an int tensor is float32); "same" ops keep it; "bool" ops are predicates.
 */
type DtypeRule = "float" | "same" | "bool";

interface UnaryDef {
  rule: DtypeRule;
  /** Gradient of the input from the output's gradient g, the input x and the output y. */
  grad?: (g: Tensor, x: Tensor, y: Tensor) => Tensor;
  /** PyTorch's node name when it is not `<Name>Backward0`. */
  node?: string;
  /** Whether the gradient reads the input (x), the output (y), or neither. */
  saves?: "x" | "y" | "xy";
  /** PyTorch's error for an input dtype it has no kernel for, if any. */
  refuses?: (d: DType) => string | null;
}

/** PyTorch's "not implemented" message for `kernel` on dtypes that `bad` picks. */
function noKernel(kernel: string, bad: (d: DType) => boolean): (d: DType) => string | null {
  return (d) => (bad(d) ? `"${kernel}" not implemented for '${d.scalarTypeName}'` : null);
}

const isBool = (d: DType) => d === bool;

const LN2 = Math.LN2;
const LN10 = Math.LN10;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

const UNARY: Record<UnaryOp, UnaryDef> = {
  neg: { rule: "same", grad: (g) => g.neg() },
  abs: { rule: "same", grad: (g, x) => g.mul(x.sgn()), saves: "x", refuses: noKernel("abs_cpu", isBool) },
  sign: { rule: "same", grad: (g) => zeros_like(g) },
  exp: { rule: "float", grad: (g, _x, y) => g.mul(y), saves: "y" },
  expm1: { rule: "float", grad: (g, _x, y) => g.mul(y.add(1)), saves: "y" },
  log: { rule: "float", grad: (g, x) => g.div(x), saves: "x" },
  log2: { rule: "float", grad: (g, x) => g.div(x.mul(LN2)), saves: "x" },
  log10: { rule: "float", grad: (g, x) => g.div(x.mul(LN10)), saves: "x" },
  log1p: { rule: "float", grad: (g, x) => g.div(x.add(1)), saves: "x", node: "Log1PBackward0" },
  sqrt: { rule: "float", grad: (g, _x, y) => g.div(y.mul(2)), saves: "y" },
  rsqrt: { rule: "float", grad: (g, _x, y) => g.mul(y.pow(3)).mul(-0.5), saves: "y" },
  sin: { rule: "float", grad: (g, x) => g.mul(x.cos()), saves: "x" },
  cos: { rule: "float", grad: (g, x) => g.mul(x.sin().neg()), saves: "x" },
  tan: { rule: "float", grad: (g, _x, y) => g.mul(y.square().add(1)), saves: "y" },
  asin: { rule: "float", grad: (g, x) => g.div(x.square().neg().add(1).sqrt()), saves: "x" },
  acos: { rule: "float", grad: (g, x) => g.neg().div(x.square().neg().add(1).sqrt()), saves: "x" },
  atan: { rule: "float", grad: (g, x) => g.div(x.square().add(1)), saves: "x" },
  sinh: { rule: "float", grad: (g, x) => g.mul(x.cosh()), saves: "x" },
  cosh: { rule: "float", grad: (g, x) => g.mul(x.sinh()), saves: "x" },
  tanh: { rule: "float", grad: (g, _x, y) => g.mul(y.square().neg().add(1)), saves: "y" },
  asinh: { rule: "float", grad: (g, x) => g.div(x.square().add(1).sqrt()), saves: "x" },
  acosh: { rule: "float", grad: (g, x) => g.div(x.square().sub(1).sqrt()), saves: "x" },
  atanh: { rule: "float", grad: (g, x) => g.div(x.square().neg().add(1)), saves: "x" },
  sigmoid: { rule: "float", grad: (g, _x, y) => g.mul(y).mul(y.neg().add(1)), saves: "y" },
  relu: {
    rule: "same", grad: (g, _x, y) => reluBackward(g, y), saves: "y",
    refuses: (d) => (d === bool ? "Boolean inputs not supported for relu" : null),
  },
  floor: { rule: "same", grad: (g) => zeros_like(g), refuses: noKernel("floor_vml_cpu", isBool) },
  ceil: { rule: "same", grad: (g) => zeros_like(g), refuses: noKernel("ceil_vml_cpu", isBool) },
  round: { rule: "same", grad: (g) => zeros_like(g), refuses: noKernel("round_vml_cpu", isBool) },
  trunc: { rule: "same", grad: (g) => zeros_like(g), refuses: noKernel("trunc_vml_cpu", isBool) },
  frac: { rule: "same", grad: (g) => g, refuses: noKernel("frac_cpu", (d) => !d.is_floating_point) },
  reciprocal: { rule: "float", grad: (g, _x, y) => g.mul(y.square()).neg(), saves: "y" },
  // PyTorch implements square as pow(x, 2), hence the node name.
  square: { rule: "same", grad: (g, x) => g.mul(x.mul(2)), node: "PowBackward0", saves: "x" },
  erf: { rule: "float", grad: (g, x) => g.mul(x.square().neg().exp().mul(TWO_OVER_SQRT_PI)), saves: "x" },
  erfc: { rule: "float", grad: (g, x) => g.mul(x.square().neg().exp().mul(-TWO_OVER_SQRT_PI)), saves: "x" },
  erfinv: { rule: "float", grad: (g, _x, y) => g.mul(y.square().exp().mul(Math.sqrt(Math.PI) / 2)), saves: "y" },
  logical_not: { rule: "bool" },
  bitwise_not: { rule: "same" },
  isnan: { rule: "bool" },
  isinf: { rule: "bool" },
  isfinite: { rule: "bool" },
  signbit: { rule: "bool" },
};

function nodeName(op: string): string {
  const camel = op.split("_").map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
  return `${camel}Backward0`;
}

/** Each op's node name, worked out once rather than on every call. */
const NODE_NAMES = new Map<UnaryOp, string>(
  (Object.keys(UNARY) as UnaryOp[]).map((op) => [op, UNARY[op].node ?? nodeName(op)]),
);

/** Runs unary op `op` on `x` with its dtype rule and records its gradient. */
export function unaryOp(op: UnaryOp, x: Tensor): Tensor {
  const def = UNARY[op];
  if (op === "neg" && x.dtype === bool) {
    throw new RuntimeError(
      "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.",
    );
  }
  if (op === "bitwise_not" && x.dtype.is_floating_point) {
    throw new RuntimeError(`"bitwise_not_cpu" not implemented for '${x.dtype.scalarTypeName}'`);
  }
  const missing = def.refuses?.(x.dtype);
  if (missing) throw new RuntimeError(missing);
  // square is pow(x, 2), so a bool input promotes with the int exponent to int64.
  if (op === "square" && x.dtype === bool) x = x.to(int64);
  let input = x;
  let outDtype: DType = x.dtype;
  if (def.rule === "float" && !x.dtype.is_floating_point) {
    input = x.to(get_default_dtype());
    outDtype = input.dtype;
  } else if (def.rule === "bool") {
    outDtype = bool;
  }
  if (op === "bitwise_not" && x.dtype === bool) {
    return unaryOp("logical_not", x);
  }
  const out = newOutput(input._shape, outDtype);
  out._storage.backend.unary(op, out._view, input._view);
  if (!def.grad || !outDtype.is_floating_point || !needsGrad(input)) return out;
  const grad = def.grad;
  const saves = def.saves ?? "";
  const saved = [saves.includes("x") ? input : null, saves.includes("y") ? out : null].filter(
    (t): t is Tensor => t !== null,
  );
  return record(NODE_NAMES.get(op)!, [input], out, ([g], s) => {
    const sx = saves.includes("x") ? s[0]! : input;
    const sy = saves.includes("y") ? s[saves.includes("x") ? 1 : 0]! : out;
    return [grad(g!, sx, sy)];
  }, saved);
}

/**
 * ReLU's gradient in one kernel: `grad` where `result > 0`, else 0 (ATen's
 * `threshold_backward(grad, result, 0)`). Differentiable in `grad` (node
 * `ThresholdBackwardBackward0`), so double backward through relu works; `result` gets none.
 */
export function reluBackward(grad: Tensor, result: Tensor): Tensor {
  const out = newOutput(grad._shape, grad.dtype);
  out._storage.backend.binary("relu_backward", out._view, grad._view, result._view);
  return record("ThresholdBackwardBackward0", [grad, result], out, ([g], [r]) => [reluBackward(g!, r!), null], [result]);
}

/** `torch.sgn`: sign for real tensors (used by abs's gradient). */
export function sgn(x: Tensor): Tensor {
  return unaryOp("sign", x);
}

// The functional forms, `torch.exp(x)` etc.
export const neg = (x: Tensor) => unaryOp("neg", x);
export const negative = neg;
export const abs = (x: Tensor) => unaryOp("abs", x);
export const absolute = abs;
export const sign = (x: Tensor) => unaryOp("sign", x);
export const exp = (x: Tensor) => unaryOp("exp", x);
export const expm1 = (x: Tensor) => unaryOp("expm1", x);
export const log = (x: Tensor) => unaryOp("log", x);
export const log2 = (x: Tensor) => unaryOp("log2", x);
export const log10 = (x: Tensor) => unaryOp("log10", x);
export const log1p = (x: Tensor) => unaryOp("log1p", x);
export const sqrt = (x: Tensor) => unaryOp("sqrt", x);
export const rsqrt = (x: Tensor) => unaryOp("rsqrt", x);
export const sin = (x: Tensor) => unaryOp("sin", x);
export const cos = (x: Tensor) => unaryOp("cos", x);
export const tan = (x: Tensor) => unaryOp("tan", x);
export const asin = (x: Tensor) => unaryOp("asin", x);
export const acos = (x: Tensor) => unaryOp("acos", x);
export const atan = (x: Tensor) => unaryOp("atan", x);
export const sinh = (x: Tensor) => unaryOp("sinh", x);
export const cosh = (x: Tensor) => unaryOp("cosh", x);
export const tanh = (x: Tensor) => unaryOp("tanh", x);
export const asinh = (x: Tensor) => unaryOp("asinh", x);
export const acosh = (x: Tensor) => unaryOp("acosh", x);
export const atanh = (x: Tensor) => unaryOp("atanh", x);
export const sigmoid = (x: Tensor) => unaryOp("sigmoid", x);
export const relu = (x: Tensor) => unaryOp("relu", x);
export const floor = (x: Tensor) => unaryOp("floor", x);
export const ceil = (x: Tensor) => unaryOp("ceil", x);
export const round = (x: Tensor) => unaryOp("round", x);
export const trunc = (x: Tensor) => unaryOp("trunc", x);
export const frac = (x: Tensor) => unaryOp("frac", x);
export const reciprocal = (x: Tensor) => unaryOp("reciprocal", x);
export const square = (x: Tensor) => unaryOp("square", x);
export const erf = (x: Tensor) => unaryOp("erf", x);
export const erfc = (x: Tensor) => unaryOp("erfc", x);
export const erfinv = (x: Tensor) => unaryOp("erfinv", x);
export const logical_not = (x: Tensor) => unaryOp("logical_not", x);
export const bitwise_not = (x: Tensor) => unaryOp("bitwise_not", x);
export const isnan = (x: Tensor) => unaryOp("isnan", x);
export const isinf = (x: Tensor) => unaryOp("isinf", x);
export const isfinite = (x: Tensor) => unaryOp("isfinite", x);
export const signbit = (x: Tensor) => unaryOp("signbit", x);

type UnaryMethods = { [K in UnaryOp]: () => Tensor } & { [K in `${UnaryOp}_`]: () => Tensor };

declare module "../tensor/tensor.js" {
  interface Tensor extends UnaryMethods {
    sgn(): Tensor;
    negative(): Tensor;
    absolute(): Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
for (const op of Object.keys(UNARY) as UnaryOp[]) {
  P[op] = function (this: Tensor) {
    return unaryOp(op, this);
  };
  // Straight into the tensor where out of place and copied back could only give the same
  // values (common.ts writeInPlace): a floating tensor that keeps its dtype, no graph to record.
  const direct = (UNARY[op].rule === "same" || UNARY[op].rule === "float") && op !== "bitwise_not";
  P[`${op}_`] = function (this: Tensor) {
    const written = direct && this.dtype.is_floating_point && !needsGrad(this) && !UNARY[op].refuses?.(this.dtype) &&
      writeInPlace(this, () => this._storage.backend.unary(op, this._view, this._view));
    return written || applyInplace(this, () => unaryOp(op, this));
  };
}
P.sgn = function (this: Tensor) {
  return sgn(this);
};
P.negative = P.neg;
P.absolute = P.abs;
