// Fuzz of the raw torch-ts-native exports: a few hundred random layouts (mostly small valid
// values, sometimes NaN, fractions, negatives, 2^53 and beyond) over small arrays with guard
// values around them (subarrays of a larger Float32Array). Each call must throw exactly when the
// layout does not fit (decided here, independently of the addon) and otherwise write what the
// JS reference kernels write, and nothing outside its view.

import { describe, expect, it } from "vitest";
import { binaryReference, copyReference, fillReference, unaryReference } from "../../src/backend/js/elementwise.js";
import { matmul as matmulReference } from "../../src/backend/js/matmul.js";
import { nativeBackend } from "../../src/backend/native/index.js";
import { describeNativeMissing } from "../harness/native_missing.js";
import type { NativeAddon } from "../../src/backend/native/loader.js";
import { rng } from "../harness/rng.js";
import { bits, distinct, expectGuards, fits, guarded, isInt, SAFE, setter, viewOf, writable } from "./native_raw_testing.js";

if (nativeBackend === null) {
  describeNativeMissing("raw torch-ts-native exports, fuzzed");
} else {
  const addon: NativeAddon = nativeBackend.addon;
  const params = addon.params;
  const set = setter(addon);

  describe("fuzz: random layouts over small guarded arrays", () => {
    /** Mostly small valid values, sometimes ones no layout may hold. */
    const maker = (random: () => number) => {
      const wild = [NaN, Infinity, -Infinity, -1, 0.5, 2.5, 2 ** 53, 2 ** 62, 1e300];
      const maybe = (v: number, p = 0.03): number => (random() < p ? wild[Math.floor(random() * wild.length)]! : v);
      const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
      return { maybe, int };
    };

    /** Runs `call` on guarded arrays; checks it threw iff `ok` is false, and then left every word as it was. */
    const attempt = (fn: string, ok: boolean, arrays: { data: Float32Array; whole: Float32Array }[], call: () => void): boolean => {
      const before = arrays.map((x) => bits(x.whole));
      let error: unknown = null;
      try {
        call();
      } catch (e) {
        error = e;
      }
      for (const x of arrays) expectGuards(x.whole);
      if (ok) {
        expect(error, `${fn} refused a layout that fits: ${String(error)} (params ${Array.from(params.subarray(0, 20))})`).toBeNull();
        return true;
      }
      expect(error, `${fn} took a layout that does not fit (params ${Array.from(params.subarray(0, 20))})`).not.toBeNull();
      expect(error instanceof TypeError || error instanceof RangeError).toBe(true);
      expect((error as Error).message.startsWith(`torch-ts-native ${fn}: `)).toBe(true);
      arrays.forEach((x, i) => expect(bits(x.whole)).toEqual(before[i]));
      return false;
    };

    it.each([
      ["binary", 3, 300],
      ["unary", 2, 150],
      ["copy", 2, 150],
      ["fill", 1, 150],
    ] as const)("%s: throws exactly when the walk leaves an array; else writes what the JS reference writes", (fn, views, cases) => {
      const random = rng(fn.length * 1009 + views);
      const { maybe, int } = maker(random);
      let taken = 0;
      for (let t = 0; t < cases; t++) {
        const arrays = Array.from({ length: views }, () => guarded(random, int(0, 20)));
        const nd = maybe(int(0, 3), 0.02);
        const code = fn === "binary" ? maybe(int(0, 6)) : fn === "unary" ? maybe(int(0, 5)) : fn === "fill" ? int(-3, 3) : 0;
        const layout: number[] = [code, nd];
        const nds = isInt(nd, 0, 16) ? nd : 0;
        const shape = Array.from({ length: nds }, () => maybe(int(0, 4)));
        layout.push(...shape);
        const views_: { offset: number; strides: number[] }[] = arrays.map((x) => ({
          offset: maybe(int(0, x.data.length + 2)),
          strides: Array.from({ length: nds }, () => maybe(int(-4, 4))),
        }));
        for (const v of views_) layout.push(v.offset, ...v.strides);
        set(...layout);
        // What the addon must accept, worked out here.
        const ints = isInt(nd, 0, 16) && shape.every((s) => isInt(s, 0, SAFE)) &&
          views_.every((v) => isInt(v.offset, 0, SAFE) && v.strides.every((s) => isInt(s, -SAFE, SAFE)));
        const codeOk = fn === "binary" ? isInt(code, 0, 6) : fn === "unary" ? isInt(code, 0, 5) : true;
        const empty = shape.some((s) => s === 0);
        const ok = ints && codeOk && (empty || (views_.every((v, i) => fits(arrays[i]!.data.length, v.offset, shape, v.strides)) &&
          writable(arrays[0]!.data.length, shape, views_[0]!.strides, fn !== "fill")));
        // The JS reference's result, on copies.
        const expected = arrays.map((x) => x.data.slice());
        if (ok && !empty) {
          const [o, a, b] = expected.map((d, i) => viewOf(d, views_[i]!.offset, shape, views_[i]!.strides));
          const ops = ["add", "sub", "mul", "div", "maximum", "minimum", "relu_backward"] as const;
          const uops = ["neg", "abs", "relu", "sqrt", "square", "reciprocal"] as const;
          if (fn === "binary") binaryReference(ops[code]!, o!, a!, b!);
          else if (fn === "unary") unaryReference(uops[code]!, o!, a!);
          else if (fn === "copy") copyReference(o!, a!);
          else fillReference(o!, Math.fround(code));
        }
        const [o, a, b] = arrays.map((x) => x.data);
        const call = (): void =>
          fn === "binary" ? addon.binary(o!, a!, b!) : fn === "unary" ? addon.unary(o!, a!) : fn === "copy" ? addon.copy(o!, a!) : addon.fill(o!);
        if (!attempt(fn, ok, arrays, call)) continue;
        taken++;
        // Where out writes an element twice the order decides; the JS order is row-major, and so
        // is the addon's on one thread, but only distinct outs are compared element by element.
        if (empty || distinct(views_[0]!.offset, shape, views_[0]!.strides)) {
          arrays.forEach((x, i) => expect(bits(x.data), `case ${t}`).toEqual(bits(expected[i]!)));
        }
      }
      // Both outcomes were exercised.
      expect(taken).toBeGreaterThan(cases * 0.1);
      expect(taken).toBeLessThan(cases * 0.9);
    });

    it("matmul: throws exactly when a view leaves its array (or out is written twice); else matches the JS product", () => {
      const random = rng(77);
      const { maybe, int } = maker(random);
      let taken = 0;
      const cases = 250;
      for (let t = 0; t < cases; t++) {
        const [ga, gb, go] = [guarded(random, int(0, 24)), guarded(random, int(0, 24)), guarded(random, int(0, 24))];
        const nd = maybe(int(2, 3), 0.02);
        const n = isInt(nd, 2, 16) ? nd : 2;
        const outShape = Array.from({ length: n }, () => maybe(int(0, 3), 0.02));
        const K = maybe(int(0, 3), 0.02);
        const views = [ga, gb, go].map((x) => ({ offset: maybe(int(0, x.data.length), 0.02), strides: Array.from({ length: n }, () => maybe(int(-3, 4), 0.02)) }));
        set(nd, ...outShape, K, ...views.flatMap((v) => [v.offset, ...v.strides]));
        const batch = outShape.slice(0, n - 2);
        const [M, N] = [outShape[n - 2]!, outShape[n - 1]!];
        const shapes = [[...batch, M, K], [...batch, K, N], outShape];
        const ints = isInt(nd, 2, 16) && outShape.every((s) => isInt(s, 0, SAFE)) && isInt(K, 0, SAFE) &&
          views.every((v) => isInt(v.offset, 0, SAFE) && v.strides.every((s) => isInt(s, -SAFE, SAFE)));
        const empty = outShape.some((s) => s === 0);
        const ok = ints && (empty || ([ga, gb, go].every((x, i) => fits(x.data.length, views[i]!.offset, shapes[i]!, views[i]!.strides)) &&
          writable(go.data.length, outShape, views[2]!.strides, true) && !(K > ga.data.length && K > gb.data.length)));
        const expected = go.data.slice();
        if (ok && !empty) {
          matmulReference(viewOf(expected, views[2]!.offset, outShape, views[2]!.strides), viewOf(ga.data, views[0]!.offset, shapes[0]!, views[0]!.strides),
            viewOf(gb.data, views[1]!.offset, shapes[1]!, views[1]!.strides));
        }
        if (!attempt("matmul", ok, [ga, gb, go], () => addon.matmul(go.data, ga.data, gb.data))) continue;
        taken++;
        if (empty || distinct(views[2]!.offset, outShape, views[2]!.strides)) {
          // Sums of at most 3 products of multiples of 1/64 in [-4, 4]: exact in float32 either way.
          expect(Array.from(go.data), `case ${t}`).toEqual(Array.from(expected));
        }
      }
      expect(taken).toBeGreaterThan(cases * 0.1);
      expect(taken).toBeLessThan(cases * 0.9);
    });

    it("sum and sgd: throw exactly when a range leaves its array; write only inside their ranges", () => {
      const random = rng(91);
      const { maybe, int } = maker(random);
      let taken = 0;
      for (let t = 0; t < 150; t++) {
        const [go, ga] = [guarded(random, int(0, 12)), guarded(random, int(0, 24))];
        const [offOut, offA, outer, reduced, inner] = [maybe(int(0, 4)), maybe(int(0, 4)), maybe(int(0, 3)), maybe(int(0, 3)), maybe(int(0, 3))];
        set(offOut, offA, outer, reduced, inner);
        const ints = [offOut, offA, outer, reduced, inner].every((x) => isInt(x, 0, SAFE));
        const written = outer * inner;
        const ok = ints && (written === 0 || (offOut + written <= go.data.length && (reduced === 0 || offA + written * reduced <= ga.data.length)));
        const expected = go.data.slice();
        if (ok) {
          for (let o = 0; o < outer; o++) {
            for (let i = 0; i < inner; i++) {
              let acc = 0;
              for (let r = 0; r < reduced; r++) acc += ga.data[offA + (o * reduced + r) * inner + i]!;
              expected[offOut + o * inner + i] = acc;
            }
          }
        }
        if (attempt("sum", ok, [go, ga], () => addon.sum(go.data, ga.data))) {
          taken++;
          expect(Array.from(go.data)).toEqual(Array.from(expected));
        }
      }
      for (let t = 0; t < 150; t++) {
        const g = [guarded(random, int(0, 10)), guarded(random, int(0, 10)), guarded(random, int(0, 10))];
        const n = maybe(int(0, 6));
        const offs = [maybe(int(0, 5)), maybe(int(0, 5)), maybe(int(0, 5))];
        const flags = maybe(int(0, 63));
        set(n, ...offs, 0.5, 0.9, 0.75, -0.125, flags);
        const momentum = isInt(flags, 0, 63) && (flags & 2) !== 0;
        const ok = isInt(n, 0, SAFE) && offs.every((o) => isInt(o, 0, SAFE)) && isInt(flags, 0, 63) &&
          (n === 0 || g.every((x, i) => (i < 2 || momentum ? offs[i]! + n <= x.data.length : true)));
        const before = g.map((x) => x.data.slice());
        if (!attempt("sgd", ok, g, () => addon.sgd(g[0]!.data, g[1]!.data, g[2]!.data))) continue;
        taken++;
        // Only param's and buf's n elements from their offsets may change; grad is read only.
        g.forEach((x, i) => {
          for (let k = 0; k < x.data.length; k++) {
            const inRange = i !== 1 && k >= offs[i]! && k < offs[i]! + n && (i === 0 || momentum);
            if (!inRange) expect(Object.is(x.data[k], before[i]![k]), `sgd ${t}: array ${i} element ${k}`).toBe(true);
          }
        });
      }
      expect(taken).toBeGreaterThan(30);
      expect(taken).toBeLessThan(270);
    });
  });
}
