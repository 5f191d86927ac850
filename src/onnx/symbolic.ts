/**
 * What each supported module becomes in ONNX: PyTorch's symbolic functions for the layers
 * torch-ts can export, producing the same operators in the same order as PyTorch's exporter
 * (checked against files written by PyTorch in test/golden/onnx).
 *
 * A module is recognised by its `forward`: a subclass that keeps its parent's forward exports
 * as the parent, one that overrides it is a model we cannot see into (there is no tracer).
 */

import { wrapDim } from "../tensor/shape.js";
import { int64 } from "../tensor/dtype.js";
import type { Module } from "../nn/module.js";
import { Identity, Linear } from "../nn/linear.js";
import { Flatten } from "../nn/flatten.js";
import { Dropout } from "../nn/dropout.js";
import { LayerNorm } from "../nn/normalization.js";
import { GELU, LeakyReLU, LogSoftmax, ReLU, SiLU, Sigmoid, Softmax, Tanh } from "../nn/activation.js";
import {
  constantProto, floatAttr, intAttr, intsAttr, stringAttr, type Dim, type GraphBuilder, type Value,
} from "./graph.js";
import type { AttributeProto } from "./onnx_proto.js";

/** Where a module's nodes go: its scope (`/1/1.0`) and its qualified name (`1.0`). */
export interface Site {
  g: GraphBuilder;
  scope: string;
  path: string;
}

/** Emits a module's nodes for input `x` and returns its output. */
type Emit<M> = (site: Site, module: M, x: Value) => Value;

interface Handler {
  cls: abstract new (...args: never[]) => Module;
  emit: Emit<never>;
}

const handlers: Handler[] = [];

function register<M extends Module>(cls: abstract new (...args: never[]) => M, emit: Emit<M>): void {
  handlers.push({ cls, emit: emit as Emit<never> });
}

/** The emitter for `module`, or undefined when its forward is not one torch-ts can export. */
export function handlerFor(module: Module): Emit<Module> | undefined {
  const h = handlers.find((h) => module.forward === h.cls.prototype.forward);
  return h?.emit as Emit<Module> | undefined;
}

/** The names of the exportable module types, for error messages. */
export function supportedModules(): string[] {
  return ["Sequential", ...handlers.map((h) => h.cls.name)];
}

/** One op on x, same shape out. */
function unary(site: Site, op: string, x: Value, attributes: AttributeProto[] = []): Value {
  const [name] = site.g.node(site.scope, op, [x.name], attributes);
  return { ...x, name: name! };
}

/** A 0-d constant of x's dtype. */
function scalar(site: Site, v: number, x: Value): string {
  return site.g.constant(site.scope, constantProto([v], [], x.dtype));
}

function binary(site: Site, op: string, a: string, b: string): string {
  return site.g.node(site.scope, op, [a, b])[0]!;
}

// ---- pass-through --------------------------------------------------------------------------

// Dropout exports in eval mode (PyTorch's default TrainingMode.EVAL): the identity.
register(Identity, (_site, _m, x) => x);
register(Dropout, (_site, _m, x) => x);

// ---- Linear ------------------------------------------------------------------------------

/**
 * PyTorch's `linear` symbolic: `Gemm(x, W, b, transB=1)` for a 2-D input with a bias
 * (ATen's addmm path); otherwise `MatMul(x, Wᵀ)`, then `Add(b, ·)` with a bias. PyTorch folds
 * Wᵀ into a new initializer (`onnx::MatMul_6`); we keep W under its state_dict name and
 * transpose it in the graph (a Transpose of an initializer, which onnxruntime folds at load).
 */
register(Linear, (site, m, x) => {
  const { g, scope } = site;
  const w = g.parameter(m.weight, site.path);
  const b = m.bias !== null ? g.parameter(m.bias, site.path) : null;
  const shape: Dim[] = [...x.shape.slice(0, -1), m.out_features];
  if (x.shape.length === 2 && b !== null) {
    const [out] = g.node(scope, "Gemm", [x.name, w, b], [floatAttr("alpha", 1), floatAttr("beta", 1), intAttr("transB", 1)]);
    return { name: out!, shape, dtype: x.dtype };
  }
  let wt = g.memo.get(m.weight);
  if (wt === undefined) {
    wt = g.node(scope, "Transpose", [w], [intsAttr("perm", [1, 0])])[0]!;
    g.memo.set(m.weight, wt);
  }
  let out = binary(site, "MatMul", x.name, wt);
  if (b !== null) out = binary(site, "Add", b, out);
  return { name: out, shape, dtype: x.dtype };
});

// ---- Flatten -----------------------------------------------------------------------------

/** The exported size of a merged run of dims: a number when all are known, else `a*b*3`. */
function mergedDim(dims: readonly Dim[]): Dim {
  if (dims.every((d) => typeof d === "number")) return (dims as number[]).reduce((p, d) => p * d, 1);
  return dims.filter((d) => d !== 1).join("*");
}

/**
 * PyTorch's `flatten` symbolic: ONNX `Flatten` where it means the same (start 1 through the
 * last dim, or dim 0 through the one before last); otherwise `Reshape` to
 * `[0, ..., 0, -1, tail...]` (0 copies a leading dim, so dynamic leading axes stay dynamic;
 * a dynamic tail comes from `Shape(x, start=end+1)`).
 */
