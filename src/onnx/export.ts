/**
 * `torch.onnx.export`: writes a model as an ONNX graph, for onnxruntime and the other engines
 * that serve ONNX.
 *
 * PyTorch traces `forward`; torch-ts has no tracer, so export walks the module tree instead:
 * `nn.Sequential` children in order, each known layer through its symbolic function
 * (symbolic.ts). The example input is run through every layer on the way (in eval mode,
 * without autograd), which checks it fits the model and gives every exported shape.
 *
 * Writing to a path is Node-only and lives in src/node/onnx.ts: the core stays free of Node
 * modules, so `export(model, args)` returns the bytes synchronously anywhere, and
 * `export(model, args, path)` loads the Node writer on demand and returns a Promise.
 */

import { Tensor } from "../tensor/tensor.js";
import { no_grad } from "../autograd/grad_mode.js";
import { RuntimeError, ValueError } from "../errors.js";
import { Module } from "../nn/module.js";
import { Sequential } from "../nn/container.js";
import { is_lazy } from "../nn/parameter.js";
import { warn } from "../warnings.js";
import { GraphBuilder, valueInfo, type Dim, type Value } from "./graph.js";
import { handlerFor, supportedModules } from "./symbolic.js";
import { OnnxExporterError } from "./errors.js";
import { encodeModel, type ModelProto } from "./onnx_proto.js";

/** The version written as the model's producer_version (package.json's, checked by a test). */
export const PRODUCER_VERSION = "0.1.0";

/** The opsets export can target: 17 (LayerNormalization) through 23. */
export const MIN_OPSET = 17;
export const MAX_OPSET = 23;
const DEFAULT_OPSET = 17;

/** The IR version each opset first shipped with (onnx's Versioning.md). */
function irVersion(opset: number): number {
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  return 11;
}

/** `{ input: { 0: "batch" } }`, or `{ input: [0] }` for generated names. */
export type DynamicAxes = Record<string, Record<number, string> | readonly number[]>;

export interface ExportOptions {
  /** Names for the graph's input (default `"input"`, the forward argument's name). */
  input_names?: readonly string[];
  /** Names for the graph's output (default `"output"`). */
  output_names?: readonly string[];
  /** The ONNX opset to target, 17 to 23 (default 17). */
  opset_version?: number;
  /** Axes of inputs and outputs whose size is left free, by name: `{ x: { 0: "batch" } }`. */
  dynamic_axes?: DynamicAxes;
  /** Store the parameters in the file (default true); false makes them graph inputs. */
  export_params?: boolean;
  /** Also list the initializers among the graph inputs (default false, as PyTorch 2.x). */
  keep_initializers_as_inputs?: boolean;
  /**
   * Accepted for PyTorch compatibility (default true); no effect: the graph has nothing to
   * fold but a MatMul-path Linear's weight Transpose, kept so every initializer keeps its
   * state_dict name (onnxruntime folds it at load).
   */
  do_constant_folding?: boolean;
}

const OPTION_NAMES = new Set([
  "input_names", "output_names", "opset_version", "dynamic_axes", "export_params", "keep_initializers_as_inputs",
  "do_constant_folding",
]);

function checkOptions(options: ExportOptions): void {
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key)) throw new TypeError(`export() got an unexpected keyword argument '${key}'`);
  }
}

function checkNames(names: readonly string[] | undefined, what: "input" | "output"): string[] {
  if (names === undefined) return [];
  if (!Array.isArray(names) || names.some((n) => typeof n !== "string")) {
    throw new TypeError(`${what}_names must be a list of strings`);
  }
  if (names.length > 1) {
    throw new RuntimeError(`number of ${what} names provided (${names.length}) exceeded number of ${what}s (1)`);
  }
  return [...names];
}

/** dynamic_axes as name -> axis -> dim name, with PyTorch's warnings and generated names. */
function parseDynamicAxes(axes: DynamicAxes | undefined, validNames: readonly string[]): Map<string, Map<number, string>> {
  const out = new Map<string, Map<number, string>>();
  if (axes === undefined) return out;
  for (const [key, spec] of Object.entries(axes)) {
    if (!validNames.includes(key)) warn(`Provided key ${key} for dynamic axes is not a valid input/output name`);
    const named = new Map<number, string>();
    if (Array.isArray(spec)) {
      warn(
        "No names were found for specified dynamic axes of provided input." +
          `Automatically generated names will be applied to each dynamic axes of input ${key}`,
      );
      spec.forEach((axis, i) => named.set(checkAxis(axis, key), `${key}_dynamic_axes_${i + 1}`));
    } else {
      for (const [axis, name] of Object.entries(spec as Record<string, string>)) {
        if (typeof name !== "string") throw new TypeError(`dynamic_axes['${key}'][${axis}] must be a string`);
        named.set(checkAxis(Number(axis), key), name);
      }
    }
    out.set(key, named);
  }
  return out;
}

