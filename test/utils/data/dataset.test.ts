import { describe, expect, it } from "vitest";
import torch from "../../../src/index.js";
import { AssertionError } from "../../../src/errors.js";
import { f32Hex, loadGolden, range } from "./golden.js";

const { Dataset, TensorDataset, StackDataset, ConcatDataset, ChainDataset, IterableDataset, Subset, random_split } = torch.utils.data;

interface SplitCase {
  n: number;
  lengths: number[];
  seed: number;
  explicit: boolean;
  lens: number[];
  rand_after: string[];
  subsets?: number[][];
  heads?: number[][];
  sums?: number[];
}

interface SplitGolden {
  cases: SplitCase[];
  errors: { n: number; lengths: number[]; error: string; message: string }[];
}

const split = loadGolden<SplitGolden>("split.json");

describe("random_split against PyTorch", () => {
  for (const c of split.cases) {
    it(`${c.n} items into [${c.lengths.join(", ")}], seed ${c.seed}${c.explicit ? ", explicit generator" : ""}`, () => {
      torch.manual_seed(c.seed);
      const generator = c.explicit ? new torch.Generator().manual_seed(c.seed) : undefined;
      const parts = random_split(range(c.n), c.lengths, { generator });
      expect(parts.map((p) => p.length)).toEqual(c.lens);
      if (c.subsets) expect(parts.map((p) => [...p])).toEqual(c.subsets);
      if (c.heads) expect(parts.map((p) => range(5).map((i) => p.__getitem__(i)))).toEqual(c.heads);
      if (c.sums) expect(parts.map((p) => p.indices.reduce((a, b) => a + b, 0))).toEqual(c.sums);
      expect(f32Hex(torch.rand(3))).toEqual(c.rand_after);
    });
  }

  it("refuses bad lengths with PyTorch's errors", () => {
    for (const e of split.errors) {
      expect(() => random_split(range(e.n), e.lengths)).toThrow(torch.ValueError);
      expect(() => random_split(range(e.n), e.lengths)).toThrow(e.message);
    }
  });

  it("warns about empty splits, as PyTorch does for [0.9, 0.05, 0.05] of 3 items", () => {
    const warn = console.warn;
    const seen: string[] = [];
    console.warn = (m: string) => seen.push(m);
    try {
      expect(random_split(range(3), [0.9, 0.05, 0.05]).map((p) => p.length)).toEqual([3, 0, 0]);
    } finally {
      console.warn = warn;
    }
    expect(seen).toEqual([
      "UserWarning: Length of split at index 1 is 0. This might result in an empty dataset.",
      "UserWarning: Length of split at index 2 is 0. This might result in an empty dataset.",
    ]);
  });
});

describe("TensorDataset", () => {
  const x = torch.arange(12).reshape([4, 3]);
  const y = torch.tensor([7, 8, 9, 10]);
  const ds = new TensorDataset(x, y);

  it("indexes every tensor along the first dimension", () => {
    expect(ds.length).toBe(4);
    const [xi, yi] = ds.__getitem__(1);
    expect(xi!.tolist()).toEqual([3, 4, 5]);
    expect(yi!.item()).toBe(8);
    expect(ds.__getitem__(-1)[1]!.item()).toBe(10);
    expect([...ds].map(([, t]) => t!.item())).toEqual([7, 8, 9, 10]);
  });

  it("refuses tensors of different lengths and out-of-range indices", () => {
    const errors = loadGolden<{ errors: Record<string, { error: string; message: string }> }>("collate.json").errors;
    expect(() => new TensorDataset(torch.zeros(3), torch.zeros(4))).toThrow(AssertionError);
    expect(() => new TensorDataset(torch.zeros(3), torch.zeros(4))).toThrow(errors.tensor_dataset!.message);
    expect(() => ds.__getitem__(4)).toThrow(torch.IndexError);
    expect(() => ds.__getitem__(4)).toThrow("index 4 is out of bounds for dimension 0 with size 4");
  });
});

describe("Subset, ConcatDataset, StackDataset, ChainDataset", () => {
  it("Subset maps indices, with Python's negative indices", () => {
    const s = new Subset(["a", "b", "c", "d"], [3, 1]);
    expect([...s]).toEqual(["d", "b"]);
    expect(s.__getitem__(-1)).toBe("b");
    expect(s.__getitems__([1, 0])).toEqual(["b", "d"]);
    expect(() => s.__getitem__(2)).toThrow("list index out of range");
  });

  it("ConcatDataset runs through its parts", () => {
    const c = new ConcatDataset([["a", "b"], ["c"], ["d", "e", "f"]]);
    expect(c.cumulative_sizes).toEqual([2, 3, 6]);
    expect(c.length).toBe(6);
    expect(range(6).map((i) => c.__getitem__(i))).toEqual(["a", "b", "c", "d", "e", "f"]);
    expect(c.__getitem__(-6)).toBe("a");
    expect(() => c.__getitem__(-7)).toThrow("absolute value of index should not exceed dataset length");
    expect(() => c.__getitem__(6)).toThrow(torch.IndexError);
    expect(() => new ConcatDataset([])).toThrow("datasets should not be an empty iterable");
  });

  it("Dataset.__add__ concatenates", () => {
    class Letters extends Dataset<string> {
      constructor(readonly s: string) {
        super();
      }
      __getitem__(i: number): string {
        return this.s[i]!;
      }
      override __len__(): number {
        return this.s.length;
      }
    }
    expect([...new Letters("ab").__add__(new Letters("cd"))]).toEqual(["a", "b", "c", "d"]);
  });

  it("a Dataset without __len__ has no len(), as in Python", () => {
    class NoLen extends Dataset<number> {
      __getitem__(i: number): number {
        return i;
      }
    }
    expect(() => new NoLen().length).toThrow("object of type 'NoLen' has no len()");
  });

  it("StackDataset pairs datasets positionally or by name", () => {
    const pairs = new StackDataset([1, 2], ["x", "y"]);
    expect(pairs.__getitem__(1)).toEqual([2, "y"]);
    const named = new StackDataset({ n: [1, 2], s: ["x", "y"] });
    expect(named.__getitem__(0)).toEqual({ n: 1, s: "x" });
    expect(() => new StackDataset([1], [1, 2])).toThrow("Size mismatch between datasets");
    expect(() => new StackDataset()).toThrow("At least one dataset should be passed");
  });

  it("ChainDataset chains streams", () => {
    class Of extends IterableDataset<number> {
      constructor(readonly xs: number[]) {
        super();
      }
      override [Symbol.iterator](): Iterator<number> {
        return this.xs[Symbol.iterator]();
      }
      __len__(): number {
        return this.xs.length;
      }
    }
    const chain = new Of([1, 2]).__add__(new Of([3]));
    expect(chain).toBeInstanceOf(ChainDataset);
    expect([...chain]).toEqual([1, 2, 3]);
    expect(chain.__len__()).toBe(3);
  });
});
