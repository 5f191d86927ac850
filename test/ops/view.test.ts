/**
 * View ops against PyTorch (test/golden/core/views.json): for every op on contiguous and
 * non-contiguous bases, the shape, strides, storage offset, contiguity and values are
 * bit-exact, the result shares (or, for a copying reshape, does not share) the base's memory,
 * and the grad_fn is PyTorch 2.x's node name. Errors have PyTorch's class and text.
 */

import { describe, expect, it } from "vitest";

import torch, { Tensor } from "../../src/index.js";
import { decodeArg, expectPyError, expectTensor, golden, type PyError } from "../golden/core/load.js";

interface ViewCase {
  base: string;
  op: string;
  args: unknown[];
  base_stride: number[];
  base_offset: number;
  error?: PyError;
  shape?: number[];
  stride?: number[];
  storage_offset?: number;
  is_contiguous?: boolean;
  values?: number[];
  returns_input?: boolean;
  shares_storage?: boolean;
  root_after_fill?: number[];
  grad_fn?: string | null;
  grad_fn_1_13?: string | null;
}

const fixtures = golden<{
  bases: Record<string, { numel: number; chain: [string, unknown[]][] }>;
  cases: ViewCase[];
}>("views");

type AnyMethod = (...args: unknown[]) => Tensor;

function applyOp(t: Tensor, op: string, args: unknown[]): Tensor {
  if (op === "T") return t.T;
  if (op === "mT") return t.mT;
  if (op === "squeeze_list") return t.squeeze(args[0] as number[]);
  return ((t as unknown as Record<string, AnyMethod>)[op]!).apply(t, args);
}

function buildBase(name: string, requiresGrad: boolean): { root: Tensor; base: Tensor } {
  const spec = fixtures.bases[name]!;
  const root = torch.arange(spec.numel, { dtype: torch.float32 });
  let t = requiresGrad ? root.requires_grad_().mul(1) : root;
  for (const [op, args] of spec.chain) t = applyOp(t, op, decodeArg(args) as unknown[]);
  return { root, base: t };
}

function caseName(c: ViewCase): string {
  return `${c.base}.${c.op}(${JSON.stringify(c.args).slice(1, -1)})`;
}

const asEncoded = (values: number[], shape: number[]) => ({ dtype: "float32" as const, shape, values });

describe("view ops match PyTorch", () => {
  it("has the fixture cases", () => {
    expect(fixtures.cases.length).toBeGreaterThan(300);
    const ops = new Set(fixtures.cases.map((c) => c.op));
    for (const op of ["view", "reshape", "transpose", "t", "T", "mT", "permute", "expand", "narrow", "select",
      "squeeze", "squeeze_list", "unsqueeze", "flatten", "unflatten", "movedim", "swapaxes"]) {
      expect(ops.has(op), op).toBe(true);
    }
  });

  for (const c of fixtures.cases) {
    const args = decodeArg(c.args) as unknown[];
    it(caseName(c), () => {
      const { root, base } = buildBase(c.base, false);
      expect(base.stride(), "base strides").toEqual(c.base_stride);
      expect(base.storage_offset(), "base offset").toBe(c.base_offset);
      if (c.error) {
        expectPyError(() => applyOp(base, c.op, args), c.error);
        return;
      }
      const out = applyOp(base, c.op, args);
      expect([...out.shape], "shape").toEqual(c.shape);
      expect(out.stride(), "stride").toEqual(c.stride);
      expect(out.storage_offset(), "storage_offset").toBe(c.storage_offset);
      expect(out.is_contiguous(), "is_contiguous").toBe(c.is_contiguous);
      expectTensor(out, asEncoded(c.values!, c.shape!), { label: "values" });
      expect(out === base, "returns its input").toBe(c.returns_input);
      expect(out._storage === root._storage, "shares storage").toBe(c.shares_storage);
      out.fill_(-1);
      expectTensor(root, asEncoded(c.root_after_fill!, [root.numel()]), { label: "root after fill_(-1)" });

      const g = buildBase(c.base, true);
      const gout = applyOp(g.base, c.op, args);
      if (c.grad_fn === null) {
        if (c.op === "squeeze_list") expect(gout.grad_fn).not.toBeNull();
        else expect(gout.grad_fn).toBeNull();
      } else {
        expect(gout.grad_fn?.name(), "grad_fn").toBe(c.grad_fn);
      }
    });
  }
});

describe("views and autograd", () => {
  it("a write into the base shows through every view", () => {
    const root = torch.arange(12, { dtype: torch.float32 });
    const views = [root.view(3, 4).t(), root.view(2, 6).narrow(1, 2, 3), root.view(3, 4).select(1, 2).unsqueeze(0)];
    root.add_(100);
    expect(views[0]!.tolist()).toEqual([[100, 104, 108], [101, 105, 109], [102, 106, 110], [103, 107, 111]]);
    expect(views[1]!.tolist()).toEqual([[102, 103, 104], [108, 109, 110]]);
    expect(views[2]!.tolist()).toEqual([[102, 106, 110]]);
  });

  it("gradients flow back through each view to the right elements", () => {
    // Each view picks out elements in a known layout, so its gradient is a known 0/1 pattern:
    // the weights below make every element's gradient unique.
    const x = torch.arange(24, { dtype: torch.float64 }).requires_grad_();
    const w = torch.arange(1, 25, { dtype: torch.float64 });
    const v = x.view(2, 3, 4).permute(2, 0, 1).narrow(0, 1, 2).select(2, -1); // (2, 2): x[b, 2, 1 + a]
    v.mul(w.narrow(0, 0, 4).view(2, 2)).sum().backward();
    const grad = x.grad!.tolist() as number[];
    const expected = new Array<number>(24).fill(0);
    // v[a][b] = x.view(2,3,4)[b][2][1 + a]; weight w[a*2 + b]
    for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) expected[b * 12 + 2 * 4 + 1 + a] = a * 2 + b + 1;
    expect(grad).toEqual(expected);
  });

  it("expand's gradient sums over the broadcast dims", () => {
    const x = torch.tensor([[1.5], [2.5]], { requires_grad: true });
    x.expand(3, 2, 4).sum().backward();
    expect(x.grad!.tolist()).toEqual([[12], [12]]);
  });

  it("a copying reshape is a new tensor, not a view", () => {
    const x = torch.arange(6, { dtype: torch.float32 }).view(2, 3).t();
    const r = x.reshape(6);
    expect(r._base).toBeNull();
    expect(r.tolist()).toEqual([0, 3, 1, 4, 2, 5]);
  });
});
