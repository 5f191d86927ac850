/**
 * The samplers (src/random/distributions.ts, integers.ts) against the worked examples and draw
 * counts of docs/pytorch-rng.md, their argument checks (PyTorch's messages), and the 1.13/2.x
 * switch. Bit-exact comparisons with PyTorch's output are in golden.test.ts.
 */

import { afterEach, describe, expect, it, vi } from "vitest";
import {
  getCompat,
  normalFill,
  randintFill,
  randomFill,
  randperm,
  setCompat,
  uniformFill,
} from "../../src/random/distributions.js";
import { normalDouble } from "../../src/random/distributions.js";
import {
  checkNormalStd,
  checkUniformBounds,
  cppDouble,
  int64ToFloat32,
  planRandomFromTo,
} from "../../src/random/checks.js";
import { checkRandpermN } from "../../src/random/integers.js";
import { Generator } from "../../src/random/generator.js";
import { fma64Exact } from "../../src/random/fma.js";
import { RuntimeError } from "../../src/errors.js";
import { hexOfF32, loadGolden } from "./golden.js";
import { generatorsFor, runStep } from "./replay.js";

/** A generator that counts its 32-bit draws. */
function counting(seed: number): Generator & { draws: number } {
  const g = new Generator().manual_seed(seed) as Generator & { draws: number };
  g.draws = 0;
  const next = Generator.prototype.nextUint32;
  g.nextUint32 = function (this: typeof g) {
    this.draws++;
    return next.call(this);
  };
  return g;
}

const hex32 = (a: Float32Array) => Array.from(a, hexOfF32);

afterEach(() => setCompat("2.x"));

describe("worked examples of docs/pytorch-rng.md", () => {
  it("§8: Linear(2,3) init with seed 0 (kaiming_uniform_ a=sqrt(5), then the bias)", () => {
    const g = new Generator().manual_seed(0);
    const gain = Math.sqrt(2.0 / (1 + Math.sqrt(5) * Math.sqrt(5)));
    const bound = Math.sqrt(3.0) * (gain / Math.sqrt(2));
    expect(bound).toBe(0.7071067811865474);
    const w = new Float32Array(6);
    uniformFill(w, -bound, bound, g);
    expect(hex32(w)).toEqual(["bbad7922", "3ec2369c", "bf14fcb1", "bf05381d", "be8b70d6", "3e422aab"]);
    const b = new Float32Array(3);
    uniformFill(b, -1 / Math.sqrt(2), 1 / Math.sqrt(2), g);
    expect(hex32(b)).toEqual(["bc658a57", "3f0f8740", "bd8083de"]);
    // §9: then x = randn(4, 2) takes path S from the 10th draw.
    const x = new Float32Array(8);
    normalFill(x, 0, 1, g);
    expect(hex32(x)).toEqual([
      "3f25b20b", "3e7efa70", "beabb8e9", "3ee9a712", "bf201e87", "3ee862dc", "bfafde43", "40363c38",
    ]);
    expect(g.normalCacheF64).toBeNull(); // 8 values: an even number, the cache is empty
  });

  it("rand is exactly k·2^-24 (float32) and k·2^-53 (float64)", () => {
    const a = new Float32Array(2);
    uniformFill(a, 0, 1, new Generator().manual_seed(0));
    expect(a[0]).toBe(8325804 * 2 ** -24);
    expect(a[0]).toBe(0.49625658988952637);
    const d = new Float64Array(1);
    uniformFill(d, 0, 1, new Generator().manual_seed(0));
    expect(d[0]).toBe(((2357136044 & 0x1fffff) * 2 ** 32 + 2546248239) * 2 ** -53);
  });
});

