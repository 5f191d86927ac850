// The engine keeps each backward pass's bookkeeping (pending edges, gradient buffers) on the
// nodes themselves; these tests check that a pass started from a hook inside another, over
// the same nodes, leaves the outer pass's state as it found it, and that a pass that fails
// leaves nothing behind for the next. Expected values are worked out by hand below.

import { describe, expect, it } from "vitest";
import torch from "../../src/index.js";

const values = (t: any) => Array.from(t.contiguous()._values() as Float32Array);

describe("backward passes over shared nodes", () => {
  it("a pass run from a hook, through a node the outer pass is halfway through, leaves it intact", () => {
    // a = 2x feeds b = 3a and c = 4a. The outer pass runs c's node first (made later), so a's
    // node holds c's gradient and waits for b's when b's hook runs the inner pass through a.
    const x = torch.ones([3], { requires_grad: true });
    const a = x.mul(2);
    const b = a.mul(3);
    const c = a.mul(4);
    let inner: number[] | null = null;
    b.register_hook((g) => {
      // (Hooks run in the pass's grad mode, off here, as in PyTorch.)
      const [gx] = torch.enable_grad(() => torch.autograd.grad([a.sum()], [x], null, { retain_graph: true }));
      inner = values(gx);
      return g;
    });
    b.add(c).sum().backward();
    // d(sum a)/dx = 2; d(sum(3a + 4a))/dx = 2·(3 + 4) = 14.
    expect(inner).toEqual([2, 2, 2]);
    expect(values(x.grad)).toEqual([14, 14, 14]);
  });

  it("a pass run from a hook with .backward() accumulates, and the outer pass still completes", () => {
    const x = torch.ones([2], { requires_grad: true });
    const a = x.mul(5);
    const b = a.mul(a); // 25x², da/dx 5, db/da 2a = 10 at x = 1
    let once = true; // (the inner pass reaches this hook too)
    a.register_hook((g) => {
      if (once) {
        once = false;
        torch.enable_grad(() => a.sum().backward(null, { retain_graph: true }));
      }
      return g;
    });
    b.sum().backward();
    // inner: d(sum a)/dx = 5; outer: d(sum b)/dx = 2a·5 = 50.
    expect(values(x.grad)).toEqual([55, 55]);
  });

  it("a pass that throws leaves no gradients behind in the nodes for the next", () => {
    const x = torch.ones([2], { requires_grad: true });
    const y = x.mul(3);
    const z = y.mul(2);
    let fail = true;
    y.register_hook((g) => {
      if (fail) throw new Error("hook failed");
      return g;
    });
    expect(() => z.sum().backward(null, { retain_graph: true })).toThrow("hook failed");
    expect(y.grad_fn!._buffer).toBeNull();
    expect(y.grad_fn!._pass).toBe(0);
    fail = false;
    z.sum().backward();
    expect(values(x.grad)).toEqual([6, 6]);
  });
});
