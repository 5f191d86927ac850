import { describe, expect, test } from "vitest";

import torch, { nn, Tensor } from "../../src/index.js";
import { golden, expectPyError, type PyError } from "./golden.js";

const sd = golden<{ module_errors: Record<string, PyError> }>("state_dict");

/** A parameter-free module that adds `k`, so these tests need no random init. */
class AddK extends nn.Module {
  declare k: number;
  constructor(k: number) {
    super();
    this.k = k;
  }
  override forward(x: Tensor): Tensor {
    return x.add(this.k);
  }
  override extra_repr(): string {
    return `k=${this.k}`;
  }
}

const ks = (it: Iterable<nn.Module>) => [...it].map((m) => (m as AddK).k);

describe("nn.Sequential", () => {
  test("feeds the input through each module in order", () => {
    const seq = new nn.Sequential(new AddK(1), new nn.Flatten(0), new AddK(10));
    expect(seq(torch.zeros(2, 2)).tolist()).toEqual([11, 11, 11, 11]);
  });

  test("numbered children; seq[i], seq[-1], get, length, iteration", () => {
    const [a, b, c] = [new AddK(1), new AddK(2), new AddK(3)];
    const seq = new nn.Sequential(a, b, c);
    expect([...seq._modules.keys()]).toEqual(["0", "1", "2"]);
    expect(seq[0]).toBe(a);
    expect(seq[2]).toBe(c);
    expect((seq as unknown as Record<string, nn.Module>)["-1"]).toBe(c);
    expect(seq.get(-2)).toBe(b);
    expect(seq.length).toBe(3);
    expect(ks(seq)).toEqual([1, 2, 3]);
    expectPyError(() => new nn.Sequential(new nn.Identity()).get(3), sd.module_errors.sequential_index!);
  });

  test("append, insert, extend, pop (renumbered), set and slice", () => {
    const seq = new nn.Sequential(new AddK(1));
    expect(seq.append(new AddK(2))).toBe(seq);
    seq.insert(0, new AddK(0));
    seq.extend([new AddK(3), new AddK(4)]);
    expect(ks(seq)).toEqual([0, 1, 2, 3, 4]);
    expect((seq.pop(1) as AddK).k).toBe(1);
    expect([...seq._modules.keys()]).toEqual(["0", "1", "2", "3"]);
    expect(ks(seq)).toEqual([0, 2, 3, 4]);
    seq.set(-1, new AddK(9));
    expect(ks(seq)).toEqual([0, 2, 3, 9]);
    const part = seq.slice(1, 3);
    expect(part).toBeInstanceOf(nn.Sequential);
    expect([...part._modules.keys()]).toEqual(["1", "2"]);
    expect(ks(part)).toEqual([2, 3]);
    expect(() => seq.insert(9, new AddK(0))).toThrow("Index out of range: 9");
  });

  test("from a Map or a plain object: the names become the keys", () => {
    const seq = new nn.Sequential({ first: new AddK(1), second: new AddK(2) });
    expect([...seq._modules.keys()]).toEqual(["first", "second"]);
    expect((seq as unknown as { second: AddK }).second.k).toBe(2);
    expect(String(seq)).toBe("Sequential(\n  (first): AddK(k=1)\n  (second): AddK(k=2)\n)");
  });
});

describe("nn.ModuleList", () => {
  test("indexing, length, iteration and registration", () => {
    const list = new nn.ModuleList([new AddK(1), new AddK(2)]);
    expect(list[1]!.k).toBe(2);
    expect(list.get(-1).k).toBe(2);
    expect(list.length).toBe(2);
    expect(ks(list)).toEqual([1, 2]);
    expect([...list.modules()].length).toBe(3);
    expectPyError(() => new nn.ModuleList([new nn.Identity()]).get(-2), sd.module_errors.modulelist_index!);
  });

  test("append, extend, insert, pop, set, slice", () => {
    const list = new nn.ModuleList<AddK>();
    list.append(new AddK(1)).extend([new AddK(2), new AddK(3)]);
    list.insert(1, new AddK(9));
    expect(ks(list)).toEqual([1, 9, 2, 3]);
    expect(list.pop(0).k).toBe(1);
    expect([...list._modules.keys()]).toEqual(["0", "1", "2"]);
    list.set(0, new AddK(7));
    expect(ks(list)).toEqual([7, 2, 3]);
    expect(ks(list.slice(-2))).toEqual([2, 3]);
    expect(() => list.extend(5 as unknown as AddK[])).toThrow(TypeError);
  });

  test("has no forward", () => {
    const list = new nn.ModuleList() as unknown as (x: Tensor) => unknown;
    expect(() => list(torch.zeros(1))).toThrow(
      'Module [ModuleList] is missing the required "forward" function',
    );
  });
});

describe("nn.ModuleDict", () => {
  test("ordered registration; get, set, has, delete, pop, keys/values/items, update", () => {
    const d = new nn.ModuleDict<AddK>(new Map([["b", new AddK(1)], ["10", new AddK(2)]]));
    d.set("a", new AddK(3));
    expect(d.keys()).toEqual(["b", "10", "a"]);
    expect([...d]).toEqual(["b", "10", "a"]);
    expect(d.get("10").k).toBe(2);
    expect((d as unknown as { a: AddK }).a.k).toBe(3);
    expect(d.has("b") && !d.has("z")).toBe(true);
    expect(d.length).toBe(3);
    expect(() => d.get("z")).toThrow("'z'");
    expect(d.pop("b").k).toBe(1);
    d.delete("10");
    expect(d.items().map(([k, m]) => [k, m.k])).toEqual([["a", 3]]);
    d.update([["c", new AddK(4)]]);
    d.update({ e: new AddK(5) });
    expect(ks(d.values())).toEqual([3, 4, 5]);
    expect(Object.keys(new nn.ModuleDict({ x: new nn.Linear(1, 1) }).state_dict())).toEqual(["x.weight", "x.bias"]);
    d.clear();
    expect(d.length).toBe(0);
  });
});

describe("nn.Flatten / nn.Unflatten", () => {
  test("flatten from start_dim to end_dim; positional or options", () => {
    const x = torch.zeros(2, 3, 4, 5);
    expect([...new nn.Flatten()(x).shape]).toEqual([2, 60]);
    expect([...new nn.Flatten(0, 2)(x).shape]).toEqual([24, 5]);
    expect([...new nn.Flatten({ end_dim: 2 })(x).shape]).toEqual([2, 12, 5]);
    expect([...new nn.Flatten({ start_dim: 0 })(x).shape]).toEqual([120]);
  });

  test("unflatten one dim into several, -1 allowed", () => {
    const x = torch.zeros(2, 50);
    expect([...new nn.Unflatten(1, [2, 5, 5])(x).shape]).toEqual([2, 2, 5, 5]);
    expect([...new nn.Unflatten(-1, [5, -1])(x).shape]).toEqual([2, 5, 10]);
  });
});
