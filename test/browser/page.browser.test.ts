/**
 * What only a page can show, run by the browser suite (vitest.browser.config.ts, whose server
 * sends COOP/COEP): the test page is cross-origin isolated, torch-ts picks its WebAssembly
 * backend and runs it multi-threaded on Web Workers, and torch.load reads a real HTTP Response.
 * In Node these are skipped: the Node suite has its own backend and loader tests.
 */

import { describe, expect, test } from "vitest";
import torch, { Tensor } from "../../src/index.js";

const inPage = typeof window !== "undefined" && typeof document !== "undefined";

/** torch.backends.wasm, with the threading queries where this build has them. */
const wasm = torch.backends.wasm as typeof torch.backends.wasm & { threads?: () => number; threading?: () => string };

describe.skipIf(!inPage)("torch-ts in a browser page (skipped in Node: it is the browser suite's)", () => {
  test("the page is cross-origin isolated, so SharedArrayBuffer exists", () => {
    expect(self.crossOriginIsolated).toBe(true);
    expect(typeof SharedArrayBuffer).toBe("function");
  });

  test("the WebAssembly backend is the default and says how it threads", async () => {
    expect(torch.backends.get_backend()).toBe("wasm");
    await wasm.ready();
    expect(wasm.kernel()).toMatch(/^(relaxed_simd|simd)$/);
    if (typeof wasm.threads === "function") {
      const threads = wasm.threads();
      if (navigator.hardwareConcurrency > 1) expect(threads).toBeGreaterThan(1);
      expect(wasm.threading!()).toMatch(new RegExp(`^${threads} thread`));
    }
  });

  test("a matrix product on the threaded backend equals the JS reference's", async () => {
    await wasm.ready();
    torch.manual_seed(0);
    const a = torch.randn(96, 200);
    const b = torch.randn(200, 80);
    const fast = a.matmul(b);
    torch.backends.set_backend("js");
    try {
      const reference = a.matmul(b);
      expect(fast.sub(reference).abs().max().item()).toBeLessThan(1e-4);
    } finally {
      torch.backends.set_backend("wasm");
    }
  });

  test("the browser bundle (dist/browser/torch-ts.js, npm run build:browser) loads and computes as the sources do", async () => {
    const url = "/dist/browser/torch-ts.js";
    expect((await fetch(url, { method: "HEAD" })).status, `${url} is missing: run npm run build:browser`).toBe(200);
    const bundled = ((await import(/* @vite-ignore */ url)) as { default: typeof torch }).default;
    expect(bundled).not.toBe(torch);
    expect(bundled.backends.get_backend()).toBe("wasm");
    const run = (t: typeof torch) => {
      t.manual_seed(0);
      const m = new t.nn.Linear(2, 3);
      return [String(m), String(m(t.randn(4, 2)))];
    };
    const [repr, out] = run(bundled);
    expect(repr).toBe("Linear(in_features=2, out_features=3, bias=True)");
    expect(out).toBe(run(torch)[1]);
  });

  test("torch.load reads PyTorch's file from a fetch Response of the server", async () => {
    // The suite's server serves the repository's files from its root.
    const response = await fetch("/test/golden/pt/valid/linear_float32.pt");
    const state = await torch.load<Record<string, Tensor>>(response);
    expect(Object.keys(state)).toEqual(["weight", "bias"]);
    expect([...state["weight"]!.shape]).toEqual([3, 4]);
    await expect(torch.load(await fetch("/test/golden/pt/valid/missing.pt"))).rejects.toThrow(/HTTP status 404/);
  });
});
