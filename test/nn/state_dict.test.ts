import { describe, expect, test } from "vitest";

import torch, { nn, Tensor } from "../../src/index.js";
import { golden, expectPyError, type PyError } from "./golden.js";
import { buildModel } from "./models.js";

interface ModelKeys {
  code: string;
  state_dict: string[];
  shapes: number[][];
  named_parameters: string[];
  named_parameters_nodedup: string[];
  named_buffers: string[];
  named_modules: string[];
  named_children: string[];
  parameters_count: number;
  parameters_norecurse: string[];
}

const fx = golden<{
  models: Record<string, ModelKeys>;
  load_errors: Record<string, PyError>;
  load_results: Record<string, string | string[] | number>;
}>("state_dict");

const names = <T>(it: Iterable<[string, T]>) => [...it].map(([n]) => n);

describe("state_dict keys and the named_* walks match PyTorch", () => {
  for (const [name, want] of Object.entries(fx.models)) {
    test(name, () => {
      const m = buildModel(want.code);
      const sd = m.state_dict();
      expect(Object.keys(sd)).toEqual(want.state_dict);
      expect(Object.values(sd).map((t) => [...t.shape])).toEqual(want.shapes);
      expect(names(m.named_parameters())).toEqual(want.named_parameters);
      expect(names(m.named_parameters({ remove_duplicate: false }))).toEqual(want.named_parameters_nodedup);
      expect(names(m.named_buffers())).toEqual(want.named_buffers);
      expect(names(m.named_modules())).toEqual(want.named_modules);
      expect(names(m.named_children())).toEqual(want.named_children);
      expect([...m.parameters()].length).toBe(want.parameters_count);
      expect(names(m.named_parameters({ recurse: false }))).toEqual(want.parameters_norecurse);
      expect([...m.modules()].length).toBe(want.named_modules.length);
      expect([...m.children()].length).toBe(want.named_children.length);
    });
  }

  test("prefix on state_dict and on the named walks", () => {
    const m = buildModel("named");
    expect(Object.keys(m.state_dict({ prefix: "model." }))).toEqual(fx.models.prefix_named!.state_dict.map((k) => "model." + k));
    expect(names(m.named_parameters({ prefix: "net" }))[0]).toBe("net.fc1.weight");
    expect(names(m.named_modules({ prefix: "net" }))).toEqual(["net", "net.fc1", "net.fc2"]);
  });

  test("tensors are detached views unless keep_vars", () => {
    const m = new nn.Linear(2, 3);
    const sd = m.state_dict();
    expect(sd.weight).not.toBe(m.weight);
    expect(sd.weight).not.toBeInstanceOf(nn.Parameter);
    expect(sd.weight!.requires_grad).toBe(false);
    sd.weight!.fill_(1.5);
    expect(m.weight.tolist()).toEqual([[1.5, 1.5], [1.5, 1.5], [1.5, 1.5]]);
    expect(m.state_dict({ keep_vars: true }).weight).toBe(m.weight);
  });
});

