import { describe, expect, test } from "vitest";
import { inspect } from "node:util";

import torch, { nn, Tensor } from "../../src/index.js";
import { golden, expectPyError, type PyError } from "./golden.js";

const { Parameter } = nn;
type Parameter = InstanceType<typeof nn.Parameter>;

const sd = golden<{ module_errors: Record<string, PyError> }>("state_dict");
const repr = golden<{ parameters: Record<string, string> }>("repr");

/** A module built without random init, so these tests do not depend on the RNG. */
class Affine extends nn.Module {
  declare weight: Parameter;
  declare bias: Parameter | null;
  declare in_features: number;

  constructor(n = 2) {
    super();
    this.in_features = n;
    this.weight = new Parameter(torch.ones(n, n));
    this.bias = new Parameter(torch.zeros(n));
  }

  override forward(x: Tensor): Tensor {
    return x.matmul(this.weight.t()).add(this.bias!);
  }
}

class Tree extends nn.Module {
  declare a: Affine;
  declare b: Affine;
  declare scale: Parameter;
  constructor() {
    super();
    this.a = new Affine();
    this.scale = new Parameter(torch.ones(1));
    this.b = new Affine();
    this.register_buffer("steps", torch.zeros([], { dtype: torch.int64 }));
    this.register_buffer("cache", torch.zeros(2), { persistent: false });
  }
  override forward(x: Tensor): Tensor {
    return this.b(this.a(x)).mul(this.scale);
  }
}

describe("Module: callable object", () => {
  test("m(x) runs forward; the module is a function whose prototype is its class's", () => {
    const m = new Affine();
    expect(typeof m).toBe("function");
    expect(m).toBeInstanceOf(Affine);
    expect(m).toBeInstanceOf(nn.Module);
    expect(Object.getPrototypeOf(m)).toBe(Affine.prototype);
    const y = m(torch.tensor([[1, 2]], { dtype: torch.float32 }));
    expect(y.tolist()).toEqual([[3, 3]]);
    expect(m.forward).toBe(Affine.prototype.forward);
  });

  test("a module may have attributes named name and length", () => {
    const m = new Affine() as Affine & { name: string; length: number };
    expect(m.name).toBeUndefined();
    m.name = "encoder";
    m.length = 4;
    expect(m.name).toBe("encoder");
    expect(m.length).toBe(4);
  });

  test("forward missing: PyTorch's NotImplementedError", () => {
    const callable = new nn.Module() as unknown as (x: Tensor) => unknown;
    expectPyError(() => callable(torch.zeros(1)), sd.module_errors.forward_missing!);
  });

  test("util.inspect and console.log print the repr", () => {
    const m = new Tree();
    expect(inspect(m)).toBe(String(m));
    expect(String(m)).toBe("Tree(\n  (a): Affine()\n  (b): Affine()\n)");
  });
});

