// The fused optimizer steps of the native and WebAssembly backends against
// src/optim/flat_update.ts, bit for bit: random
// parameters, gradients and state (NaN, ±inf, ±0 and subnormals among them) over several steps,
// for every branch of the SGD and Adam / AdamW / AMSGrad updates.

import { describe, expect, it } from "vitest";
import torch, { Tensor } from "../../src/index.js";
import type { AdamStep, SgdStep } from "../../src/backend/backend.js";
import type { JsStorage } from "../../src/backend/js/storage.js";
import type { Backend } from "../../src/backend/backend.js";
import { nativeBackend } from "../../src/backend/native/index.js";
import { describeNativeMissing } from "../harness/native_missing.js";
import { wasmBackend } from "../../src/backend/wasm/index.js";
import { adamFlat, sgdFlat } from "../../src/optim/flat_update.js";
import { rng } from "./wasm_testing.js";

function values(random: () => number, n: number, special: boolean): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = random();
    out[i] =
      special && u < 0.01 ? NaN
      : special && u < 0.02 ? (random() < 0.5 ? Infinity : -Infinity)
      : special && u < 0.04 ? (random() < 0.5 ? 0 : -0)
      : special && u < 0.05 ? 1e-42
      : (random() * 2 - 1) * 2 ** Math.floor(random() * 12 - 6);
  }
  return out;
}

/** A float32 tensor (on the default backend; every backend here shares its storage type): a narrowed view, so its offset is not 0. */
function tensorOf(data: Float32Array): Tensor {
  const padded = new Float32Array(data.length + 3);
  padded.set(data, 2);
  return torch.tensor(padded).narrow(0, 2, data.length);
}

function bitsOf(t: Tensor): number[] {
  const data = (t._storage as JsStorage).data as Float32Array;
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  return Array.from(bits.subarray(t._offset, t._offset + t.numel()), (b, i) => (data[t._offset + i] !== data[t._offset + i] ? -1 : b));
}

if (nativeBackend === null) {
  describeNativeMissing("native fused optimizer steps");
}

describe("the WebAssembly backend", () => {
  it("has the fused steps", () => {
    expect(wasmBackend?.sgdStep).toBeTypeOf("function");
    expect(wasmBackend?.adamStep).toBeTypeOf("function");
  });
});

const fused: [string, Backend][] = [];
if (nativeBackend !== null) fused.push(["native", nativeBackend]);
if (wasmBackend !== null) fused.push(["wasm", wasmBackend]);