describe("load_state_dict", () => {
  const linear = () => new nn.Linear(2, 3);
  const z = (...s: number[]) => torch.zeros(s);
  const cases: [string, () => unknown][] = [
    ["missing", () => linear().load_state_dict({ weight: z(3, 2) })],
    ["missing_both", () => linear().load_state_dict({})],
    ["unexpected", () => linear().load_state_dict({ weight: z(3, 2), bias: z(3), extra: z(1), "more.x": z(1) })],
    ["size_mismatch", () => linear().load_state_dict({ weight: z(3, 3), bias: z(3) })],
    ["all_three", () => linear().load_state_dict({ weight: z(2, 2), foo: z(1) })],
    ["not_dict", () => linear().load_state_dict([1, 2] as unknown as Record<string, Tensor>)],
    ["not_tensor", () => linear().load_state_dict({ weight: 3 as unknown as Tensor, bias: z(3) })],
    [
      "nested",
      () =>
        new nn.Sequential(new nn.Linear(2, 3), new nn.Linear(3, 1)).load_state_dict({
          "0.weight": z(3, 2), "1.weight": z(1, 2), "2.bias": z(1),
        }),
    ],
    ["bias_none", () => new nn.Linear(2, 3, false).load_state_dict({ weight: z(3, 2), bias: z(3) })],
  ];
  for (const [name, fn] of cases) {
    test(`error: ${name}`, () => expectPyError(fn, fx.load_errors[name]!));
  }

  test("results: all matched, non-strict key lists and their repr", () => {
    const m = linear();
    const r = m.load_state_dict({ weight: torch.ones(3, 2), bias: torch.ones(3) });
    expect(String(r)).toBe(fx.load_results.ok);
    expect(r.missing_keys).toEqual([]);
    expect(m.weight.tolist()).toEqual([[1, 1], [1, 1], [1, 1]]);
    const ns = m.load_state_dict({ weight: torch.ones(3, 2), extra: z(1) }, { strict: false });
    expect(String(ns)).toBe(fx.load_results.non_strict);
    const only = m.load_state_dict({ extra: z(1) }, { strict: false });
    expect(only.missing_keys).toEqual(fx.load_results.non_strict_missing);
    expect(only.unexpected_keys).toEqual(fx.load_results.non_strict_unexpected);
  });

  test("copies into the existing parameters (identity kept), from a Map too", () => {
    const m = linear();
    const w = m.weight;
    m.load_state_dict(new Map([["weight", torch.full([3, 2], 2, { dtype: torch.float32 })], ["bias", torch.full([3], 3, { dtype: torch.float32 })]]));
    expect(m.weight).toBe(w);
    expect(w.tolist()).toEqual([[2, 2], [2, 2], [2, 2]]);
    expect(w.requires_grad).toBe(true);
    const other = linear();
    other.load_state_dict(m.state_dict());
    expect(other.bias!.tolist()).toEqual([3, 3, 3]);
  });

  test("assign replaces parameters by Parameters wrapping the given tensors", () => {
    const m = linear();
    const w = m.weight;
    const given = torch.full([3, 2], 4, { dtype: torch.float32 });
    m.load_state_dict({ weight: given, bias: torch.zeros(3) }, { assign: true });
    expect(m.weight).not.toBe(w);
    expect(m.weight).toBeInstanceOf(nn.Parameter);
    expect(m.weight.requires_grad).toBe(true);
    given.fill_(5);
    expect(m.weight.tolist()).toEqual([[5, 5], [5, 5], [5, 5]]);
  });

  test("a 1-element 1-D tensor loads into a 0-d parameter", () => {
    class Scalar extends nn.Module {
      declare s: InstanceType<typeof nn.Parameter>;
      constructor() {
        super();
        this.s = new nn.Parameter(torch.tensor(1.0, { dtype: torch.float32 }));
      }
    }
    const m = new Scalar();
    expect(String(m.load_state_dict({ s: torch.tensor([2.5]) }))).toBe(fx.load_results.bc_shim);
    expect(m.s.item()).toBe(fx.load_results.bc_shim_value);
  });

  test("non-persistent buffers are neither saved nor expected; buffers load", () => {
    class Buffers extends nn.Module {
      constructor() {
        super();
        this.register_buffer("kept", torch.zeros(2));
        this.register_buffer("scratch", torch.zeros(2), { persistent: false });
        this.register_buffer("none", null);
      }
    }
    const m = new Buffers();
    expect(Object.keys(m.state_dict())).toEqual(["kept"]);
    m.load_state_dict({ kept: torch.ones(2) });
    expect(m.get_buffer("kept").tolist()).toEqual([1, 1]);
  });

  test("get_extra_state / set_extra_state round-trip under `_extra_state`", () => {
    class WithExtra extends nn.Module {
      declare state: unknown;
      override get_extra_state(): unknown {
        return { step: 7 };
      }
      override set_extra_state(state: unknown): void {
        this.state = state;
      }
    }
    const m = new WithExtra();
    const sd = m.state_dict();
    expect(Object.keys(sd)).toEqual(["_extra_state"]);
    const other = new WithExtra();
    other.load_state_dict(sd);
    expect(other.state).toEqual({ step: 7 });
    expect(() => other.load_state_dict({})).toThrow('Missing key(s) in state_dict: "_extra_state". ');
    expect(() => new nn.Identity().load_state_dict(sd)).toThrow('Unexpected key(s) in state_dict: "_extra_state". ');
  });
});