describe("Module: registration by assignment", () => {
  test("parameters register in assignment order; modules and buffers in their registries", () => {
    const m = new Tree();
    expect([...m._parameters.keys()]).toEqual(["scale"]);
    expect([...m._modules.keys()]).toEqual(["a", "b"]);
    expect([...m._buffers.keys()]).toEqual(["steps", "cache"]);
    expect([...m.named_parameters()].map(([n]) => n)).toEqual(["scale", "a.weight", "a.bias", "b.weight", "b.bias"]);
    expect(Object.keys(m.state_dict())).toEqual([
      "scale", "steps", "a.weight", "a.bias", "b.weight", "b.bias",
    ]);
  });

  test("reads go to the registries; `in`, delete and Object.keys see them", () => {
    const m = new Tree();
    expect(m.scale).toBe(m._parameters.get("scale"));
    expect(m.a).toBe(m._modules.get("a"));
    expect((m as unknown as { steps: Tensor }).steps).toBe(m._buffers.get("steps"));
    expect("scale" in m && "a" in m && "steps" in m).toBe(true);
    expect(Object.keys(m)).toEqual(expect.arrayContaining(["scale", "a", "b", "steps", "cache"]));
    delete (m as { scale?: Parameter }).scale;
    expect(m._parameters.has("scale")).toBe(false);
    expect("scale" in m).toBe(false);
    delete (m as { cache?: Tensor }).cache;
    expect(m._buffers.has("cache")).toBe(false);
  });

  test("a tensor assigned to a buffer name replaces the buffer; a Parameter over a buffer moves it", () => {
    const m = new Tree() as Tree & { steps: Tensor; cache: Tensor | Parameter };
    const t = torch.ones([], { dtype: torch.int64 });
    m.steps = t;
    expect(m._buffers.get("steps")).toBe(t);
    const p = new Parameter(torch.zeros(2));
    m.cache = p;
    expect(m._buffers.has("cache")).toBe(false);
    expect(m._parameters.get("cache")).toBe(p);
    expect(m._non_persistent_buffers_set.has("cache")).toBe(false);
  });

  test("assigning a module over a plain attribute removes the attribute; null over a parameter", () => {
    const m = new Affine() as Affine & { extra: unknown };
    m.extra = 5;
    expect(Object.prototype.hasOwnProperty.call(m, "extra")).toBe(true);
    const child = new Affine();
    m.extra = child;
    expect(m._modules.get("extra")).toBe(child);
    expect(m.extra).toBe(child);
    m.bias = null;
    expect(m._parameters.has("bias")).toBe(true);
    expect(m.bias).toBeNull();
    expect(Object.keys(m.state_dict())).toEqual(["weight", "extra.weight", "extra.bias"]);
  });

  test("PyTorch's TypeErrors for wrong assignments", () => {
    const m = new Affine() as Affine & Record<string, unknown>;
    expectPyError(() => (m.weight = torch.zeros(2, 2) as Parameter), sd.module_errors.assign_tensor_to_param!);
    expectPyError(() => (m.weight = 3 as unknown as Parameter), sd.module_errors.assign_int_to_param!);
    const seq = new nn.Sequential(new nn.Identity()) as unknown as Record<string, unknown>;
    expectPyError(() => (seq["0"] = torch.zeros(1)), sd.module_errors.assign_tensor_to_child!);
  });

  test("a class field without `declare` neither erases a parameter nor blocks registration", () => {
    class Sub extends Affine {
      // JS defines this as undefined after super() returns (useDefineForClassFields); TS
      // rightly asks for `declare`, but plain JS code writes exactly this.
      // @ts-expect-error TS2612
      override weight!: Parameter;
      extra!: Parameter | null;
      constructor() {
        super();
        this.register_parameter("extra", null);
      }
    }
    const m = new Sub();
    expect(m.weight).toBeInstanceOf(Parameter);
    expect([...m._parameters.keys()]).toEqual(["weight", "bias", "extra"]);
  });

  test("class fields with initialisers register like assignments", () => {
    class Fielded extends nn.Module {
      w = new Parameter(torch.zeros(1));
      child = new nn.Identity();
      count = 3;
    }
    const m = new Fielded();
    expect([...m._parameters.keys()]).toEqual(["w"]);
    expect([...m._modules.keys()]).toEqual(["child"]);
    expect(m.count).toBe(3);
    expect(m._parameters.get("w")).toBe(m.w);
  });
});

describe("Module: register_* and get_* errors are PyTorch's", () => {
  const make = () => new Affine() as Affine & Record<string, unknown>;
  const cases: [string, (m: Affine) => unknown][] = [
    ["param_dot", (m) => m.register_parameter("a.b", null)],
    ["param_empty", (m) => m.register_parameter("", null)],
    ["param_exists", (m) => m.register_parameter("in_features", null)],
    ["param_not_param", (m) => m.register_parameter("p", torch.zeros(1) as Parameter)],
    ["buffer_dot", (m) => m.register_buffer("a.b", null)],
    ["buffer_empty", (m) => m.register_buffer("", null)],
    ["buffer_exists", (m) => m.register_buffer("weight", null)],
    ["buffer_not_tensor", (m) => m.register_buffer("b", 3 as unknown as Tensor)],
    ["module_not_module", (m) => m.add_module("m", 3 as unknown as nn.Module)],
    ["module_dot", (m) => m.add_module("a.b", null)],
    ["module_empty", (m) => m.add_module("", null)],
    ["module_exists", (m) => m.add_module("weight", null)],
    ["to_int", (m) => m.to(torch.int64)],
    ["train_not_bool", (m) => m.train("yes" as unknown as boolean)],
  ];
  for (const [name, fn] of cases) {
    test(name, () => expectPyError(() => fn(make()), sd.module_errors[name]!));
  }

  test("register_parameter refuses a non-leaf Parameter", () => {
    const p = new Parameter(torch.zeros(1));
    p._gradFn = torch.zeros(1, { requires_grad: true }).mul(2).grad_fn;
    expect(() => make().register_parameter("p", p)).toThrow(
      "Cannot assign non-leaf Tensor to parameter 'p'. Model parameters must be created explicitly. " +
        "To express 'p' as a function of another Tensor, compute the value in the forward() method.",
    );
  });

  test("get_submodule / get_parameter / get_buffer", () => {
    const tree = new Tree();
    expect(tree.get_submodule("")).toBe(tree);
    expect(tree.get_submodule("a")).toBe(tree.a);
    expect(tree.get_parameter("b.weight")).toBe(tree.b.weight);
    expect(tree.get_parameter("scale")).toBe(tree.scale);
    expect(tree.get_buffer("steps")).toBe(tree._buffers.get("steps"));
    const seq = () => new nn.Sequential(new Affine());
    const rename = (e: PyError) => ({ ...e, message: e.message.replace("Linear", "Affine") });
    expectPyError(() => seq().get_submodule("0.foo"), rename(sd.module_errors.get_submodule_missing!));
    expectPyError(() => seq().get_submodule("0.weight"), sd.module_errors.get_submodule_not_module!);
    expectPyError(() => seq().get_parameter("0.foo"), rename(sd.module_errors.get_parameter_missing!));
    expectPyError(() => seq().get_parameter("0.in_features"), sd.module_errors.get_parameter_not_param!);
    expectPyError(() => seq().get_buffer("0.weight"), sd.module_errors.get_buffer_not_buffer!);
  });
});

