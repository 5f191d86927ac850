/**
 * fma32 and fma64 (src/random/fma.ts) against exact BigInt rounding: random operands over
 * many magnitudes, cancellations, and constructed near-ties where rounding a·b first, or
 * rounding the binary64 sum to binary32, gives the wrong answer.
 */

import { describe, expect, it } from "vitest";
import { fma32, fma32Exact, fma64, fma64Exact } from "../../src/random/fma.js";
import { xorshift128plus } from "../harness/streams.js";

/** Deterministic inputs. */
const next = xorshift128plus(7, 0x6d2b79f5);
const u53 = () => ((next() & 0x1fffff) * 4294967296 + next()) * 2 ** -53;
const sign = () => (next() & 1 ? -1 : 1);
const f64 = (lo: number, hi: number) => sign() * (1 + u53()) * 2 ** (lo + (next() % (hi - lo + 1)));
const f32 = (lo: number, hi: number) => Math.fround(f64(lo, hi));

function same(a: number, b: number): boolean {
  return Object.is(a, b);
}

describe("fma32", () => {
  it("matches exact rounding on 100,000 random float32 triples", () => {
    for (let i = 0; i < 100000; i++) {
      const a = f32(-20, 20);
      const b = f32(-20, 20);
      // Addends near the product's size make the interesting roundings; also far ones.
      const c = i % 3 === 0 ? Math.fround(-a * b * (1 + (u53() - 0.5) * 2 ** -20)) : f32(-40, 40);
      const want = fma32Exact(a, b, c);
      const got = fma32(a, b, c);
      if (!same(got, want)) throw new Error(`fma32(${a}, ${b}, ${c}) = ${got}, want ${want}`);
    }
  });

  it("breaks binary32 midpoints that the binary64 sum lands on (double rounding)", () => {
    let fixed = 0;
    for (let i = 0; i < 20000; i++) {
      // a·b = ±2^(e-24)·(1 - 2^-46): half a binary32 ulp of m less a sliver that the binary64
      // sum cannot hold, so s = rn64(c + a·b) is exactly a midpoint while the exact sum is
      // just below it (c = m) or just above it (c = the next binary32 after m, product negated).
      const m = f32(-10, 10);
      const e = Math.floor(Math.log2(Math.abs(m)));
      const sm = m < 0 ? -1 : 1;
      const H = 2 ** (e - 24);
      const above = (next() & 1) === 1;
      const a = Math.fround((1 - 2 ** -23) * H) * sm * (above ? -1 : 1);
      const b = Math.fround(1 + 2 ** -23);
      const c = above ? Math.fround(m + 2 * H * sm) : m;
      const want = fma32Exact(a, b, c);
      const got = fma32(a, b, c);
      expect(same(got, want)).toBe(true);
      if (Math.fround(a * b + c) !== want) fixed++;
    }
    // The double-rounded result is wrong for about half of these; fma32 for none.
    expect(fixed).toBeGreaterThan(4000);
  });

  it("spec values: AVX2 uniform_ weight of Linear(2,3), seed 0", () => {
    // f = rn32(-bound), w = 2·t; the first draw's x = 8325804·2^-24 (docs/pytorch-rng.md §8).
    const bound = Math.sqrt(3) * (Math.sqrt(2 / (1 + Math.sqrt(5) * Math.sqrt(5))) / Math.sqrt(2));
    const f = Math.fround(-bound);
    const w = Math.fround(Math.fround(bound) - f);
    const bits = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0]!.toString(16);
    expect(bits(fma32(8325804 * 2 ** -24, w, f))).toBe("bbad7922");
    expect(bits(Math.fround(Math.fround(8325804 * 2 ** -24 * w) + f))).toBe("bbad7900"); // unfused
  });

  it("special values", () => {
    expect(fma32(0, 5, -0)).toBe(0);
    expect(Object.is(fma32(-0, 5, -0), -0)).toBe(true);
    expect(fma32(Infinity, 2, 1)).toBe(Infinity);
    expect(fma32(NaN, 2, 1)).toBeNaN();
    expect(fma32(3.4028234663852886e38, 2, 0)).toBe(Infinity);
    expect(fma32(1.401298464324817e-45, 0.5, 0)).toBe(0); // ties to even in the subnormals
    expect(fma32(1.401298464324817e-45, 0.75, 0)).toBe(1.401298464324817e-45);
  });
});

