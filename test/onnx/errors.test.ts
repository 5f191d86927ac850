/**
 * What torch.onnx.export refuses, and how: models it cannot see into, bad options, bad inputs.
 */

import { afterEach, describe, expect, test, vi } from "vitest";

import torch, { nn, Tensor } from "../../src/index.js";
import { decode, opTypes } from "./onnx_testing.js";

class Net extends nn.Module {
  declare fc: nn.Linear;
  constructor() {
    super();
    this.fc = new nn.Linear(3, 3);
  }
  override forward(x: Tensor): Tensor {
    return this.fc(x).add(x);
  }
}

const SUPPORTED =
  "Sequential, Identity, Dropout, Linear, Flatten, ReLU, Sigmoid, Tanh, LeakyReLU, SiLU, GELU, Softmax, LogSoftmax, LayerNorm";

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a throw");
}

describe("modules that cannot be exported", () => {
  test("a custom forward: OnnxExporterError (a RuntimeError) naming the model and the supported types", () => {
    const e = thrown(() => torch.onnx.export(new Net(), torch.randn(2, 3)));
    expect(e).toBeInstanceOf(torch.onnx.OnnxExporterError);
    expect(e).toBeInstanceOf(torch.RuntimeError);
    expect(e.name).toBe("OnnxExporterError");
    expect(e.message).toBe(
      `torch.onnx.export: cannot export the model (Net): torch-ts exports models built from ${SUPPORTED} ` +
        "(a module with its own forward cannot be traced)",
    );
  });

  test("inside a Sequential: the message names the module's path", () => {
    const model = new nn.Sequential(new nn.Linear(3, 3), new nn.Sequential(new nn.ReLU(), new Net()));
    expect(() => torch.onnx.export(model, torch.randn(2, 3))).toThrow(/cannot export module '1\.1' \(Net\)/);
  });

  test("a Sequential subclass with its own forward, a ModuleList: refused", () => {
    class Residual extends nn.Sequential {
      override forward(x: Tensor): Tensor {
        return (super.forward(x) as Tensor).add(x);
      }
    }
    expect(() => torch.onnx.export(new Residual(new nn.Linear(3, 3)), torch.randn(2, 3))).toThrow(
      /cannot export the model \(Residual\)/,
    );
    const list = new nn.Sequential(new nn.ModuleList([new nn.Linear(3, 3)]));
    expect(() => torch.onnx.export(list, torch.randn(2, 3))).toThrow(/cannot export module '0' \(ModuleList\)/);
  });

  test("a subclass that keeps its parent's forward exports as the parent", () => {
    class MyLinear extends nn.Linear {}
    const m = decode(torch.onnx.export(new MyLinear(3, 2), torch.randn(2, 3)));
    expect(opTypes(m)).toEqual(["Gemm"]);
  });

  test("forward hooks and pre-hooks cannot be exported", () => {
    const model = new nn.Sequential(new nn.Linear(3, 3), new nn.ReLU());
    const handle = model.get(1).register_forward_hook(() => undefined);
    expect(() => torch.onnx.export(model, torch.randn(2, 3))).toThrow(
      new torch.onnx.OnnxExporterError(
        "torch.onnx.export: module '1' (ReLU) has forward hooks, which cannot be exported; remove them first",
      ),
    );
    handle.remove();
    model.register_forward_pre_hook(() => undefined);
    expect(() => torch.onnx.export(model, torch.randn(2, 3))).toThrow(/the model \(Sequential\) has forward hooks/);
  });

  test("LazyLinear: refused until a forward has initialized it, then exported as Linear", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const lazy = new nn.LazyLinear(2);
    expect(() => torch.onnx.export(new nn.Sequential(lazy), torch.randn(4, 3))).toThrow(
      "torch.onnx.export: module '0' (LazyLinear) has uninitialized parameters; run it on an input before exporting",
    );
    lazy(torch.randn(1, 3));
    expect(opTypes(decode(torch.onnx.export(new nn.Sequential(lazy), torch.randn(4, 3))))).toEqual(["Gemm"]);
    warn.mockRestore();
  });

  test("an input the model cannot take: the layer's own error", () => {
    expect(() => torch.onnx.export(new nn.Linear(3, 2), torch.randn(2, 4))).toThrow(torch.RuntimeError);
    expect(() => torch.onnx.export(new nn.Linear(3, 2), torch.randn(2, 4))).toThrow(/mat1 and mat2 shapes cannot be multiplied/);
  });
});

