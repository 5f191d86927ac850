import { describe, expect, it } from "vitest";
import torch from "../../../src/index.js";
import type { Tensor } from "../../../src/index.js";
import { f32Hex, loadGolden, range } from "./golden.js";

const { DataLoader, TensorDataset, IterableDataset, Dataset, BatchSampler, SequentialSampler, RandomSampler } = torch.utils.data;

interface LoaderCase {
  seed: number;
  n: number;
  batch_size: number;
  drop_last: boolean;
  shuffle: boolean;
  generator_seed: number | null;
  len: number;
  epochs: number[][][];
  rand_after: string[];
  g_rand_after?: string[];
}

interface SamplerCase {
  seed: number;
  n: number;
  options: { num_samples?: number; replacement?: boolean };
  generator_seed: number | null;
  len: number;
  epochs: number[][];
  rand_after: string[];
  g_rand_after?: string[];
}

interface SamplersGolden {
  random_sampler: SamplerCase[];
  loaders: LoaderCase[];
  partial: { seed: number; first: number[]; rand_after: string[] }[];
  created: { seed: number; rand_after: string[] }[];
  unbatched_seed0: number[][];
  batch_sampler: number[][][];
}

const golden = loadGolden<SamplersGolden>("samplers.json");

function label(c: { seed: number; generator_seed: number | null }): string {
  return `seed ${c.seed}, ${c.generator_seed === null ? "global generator" : `Generator(${c.generator_seed})`}`;
}

describe("DataLoader against PyTorch", () => {
  for (const c of golden.loaders) {
    it(`n=${c.n} batch_size=${c.batch_size} drop_last=${c.drop_last} shuffle=${c.shuffle}, ${label(c)}`, () => {
      torch.manual_seed(c.seed);
      const g = c.generator_seed === null ? undefined : new torch.Generator().manual_seed(c.generator_seed);
      const ds = new TensorDataset(torch.arange(c.n), torch.arange(c.n).mul(10));
      const loader = new DataLoader(ds, { batch_size: c.batch_size, shuffle: c.shuffle, drop_last: c.drop_last, generator: g });
      expect(loader.length).toBe(c.len);
      expect(loader.__len__()).toBe(c.len);
      const epochs: number[][][] = [];
      for (let e = 0; e < 2; e++) {
        const batches: number[][] = [];
        for (const [x, y] of loader) {
          expect(torch.equal(y!, x!.mul(10))).toBe(true);
          batches.push(x!.tolist() as number[]);
        }
        epochs.push(batches);
      }
      expect(epochs).toEqual(c.epochs);
      // The global stream after two epochs: the base-seed draws (and, without a generator, the
      // sampler's seed draws) consumed exactly what PyTorch's did.
      expect(f32Hex(torch.rand(3))).toEqual(c.rand_after);
      if (g) expect(f32Hex(torch.rand([3], { generator: g }))).toEqual(c.g_rand_after);
    });
  }

  it("breaking out after the first batch leaves the global stream where PyTorch's is", () => {
    for (const c of golden.partial) {
      torch.manual_seed(c.seed);
      const loader = new DataLoader(new TensorDataset(torch.arange(10)), { batch_size: 4, shuffle: true });
      const first = loader[Symbol.iterator]().next().value!;
      expect(first[0]!.tolist()).toEqual(c.first);
      expect(f32Hex(torch.rand(3))).toEqual(c.rand_after);
    }
  });

  it("creating the iterator draws the base seed, and only that", () => {
    for (const c of golden.created) {
      torch.manual_seed(c.seed);
      const loader = new DataLoader(new TensorDataset(torch.arange(10)), { batch_size: 4, shuffle: true });
      loader[Symbol.iterator]();
      expect(f32Hex(torch.rand(3))).toEqual(c.rand_after);
    }
  });

  it("batch_size=null yields unbatched samples in PyTorch's shuffled order", () => {
    torch.manual_seed(0);
    const items = [...new DataLoader(new TensorDataset(torch.arange(5)), { batch_size: null, shuffle: true })];
    expect(items.map((item) => (item as Tensor[]).map((t) => t.tolist()))).toEqual(golden.unbatched_seed0);
    expect((items[0] as Tensor[])[0]!.ndim).toBe(0);
  });

  it("takes a batch_sampler", () => {
    const loader = new DataLoader(new TensorDataset(torch.arange(10)), {
      batch_sampler: new BatchSampler(new SequentialSampler(range(10)), 3, false),
    });
    expect([...loader].map(([x]) => x!.tolist())).toEqual(golden.batch_sampler[0]);
    expect(loader.length).toBe(4);
    expect(loader.batch_size).toBe(null);
  });
});