describe("draw counts (docs/pytorch-rng.md section 10)", () => {
  const cases: [string, (g: Generator) => void, number][] = [
    ["rand(37) float32", (g) => uniformFill(new Float32Array(37), 0, 1, g), 37],
    ["rand(37) float64", (g) => uniformFill(new Float64Array(37), 0, 1, g), 74],
    ["randn(32) float32", (g) => normalFill(new Float32Array(32), 0, 1, g), 32],
    ["randn(17) float32", (g) => normalFill(new Float32Array(17), 0, 1, g), 33],
    ["randn(100) float32", (g) => normalFill(new Float32Array(100), 0, 1, g), 116],
    ["randn(17) float64", (g) => normalFill(new Float64Array(17), 0, 1, g), 66],
    ["randn(4) path S", (g) => normalFill(new Float32Array(4), 0, 1, g), 8],
    ["randn(5) path S", (g) => normalFill(new Float32Array(5), 0, 1, g), 12],
    ["randn(20) non-contiguous", (g) => normalFill(new Float32Array(20), 0, 1, g, false), 40],
    ["randint(0, 10) x 7", (g) => randintFill(new BigInt64Array(7), 0n, 10n, g), 7],
    ["randint(0, 2^32) x 7", (g) => randintFill(new BigInt64Array(7), 0n, 2n ** 32n, g), 14],
    ["randint(0, 2^32) int32 x 7", (g) => randintFill(new Int32Array(7), 0n, 2n ** 31n - 1n, g), 7],
    ["randperm(10)", (g) => randperm(10, g), 9],
    ["randperm(1)", (g) => randperm(1, g), 0],
    ["randperm(0)", (g) => randperm(0, g), 0],
    ["random_() float64 x 3", (g) => randomFill(new Float64Array(3), g), 6],
    ["random_() int64 x 3", (g) => randomFill(new BigInt64Array(3), g), 6],
    ["random_() float32 x 3", (g) => randomFill(new Float32Array(3), g), 3],
  ];
  for (const [label, f, n] of cases) {
    it(label, () => {
      const g = counting(1);
      f(g);
      expect(g.draws).toBe(n);
    });
  }

  it("the cache: a value served from it costs no draws, and paths V32/V64 leave it alone", () => {
    const g = counting(0);
    normalFill(new Float32Array(3), 0, 1, g); // c0 s0 c1, cache = s1
    expect(g.draws).toBe(8);
    const cached = g.normalCacheF64;
    normalFill(new Float32Array(17), 0, 1, g);
    expect(g.normalCacheF64).toBe(cached);
    g.draws = 0;
    normalFill(new Float32Array(1), 0, 1, g);
    expect(g.draws).toBe(0);
    expect(g.normalCacheF64).toBeNull();
  });

  it("the cache is shared by float32 and float64 and scaled at use", () => {
    const g = new Generator().manual_seed(3);
    const d = new Float64Array(1);
    normalFill(d, 0, 1, g);
    const z = g.normalCacheF64!;
    expect(normalDouble(g, 0.5, 2.5)).toBe(fma64Exact(z, 2.5, 0.5));
    expect(g.normalCacheF64).toBeNull();
  });
});

