/**
 * Fuzzing torch.load with fast-check: valid checkpoints (PyTorch's and torch-ts's) are mutated
 * (bytes flipped, fields overwritten with extreme values, cut, extended) at three levels: the
 * raw file, its pickle re-zipped with correct CRCs (so the unpickler itself is reached), and its
 * storage records. The only outcomes allowed are a loaded value or one of torch-ts's clear errors
 * (RuntimeError, UnpicklingError, ValueError), quickly and without large allocations: never a
 * JS engine error (RangeError, a TypeError from reading undefined), a hang or a crash.
 */

import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { zipSync } from "fflate";

import torch, { nn, RuntimeError, UnpicklingError, ValueError } from "../../src/index.js";
import { PyTorchFileReader } from "../../src/serialization/inline_container.js";
import { unpickle } from "../../src/serialization/pickle.js";
import { TORCH_REDUCERS, finalizeTorchLeaf } from "../../src/serialization/pt_rebuild.js";
import { storageLoader } from "../../src/serialization/pt_storage.js";
import { fixture } from "./pt_golden.js";

const RUNS = 250;
const EXTREMES = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];

/** A file and its records, read once. */
interface Base {
  name: string;
  bytes: Uint8Array;
  records: [string, Uint8Array][];
}

function base(name: string, bytes: Uint8Array): Base {
  const reader = new PyTorchFileReader(bytes);
  const prefix = reader.archiveName.length + 1;
  return { name, bytes, records: reader.getAllRecords().map((r) => [r, reader.getRecord(r.slice(prefix)).slice()]) };
}

torch.manual_seed(0);
const bases: Base[] = [
  ...["linear_float32", "linear_float16", "shared", "nested", "optimizer", "noncontiguous", "parameters"].map((n) =>
    base(n, fixture("valid", n)),
  ),
  base("torch-ts", torch.save({ model: new nn.Linear(3, 2).state_dict(), views: [torch.ones(4).narrow(0, 1, 2)] })),
];
const legacy = [fixture("valid", "legacy"), fixture("valid", "legacy_shared")];

/** One mutation of a byte string. */
type Mutation =
  | { kind: "flip"; at: number; value: number }
  | { kind: "u32"; at: number; value: number }
  | { kind: "cut"; at: number }
  | { kind: "insert"; at: number; bytes: number[] };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant("u32" as const),
    at: fc.nat(),
    value: fc.oneof(fc.constantFrom(...EXTREMES), fc.nat()),
  }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
  }),
);

function mutate(src: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b = src.slice();
  for (const m of mutations) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === "flip") b[at] = m.value;
    else if (m.kind === "u32") {
      const w = new Uint8Array(4);
      new DataView(w.buffer).setUint32(0, m.value >>> 0, true);
      b.set(w.subarray(0, Math.min(4, b.length - at)), at);
    } else if (m.kind === "cut") b = b.slice(0, at);
    else b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
  }
  return b;
}

/** Loads, and fails the property on anything but a value or a clear error. */
function loadOrClearError(load: () => unknown): void {
  const before = process.memoryUsage().arrayBuffers;
  const start = performance.now();
  try {
    load();
  } catch (e) {
    const clear = e instanceof RuntimeError || e instanceof UnpicklingError || e instanceof ValueError;
    if (!clear) throw new Error(`not a clear error: ${(e as Error)?.stack ?? String(e)}`);
    expect((e as Error).message.length).toBeGreaterThan(0);
  }
  expect(performance.now() - start).toBeLessThan(2000);
  expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
}

function rezip(records: [string, Uint8Array][]): Uint8Array {
  return zipSync(Object.fromEntries(records.map(([n, d]) => [n, [d, { level: 0 }]])));
}

const baseIndex = fc.integer({ min: 0, max: bases.length - 1 });
const mutations = fc.array(mutation, { minLength: 1, maxLength: 6 });

describe("fuzzing torch.load: mutated files load or fail clearly", () => {
  test("mutations of the raw file", () => {
    fc.assert(
      fc.property(baseIndex, mutations, (i, ms) => loadOrClearError(() => torch.load(mutate(bases[i]!.bytes, ms)))),
      { numRuns: RUNS, seed: 1 },
    );
  });

  test("mutations of the pickle, re-zipped with valid CRCs", () => {
    fc.assert(
      fc.property(baseIndex, mutations, (i, ms) => {
        const records = bases[i]!.records.map(([n, d]) => [n, n.endsWith("/data.pkl") ? mutate(d, ms) : d] as [string, Uint8Array]);
        loadOrClearError(() => torch.load(rezip(records)));
      }),
      { numRuns: RUNS, seed: 2 },
    );
  });

  test("mutations of the storage records, re-zipped", () => {
    fc.assert(
      fc.property(baseIndex, mutations, fc.nat(), (i, ms, which) => {
        const storages = bases[i]!.records.filter(([n]) => n.includes("/data/"));
        const target = storages[which % storages.length]?.[0];
        const records = bases[i]!.records.map(([n, d]) => [n, n === target ? mutate(d, ms) : d] as [string, Uint8Array]);
        loadOrClearError(() => torch.load(rezip(records)));
      }),
      { numRuns: RUNS, seed: 3 },
    );
  });

  test("mutations of legacy-format files", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: legacy.length - 1 }), mutations, (i, ms) =>
        loadOrClearError(() => torch.load(mutate(legacy[i]!, ms))),
      ),
      { numRuns: RUNS, seed: 4 },
    );
  });

  test("random opcode streams through the unpickler", () => {
    // Opcodes the unpickler knows, plus a few it must refuse, with random argument bytes.
    const ops = [..."(.0)KJMNGXRbcehjqrstu}]a\x85\x86\x87\x88\x89\x8a\x8c\x8f\x90\x93\x94\x95Q\x81"].map((c) => c.charCodeAt(0));
    const chunk = fc.oneof(
      fc.constantFrom(...ops).map((op) => [op]),
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 4 }),
      fc.constantFrom("ccollections\nOrderedDict\n", "ctorch\nFloatStorage\n", "ctorch._utils\n_rebuild_tensor_v2\n").map(
        (s) => [...s].map((c) => c.charCodeAt(0)),
      ),
    );
    const persistentLoad = storageLoader(
      () => 24,
      () => new Uint8Array(24),
    );
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 60 }), (chunks) => {
        const bytes = Uint8Array.from([0x80, 2, ...chunks.flat(), 0x2e]);
        loadOrClearError(() => unpickle(bytes, 0, { reducers: TORCH_REDUCERS, persistentLoad, finalizeLeaf: finalizeTorchLeaf }));
      }),
      { numRuns: 2000, seed: 5 },
    );
  });
});
