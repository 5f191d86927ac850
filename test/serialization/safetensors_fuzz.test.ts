/**
 * Fuzzing safetensors.load and SafeOpen with fast-check: valid files (PyTorch's, with every
 * dtype torch-ts widens, and torch-ts's own) are mutated at two levels: the raw bytes (flips,
 * the length prefix overwritten with extreme u64s, cuts, insertions) and the parsed header
 * (a tensor's dtype, shape or data_offsets replaced, an entry dropped or added, the header
 * re-encoded with a correct length prefix so that the offset and size checks are reached). The
 * only outcomes allowed are loaded tensors that agree with their header, or a SafetensorError /
 * NotImplementedError, quickly: never a JS engine error (RangeError, a TypeError from reading
 * undefined), a hang or a large allocation.
 */

import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import torch, { NotImplementedError, Tensor } from "../../src/index.js";

const { load, save, SafeOpen, SafetensorError } = torch.safetensors;

const RUNS = 300;
const U64_EXTREMES = [0n, 1n, 7n, 8n, 0xffn, 0x7fffffffn, 0xffffffffn, 100_000_000n, 100_000_001n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n];

torch.manual_seed(0);
const bases: Uint8Array[] = [
  new Uint8Array(readFileSync(new URL("../golden/safetensors/widened.safetensors", import.meta.url))),
  save({ w: torch.randn(3, 4), b: torch.arange(3), m: torch.tensor([true, false]), d: torch.ones(2, { dtype: torch.float64 }) }, { k: "v" }),
  save({}),
];

type Mutation =
  | { kind: "flip"; at: number; value: number }
  | { kind: "cut"; at: number }
  | { kind: "insert"; at: number; bytes: number[] }
  | { kind: "length"; value: bigint };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  // Most of a file is data; aim half the flips at the length prefix and the header's first bytes.
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat({ max: 120 }), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant("length" as const), value: fc.oneof(fc.constantFrom(...U64_EXTREMES), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })) }),
);

function mutate(src: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b = src.slice();
  for (const m of mutations) {
    if (m.kind === "length") {
      if (b.length >= 8) new DataView(b.buffer).setBigUint64(0, m.value, true);
      continue;
    }
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === "flip") b[at] = m.value;
    else if (m.kind === "cut") b = b.slice(0, at);
    else b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
  }
  return b;
}

/** A file's header as JSON, and its data. */
function split(bytes: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))), data: bytes.subarray(8 + n) };
}

function join(header: unknown, data: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

const EXTREME_NUMBERS = [0, 1, 2, 3, -1, 1.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e300, Number.MAX_SAFE_INTEGER];
const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...EXTREME_NUMBERS),
  fc.nat({ max: 1200 }),
  fc.array(fc.oneof(fc.nat({ max: 1200 }), fc.constantFrom(...EXTREME_NUMBERS)), { maxLength: 4 }),
  fc.constantFrom("F16", "BF16", "I16", "I8", "U8", "F32", "F64", "I64", "I32", "BOOL", "U16", "U64", "F8_E4M3", "f32", ""),
  fc.constantFrom(null, true, {}, [], "x"),
);

type HeaderEdit =
  | { kind: "set"; which: number; field: "dtype" | "shape" | "data_offsets"; value: unknown }
  | { kind: "offset"; which: number; end: boolean; delta: number }
  | { kind: "drop"; which: number }
  | { kind: "add"; name: string; value: unknown }
  | { kind: "data"; delta: number };

const headerEdit: fc.Arbitrary<HeaderEdit> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), which: fc.nat(), field: fc.constantFrom("dtype" as const, "shape" as const, "data_offsets" as const), value: fieldValue }),
  fc.record({ kind: fc.constant("offset" as const), which: fc.nat(), end: fc.boolean(), delta: fc.integer({ min: -9, max: 9 }) }),
  fc.record({ kind: fc.constant("drop" as const), which: fc.nat() }),
  fc.record({ kind: fc.constant("add" as const), name: fc.constantFrom("__metadata__", "new", ""), value: fieldValue }),
  fc.record({ kind: fc.constant("data" as const), delta: fc.integer({ min: -9, max: 9 }) }),
);

