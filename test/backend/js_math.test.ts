/**
 * The scalar erf, erfc and erfinv of the JS backend (src/backend/js/erf.ts, re-exported by
 * math.ts) against correctly rounded values from mpmath at 400 bits (test/golden/erf/values.json,
 * written by scripts/golden/erf.py): at most 1 ulp from the correctly rounded value everywhere,
 * and correctly rounded at (nearly) every point, subnormal results and the erfc tail included.
 */

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

import { erf, erfc, erfinv } from "../../src/backend/js/math.js";

interface Fixture {
  metadata: { mpmath_version: string; precision_bits: number; script: string };
  erf_erfc: { columns: string[]; rows: [string, string, string][] };
  erfinv: { columns: string[]; rows: [string, string][] };
}

const fixture = JSON.parse(readFileSync("test/golden/erf/values.json", "utf8")) as Fixture;

const view = new DataView(new ArrayBuffer(8));

function fromBits(hex: string): number {
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

/** Position of x on the line of doubles (…, -MIN_VALUE, ±0, MIN_VALUE, …), so ulps subtract. */
function ordinal(x: number): bigint {
  view.setFloat64(0, x);
  const b = view.getBigInt64(0);
  return b < 0n ? -(b & 0x7fffffffffffffffn) : b;
}

/** Distance in ulps; 0 when both are NaN, Infinity when only one is. */
function ulps(got: number, want: number): number {
  if (Number.isNaN(got) || Number.isNaN(want)) return Number.isNaN(got) && Number.isNaN(want) ? 0 : Infinity;
  if (got === want) return Object.is(got, want) ? 0 : Infinity; // +0 against -0 counts as wrong
  const d = ordinal(got) - ordinal(want);
  return Number(d < 0n ? -d : d);
}

interface Score {
  worst: number;
  worstAt: number;
  exact: number;
  total: number;
}

function score(f: (x: number) => number, cases: [number, number][]): Score {
  const s: Score = { worst: 0, worstAt: NaN, exact: 0, total: cases.length };
  for (const [x, want] of cases) {
    const e = ulps(f(x), want);
    if (e === 0) s.exact++;
    if (e > s.worst) {
      s.worst = e;
      s.worstAt = x;
    }
  }
  return s;
}

const erfRows = fixture.erf_erfc.rows.map(([x, e, c]) => [fromBits(x), fromBits(e), fromBits(c)] as const);
const erfCases = erfRows.map(([x, e]) => [x, e] as [number, number]);
const erfcCases = erfRows.map(([x, , c]) => [x, c] as [number, number]);
const erfinvCases = fixture.erfinv.rows.map(([y, v]) => [fromBits(y), fromBits(v)] as [number, number]);

function expectAccurate(name: string, f: (x: number) => number, cases: [number, number][], minExact: number) {
  const s = score(f, cases);
  const summary = `${name}: worst ${s.worst} ulp at ${s.worstAt}, ${s.exact}/${s.total} correctly rounded`;
  expect(s.worst, summary).toBeLessThanOrEqual(1);
  expect(s.exact / s.total, summary).toBeGreaterThanOrEqual(minExact);
}

describe("erf, erfc, erfinv against mpmath", () => {
  it("reads the fixture that scripts/golden/erf.py wrote", () => {
    expect(fixture.metadata.script).toBe("scripts/golden/erf.py");
    expect(fixture.metadata.precision_bits).toBeGreaterThanOrEqual(200);
    expect(erfRows.length).toBeGreaterThan(2000);
    expect(erfinvCases.length).toBeGreaterThan(400);
  });

  it("erf is within 1 ulp of the correctly rounded value and almost always equal to it", () => {
    expectAccurate("erf", erf, erfCases, 0.99);
  });

  it("erfc is within 1 ulp of the correctly rounded value and almost always equal to it", () => {
    expectAccurate("erfc", erfc, erfcCases, 0.99);
  });

  it("erfinv is within 1 ulp of the correctly rounded value and almost always equal to it", () => {
    expectAccurate("erfinv", erfinv, erfinvCases, 0.99);
  });

  // Each range on its own, so that a weak range cannot hide among strong ones.
  const ranges: [string, (x: number) => boolean][] = [
    ["subnormal and tiny |x| < 2^-26", (x) => Math.abs(x) < 2 ** -26],
    ["series range 2^-26 <= |x| < 2.5", (x) => Math.abs(x) >= 2 ** -26 && Math.abs(x) < 2.5],
    ["continued-fraction range 2.5 <= |x| < 6", (x) => Math.abs(x) >= 2.5 && Math.abs(x) < 6],
    ["tail 6 <= x < 26.5", (x) => x >= 6 && x < 26.5],
    ["subnormal erfc 26.5 <= x", (x) => x >= 26.5],
  ];
  for (const [name, inRange] of ranges) {
    it(`erf and erfc on the ${name}`, () => {
      const erfIn = erfCases.filter(([x]) => inRange(x));
      const erfcIn = erfcCases.filter(([x]) => inRange(x));
      expect(erfIn.length).toBeGreaterThan(30);
      expectAccurate(`erf ${name}`, erf, erfIn, 0.99);
      expectAccurate(`erfc ${name}`, erfc, erfcIn, 0.99);
    });
  }

  it("erfinv next to ±1, where 1 − |y| has few digits", () => {
    const near = erfinvCases.filter(([y]) => Math.abs(y) > 0.999);
    expect(near.length).toBeGreaterThan(50);
    expectAccurate("erfinv near ±1", erfinv, near, 0.99);
  });
});

describe("erf, erfc, erfinv special values", () => {
  it("erf keeps the sign of zero, saturates at ±1 and passes NaN", () => {
    expect(Object.is(erf(0), 0)).toBe(true);
    expect(Object.is(erf(-0), -0)).toBe(true);
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(Number.MAX_VALUE)).toBe(1);
    expect(Number.isNaN(erf(NaN))).toBe(true);
    // erf(x) ≈ 2x/√π: the smallest subnormal stays 1 unit (1.128 rounds to 1), 2 units become 2.
    expect(erf(Number.MIN_VALUE)).toBe(Number.MIN_VALUE);
    expect(erf(-2 * Number.MIN_VALUE)).toBe(-2 * Number.MIN_VALUE);
  });

  it("erfc is 1 at ±0, 0 at +∞, 2 at −∞ and passes NaN", () => {
    expect(erfc(0)).toBe(1);
    expect(erfc(-0)).toBe(1);
    expect(erfc(Infinity)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
    expect(erfc(1e300)).toBe(0);
    expect(Number.isNaN(erfc(NaN))).toBe(true);
  });

  it("erfinv is ±∞ at ±1, NaN outside [−1, 1], and keeps the sign of zero", () => {
    expect(erfinv(1)).toBe(Infinity);
    expect(erfinv(-1)).toBe(-Infinity);
    expect(Number.isNaN(erfinv(1 + Number.EPSILON))).toBe(true);
    expect(Number.isNaN(erfinv(-2))).toBe(true);
    expect(Number.isNaN(erfinv(Infinity))).toBe(true);
    expect(Number.isNaN(erfinv(NaN))).toBe(true);
    expect(Object.is(erfinv(0), 0)).toBe(true);
    expect(Object.is(erfinv(-0), -0)).toBe(true);
  });
});

describe("erf, erfc, erfinv structure", () => {
  it("erf is odd and erfinv is odd, exactly", () => {
    for (const [x] of erfCases) expect(Object.is(erf(-x), -erf(x)), `erf(${x})`).toBe(true);
    for (const [y] of erfinvCases) expect(Object.is(erfinv(-y), -erfinv(y)), `erfinv(${y})`).toBe(true);
  });

  it("is monotone across the switch points, walking ulp by ulp", () => {
    // Correct rounding implies monotonicity; a seam between two methods would break it first.
    const walk = (f: (x: number) => number, centre: number, sign: 1 | -1) => {
      let x = centre;
      for (let i = 0; i < 40; i++) x = nextDown(x);
      let prev = f(x);
      for (let i = 0; i < 80; i++) {
        x = nextUp(x);
        const v = f(x);
        if (sign > 0) expect(v, `${f.name} at ${x}`).toBeGreaterThanOrEqual(prev);
        else expect(v, `${f.name} at ${x}`).toBeLessThanOrEqual(prev);
        prev = v;
      }
    };
    for (const c of [2.5, -2.5, 6, -6, 2 ** -1000, 2 ** -60]) walk(erf, c, 1);
    for (const c of [2.5, -2.5, 6, -6, 26.55, 2 ** -60]) walk(erfc, c, -1);
    for (const c of [0.5, -0.5, 2 ** -26]) walk(erfinv, c, 1);
  });
});

function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  view.setFloat64(0, x);
  const b = view.getBigInt64(0);
  view.setBigInt64(0, x > 0 ? b + 1n : b - 1n);
  return view.getFloat64(0);
}

function nextDown(x: number): number {
  return -nextUp(-x);
}