function checkAxis(axis: unknown, key: string): number {
  if (typeof axis !== "number" || !Number.isInteger(axis) || axis < 0) {
    throw new ValueError(`dynamic_axes['${key}']: axes must be non-negative integers, got ${String(axis)}`);
  }
  return axis;
}

function applyAxes(shape: readonly Dim[], axes: Map<number, string> | undefined, name: string): Dim[] {
  const out = [...shape];
  for (const [axis, dimName] of axes ?? []) {
    if (axis >= out.length) {
      throw new ValueError(`dynamic_axes['${name}']: axis ${axis} is out of range for a tensor of rank ${out.length}`);
    }
    out[axis] = dimName;
  }
  return out;
}

function describe(module: Module, path: string): string {
  return path === "" ? `the model (${module._get_name()})` : `module '${path}' (${module._get_name()})`;
}

/**
 * Emits `module` applied to `x` (whose value for the example input is `example`); returns the
 * output and its example value. `scope` is PyTorch's node-name prefix, `path` the module's
 * qualified name.
 */
function emitModule(g: GraphBuilder, module: Module, path: string, scope: string, x: Value, example: Tensor): [Value, Tensor] {
  if ([...module._parameters.values()].some((p) => is_lazy(p))) {
    throw new OnnxExporterError(
      `torch.onnx.export: ${describe(module, path)} has uninitialized parameters; run it on an input before exporting`,
    );
  }
  if (module._forward_pre_hooks.size > 0 || module._forward_hooks.size > 0) {
    throw new OnnxExporterError(
      `torch.onnx.export: ${describe(module, path)} has forward hooks, which cannot be exported; remove them first`,
    );
  }
  if (module.forward === Sequential.prototype.forward) {
    let value: [Value, Tensor] = [x, example];
    // Sequential's forward runs every entry, a module registered twice included (which
    // named_children would yield once).
    for (const [name, child] of module._modules) {
      if (child === null) continue;
      const childPath = path === "" ? name : `${path}.${name}`;
      value = emitModule(g, child, childPath, `${scope}/${childPath}`, value[0], value[1]);
    }
    return value;
  }
  const emit = handlerFor(module);
  if (emit === undefined) {
    throw new OnnxExporterError(
      `torch.onnx.export: cannot export ${describe(module, path)}: torch-ts exports models built from ` +
        `${supportedModules().join(", ")} (a module with its own forward cannot be traced)`,
    );
  }
  const y = no_grad(() => (module.forward as (input: Tensor) => Tensor)(example));
  const out = emit({ g, scope, path }, module, x);
  // The symbolic function's shape must be the layer's: a mismatch is a bug here, not the user's.
  const same = out.shape.length === y.ndim && out.shape.every((d, i) => typeof d !== "number" || d === y.shape[i]);
  if (!same) {
    throw new OnnxExporterError(
      `torch.onnx.export: internal error: ${describe(module, path)} exported shape [${out.shape.join(", ")}], ` +
        `its output has [${y.shape.join(", ")}]`,
    );
  }
  return [{ ...out, dtype: y.dtype }, y];
}

function exampleInput(args: Tensor | readonly Tensor[]): Tensor {
  const list = args instanceof Tensor ? [args] : args;
  if (!Array.isArray(list) || list.length !== 1 || !(list[0] instanceof Tensor)) {
    throw new TypeError(
      `torch.onnx.export: args must be one Tensor or a list of one Tensor (the exportable modules take one input), ` +
        `got ${Array.isArray(list) ? `a list of ${list.length}` : typeof args}`,
    );
  }
  return list[0];
}

/** The model's bytes; what `export` computes before any writing. */
export function exportToBytes(model: Module, args: Tensor | readonly Tensor[], options: ExportOptions = {}): Uint8Array {
  if (!(model instanceof Module)) throw new TypeError("torch.onnx.export: model must be an nn.Module");
  checkOptions(options);
  const {
    opset_version = DEFAULT_OPSET, export_params = true, keep_initializers_as_inputs = false, dynamic_axes,
  } = options;
  if (!Number.isInteger(opset_version) || opset_version < MIN_OPSET || opset_version > MAX_OPSET) {
    throw new ValueError(`Unsupported ONNX opset version: ${opset_version}`);
  }
  const input = exampleInput(args);
  const inputName = checkNames(options.input_names, "input")[0] ?? "input";
  const outputName = checkNames(options.output_names, "output")[0] ?? "output";
  const axes = parseDynamicAxes(dynamic_axes, [inputName, outputName]);

  const parameterNames = new Map<Tensor, string>();
  for (const [name, p] of model.named_parameters()) parameterNames.set(p, name);
  const g = new GraphBuilder(opset_version, parameterNames, export_params);
  const x: Value = { name: inputName, shape: applyAxes(input.shape, axes.get(inputName), inputName), dtype: input.dtype };

  // Exported in eval mode, PyTorch's default (TrainingMode.EVAL); each module's flag is restored.
  const modes = [...model.modules()].map((m) => [m, m.training] as const);
  model.train(false);
  let out: Value;
  try {
    [out] = emitModule(g, model, "", "", x, input);
  } finally {
    for (const [m, training] of modes) m.training = training;
  }
  // A graph output cannot be its input: an all-identity model gets an Identity node.
  if (out.name === inputName) out = { ...out, name: g.node("", "Identity", [inputName])[0]! };
  g.rename(out.name, outputName);

  const inputs = [valueInfo(inputName, x.shape, x.dtype)];
  if (!export_params || keep_initializers_as_inputs) inputs.push(...g.parameterInfos);
  const model_: ModelProto = {
    ir_version: irVersion(opset_version),
    opset_import: [{ domain: "", version: opset_version }],
    producer_name: "torch-ts",
    producer_version: PRODUCER_VERSION,
    graph: {
      node: g.nodes,
      name: "main_graph",
      initializer: g.initializers,
      input: inputs,
      output: [valueInfo(outputName, applyAxes(out.shape, axes.get(outputName), outputName), out.dtype)],
    },
  };
  return encodeModel(model_);
}