describe("randint / random_ semantics", () => {
  it("64-bit branch only for int64, float32 and float64 destinations", () => {
    const a = new Int32Array(4);
    const g = counting(2);
    randintFill(a, -(2n ** 31n), 2n ** 31n, g); // range 2^32 for int32: one 32-bit draw each
    expect(g.draws).toBe(4);
  });
  it("values wrap to the destination width like a C++ static_cast", () => {
    // random_(-2^63, None) on int64 is a whole 64-bit draw reinterpreted as signed.
    const g1 = new Generator().manual_seed(9);
    const out = new BigInt64Array(2);
    randomFill(out, g1, { from: -(2n ** 63n), to: null });
    const g2 = new Generator().manual_seed(9);
    expect(out[0]).toBe(BigInt.asIntN(64, g2.nextUint64()));
  });
  it("random_() on float64 is uniform over [0, 2^53] (2^53 + 1 values)", () => {
    const g = new Generator().manual_seed(4);
    const out = new Float64Array(50);
    randomFill(out, g);
    const h = new Generator().manual_seed(4);
    for (const v of out) expect(v).toBe(Number(h.nextUint64() % (2n ** 53n + 1n)));
  });
  it("int64ToFloat32 rounds once, to nearest even", () => {
    expect(int64ToFloat32(2n ** 60n + 2n ** 36n)).toBe(2 ** 60); // a tie: to even
    expect(int64ToFloat32(2n ** 60n + 2n ** 36n + 1n)).toBe(2 ** 60 + 2 ** 37);
    expect(int64ToFloat32(-(2n ** 63n))).toBe(-(2 ** 63));
    expect(int64ToFloat32((2n ** 63n) - 1n)).toBe(2 ** 63);
    expect(int64ToFloat32(16777217n)).toBe(16777216);
  });
  it("update_from / update_to move float bounds inside the representable range", () => {
    // from + 1 = 2^30 + 2 becomes 2^30 in float32, below from: from moves up to 2^30 + 2^7.
    // to - 1 = 2^31 + 6 becomes 2^31, still below to: to stays.
    const p = planRandomFromTo("float32", 2n ** 30n + 1n, 2n ** 31n + 7n);
    expect(p).toEqual({ kind: "range", range: 2n ** 31n + 7n - (2n ** 30n + 128n), base: 2n ** 30n + 128n });
    // to - 1 = 2^24 + 2 stays, to - 1 = 2^25 + 1 becomes 2^25 (< to): no move either.
    expect(planRandomFromTo("float32", 0n, 2n ** 24n + 3n)).toEqual({ kind: "range", range: 2n ** 24n + 3n, base: 0n });
  });
  it("randperm is the swap shuffle", () => {
    const g = new Generator().manual_seed(0);
    const p = randperm(5, g);
    const h = new Generator().manual_seed(0);
    const r = [0, 1, 2, 3, 4];
    for (let i = 0; i < 4; i++) {
      const z = h.nextUint32() % (5 - i);
      [r[i], r[i + z]] = [r[i + z]!, r[i]!];
    }
    expect(Array.from(p)).toEqual(r);
  });
});