register(Flatten, (site, m, x) => {
  const { g, scope } = site;
  const n = x.shape.length;
  if (n === 0) {
    const shape = g.constant(scope, constantProto([1], [1], int64));
    return { ...x, name: binary(site, "Reshape", x.name, shape), shape: [1] };
  }
  const s = wrapDim(m.start_dim, n);
  const e = wrapDim(m.end_dim, n);
  if (s === e) return x;
  const outShape = [...x.shape.slice(0, s), mergedDim(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  if ((s === 1 && e === n - 1) || (s === 0 && e === n - 2)) {
    return { ...unary(site, "Flatten", x, [intAttr("axis", e === n - 1 ? s : e + 1)]), shape: outShape };
  }
  const head = [...Array<number>(s).fill(0), -1];
  const tail = x.shape.slice(e + 1);
  let target: string;
  if (tail.every((d) => typeof d === "number")) {
    target = g.constant(scope, constantProto([...head, ...(tail as number[])], [head.length + tail.length], int64));
  } else {
    const headName = g.constant(scope, constantProto(head, [head.length], int64));
    const [tailName] = g.node(scope, "Shape", [x.name], [intAttr("start", e + 1)]);
    [target] = g.node(scope, "Concat", [headName, tailName!], [intAttr("axis", 0)]) as [string];
  }
  return { ...x, name: binary(site, "Reshape", x.name, target), shape: outShape };
});

// ---- activations -------------------------------------------------------------------------

register(ReLU, (site, _m, x) => unary(site, "Relu", x));
register(Sigmoid, (site, _m, x) => unary(site, "Sigmoid", x));
register(Tanh, (site, _m, x) => unary(site, "Tanh", x));
register(LeakyReLU, (site, m, x) => unary(site, "LeakyRelu", x, [floatAttr("alpha", m.negative_slope)]));

/** silu(x) = x · σ(x): ONNX has no SiLU before opset 24 (Swish), PyTorch exports the product. */
register(SiLU, (site, _m, x) => {
  const sig = unary(site, "Sigmoid", x);
  return { ...x, name: binary(site, "Mul", x.name, sig.name) };
});

/**
 * Opset 20 and later have `Gelu` with both approximations. Before, PyTorch's formulas:
 * x · (1 + erf(x / √2)) · ½, and ½ · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))), with the
 * same operators in the same order.
 */
register(GELU, (site, m, x) => {
  if (site.g.opset >= 20) return unary(site, "Gelu", x, [stringAttr("approximate", m.approximate)]);
  let out: string;
  if (m.approximate === "tanh") {
    const x2 = binary(site, "Mul", x.name, x.name);
    const x3 = binary(site, "Mul", x.name, x2);
    const kx3 = binary(site, "Mul", scalar(site, 0.044715, x), x3);
    const inner = binary(site, "Add", x.name, kx3);
    const scaled = binary(site, "Mul", scalar(site, Math.sqrt(2 / Math.PI), x), inner);
    const th = site.g.node(site.scope, "Tanh", [scaled])[0]!;
    const onePlus = binary(site, "Add", scalar(site, 1, x), th);
    const prod = binary(site, "Mul", x.name, onePlus);
    out = binary(site, "Mul", scalar(site, 0.5, x), prod);
  } else {
    const div = binary(site, "Div", x.name, scalar(site, Math.SQRT2, x));
    const erf = site.g.node(site.scope, "Erf", [div])[0]!;
    const onePlus = binary(site, "Add", erf, scalar(site, 1, x));
    const prod = binary(site, "Mul", x.name, onePlus);
    out = binary(site, "Mul", prod, scalar(site, 0.5, x));
  }
  return { ...x, name: out };
});

/** PyTorch's `_get_softmax_dim` for `dim = None` (the module's forward has already warned). */
function softmaxAxis(dim: number | null, ndim: number): number {
  if (dim !== null) return dim;
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

register(Softmax, (site, m, x) => unary(site, "Softmax", x, [intAttr("axis", softmaxAxis(m.dim, x.shape.length))]));
register(LogSoftmax, (site, m, x) =>
  unary(site, "LogSoftmax", x, [intAttr("axis", softmaxAxis(m.dim, x.shape.length))]),
);

// ---- LayerNorm ---------------------------------------------------------------------------

/**
 * Opset 17's `LayerNormalization(X, Scale, B, axis = -len(normalized_shape), epsilon)`.
 * Scale is a required input: without elementwise_affine it is a constant of ones; a missing
 * bias is left out.
 */
register(LayerNorm, (site, m, x) => {
  const { g, scope } = site;
  let scale: string;
  if (m.weight !== null) scale = g.parameter(m.weight, site.path);
  else {
    const count = m.normalized_shape.reduce((p, d) => p * d, 1);
    scale = g.constant(scope, constantProto(Array<number>(count).fill(1), m.normalized_shape, x.dtype));
  }
  const inputs = [x.name, scale];
  if (m.bias !== null) inputs.push(g.parameter(m.bias, site.path));
  const attrs = [intAttr("axis", -m.normalized_shape.length), floatAttr("epsilon", m.eps)];
  const [out] = g.node(scope, "LayerNormalization", inputs, attrs);
  return { ...x, name: out! };
});