describe("fma64", () => {
  it("matches exact rounding on 100,000 random triples", () => {
    for (let i = 0; i < 100000; i++) {
      const a = f64(-60, 60);
      const b = f64(-60, 60);
      let c: number;
      switch (i % 4) {
        case 0:
          c = -a * b; // massive cancellation: the result is the product's rounding error
          break;
        case 1:
          c = -a * b * (1 + (u53() - 0.5) * 2 ** -30);
          break;
        case 2:
          c = f64(-130, 130);
          break;
        default:
          c = a * b * 2 ** -(next() % 110) * sign();
      }
      const want = fma64Exact(a, b, c);
      const got = fma64(a, b, c);
      if (!same(got, want)) throw new Error(`fma64(${a}, ${b}, ${c}) = ${got}, want ${want}`);
    }
  });

  it("decides near-ties that the unfused a·b + c gets wrong", () => {
    let naiveWrong = 0;
    for (let i = 0; i < 8000; i++) {
      // a·b = H·(1 - 2^-60) with H half an ulp of m: the exact sum is a sliver below the
      // midpoint m + H, but rn(a·b) = H puts the naive sum exactly on it.
      const m = f64(-30, 30);
      const e = Math.floor(Math.log2(Math.abs(m)));
      const H = 2 ** (e - 53);
      const s = next() & 1 ? 1 : -1;
      const a = (1 + 2 ** -30) * H * (m < 0 ? -1 : 1) * s;
      const b = (1 - 2 ** -30) * s;
      const want = fma64Exact(a, b, m);
      expect(same(fma64(a, b, m), want)).toBe(true);
      if (a * b + m !== want) naiveWrong++;
      // and exact midpoints (ties to even) and slivers above
      const a2 = H * (m < 0 ? -1 : 1);
      expect(same(fma64(a2, 1, m), fma64Exact(a2, 1, m))).toBe(true);
      const a3 = (1 + 2 ** -30) * H * (m < 0 ? -1 : 1);
      const b3 = 1 + 2 ** -31;
      expect(same(fma64(a3, b3, m), fma64Exact(a3, b3, m))).toBe(true);
    }
    expect(naiveWrong).toBeGreaterThan(800);
  });

  it("extreme magnitudes, subnormals, infinities, signed zeros", () => {
    const cases: [number, number, number][] = [
      [1e300, 1e10, -1e308],
      [1e-300, 1e-20, 1e-310],
      [5e-324, 0.5, 5e-324],
      [2 ** -537, 2 ** -537, -(2 ** -1074)],
      [1.7976931348623157e308, 1.0000000000000002, -1.7976931348623157e308],
      [1.7976931348623157e308, 2, -1.7976931348623157e308],
      [3, 1 / 3, -1],
      [0.1, 10, -1],
      [-0, 1, 0],
      [-0, 1, -0],
      [0, -1, -0],
      [1, 1, -1],
    ];
    for (const [a, b, c] of cases) expect(same(fma64(a, b, c), fma64Exact(a, b, c)), `${a} ${b} ${c}`).toBe(true);
    expect(Object.is(fma64(-0, 1, -0), -0)).toBe(true);
    expect(Object.is(fma64(1, 1, -1), 0)).toBe(true);
    expect(fma64(Infinity, 0, 1)).toBeNaN();
    expect(fma64(Infinity, 1, -Infinity)).toBeNaN();
    expect(fma64(1e200, 1e200, -Infinity)).toBe(-Infinity);
    expect(fma64(NaN, 1, 1)).toBeNaN();
    expect(fma64(0.1, 10, -1)).toBe(5.551115123125783e-17);
  });
});