describe("argument checks, in PyTorch's words", () => {
  it("uniform_", () => {
    expect(() => checkUniformBounds("float32", 2, 1)).toThrow(
      "uniform_ expects to return a [from, to) range, but found from=2 > to=1",
    );
    expect(() => checkUniformBounds("float32", 0.1, 0.05)).toThrow("but found from=0.1 > to=0.05");
    expect(() => checkUniformBounds("float32", -1e39, 1)).toThrow("from is out of bounds for float");
    expect(() => checkUniformBounds("float32", NaN, 1)).toThrow("from is out of bounds for float");
    expect(() => checkUniformBounds("float64", -Infinity, 1)).toThrow("from is out of bounds for double");
    expect(() => checkUniformBounds("float32", -3e38, 3e38)).toThrow(
      "uniform_ expects to-from <= std::numeric_limits<Float>::max(), but found to=3e+38 and from=-3e+38 " +
        "which result in to-from to exceed the limit",
    );
    expect(checkUniformBounds("float32", -2.5, 7.25)).toEqual([-2.5, 7.25]);
  });
  it("normal_", () => {
    expect(() => checkNormalStd(-1)).toThrow(RuntimeError);
    expect(() => checkNormalStd(-1)).toThrow("normal expects std >= 0.0, but found std -1");
    expect(() => checkNormalStd(-1.5e-7)).toThrow("but found std -1.5e-07");
    expect(() => checkNormalStd(NaN)).toThrow("but found std nan");
    expect(() => checkNormalStd(0)).not.toThrow();
  });
  it("random_ and randint", () => {
    expect(() => planRandomFromTo("int64", 5n, 3n)).toThrow(
      "random_ expects 'from' to be less than 'to', but got from=5 >= to=3",
    );
    expect(() => planRandomFromTo("int8", 0n, 1000n)).toThrow("to - 1 is out of bounds for signed char");
    expect(() => planRandomFromTo("uint8", -1n, 5n)).toThrow("from is out of bounds for unsigned char");
    expect(() => planRandomFromTo("bool", 0n, 10n)).toThrow("to - 1 is out of bounds for bool");
    expect(() => planRandomFromTo("int32", 0n, 2n ** 40n)).toThrow("to - 1 is out of bounds for int");
    expect(() => planRandomFromTo("int16", 0n, 2n ** 20n)).toThrow("to - 1 is out of bounds for short int");
    expect(() => planRandomFromTo("float32", 2n ** 62n, null)).toThrow(
      "random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to dtype, " +
        "but got from=4611686018427387904 > to_inc=16777216",
    );
    expect(() => planRandomFromTo("int32", -(2n ** 63n), null)).toThrow(
      "random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16",
    );
    expect(() => randintFill(new BigInt64Array(1), 0n, 2n ** 63n, new Generator())).toThrow(
      "Overflow when unpacking long",
    );
    expect(() => randomFill(new Float32Array(1), new Generator(), { to: 1.5 })).toThrow(TypeError);
  });
  it("random_ warns (once) where a float dtype cannot hold every integer of the range", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    // (a message no other test of this file triggers: the "once" is per message)
    planRandomFromTo("float64", -(2n ** 60n), 0n);
    planRandomFromTo("float64", -(2n ** 60n), 0n);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain(
      "from is out of bounds [-(2^53), 2^53]. Due to precision limitations double can support discrete " +
        "uniform distribution only within this range.",
    );
    warn.mockRestore();
  });
  it("randperm", () => {
    expect(() => randperm(-1, new Generator())).toThrow("Trying to create tensor with negative dimension -1: [-1]");
    expect(() => checkRandpermN(2 ** 25, "float32")).toThrow("n cannot be greater than 2^24+1 for Float type.");
    expect(() => checkRandpermN(129, "int8")).toThrow("value cannot be converted to type int8_t without overflow");
    expect(() => checkRandpermN(3, "bool")).toThrow(`"randperm" not implemented for 'Bool'`);
    expect(() => checkRandpermN(128, "int8")).not.toThrow();
  });
  it("cppDouble prints like std::ostream", () => {
    expect(cppDouble(2)).toBe("2");
    expect(cppDouble(0.1)).toBe("0.1");
    expect(cppDouble(3e38)).toBe("3e+38");
    expect(cppDouble(-1.5e-7)).toBe("-1.5e-07");
    expect(cppDouble(123456789)).toBe("1.23457e+08");
    expect(cppDouble(0.0001)).toBe("0.0001");
    expect(cppDouble(1 / 3)).toBe("0.333333");
    expect(cppDouble(NaN)).toBe("nan");
    expect(cppDouble(-Infinity)).toBe("-inf");
  });
});

describe("compat: 1.13 versus 2.x path S", () => {
  it("defaults to 2.x and refuses unknown versions", () => {
    expect(getCompat()).toBe("2.x");
    expect(() => setCompat("3.0" as "2.x")).toThrow(TypeError);
  });
  it("float32 goldens (from 1.13) hold under 2.x too: log1p and log(1-u) agree after rn32", () => {
    setCompat("2.x");
    const golden = loadGolden("float32.json");
    let n = 0;
    for (const c of golden.cases) {
      const gens = generatorsFor(c, new Generator());
      for (const step of c.steps) {
        expect(runStep(step, gens[step.gen]!)).toEqual(step.values);
        n += step.values.length;
      }
    }
    expect(n).toBeGreaterThan(10000);
  });
  it("float64 path S: 1.13's log(1 - u2) and 2.x's log1p(-u2) agree, both correctly rounded", () => {
    // 1 - u2 is exact, so the two formulas are one number when both functions round correctly;
    // PyTorch's own builds differ only through glibc's log1p rounding (within one ulp).
    const a = new Float64Array(4000);
    const b = new Float64Array(4000);
    setCompat("1.13");
    normalFill(a, 0, 1, new Generator().manual_seed(0), false);
    setCompat("2.x");
    normalFill(b, 0, 1, new Generator().manual_seed(0), false);
    expect(Array.from(b)).toEqual(Array.from(a));
  });
});
