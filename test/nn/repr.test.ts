import { describe, expect, test } from "vitest";
import { inspect } from "node:util";

import { nn } from "../../src/index.js";
import { golden } from "./golden.js";
import { Net } from "./models.js";

interface ReprCase {
  name: string;
  code: string;
  repr: string;
  repr_1_13?: string;
  note?: string;
}

const fx = golden<{ modules: ReprCase[] }>("repr");

const builders: Record<string, () => nn.Module> = {
  linear: () => new nn.Linear(2, 3),
  linear_nobias: () => new nn.Linear(5, 4, { bias: false }),
  identity: () => new nn.Identity(54, { unused_argument1: 0.1 }),
  flatten: () => new nn.Flatten(),
  flatten_0_2: () => new nn.Flatten(0, 2),
  unflatten: () => new nn.Unflatten(1, [2, 5, 5]),
  unflatten_1: () => new nn.Unflatten(-1, [6]),
  bilinear: () => new nn.Bilinear(3, 2, 5),
  bilinear_nobias: () => new nn.Bilinear(3, 2, 5, { bias: false }),
  lazy: () => new nn.LazyLinear(3),
  sequential_empty: () => new nn.Sequential(),
  sequential: () => new nn.Sequential(new nn.Linear(2, 4), new nn.Identity(), new nn.Flatten(), new nn.Linear(4, 1)),
  sequential_docs: () => new nn.Sequential(new nn.Linear(2, 2), new nn.Linear(2, 2)),
  sequential_named: () => new nn.Sequential(new Map<string, nn.Module>([["fc1", new nn.Linear(2, 3)], ["act", new nn.Identity()]])),
  sequential_nested: () =>
    new nn.Sequential(
      new nn.Linear(2, 3),
      new nn.Sequential(new nn.Linear(3, 3), new nn.Sequential(new nn.Identity())),
      new nn.Flatten(0),
    ),
  modulelist: () =>
    new nn.ModuleList<nn.Module>([
      new nn.Linear(2, 2), new nn.Linear(2, 2), new nn.Linear(2, 3), new nn.Identity(), new nn.Identity(), new nn.Identity(),
    ]),
  modulelist_nested: () =>
    new nn.ModuleList([new nn.Sequential(new nn.Linear(2, 2)), new nn.Sequential(new nn.Linear(2, 2))]),
  modulelist_empty: () => new nn.ModuleList(),
  moduledict: () =>
    new nn.ModuleDict(
      new Map<string, nn.Module>([["b", new nn.Linear(2, 2)], ["a", new nn.Identity()], ["10", new nn.Flatten()]]),
    ),
  custom: () => new Net(),
  none_child: () => {
    const m = new nn.Sequential(new nn.Identity());
    m.add_module("gap", null);
    return m;
  },
  shared: () => {
    const shared = new nn.Linear(2, 2);
    return new nn.Sequential(shared, shared);
  },
};

describe("module reprs are PyTorch's, byte for byte", () => {
  for (const c of fx.modules) {
    test(c.name + (c.note ? ` (${c.note})` : ""), () => {
      const m = builders[c.name]!();
      expect(String(m)).toBe(c.repr);
      expect(inspect(m)).toBe(c.repr);
    });
  }

  test("every fixture case has a builder", () => {
    expect(Object.keys(builders).sort()).toEqual(fx.modules.map((c) => c.name).sort());
  });
});