function editHeader(src: Uint8Array, edits: HeaderEdit[]): Uint8Array {
  const { header, data: original } = split(src);
  let data = original;
  const h = structuredClone(header) as Record<string, Record<string, unknown>>;
  for (const e of edits) {
    const names = Object.keys(h).filter((k) => k !== "__metadata__");
    const name = names.length === 0 ? undefined : names[("which" in e ? e.which : 0) % names.length]!;
    if (e.kind === "set" && name !== undefined) h[name]![e.field] = e.value;
    else if (e.kind === "offset" && name !== undefined) {
      const offsets = h[name]!["data_offsets"];
      if (Array.isArray(offsets) && typeof offsets[e.end ? 1 : 0] === "number") offsets[e.end ? 1 : 0] += e.delta;
    } else if (e.kind === "drop" && name !== undefined) delete h[name];
    else if (e.kind === "add") h[e.name] = (typeof e.value === "object" && e.value !== null ? e.value : { dtype: "U8", shape: [1], data_offsets: [0, 1], x: e.value }) as Record<string, unknown>;
    else if (e.kind === "data") data = e.delta < 0 ? data.subarray(0, Math.max(0, data.length + e.delta)) : Uint8Array.from([...data, ...new Uint8Array(e.delta)]);
  }
  return join(h, data);
}

const SIZES: Record<string, number> = { F64: 8, I64: 8, F32: 4, I32: 4, F16: 2, BF16: 2, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Loads with load() and SafeOpen; fails the property on anything but tensors that match the header, or a clear error. */
function loadOrClearError(bytes: Uint8Array): "loaded" | "refused" {
  let outcome: "loaded" | "refused" = "loaded";
  const before = process.memoryUsage().arrayBuffers;
  const start = performance.now();
  try {
    const out = load(bytes);
    const { header } = split(bytes);
    for (const [name, t] of Object.entries(out)) {
      const info = header[name] as { dtype: string; shape: number[]; data_offsets: [number, number] };
      expect(t).toBeInstanceOf(Tensor);
      expect([...t.shape]).toEqual(info.shape);
      expect(t.numel() * SIZES[info.dtype]!).toBe(info.data_offsets[1] - info.data_offsets[0]);
    }
    const f = new SafeOpen(bytes);
    expect(f.keys().sort()).toEqual(Object.keys(out).sort());
    for (const name of f.keys()) expect(f.get_tensor(name).equal(out[name]!) || out[name]!.isnan().any().item()).toBeTruthy();
  } catch (e) {
    const clear = e instanceof SafetensorError || e instanceof NotImplementedError;
    if (!clear) throw new Error(`not a clear error: ${(e as Error)?.stack ?? String(e)}`);
    expect((e as Error).message.length).toBeGreaterThan(0);
    outcome = "refused";
  }
  expect(performance.now() - start).toBeLessThan(1000);
  expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
  return outcome;
}

const baseIndex = fc.integer({ min: 0, max: bases.length - 1 });

describe("fuzzing safetensors.load: mutated files load or fail clearly", () => {
  test("the unmutated files load", () => {
    for (const b of bases) loadOrClearError(b);
    expect(Object.keys(load(bases[0]!))).toContain("f16.special");
  });

  test("mutations of the raw bytes (flips, length prefix, cuts, insertions)", () => {
    const seen = { loaded: 0, refused: 0 };
    fc.assert(
      fc.property(baseIndex, fc.array(mutation, { minLength: 1, maxLength: 5 }), (i, ms) => {
        seen[loadOrClearError(mutate(bases[i]!, ms))]++;
      }),
      { numRuns: RUNS, seed: 11 },
    );
    // Both outcomes are reached (flips inside the data leave a valid file).
    expect(seen.refused).toBeGreaterThan(RUNS / 4);
    expect(seen.loaded).toBeGreaterThan(0);
  });

  test("mutations of the header's entries, re-encoded with a correct length", () => {
    const seen = { loaded: 0, refused: 0 };
    fc.assert(
      fc.property(baseIndex, fc.array(headerEdit, { minLength: 1, maxLength: 4 }), (i, es) => {
        seen[loadOrClearError(editHeader(bases[i]!, es))]++;
      }),
      { numRuns: RUNS, seed: 12 },
    );
    expect(seen.refused).toBeGreaterThan(RUNS / 4);
    expect(seen.loaded).toBeGreaterThan(0);
  });
});