describe("Module: hooks", () => {
  test("pre-hooks replace the input, forward hooks the output; order, prepend and remove", () => {
    const m = new Affine();
    const log: string[] = [];
    const h1 = m.register_forward_pre_hook((_mod, args) => {
      log.push("pre1");
      return (args[0] as Tensor).mul(2);
    });
    m.register_forward_pre_hook(() => void log.push("pre0"), { prepend: true });
    const h3 = m.register_forward_hook((mod, args, out) => {
      log.push("post");
      expect(mod).toBe(m);
      expect((args[0] as Tensor).tolist()).toEqual([[2, 2]]);
      return (out as Tensor).add(1);
    });
    const x = torch.ones(1, 2);
    expect(m(x).tolist()).toEqual([[5, 5]]);
    expect(log).toEqual(["pre0", "pre1", "post"]);
    h1.remove();
    h3.remove();
    h3.remove();
    log.length = 0;
    expect(m(x).tolist()).toEqual([[2, 2]]);
    expect(log).toEqual(["pre0"]);
  });

  test("a pre-hook returning an array replaces the whole argument list", () => {
    class Two extends nn.Module {
      override forward(a: number, b: number): number {
        return a - b;
      }
    }
    const m = new Two();
    m.register_forward_pre_hook((_mod, args) => [args[1], args[0]]);
    expect(m(5, 2)).toBe(-3);
  });

  test("always_call hooks run when forward throws", () => {
    class Boom extends nn.Module {
      override forward(): never {
        throw new Error("boom");
      }
    }
    const m = new Boom();
    const seen: string[] = [];
    m.register_forward_hook(() => void seen.push("normal"));
    m.register_forward_hook(() => void seen.push("always"), { always_call: true });
    expect(() => m()).toThrow("boom");
    expect(seen).toEqual(["always"]);
  });
});

