// The wasm backend's staged operands and the native backend's packed ones remember right-hand
// operands between products without keeping them alive. Both once held them through WeakRefs,
// whose deref() keeps the target alive until the current job ends; a synchronous training loop
// is one job, so every step's activation (B of the weight gradient gᵀ·x) stayed alive for the
// whole loop: 600 steps of Linear(784, 512) grew the process's ArrayBuffer memory from 4 to
// ~120 MiB. This runs such a loop on each backend and bounds the growth.

import v8 from "node:v8";
import vm from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import torch from "../../src/index.js";

// A collection on demand, to read live memory rather than garbage (the flag is read when gc is
// looked up, so a fresh context sees it).
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

const backends = torch.backends.list_backends().filter((b) => b !== "js");
const previous = torch.backends.get_backend();
afterAll(() => torch.backends.set_backend(previous));

describe.each(backends)("%s backend: remembered operands do not keep activations alive", (name) => {
  it("a synchronous loop of 150 training steps on new 64 x 784 inputs keeps its memory flat", () => {
    torch.backends.set_backend(name);
    torch.manual_seed(0);
    const F = torch.nn.functional;
    const W = torch.randn(512, 784).requires_grad_(true);
    const b = torch.randn(512).requires_grad_(true);
    const step = (): void => {
      const x = torch.randn(64, 784); // 196 KiB, a new storage each step
      W.grad = null;
      b.grad = null;
      F.linear(x, W, b).sum().backward();
    };
    for (let s = 0; s < 30; s++) step();
    // The count is the process's: a test file running in the other worker thread meanwhile
    // can add its own buffers to one window (12 MiB once in a CI-like run, 0 alone). A leak
    // grows every window by the 23 MiB its inputs take, so up to three windows are measured
    // and the quietest must stay under the bound.
    let grown = Infinity;
    for (let window = 0; window < 3 && grown >= 6 * 2 ** 20; window++) {
      gc();
      const before = process.memoryUsage().arrayBuffers;
      for (let s = 0; s < 120; s++) step();
      gc();
      grown = Math.min(grown, process.memoryUsage().arrayBuffers - before);
    }
    // Kept alive, the 120 inputs alone would be 23 MiB.
    expect(grown).toBeLessThan(6 * 2 ** 20);
  });
});