describe("RandomSampler against PyTorch", () => {
  for (const c of golden.random_sampler) {
    it(`n=${c.n} ${JSON.stringify(c.options)}, ${label(c)}`, () => {
      torch.manual_seed(c.seed);
      const g = c.generator_seed === null ? undefined : new torch.Generator().manual_seed(c.generator_seed);
      const s = new RandomSampler(range(c.n), { ...c.options, generator: g });
      expect(s.length).toBe(c.len);
      expect([[...s], [...s]]).toEqual(c.epochs);
      expect(f32Hex(torch.rand(3))).toEqual(c.rand_after);
      if (g) expect(f32Hex(torch.rand([3], { generator: g }))).toEqual(c.g_rand_after);
    });
  }

  it("BatchSampler gives PyTorch's batches", () => {
    expect([...new BatchSampler(new SequentialSampler(range(10)), 3, false)]).toEqual(golden.batch_sampler[0]);
    expect([...new BatchSampler(new SequentialSampler(range(10)), 3, true)]).toEqual(golden.batch_sampler[1]);
    expect(new BatchSampler(range(10), 3, false).length).toBe(4);
    expect(new BatchSampler(range(10), 3, true).length).toBe(3);
  });

  it("refuses bad arguments with PyTorch's messages", () => {
    expect(() => new RandomSampler([], {})).toThrow("num_samples should be a positive integer value, but got num_samples=0");
    expect(() => new RandomSampler(range(3), { num_samples: 1.5 })).toThrow(torch.ValueError);
    expect(() => new BatchSampler(range(3), 0, false)).toThrow("batch_size should be a positive integer value, but got batch_size=0");
    expect(() => new BatchSampler(range(3), 2, 1 as unknown as boolean)).toThrow("drop_last should be a boolean value, but got drop_last=1");
  });
});

