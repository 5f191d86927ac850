/**
 * Replays a golden case (test/golden/random/*.json) against torch-ts's typed-array samplers
 * and reports, per step, the values produced in the fixtures' encoding.
 */

import { afterAll, beforeAll, vi } from "vitest";

import {
  getCompat, randintFill, randomFill, randperm, normalFill, setCompat, uniformFill,
} from "../../src/random/distributions.js";
import { Generator } from "../../src/random/generator.js";
import type { RandomArray, RandomDType } from "../../src/random/checks.js";
import { hexOfF32, hexOfF64, type GoldenCase, type GoldenStep } from "./golden.js";
import { toHex } from "../harness/bytes.js";

export function makeArray(dtype: string, n: number): RandomArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(n);
    case "float64":
      return new Float64Array(n);
    case "int64":
      return new BigInt64Array(n);
    case "int32":
      return new Int32Array(n);
    case "int16":
      return new Int16Array(n);
    case "int8":
      return new Int8Array(n);
    default:
      return new Uint8Array(n); // uint8, bool
  }
}

export function encode(a: RandomArray | Float64Array, dtype: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (dtype === "float32") out.push(hexOfF32(v as number));
    else if (dtype === "float64") out.push(hexOfF64(v as number));
    else out.push(String(v));
  }
  return out;
}

const numel = (size: number[]) => size.reduce((a, b) => a * b, 1);

/** Values of one step, in the fixture's encoding. */
export function runStep(step: GoldenStep, gen: Generator): string[] {
  const dtype = (step.dtype ?? "float32") as RandomDType;
  switch (step.op) {
    case "rand": {
      const out = makeArray(dtype, numel(step.size!)) as Float32Array | Float64Array;
      uniformFill(out, 0, 1, gen);
      return encode(out, dtype);
    }
    case "randn": {
      const out = makeArray(dtype, numel(step.size!)) as Float32Array | Float64Array;
      normalFill(out, 0, 1, gen, true);
      return encode(out, dtype);
    }
    case "uniform_": {
      const out = makeArray(dtype, numel(step.size!)) as Float32Array | Float64Array;
      uniformFill(out, step.from as number, step.to as number, gen);
      return encode(out, dtype);
    }
    case "normal_": {
      const out = makeArray(dtype, numel(step.size!)) as Float32Array | Float64Array;
      normalFill(out, step.mean as number, step.std as number, gen, true);
      return encode(out, dtype);
    }
    case "randint": {
      const out = makeArray(dtype, numel(step.size!));
      randintFill(out, BigInt(step.low as string), BigInt(step.high as string), gen, dtype);
      return encode(out, dtype);
    }
    case "randperm":
      return encode(randperm(step.n as number, gen), "int64");
    case "random_": {
      const out = makeArray(dtype, numel(step.size!));
      const args = step.args as (string | null)[];
      if (args.length === 0) randomFill(out, gen, { dtype });
      else if (args.length === 1) randomFill(out, gen, { to: BigInt(args[0]!), dtype });
      else randomFill(out, gen, { from: BigInt(args[0]!), to: args[1] === null ? null : BigInt(args[1]!), dtype });
      return encode(out, dtype);
    }
    case "transposed": {
      // empty(n, n).t().<kind>_(): PyTorch's TensorIterator walks the transposed view in the
      // base's memory order; the fixture holds the base storage.
      const n = step.n as number;
      const out = makeArray(dtype, n * n) as Float32Array | Float64Array;
      if (step.kind === "normal") normalFill(out, (step.mean as number) ?? 0, (step.std as number) ?? 1, gen, false);
      else uniformFill(out, (step.from as number) ?? 0, (step.to as number) ?? 1, gen);
      return encode(out, dtype);
    }
    case "sliced_normal": {
      const out = makeArray(dtype, (step.rows as number) * (step.keep as number)) as Float32Array;
      normalFill(out, 0, 1, gen, false);
      return encode(out, dtype);
    }
    case "initial_seed":
      return [String(gen.initial_seed())];
    case "get_state":
      return [toHex(gen.get_state())];
    default:
      throw new Error(`unknown golden op ${step.op}`);
  }
}

/** Generators of a case, seeded as the fixture script seeded PyTorch's. */
export function generatorsFor(c: GoldenCase, defaultGen: Generator): Record<string, Generator> {
  defaultGen.manual_seed(BigInt(c.seed));
  const gens: Record<string, Generator> = { default: defaultGen };
  if (c.g_seed !== null) gens.g = new Generator().manual_seed(BigInt(c.g_seed));
  return gens;
}

/** Is this step's output a float64 normal (C-library dependent, compared within 1 ulp)? */
export function isLibmDependent(step: GoldenStep): boolean {
  const normal = step.op === "randn" || step.op === "normal_" || (step.op === "transposed" && step.kind === "normal");
  return normal && step.dtype === "float64";
}

/**
 * Registers hooks that run the enclosing tests under torch-ts's "1.13" compat (path S radius
 * from log(1 - u2)), as the fixtures come from PyTorch 1.13, and restore the compat after.
 * random_ on float destinations with wide ranges warns, as PyTorch does; not news here, so
 * console.warn is silenced meanwhile.
 */
export function replayAs113(): void {
  let saved = getCompat();
  beforeAll(() => {
    saved = getCompat();
    setCompat("1.13");
    vi.spyOn(console, "warn").mockImplementation(() => {});
  });
  afterAll(() => {
    setCompat(saved);
    vi.restoreAllMocks();
  });
}