type Args = Tensor | readonly Tensor[];

/** The Node writer, loaded only when a path is given (its specifier hidden from bundlers). */
async function writeFile(path: string, bytes: Uint8Array): Promise<void> {
  const specifier = "../node/onnx.js";
  let node: typeof import("../node/onnx.js");
  try {
    node = (await import(/* @vite-ignore */ specifier)) as typeof import("../node/onnx.js");
  } catch (e) {
    throw new RuntimeError(
      "torch.onnx.export: writing to a path needs Node (torch-ts/node); elsewhere call " +
        `torch.onnx.export(model, args) and save the returned bytes (${(e as Error).message})`,
    );
  }
  node.writeModel(path, bytes);
}

/**
 * Exports a model to ONNX. The graph computes `model(args)` for inputs of the example's shape
 * (or any size along `dynamic_axes`), with the parameters stored as initializers under their
 * `state_dict` names (`0.weight`).
 *
 * torch-ts walks the module tree instead of tracing, so the model must be built from the
 * layers it can export: `nn.Sequential` (nested too) of `nn.Linear` (`Gemm` with transB=1 on a
 * 2-D input with bias, else `MatMul` + `Add`), `nn.ReLU`, `nn.LeakyReLU`, `nn.GELU` (`Gelu`
 * from opset 20, else its erf or tanh formula), `nn.SiLU`, `nn.Sigmoid`, `nn.Tanh`,
 * `nn.Softmax`, `nn.LogSoftmax`, `nn.Flatten`, `nn.LayerNorm` (`LayerNormalization`),
 * `nn.Dropout` and `nn.Identity` (no node). The export runs in eval mode, PyTorch's default:
 * Dropout is the identity. Any other module raises `OnnxExporterError`.
 *
 * Args:
 *   model: the module to export.
 *   args: the example input: a Tensor, or a list of one Tensor (PyTorch's tuple).
 *   f: a file path to write (Node only: the Node writer is loaded on demand and a Promise is
 *     returned); left out or null, the bytes are returned at once. The options object may
 *     also be passed in its place.
 *   options.input_names, options.output_names: the graph's value names (default "input",
 *     "output").
 *   options.opset_version: 17 (default) to 23.
 *   options.dynamic_axes: `{ input: { 0: "batch" }, output: { 0: "batch" } }` leaves those
 *     axes free; a list of axes (`{ input: [0] }`) gets generated names, as in PyTorch.
 *   options.export_params: false makes the parameters graph inputs instead (default true).
 *   options.keep_initializers_as_inputs: also list the initializers as inputs (default false).
 *   options.do_constant_folding: accepted, no effect (see ExportOptions).
 *
 * Returns: the serialized ModelProto (a Promise of it when `f` is given).
 *
 * ```ts
 * const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
 * const bytes = torch.onnx.export(model, torch.randn(1, 4), null, {
 *   input_names: ["x"], output_names: ["y"], dynamic_axes: { x: { 0: "batch" }, y: { 0: "batch" } },
 * });
 * const session = await ort.InferenceSession.create(bytes);     // onnxruntime
 * await torch.onnx.export(model, torch.randn(1, 4), "model.onnx");   // Node: writes the file
 * ```
 */
export function export_(model: Module, args: Args, f?: null, options?: ExportOptions): Uint8Array;
export function export_(model: Module, args: Args, options: ExportOptions): Uint8Array;
export function export_(model: Module, args: Args, f: string, options?: ExportOptions): Promise<Uint8Array>;
export function export_(
  model: Module,
  args: Args,
  f?: string | null | ExportOptions,
  options: ExportOptions = {},
): Uint8Array | Promise<Uint8Array> {
  if (f !== undefined && f !== null && typeof f === "object") return exportToBytes(model, args, f);
  if (f === undefined || f === null) return exportToBytes(model, args, options);
  if (typeof f !== "string") throw new TypeError("torch.onnx.export: f must be a file path (a string) or null");
  return (async () => {
    const bytes = exportToBytes(model, args, options);
    await writeFile(f, bytes);
    return bytes;
  })();
}