describe("bad arguments and options", () => {
  afterEach(() => vi.restoreAllMocks());

  test("model and args are checked", () => {
    expect(() => torch.onnx.export({} as nn.Module, torch.randn(2))).toThrow(new TypeError("torch.onnx.export: model must be an nn.Module"));
    expect(() => torch.onnx.export(new nn.ReLU(), [torch.randn(2), torch.randn(2)])).toThrow(
      /args must be one Tensor or a list of one Tensor .* got a list of 2/,
    );
    // A one-element list is PyTorch's one-element tuple.
    expect(opTypes(decode(torch.onnx.export(new nn.ReLU(), [torch.randn(2)])))).toEqual(["Relu"]);
  });

  test("an unknown option: Python's unexpected keyword TypeError", () => {
    const options = { verbose: true } as unknown as torch.onnx.ExportOptions;
    expect(() => torch.onnx.export(new nn.ReLU(), torch.randn(2), options)).toThrow(
      new TypeError("export() got an unexpected keyword argument 'verbose'"),
    );
  });

  test("more names than inputs or outputs: PyTorch's RuntimeError", () => {
    expect(() => torch.onnx.export(new nn.ReLU(), torch.randn(2), { output_names: ["a", "b"] })).toThrow(
      new torch.RuntimeError("number of output names provided (2) exceeded number of outputs (1)"),
    );
    expect(() => torch.onnx.export(new nn.ReLU(), torch.randn(2), { input_names: ["a", "b"] })).toThrow(
      new torch.RuntimeError("number of input names provided (2) exceeded number of inputs (1)"),
    );
  });

  test("dynamic_axes: PyTorch's warning for an unknown name; bad axes are errors", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    torch.onnx.export(new nn.ReLU(), torch.randn(2, 3), { dynamic_axes: { not_a_name: { 0: "b" } } });
    expect(warn).toHaveBeenCalledWith("UserWarning: Provided key not_a_name for dynamic axes is not a valid input/output name");
    torch.onnx.export(new nn.ReLU(), torch.randn(2, 3), { input_names: ["listed"], dynamic_axes: { listed: [0, 1] } });
    expect(warn).toHaveBeenCalledWith(
      "UserWarning: No names were found for specified dynamic axes of provided input." +
        "Automatically generated names will be applied to each dynamic axes of input listed",
    );
    expect(() => torch.onnx.export(new nn.ReLU(), torch.randn(2, 3), { dynamic_axes: { input: { 2: "b" } } })).toThrow(
      new torch.ValueError("dynamic_axes['input']: axis 2 is out of range for a tensor of rank 2"),
    );
    expect(() => torch.onnx.export(new nn.ReLU(), torch.randn(2, 3), { dynamic_axes: { input: [-1] } })).toThrow(
      torch.ValueError,
    );
  });

  test("export leaves the model and the input as they were", () => {
    torch.manual_seed(0);
    const model = new nn.Sequential(new nn.Linear(3, 3), new nn.Dropout(0.5));
    const x = torch.randn(2, 3);
    const before = [x.tolist(), model.state_dict()["0.weight"]!.tolist()];
    torch.onnx.export(model, x);
    expect([x.tolist(), model.state_dict()["0.weight"]!.tolist()]).toEqual(before);
    expect(model.training).toBe(true);
  });
});
