/**
 * torch.Generator (src/random/generator.ts): the MT19937 stream, seeding rules, errors,
 * initial_seed, and get_state / set_state in PyTorch's byte layout (checked against bytes
 * from PyTorch 1.13 in test/golden/random/generator.json).
 */

import { describe, expect, it } from "vitest";
import {
  Generator,
  default_generator,
  defaultGenerator,
  get_rng_state,
  initial_seed,
  manual_seed,
  seed,
  set_rng_state,
} from "../../src/random/generator.js";
import { RuntimeError } from "../../src/errors.js";
import { normalFill } from "../../src/random/distributions.js";
import { loadGolden } from "./golden.js";
import { fromHex, toHex } from "../harness/bytes.js";

const draws = (g: Generator, n: number) => Array.from({ length: n }, () => g.nextUint32());

describe("MT19937 stream (docs/pytorch-rng.md section 3 test vectors)", () => {
  it("seed 0", () => {
    expect(draws(new Generator().manual_seed(0), 6)).toEqual([
      2357136044, 2546248239, 3071714933, 3626093760, 2588848963, 3684848379,
    ]);
  });
  it("seed 42", () => {
    expect(draws(new Generator().manual_seed(42), 3)).toEqual([1608637542, 3421126067, 4083286876]);
  });
  it("matches std::mt19937's 10000th output for the default seed 5489", () => {
    // The C++ standard requires this value ([rand.predef]).
    const g = new Generator().manual_seed(5489);
    let v = 0;
    for (let i = 0; i < 10000; i++) v = g.nextUint32();
    expect(v).toBe(4123659995);
  });
  it("random64 takes the first draw as the high half", () => {
    const a = new Generator().manual_seed(0);
    expect(a.nextUint64()).toBe((2357136044n << 32n) | 2546248239n);
    const b = new Generator().manual_seed(0);
    expect(b.uniform53()).toBe(((2357136044 & 0x1fffff) * 2 ** 32 + 2546248239) * 2 ** -53);
    expect(new Generator().manual_seed(0).uniform24()).toBe((2357136044 & 0xffffff) * 2 ** -24);
  });
});

describe("manual_seed", () => {
  it("uses only the low 32 bits: 2**32+5 is 5; -1, 2**32-1 and 2**64-1 are one stream", () => {
    expect(draws(new Generator().manual_seed(2 ** 32 + 5), 5)).toEqual(draws(new Generator().manual_seed(5), 5));
    const ref = draws(new Generator().manual_seed(-1), 5);
    expect(draws(new Generator().manual_seed(2 ** 32 - 1), 5)).toEqual(ref);
    expect(draws(new Generator().manual_seed(2n ** 64n - 1n), 5)).toEqual(ref);
  });
  it("stores the seed as uint64; initial_seed is a number when safe, else a bigint", () => {
    expect(new Generator().manual_seed(-1).initial_seed()).toBe(18446744073709551615n);
    expect(new Generator().manual_seed(-5).initial_seed()).toBe(18446744073709551611n);
    expect(new Generator().manual_seed(2n ** 63n).initial_seed()).toBe(9223372036854775808n);
    expect(new Generator().manual_seed(123456789).initial_seed()).toBe(123456789);
    expect(new Generator().manual_seed(2 ** 53 - 1).initial_seed()).toBe(2 ** 53 - 1);
    expect(new Generator().manual_seed(2 ** 53).initial_seed()).toBe(2n ** 53n);
    expect(new Generator().manual_seed(-(2n ** 63n)).initial_seed()).toBe(2n ** 63n);
  });
  it("refuses what PyTorch refuses, with its messages", () => {
    expect(() => new Generator().manual_seed(2n ** 64n)).toThrow(RuntimeError);
    expect(() => new Generator().manual_seed(2n ** 64n)).toThrow("Overflow when unpacking long");
    expect(() => new Generator().manual_seed(-(2n ** 63n) - 1n)).toThrow("Overflow when unpacking long");
    expect(() => new Generator().manual_seed(1e20)).toThrow("Overflow when unpacking long");
    expect(() => new Generator().manual_seed(1.5)).toThrow(TypeError);
    expect(() => new Generator().manual_seed(1.5)).toThrow("manual_seed expected a long, but got float");
    expect(() => new Generator().manual_seed(NaN)).toThrow(TypeError);
    expect(() => new Generator().manual_seed("3" as unknown as number)).toThrow("but got str");
    expect(() => new Generator().manual_seed(true as unknown as number)).toThrow("but got bool");
  });
  it("returns the generator; torch.manual_seed returns the default generator", () => {
    const g = new Generator();
    expect(g.manual_seed(3)).toBe(g);
    expect(manual_seed(3)).toBe(defaultGenerator);
    expect(default_generator).toBe(defaultGenerator);
    expect(initial_seed()).toBe(3);
  });
  it("clears the normal cache", () => {
    const g = new Generator().manual_seed(0);
    normalFill(new Float32Array(1), 0, 1, g);
    expect(g.normalCacheF64).not.toBeNull();
    g.manual_seed(0);
    expect(g.normalCacheF64).toBeNull();
  });
});

