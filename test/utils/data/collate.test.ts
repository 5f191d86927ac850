import { describe, expect, it } from "vitest";
import torch from "../../../src/index.js";
import { Tensor } from "../../../src/index.js";
import { loadGolden } from "./golden.js";

const { default_collate, default_convert } = torch.utils.data;

type Described =
  | { tensor: { dtype: string; shape: number[]; values: unknown[] } }
  | { dict: Record<string, Described> }
  | { list: Described[] }
  | { value: unknown };

/** The same description of a collated batch as scripts/golden/data.py's `describe`. */
function describeValue(x: unknown): Described {
  if (x instanceof Tensor) {
    return { tensor: { dtype: x.dtype.name, shape: [...x.shape], values: x.flatten().tolist() as unknown[] } };
  }
  if (Array.isArray(x)) return { list: x.map(describeValue) };
  if (typeof x === "object" && x !== null) {
    return { dict: Object.fromEntries(Object.entries(x).map(([k, v]) => [k, describeValue(v)])) };
  }
  return { value: x };
}

const golden = loadGolden<{
  collated: Record<string, Described>;
  errors: Record<string, { error: string; message: string }>;
}>("collate.json");

const f = (xs: number[] | number) => torch.tensor(xs, { dtype: torch.float32 });

// The batches scripts/golden/data.py collates, written in JavaScript (Python tuples are arrays,
// Python floats fractional numbers, float tensors float32).
const batches: Record<string, unknown[]> = {
  ints: [0, 1, 2, 3],
  floats: [0.5, 1.5, 2.25],
  bools: [true, false, true],
  strings: ["a", "b"],
  tuples: [[0, 1.5], [2, 3.5]],
  lists: [[0, 1], [2, 3]],
  dicts: [{ A: 0, B: 1.5 }, { A: 100, B: 2.5 }],
  tensors: [f([1, 2]), f([3, 4])],
  int_tensors: [torch.tensor([1, 2]), torch.tensor([3, 4])],
  scalar_tensors: [f(1.5), f(2.5)],
  nested: [
    { x: f([1]), y: [1, { z: 0.5 }] },
    { x: f([2]), y: [2, { z: 1.5 }] },
  ],
};

describe("default_collate against PyTorch", () => {
  for (const [name, batch] of Object.entries(batches)) {
    it(name, () => {
      expect(describeValue(default_collate(batch))).toEqual(golden.collated[name]);
    });
  }

  it("refuses ragged lists and unknown elements with PyTorch's errors", () => {
    expect(() => default_collate([[0, 1], [2]])).toThrow(torch.RuntimeError);
    expect(() => default_collate([[0, 1], [2]])).toThrow(golden.errors.ragged!.message);
    expect(() => default_collate([null, null])).toThrow(TypeError);
    expect(() => default_collate([null, null])).toThrow(golden.errors.none!.message);
  });

  it("stacks typed arrays as PyTorch stacks NumPy arrays, and collates Maps", () => {
    const t = default_collate([new Float32Array([1, 2]), new Float32Array([3, 4])]) as Tensor;
    expect(t.dtype).toBe(torch.float32);
    expect(t.shape).toEqual([2, 2]);
    const m = default_collate([new Map([["a", 1]]), new Map([["a", 2]])]) as Map<string, Tensor>;
    expect(m.get("a")!.tolist()).toEqual([1, 2]);
  });

  it("keeps the graph: a batch of tensors that require grad backpropagates to each", () => {
    const a = f([1, 2]).requires_grad_();
    const b = f([3, 4]).requires_grad_();
    const batch = default_collate([a, b]) as Tensor;
    expect(batch.grad_fn!.name()).toBe("StackBackward0");
    batch.sum().backward();
    expect(a.grad!.tolist()).toEqual([1, 1]);
  });
});

describe("default_convert", () => {
  it("turns typed arrays into tensors and leaves the rest", () => {
    const out = default_convert({ x: new Int32Array([1, 2]), y: [3, "s"], t: f(1) }) as Record<string, unknown>;
    expect((out.x as Tensor).dtype).toBe(torch.int32);
    expect(out.y).toEqual([3, "s"]);
    expect(out.t).toBeInstanceOf(Tensor);
  });
});
