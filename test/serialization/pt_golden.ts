/**
 * Reading the fixtures scripts/golden/pt.py writes with real PyTorch, and comparing what
 * torch-ts loads with what PyTorch loaded from the same file (its encoding is described in the
 * script's docstring).
 */

import { readFileSync } from "node:fs";
import { expect } from "vitest";

import torch, { nn, Tensor } from "../../src/index.js";
import type { Storage } from "../../src/backend/backend.js";
import { toHex } from "../harness/bytes.js";

export const GOLDEN_DIR = "test/golden/pt";

export interface Expected {
  metadata: { torch_version: string; script: string };
  marker: string;
  valid: Record<string, Encoded>;
  hostile: Record<string, { message: string; source: string; torch_1_13: { type: string; message: string } | null }>;
  pickles: Record<string, Encoded>;
}

export type Encoded =
  | null
  | boolean
  | number
  | string
  | { kind: "int"; value: string }
  | { kind: "float"; value: "inf" | "-inf" | "nan" }
  | { kind: "bytes"; hex: string }
  | { kind: "list" | "tuple" | "size" | "set"; items: Encoded[] }
  | { kind: "dict"; ordered: boolean; items: [Encoded, Encoded][]; metadata?: Encoded }
  | EncodedTensor;

export interface EncodedTensor {
  kind: "tensor";
  dtype: string;
  shape: number[];
  stride: number[];
  offset: number;
  requires_grad: boolean;
  parameter: boolean;
  storage: number;
  values: (number | string)[];
}

let cached: Expected | null = null;

/** test/golden/pt/expected.json, checked to come from scripts/golden/pt.py. */
export function expected(): Expected {
  if (cached === null) {
    cached = JSON.parse(readFileSync(`${GOLDEN_DIR}/expected.json`, "utf8")) as Expected;
    expect(cached.metadata.script).toBe("scripts/golden/pt.py");
  }
  return cached;
}

export function fixture(kind: "valid" | "hostile" | "pickles", name: string): Uint8Array {
  return new Uint8Array(readFileSync(`${GOLDEN_DIR}/${kind}/${name}.${kind === "pickles" ? "pkl" : "pt"}`));
}

/** The dtype torch-ts loads a file's dtype as. */
export function loadsAs(dtype: string): string {
  if (dtype === "float16" || dtype === "bfloat16") return "float32";
  if (dtype === "uint8" || dtype === "int8" || dtype === "int16") return "int32";
  return dtype;
}

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/** Whether torch-ts gives this dict as a plain object (else a Map), by the rule in pickle.ts. */
function isObjectDict(keys: Encoded[]): boolean {
  const strings = keys.every((k) => typeof k === "string" && !ARRAY_INDEX.test(k));
  const ascending = keys.every(
    (k, i) => typeof k === "number" && Number.isSafeInteger(k) && k >= 0 && (i === 0 || k > (keys[i - 1] as number)),
  );
  return strings || ascending;
}

/** The stored values of `t` in row-major order, in the fixture's encoding. */
export function encodeValues(t: Tensor): (number | string)[] {
  const values = t.contiguous()._values();
  if (values instanceof Float32Array) return [...new Uint32Array(values.buffer, values.byteOffset, values.length)];
  if (values instanceof Float64Array) {
    const view = new DataView(values.buffer, values.byteOffset, values.byteLength);
    return [...values].map((_, i) => view.getBigUint64(8 * i, true).toString(16).padStart(16, "0"));
  }
  if (values instanceof BigInt64Array) return [...values].map(String);
  return [...values];
}

/**
 * Asserts that `got` (what torch-ts loaded) matches `want` (what PyTorch loaded), including
 * which tensors share a storage: `storages` maps the fixture's storage indices to ours.
 */
export function expectLoaded(got: unknown, want: Encoded, path = "$", storages = new Map<number, Storage>()): void {
  if (want === null || typeof want !== "object") {
    expect(got, path).toStrictEqual(want);
    return;
  }
  switch (want.kind) {
    case "int":
      expect(got, path).toBe(BigInt(want.value));
      return;
    case "float":
      expect(got, path).toBe({ inf: Infinity, "-inf": -Infinity, nan: NaN }[want.value]);
      return;
    case "bytes":
      expect(got, path).toBeInstanceOf(Uint8Array);
      expect(toHex(got as Uint8Array), path).toBe(want.hex);
      return;
    case "size":
      expect(got, path).toBeInstanceOf(torch.Size);
      expect([...(got as number[])], path).toEqual(want.items);
      return;
    case "set": {
      expect(got, path).toBeInstanceOf(Set);
      const items = [...(got as Set<number>)].sort((a, b) => a - b);
      expect(items.length, path).toBe(want.items.length);
      want.items.forEach((w, i) => expectLoaded(items[i], w, `${path}{${i}}`, storages));
      return;
    }
    case "list":
    case "tuple": {
      expect(Array.isArray(got), `${path} is an array`).toBe(true);
      const arr = got as unknown[];
      expect(Object.isFrozen(arr), `${path} frozen (tuple)`).toBe(want.kind === "tuple");
      expect(arr.length, path).toBe(want.items.length);
      want.items.forEach((w, i) => expectLoaded(arr[i], w, `${path}[${i}]`, storages));
      return;
    }
    case "dict": {
      const keys = want.items.map(([k]) => k);
      if (isObjectDict(keys)) {
        expect(got instanceof Map, `${path} is a plain object`).toBe(false);
        const obj = got as Record<string, unknown>;
        expect(Object.keys(obj), `${path} keys`).toEqual(keys.map(String));
        for (const [k, v] of want.items) expectLoaded(obj[String(k)], v, `${path}.${String(k)}`, storages);
      } else {
        expect(got, `${path} is a Map`).toBeInstanceOf(Map);
        const entries = [...(got as Map<unknown, unknown>)];
        expect(entries.length, path).toBe(want.items.length);
        want.items.forEach(([k, v], i) => {
          expectLoaded(entries[i]![0], k, `${path} key ${i}`, storages);
          expectLoaded(entries[i]![1], v, `${path}[${JSON.stringify(k)}]`, storages);
        });
      }
      if (want.metadata !== undefined) {
        const d = Object.getOwnPropertyDescriptor(got, "_metadata");
        expect(d?.enumerable, `${path}._metadata is non-enumerable`).toBe(false);
        expectLoaded(d!.value, want.metadata, `${path}._metadata`, storages);
      }
      return;
    }
    case "tensor": {
      expect(got, path).toBeInstanceOf(Tensor);
      const t = got as Tensor;
      expect(t.dtype.name, `${path} dtype`).toBe(loadsAs(want.dtype));
      expect([...t.shape], `${path} shape`).toEqual(want.shape);
      expect(t.stride(), `${path} stride`).toEqual(want.stride);
      expect(t.storage_offset(), `${path} offset`).toBe(want.offset);
      expect(t.requires_grad, `${path} requires_grad`).toBe(want.requires_grad);
      expect(t instanceof nn.Parameter, `${path} is a Parameter`).toBe(want.parameter);
      const seen = storages.get(want.storage);
      if (seen === undefined) {
        expect([...storages.values()].includes(t._storage), `${path} has its own storage`).toBe(false);
        storages.set(want.storage, t._storage);
      } else {
        expect(t._storage === seen, `${path} shares storage ${want.storage}`).toBe(true);
      }
      expect(encodeValues(t), `${path} values`).toEqual(want.values);
      return;
    }
  }
}
