import { describe, expect, it } from "vitest";

import { formatExponent, formatFixed } from "../../src/tensor/print_number.js";
import { f64FromHex, readGolden } from "../harness/golden.js";

interface NumberCase {
  bits: string;
  precision: number;
  fixed: string | null;
  exponent: string;
}

const { numbers } = readGolden<{ numbers: NumberCase[] }>("print", "cases");

describe("Python float formatting", () => {
  it("has golden numbers", () => {
    expect(numbers.length).toBeGreaterThan(500);
  });

  it("matches '{:.Nf}' for every golden number", () => {
    const bad = numbers
      .filter((n) => n.fixed !== null)
      .map((n) => ({ ...n, got: formatFixed(f64FromHex(n.bits), n.precision) }))
      .filter((n) => n.got !== n.fixed);
    expect(bad).toEqual([]);
  });

  it("matches '{:.Ne}' for every golden number", () => {
    const bad = numbers
      .map((n) => ({ ...n, got: formatExponent(f64FromHex(n.bits), n.precision) }))
      .filter((n) => n.got !== n.exponent);
    expect(bad).toEqual([]);
  });

  it("breaks exact ties to even, unlike toFixed", () => {
    expect(formatFixed(0.03125, 4)).toBe("0.0312");
    expect((0.03125).toFixed(4)).toBe("0.0313");
    expect(formatFixed(2.5, 0)).toBe("2");
    expect(formatExponent(12344.5, 4)).toBe("1.2344e+04");
  });

  it("keeps the sign of zero and of values that round to zero", () => {
    expect(formatFixed(-0, 4)).toBe("-0.0000");
    expect(formatFixed(-1e-5, 4)).toBe("-0.0000");
    expect(formatExponent(-0, 2)).toBe("-0.00e+00");
  });

  it("writes every digit past 1e21", () => {
    expect(formatFixed(1e21, 1)).toBe("1000000000000000000000.0");
    expect(formatFixed(1e30, 0)).toBe("1000000000000000019884624838656");
  });

  it("prints non-finite values as Python does", () => {
    expect(formatFixed(NaN, 4)).toBe("nan");
    expect(formatExponent(-Infinity, 4)).toBe("-inf");
    expect(formatFixed(Infinity, 0)).toBe("inf");
  });
});