for (const [name, backend] of fused) {
  const n = 1037;

  const sgdCases: SgdStep[] = [];
  for (const momentum of [0, 0.9]) {
    for (const dampening of [0, 0.25]) {
      for (const weight_decay of [0, 0.01]) {
        for (const nesterov of [false, true]) {
          for (const maximize of [false, true]) sgdCases.push({ lr: 0.07, momentum, dampening, weight_decay, nesterov, maximize });
        }
      }
    }
  }

  describe(`${name} sgdStep`, () => {
    it.each(sgdCases.map((h) => [JSON.stringify(h), h] as const))("matches sgdFlat bit for bit: %s", (_, h) => {
      const random = rng(sgdCases.indexOf(h) + 1);
      const special = random() < 0.5;
      const init = values(random, n, special);
      const [pFlat, pNative] = [tensorOf(init), tensorOf(init)];
      let bufFlat: Tensor | null = null;
      const bufNative = h.momentum !== 0 ? tensorOf(new Float32Array(n).fill(12345)) : null;
      for (let step = 0; step < 4; step++) {
        const grad = values(random, n, special);
        bufFlat = sgdFlat(pFlat, tensorOf(grad), bufFlat, h, () => torch.zeros([n]));
        backend.sgdStep!(pNative._view, tensorOf(grad)._view, bufNative?._view ?? null, h, step === 0);
        expect(bitsOf(pNative)).toEqual(bitsOf(pFlat));
        if (bufNative) expect(bitsOf(bufNative)).toEqual(bitsOf(bufFlat!));
      }
    });
  });

  const adamCases: [AdamStep, boolean][] = [];
  for (const beta1 of [0.9, 0.3]) {
    for (const weight_decay of [0, 0.02]) {
      for (const decoupled_weight_decay of [false, true]) {
        for (const maximize of [false, true]) {
          for (const amsgrad of [false, true]) {
            const h = { lr: 1e-3, beta1, beta2: 0.999, eps: 1e-8, weight_decay, maximize, decoupled_weight_decay, step_size: 0, bias_correction2_sqrt: 0 };
            adamCases.push([h, amsgrad]);
          }
        }
      }
    }
  }

  describe(`${name} adamStep`, () => {
    it.each(adamCases.map(([h, amsgrad]) => [`${JSON.stringify(h)} amsgrad=${amsgrad}`, h, amsgrad] as const))(
      "matches adamFlat bit for bit: %s",
      (_, base, amsgrad) => {
        const random = rng(adamCases.findIndex(([h, a]) => h === base && a === amsgrad) + 100);
        const special = random() < 0.5;
        const init = values(random, n, special);
        const [pFlat, pNative] = [tensorOf(init), tensorOf(init)];
        const state = (): Tensor[] => [tensorOf(new Float32Array(n)), tensorOf(new Float32Array(n)), tensorOf(new Float32Array(n))];
        const [mF, vF, vmaxF] = state();
        const [mN, vN, vmaxN] = state();
        for (let step = 1; step <= 4; step++) {
          const h: AdamStep = { ...base, step_size: base.lr / (1 - base.beta1 ** step), bias_correction2_sqrt: Math.sqrt(1 - base.beta2 ** step) };
          const grad = values(random, n, special);
          adamFlat(pFlat, tensorOf(grad), mF!, vF!, amsgrad ? vmaxF! : null, h);
          backend.adamStep!(pNative._view, tensorOf(grad)._view, mN!._view, vN!._view, amsgrad ? vmaxN!._view : null, h);
          expect(bitsOf(pNative)).toEqual(bitsOf(pFlat));
          expect(bitsOf(mN!)).toEqual(bitsOf(mF!));
          expect(bitsOf(vN!)).toEqual(bitsOf(vF!));
          if (amsgrad) expect(bitsOf(vmaxN!)).toEqual(bitsOf(vmaxF!));
        }
      },
    );
  });

  // Above 2^17 elements the native steps are cut into ranges over the thread pool: the bits must
  // not depend on the cut (an odd count, so the last range is a partial one).
  describe(`${name} fused steps over a large parameter, 1 and 2 threads`, () => {
    const big = 300_001;
    /** The first element whose bits differ, or -1 (a diff of 300,001 numbers takes vitest minutes to print). */
    const firstDifference = (x: Tensor, y: Tensor): number => {
      const [u, v] = [bitsOf(x), bitsOf(y)];
      for (let i = 0; i < u.length; i++) if (u[i] !== v[i]) return i;
      return u.length === v.length ? -1 : u.length;
    };
    it.each([1, 2])("SGD with momentum and Adam with AMSGrad match the flat updates bit for bit (%i thread(s))", (threads) => {
      const before = torch.get_num_threads();
      torch.set_num_threads(threads);
      try {
        const random = rng(500 + threads);
        const sgd: SgdStep = { lr: 0.05, momentum: 0.9, dampening: 0.1, weight_decay: 0.01, nesterov: true, maximize: false };
        const init = values(random, big, true);
        const [pFlat, pFused] = [tensorOf(init), tensorOf(init)];
        const bufFused = tensorOf(new Float32Array(big));
        let bufFlat: Tensor | null = null;
        for (let step = 0; step < 2; step++) {
          const grad = values(random, big, true);
          bufFlat = sgdFlat(pFlat, tensorOf(grad), bufFlat, sgd, () => torch.zeros([big]));
          backend.sgdStep!(pFused._view, tensorOf(grad)._view, bufFused._view, sgd, step === 0);
        }
        expect(firstDifference(pFused, pFlat)).toBe(-1);
        expect(firstDifference(bufFused, bufFlat!)).toBe(-1);
        const base = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.02, maximize: false, decoupled_weight_decay: true };
        const [qFlat, qFused] = [tensorOf(init), tensorOf(init)];
        const zeros = (): Tensor[] => [tensorOf(new Float32Array(big)), tensorOf(new Float32Array(big)), tensorOf(new Float32Array(big))];
        const [mF, vF, xF] = zeros();
        const [mN, vN, xN] = zeros();
        for (let step = 1; step <= 2; step++) {
          const h: AdamStep = { ...base, step_size: base.lr / (1 - base.beta1 ** step), bias_correction2_sqrt: Math.sqrt(1 - base.beta2 ** step) };
          const grad = values(random, big, true);
          adamFlat(qFlat, tensorOf(grad), mF!, vF!, xF!, h);
          backend.adamStep!(qFused._view, tensorOf(grad)._view, mN!._view, vN!._view, xN!._view, h);
        }
        expect(firstDifference(qFused, qFlat)).toBe(-1);
        expect(firstDifference(mN!, mF!)).toBe(-1);
        expect(firstDifference(vN!, vF!)).toBe(-1);
        expect(firstDifference(xN!, xF!)).toBe(-1);
      } finally {
        torch.set_num_threads(before);
      }
    });
  });

  describe(`${name} fused steps through torch.optim`, () => {
    it(`an Adam step on ${name} tensors gives the bits of one on JS tensors`, () => {
      const run = (backendName: string): number[] => {
        const previous = torch.backends.get_backend();
        torch.backends.set_backend(backendName);
        try {
          const random = rng(7);
          const p = torch.tensor(values(random, 300, false)).requires_grad_(true);
          const opt = new torch.optim.Adam([p], { lr: 0.01, amsgrad: true, weight_decay: 0.1 });
          for (let s = 0; s < 3; s++) {
            p.grad = torch.tensor(values(random, 300, false));
            opt.step();
          }
          return bitsOf(p);
        } finally {
          torch.backends.set_backend(previous);
        }
      };
      expect(run(name)).toEqual(run("js"));
    });
  });
}
