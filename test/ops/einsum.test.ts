/**
 * einsum against real PyTorch (test/golden/reduce/einsum.json): values, the grad_fn of the
 * result (we contract as ATen does, so the last node matches), and every operand's gradient;
 * then float64 finite-difference checks of first and second derivatives.
 */

import { describe, expect, it } from "vitest";

import torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { gradcheck, gradgradcheck } from "../harness/gradcheck.js";
import { lcgTensor } from "../harness/streams.js";
import {
  decode, expectTensor, expectValues, inputOf, loadGolden, type Encoded, type EncodedTensor, type InputSpec,
} from "./reduce_testing.js";

interface EinsumCase {
  name: string;
  equation: string;
  operands: InputSpec[];
  output: EncodedTensor;
  grad_fn: string | null;
  upstream: Encoded[];
  grads: (Encoded[] | null)[];
}

const golden = loadGolden<EinsumCase>("einsum.json");

describe("einsum against PyTorch", () => {
  for (const c of golden.cases) {
    it(c.name, () => {
      const inputs = c.operands.map((spec) => inputOf(spec, true));
      const out = torch.einsum(c.equation, ...inputs.map((i) => i.x));
      expectTensor(out, c.output);
      expect(out.grad_fn?.name() ?? null).toBe(c.grad_fn);
      out.backward(torch.tensor(decode(c.upstream) as number[]).reshape([...out.shape]));
      inputs.forEach(({ base }, k) => {
        expect(base.grad, `operand ${k} grad`).not.toBe(null);
        expectValues(base.grad!._values() as Float32Array, c.grads[k]!, "float32", `operand ${k} grad`);
      });
    });
  }
});

/** Every node reachable from `t`'s grad_fn, by name. */
function nodeNames(t: Tensor): Set<string> {
  const names = new Set<string>();
  const seen = new Set<unknown>();
  const stack = t.grad_fn ? [t.grad_fn] : [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    names.add(node.name());
    for (const edge of node.next_functions) if (edge) stack.push(edge[0]);
  }
  return names;
}

describe("einsum", () => {
  const a = torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: torch.float32 });
  const b = torch.tensor([[1, 0], [0, 1], [2, -1]], { dtype: torch.float32 });
  // a · b, worked by hand.
  const product = [[7, -1], [16, -1]];

  it("takes the operands spread, as one array, or in the sublist format", () => {
    expect(torch.einsum("ij,jk->ik", a, b).tolist()).toEqual(product);
    expect(torch.einsum("ij,jk->ik", [a, b]).tolist()).toEqual(product);
    expect(torch.einsum(a, [0, 1], b, [1, 2], [0, 2]).tolist()).toEqual(product);
    expect(torch.einsum(a, [0, 1], b, [1, 2]).tolist()).toEqual(product);
    expect(torch.einsum(a, ["...", 1], [1, "..."]).tolist()).toEqual([[1, 4], [2, 5], [3, 6]]);
  });

  it("contracts with one batched matrix product, not a broadcast intermediate", () => {
    const x = lcgTensor([64, 512], 1).requires_grad_(true);
    const y = lcgTensor([512, 48], 2);
    const out = torch.einsum("ij,jk->ik", x, y);
    expect([...out.shape]).toEqual([64, 48]);
    expect(nodeNames(out).has("BmmBackward0")).toBe(true);
    expect(nodeNames(out).has("MulBackward0")).toBe(false);
    const expected = x.detach().mm(y);
    expect(out.sub(expected).abs().max().item()).toBeLessThan(1e-9);
  });

  it("orders the implicit output alphabetically, upper case first", () => {
    const x = torch.tensor([[1, 2, 3], [4, 5, 6]]);
    // Labels b then A: the output is "Ab", a transpose.
    expect(torch.einsum("bA", x).tolist()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(torch.einsum("Ab", x).tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it("works on integers (no gradient)", () => {
    const i = torch.tensor([[1, 2], [3, 4]]);
    const out = torch.einsum("ij,jk", i, i);
    expect(out.dtype).toBe(torch.int64);
    expect(out.tolist()).toEqual([[7, 10], [15, 22]]);
    expect(torch.einsum("ii", i).item()).toBe(5);
  });

  it("a single operand with nothing to contract is a view", () => {
    const out = torch.einsum("ij->ji", a);
    expect(out._storage).toBe(a._storage);
    expect(out.is_contiguous()).toBe(false);
  });

  it("empty operands give zeros", () => {
    const out = torch.einsum("ij,jk->ik", torch.zeros([2, 0]), torch.zeros([0, 3]));
    expect(out.tolist()).toEqual([[0, 0, 0], [0, 0, 0]]);
  });

  it("refuses an empty equation's operand list", () => {
    expect(() => torch.einsum("ij", [])).toThrow("einsum(): must provide at least one operand");
  });

  const cases: [string, number[][]][] = [
    ["ij,jk->ik", [[3, 4], [4, 2]]],
    ["bij,bjk->bik", [[2, 2, 3], [2, 3, 2]]],
    ["ii->i", [[3, 3]]],
    ["ii", [[3, 3]]],
    ["iij,jk->ik", [[2, 2, 3], [3, 2]]],
    ["i,j->ij", [[3], [2]]],
    ["...ij,...jk->...ik", [[2, 1, 2, 3], [3, 3, 2]]],
    ["i...j->j", [[2, 3, 2]]],
    ["bn,anm,bm->ba", [[2, 3], [2, 3, 2], [2, 2]]],
    ["ij,jk,kl->il", [[2, 3], [3, 2], [2, 2]]],
    ["ij,ij->ij", [[3, 1], [3, 2]]],
    ["ijk,jkl->il", [[2, 2, 3], [2, 3, 2]]],
  ];
  for (const [equation, shapes] of cases) {
    it(`gradcheck ${equation}`, () => {
      const inputs = shapes.map((s, k) => lcgTensor(s, 10 + k));
      const fn = (...xs: Tensor[]) => torch.einsum(equation, ...xs);
      gradcheck(fn, inputs);
      gradgradcheck(fn, inputs);
    });
  }
});