describe("unseeded generators", () => {
  it("torch.Generator() starts from PyTorch's default seed 67280421310721", () => {
    const g = new Generator();
    expect(g.initial_seed()).toBe(67280421310721);
    expect(g.device).toBe("cpu");
    expect(draws(g, 3)).toEqual(draws(new Generator().manual_seed(67280421310721), 3));
  });
  it("seed() sets and returns a non-deterministic 53-bit seed", () => {
    const g = new Generator();
    const s = g.seed();
    expect(Number.isSafeInteger(s)).toBe(true);
    expect(g.initial_seed()).toBe(s);
    expect(new Generator().seed()).not.toBe(s); // 2^-53 chance of a false failure
    const t = seed();
    expect(initial_seed()).toBe(t);
  });
  it("only the cpu device exists", () => {
    expect(() => new Generator("cuda")).toThrow(RuntimeError);
  });
});

describe("get_state / set_state", () => {
  it("round-trips, including the normal cache", () => {
    const g = new Generator().manual_seed(11);
    draws(g, 700); // past a twist
    normalFill(new Float64Array(3), 0, 1, g); // leaves the cache set
    const state = g.get_state();
    expect(state.length).toBe(5056);
    const after = draws(g, 10);
    const cache = g.normalCacheF64;
    const h = new Generator().set_state(state);
    expect(h.normalCacheF64).toBe(cache);
    expect(draws(h, 10)).toEqual(after);
    expect(h.initial_seed()).toBe(11);
  });
  it("torch.get_rng_state / set_rng_state on the default generator", () => {
    manual_seed(5);
    const s = get_rng_state();
    const a = draws(defaultGenerator, 4);
    set_rng_state(s);
    expect(draws(defaultGenerator, 4)).toEqual(a);
  });
  it("refuses wrong sizes and invalid states with PyTorch's messages", () => {
    const g = new Generator();
    expect(() => g.set_state(new Uint8Array(10))).toThrow(
      "Expected either a CPUGeneratorImplStateLegacy of size 5048 or a CPUGeneratorImplState of size 5056 " +
        "but found the input RNG state size to be 10",
    );
    expect(() => g.set_state(new Uint8Array(5056))).toThrow("Invalid mt19937 state");
    expect(() => g.set_state(new Uint8Array(5048))).toThrow("Invalid mt19937 state");
  });

  const golden = loadGolden("generator.json");
  const stateCases = golden.cases.filter((c) => c.name.endsWith("/state"));
  it("PyTorch's own state bytes load and continue PyTorch's stream", () => {
    expect(stateCases.length).toBeGreaterThan(0);
    for (const c of stateCases) {
      const states = c.steps.filter((s) => s.op === "get_state");
      for (const s of states) {
        const bytes = fromHex(s.values[0]!);
        const g = new Generator().set_state(bytes);
        // Re-serialising gives PyTorch's bytes back, byte for byte.
        expect(toHex(g.get_state())).toBe(s.values[0]);
      }
    }
  });
});

describe("Generator.fillUint32 (bulk draws)", () => {
  it("gives the same values and leaves the same state as one nextUint32 call per value", () => {
    // sizes that end before, at and across the twister's 624-word blocks
    for (const sizes of [[1, 622, 1, 1, 700], [624, 624], [3, 1250, 5], [0, 10]]) {
      const bulk = new Generator().manual_seed(7);
      const single = new Generator().manual_seed(7);
      for (const n of sizes) {
        const out = new Uint32Array(n);
        bulk.fillUint32(out);
        const expected = Uint32Array.from({ length: n }, () => single.nextUint32());
        expect(out).toEqual(expected);
      }
      expect(toHex(bulk.get_state())).toBe(toHex(single.get_state()));
      expect(bulk.nextUint32()).toBe(single.nextUint32());
    }
  });
});