describe("Module: modes, grads and conversion", () => {
  test("train / eval reach every descendant and return the module", () => {
    const m = new Tree();
    expect(m.training && m.a.training).toBe(true);
    expect(m.eval()).toBe(m);
    expect([m.training, m.a.training, m.b.training]).toEqual([false, false, false]);
    m.a.train();
    expect([m.training, m.a.training]).toEqual([false, true]);
  });

  test("apply visits children first, then the module", () => {
    const m = new Tree();
    const order: nn.Module[] = [];
    expect(m.apply((mod) => void order.push(mod))).toBe(m);
    expect(order).toEqual([m.a, m.b, m]);
  });

  test("zero_grad sets grads to null by default (2.x), or zeros them in place", () => {
    const m = new Affine();
    m(torch.ones(3, 2)).sum().backward();
    expect(m.weight.grad!.tolist()).toEqual([[3, 3], [3, 3]]);
    const g = m.weight.grad!;
    m.zero_grad({ set_to_none: false });
    expect(m.weight.grad).toBe(g);
    expect(g.tolist()).toEqual([[0, 0], [0, 0]]);
    expect(g.requires_grad).toBe(false);
    m.zero_grad();
    expect(m.weight.grad).toBeNull();
    expect(m.bias!.grad).toBeNull();
  });

  test("requires_grad_ reaches every parameter", () => {
    const m = new Tree();
    m.requires_grad_(false);
    expect([...m.parameters()].every((p) => !p.requires_grad)).toBe(true);
  });

  test("to(float64) / float() swap data in place: same Parameter objects, integer buffers kept", () => {
    const m = new Tree();
    const w = m.a.weight;
    m(torch.ones(1, 2)).sum().backward();
    expect(m.to(torch.float64)).toBe(m);
    expect(m.a.weight).toBe(w);
    expect(w.dtype).toBe(torch.float64);
    expect(w.grad!.dtype).toBe(torch.float64);
    expect(w).toBeInstanceOf(Parameter);
    expect(w.requires_grad).toBe(true);
    expect(m.get_buffer("steps").dtype).toBe(torch.int64);
    expect(m.get_buffer("cache").dtype).toBe(torch.float64);
    m.float();
    expect(w.dtype).toBe(torch.float32);
    m.double();
    expect(m.b.bias!.dtype).toBe(torch.float64);
    m.to({ dtype: torch.float32 });
    expect(m.scale.dtype).toBe(torch.float32);
    expect(m.to("cpu")).toBe(m);
    expect(() => m.to("cuda")).toThrow(/only the "cpu" device/);
  });
});

describe("nn.Parameter", () => {
  test("a Tensor subclass sharing its data's storage; always a leaf", () => {
    const data = torch.zeros(2, 3);
    const p = new Parameter(data);
    expect(p).toBeInstanceOf(Tensor);
    expect(p.requires_grad && p.is_leaf).toBe(true);
    data.fill_(7);
    expect(p.tolist()).toEqual([[7, 7, 7], [7, 7, 7]]);
    const fromGraph = new Parameter(torch.ones(2, { requires_grad: true }).mul(3));
    expect(fromGraph.is_leaf).toBe(true);
    expect(fromGraph.grad_fn).toBeNull();
    expect(p.detach()).not.toBeInstanceOf(Parameter);
    expect(p.mul(2)).not.toBeInstanceOf(Parameter);
  });

  test("repr is 'Parameter containing:' + the tensor's", () => {
    expect(String(new Parameter(torch.tensor([[1.0, 2.0], [3.0, 4.5]], { dtype: torch.float32 })))).toBe(
      repr.parameters.parameter,
    );
    expect(String(new Parameter(torch.tensor([1.0, -2.0], { dtype: torch.float32 }), false))).toBe(
      repr.parameters.parameter_no_grad,
    );
    expect(String(new Parameter())).toBe(repr.parameters.parameter_empty);
    expect(inspect(new Parameter(torch.tensor([1.0, -2.0], { dtype: torch.float32 }), false))).toBe(
      repr.parameters.parameter_no_grad,
    );
  });

  test("UninitializedParameter: its repr, no shape, and materialize", () => {
    const u = new nn.UninitializedParameter();
    expect(String(u)).toBe(repr.parameters.uninitialized);
    expect(() => u.shape).toThrow(/Can't access the shape of an uninitialized parameter/);
    const p = u.materialize([2, 3]);
    expect(p).toBe(u);
    expect(Object.getPrototypeOf(p)).toBe(Parameter.prototype);
    expect([...p.shape]).toEqual([2, 3]);
    expect(p.requires_grad).toBe(true);
  });

  test("UninitializedParameter: ops on it fail with the shape error, size() and numel() answer for no data", () => {
    const u = new nn.UninitializedParameter();
    const shapeError = /Can't access the shape of an uninitialized parameter/;
    expect(() => u.add(1)).toThrow(shapeError);
    expect(() => u.sum()).toThrow(shapeError);
    expect(() => u.view([0])).toThrow(shapeError);
    expect(() => torch.mm(u, torch.zeros(0, 2))).toThrow(shapeError);
    expect([...u.size(), u.numel()]).toEqual([0, 0]);
    // Loading one into an initialized module: PyTorch's error, not a size mismatch against [0].
    const m = new nn.Linear(2, 3);
    expect(() => m.load_state_dict({ weight: new nn.UninitializedParameter(), bias: torch.zeros(3) })).toThrow(shapeError);
    // Materialized, it is an ordinary parameter again.
    expect(u.materialize([2]).add(1).shape).toEqual([2]);
  });
});