describe("DataLoader options", () => {
  const ds = new TensorDataset(torch.arange(10));

  it("refuses what PyTorch refuses, in its words", () => {
    expect(() => new DataLoader(ds, { sampler: range(10), shuffle: true })).toThrow("sampler option is mutually exclusive with shuffle");
    expect(() => new DataLoader(ds, { batch_sampler: [[0, 1]], batch_size: 2 })).toThrow(
      "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last",
    );
    expect(() => new DataLoader(ds, { batch_size: null, drop_last: true })).toThrow(
      "batch_size=None option disables auto-batching and is mutually exclusive with drop_last",
    );
    expect(() => new DataLoader(ds, { num_workers: -1 })).toThrow(torch.ValueError);
  });

  it("says that worker processes are not supported", () => {
    expect(() => new DataLoader(ds, { num_workers: 2 })).toThrow(torch.NotImplementedError);
    expect(() => new DataLoader(ds, { num_workers: 2 })).toThrow(/num_workers=2 is not supported/);
  });

  it("uses a custom sampler and collate_fn", () => {
    const loader = new DataLoader(ds, {
      sampler: [9, 0, 5],
      batch_size: 2,
      collate_fn: (batch: Tensor[][]) => batch.map(([x]) => x!.item() as number),
    });
    const batches: number[][] = [...loader];
    expect(batches).toEqual([[9, 0], [5]]);
  });

  it("fetches a batch through __getitems__ when the dataset has it", () => {
    const calls: number[][] = [];
    class Batched extends Dataset<number> {
      __getitem__(i: number): number {
        return i;
      }
      __getitems__(indices: number[]): number[] {
        calls.push(indices);
        return indices.map((i) => i * 2);
      }
      override __len__(): number {
        return 5;
      }
    }
    const out = [...new DataLoader(new Batched(), { batch_size: 2 })].map((t) => t.tolist());
    expect(out).toEqual([[0, 2], [4, 6], [8]]);
    expect(calls).toEqual([[0, 1], [2, 3], [4]]);
  });

  it("loads from a plain array, as from a Python list", () => {
    const out = [...new DataLoader([1.5, 2.5, 3.5], { batch_size: 2 })];
    expect(out.map((t) => t.tolist())).toEqual([[1.5, 2.5], [3.5]]);
    expect(out[0]!.dtype).toBe(torch.float64);
  });

  it("has a Python-style iterator protocol", () => {
    const it = new DataLoader(ds, { batch_size: 6 }).__iter__();
    expect(it.length).toBe(2);
    expect(it.__next__()[0]!.tolist()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(it.__next__()[0]!.tolist()).toEqual([6, 7, 8, 9]);
    expect(() => it.__next__()).toThrow(torch.utils.data.StopIteration);
  });
});

describe("DataLoader over an IterableDataset", () => {
  class Range extends IterableDataset<number> {
    constructor(
      readonly start: number,
      readonly end: number,
    ) {
      super();
    }
    override *__iter__(): Iterator<number> {
      for (let i = this.start; i < this.end; i++) yield i;
    }
    __len__(): number {
      return this.end - this.start;
    }
  }

  it("batches the stream (PyTorch's docstring example: [tensor([3]), tensor([4]), ...])", () => {
    const out = [...new DataLoader(new Range(3, 7))].map((t) => t.tolist());
    expect(out).toEqual([[3], [4], [5], [6]]);
  });

  it("keeps or drops the last short batch", () => {
    expect([...new DataLoader(new Range(0, 7), { batch_size: 3 })].map((t) => t.tolist())).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect([...new DataLoader(new Range(0, 7), { batch_size: 3, drop_last: true })].map((t) => t.tolist())).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(new DataLoader(new Range(0, 7), { batch_size: 3 }).length).toBe(3);
    expect(new DataLoader(new Range(0, 7), { batch_size: 3, drop_last: true }).length).toBe(2);
  });

  it("without batching yields the items themselves, and can run twice", () => {
    const loader = new DataLoader(new Range(0, 3), { batch_size: null });
    expect([...loader]).toEqual([0, 1, 2]);
    expect([...loader]).toEqual([0, 1, 2]);
  });

  it("refuses shuffle and samplers", () => {
    expect(() => new DataLoader(new Range(0, 3), { shuffle: true })).toThrow(
      "DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=true",
    );
    expect(() => new DataLoader(new Range(0, 3), { sampler: [0] })).toThrow(/expected unspecified sampler option/);
  });
});

describe("the TensorDataset batch fast path", () => {
  // A subclass turns the row-copy fast path off, so the general path (one view per sample,
  // then default_collate's stack) is the reference here; the PyTorch goldens above already run
  // through the fast path.
  class SlowTensorDataset extends TensorDataset {}

  function batches(ds: InstanceType<typeof TensorDataset> | InstanceType<typeof torch.utils.data.Subset<Tensor[]>>) {
    torch.manual_seed(3);
    return [...new DataLoader(ds, { batch_size: 4, shuffle: true })];
  }

  it("gives the general path's batches, for plain tensors, non-contiguous ones, and Subsets", () => {
    const x = torch.arange(60).reshape([10, 2, 3]).float();
    const y = torch.arange(10);
    const xt = torch.arange(30).reshape([3, 10]).t();
    for (const [fast, slow] of [
      [new TensorDataset(x, y), new SlowTensorDataset(x, y)],
      [new TensorDataset(xt, y), new SlowTensorDataset(xt, y)],
    ] as const) {
      const a = batches(fast);
      const b = batches(slow);
      expect(a.length).toBe(3);
      a.forEach((batch, i) => {
        batch.forEach((t, j) => {
          expect(t.dtype).toBe(b[i]![j]!.dtype);
          expect(t.shape).toEqual(b[i]![j]!.shape);
          expect(t.tolist()).toEqual(b[i]![j]!.tolist());
        });
      });
    }
    const [train] = torch.utils.data.random_split(new TensorDataset(x, y), [6, 4], { generator: new torch.Generator().manual_seed(1) });
    const [trainSlow] = torch.utils.data.random_split(new SlowTensorDataset(x, y), [6, 4], { generator: new torch.Generator().manual_seed(1) });
    expect(batches(train!).map((bt) => bt.map((t) => t.tolist()))).toEqual(batches(trainSlow!).map((bt) => bt.map((t) => t.tolist())));
  });

  it("leaves tensors that require grad to stack, which records StackBackward0", () => {
    const w = torch.ones([4, 2]).requires_grad_();
    const [[xb]] = [...new DataLoader(new TensorDataset(w), { batch_size: 4 })];
    expect(xb!.grad_fn!.name()).toBe("StackBackward0");
  });

  it("refuses an out-of-range sampler index as TensorDataset does", () => {
    const loader = new DataLoader(new TensorDataset(torch.arange(3)), { sampler: [0, 5], batch_size: 2 });
    expect(() => [...loader]).toThrow("index 5 is out of bounds for dimension 0 with size 3");
  });
});
