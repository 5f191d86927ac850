/**
 * torch.load and torch.safetensors.load from the web's file objects (src/serialization/from_web.ts):
 * a fetch Response or a Blob gives a Promise of what the bytes give; bytes and ArrayBuffers stay
 * synchronous. The files are PyTorch's (test/golden/pt, test/golden/safetensors), and the
 * Responses are real ones: `fetch` of a data: URL, which Node and browsers both serve.
 */

import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";

import torch, { Tensor } from "../../src/index.js";

// PyTorch's nn.Linear state_dict (scripts/golden/pt.py), and what PyTorch loaded from it. (Read
// here rather than through pt_golden.ts, which uses Node's Buffer, so this file also runs in the
// browser suite, where Responses and Blobs come from.)
const linear = new Uint8Array(readFileSync("test/golden/pt/valid/linear_float32.pt"));
type Want = { kind: string; dtype: string; shape: number[]; values: number[] };
const golden = JSON.parse(readFileSync("test/golden/pt/expected.json", "utf8")) as {
  metadata: { script: string };
  valid: { linear_float32: { kind: string; items: [string, Want][] } };
};
const want = golden.valid.linear_float32;

/** What torch-ts loaded equals what PyTorch loaded: the same keys, shapes and float32 bits. */
function expectLinear(got: unknown): void {
  expect(golden.metadata.script).toBe("scripts/golden/pt.py");
  expect(want.kind).toBe("dict");
  const state = got as Record<string, Tensor>;
  expect(Object.keys(state)).toEqual(want.items.map(([k]) => k));
  for (const [key, w] of want.items) {
    expect(state[key]!.dtype, key).toBe(torch.float32);
    expect([...state[key]!.shape], key).toEqual(w.shape);
    expect(encoded(state[key]!), key).toEqual(w.values);
  }
}

const ST_DIR = new URL("../golden/safetensors/", import.meta.url);
const stBytes = new Uint8Array(readFileSync(new URL("widened.safetensors", ST_DIR)));
const stExpected = JSON.parse(readFileSync(new URL("expected.json", ST_DIR), "utf8")) as {
  tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
};

function dataUrl(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `data:application/octet-stream;base64,${btoa(binary)}`;
}

/** float32 values as uint32 bit patterns, integers as numbers: the safetensors fixture's encoding. */
function encoded(t: Tensor): number[] {
  const v = t._values();
  if (v instanceof Float32Array) return Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));
  return Array.from(v as Int32Array);
}

function isThenable(x: unknown): boolean {
  return typeof (x as { then?: unknown } | null)?.then === "function";
}

describe("torch.load from a Response or a Blob", () => {
  test("await torch.load(await fetch(url)) loads PyTorch's file", async () => {
    const pending = torch.load(await fetch(dataUrl(linear)));
    expect(isThenable(pending)).toBe(true);
    expectLinear(await pending);
  });

  test("a Blob (a File from a file picker is one) loads the same", async () => {
    expectLinear(await torch.load(new Blob([linear])));
  });

  test("bytes and ArrayBuffers stay synchronous, and awaiting them is harmless", async () => {
    const direct = torch.load(linear.slice().buffer);
    expect(isThenable(direct)).toBe(false);
    expectLinear(direct);
    expectLinear(await torch.load(linear));
  });

  test("an HTTP error is refused with its status instead of parsed", async () => {
    const notFound = new Response("<!doctype html><title>404</title>", { status: 404, statusText: "Not Found" });
    await expect(torch.load(notFound)).rejects.toThrow(TypeError);
    await expect(torch.load(new Response("x", { status: 500 }))).rejects.toThrow(/HTTP status 500/);
  });

  test("a body already read is refused with a hint", async () => {
    const response = await fetch(dataUrl(linear));
    await response.arrayBuffer();
    await expect(torch.load(response)).rejects.toThrow(/already read.*clone\(\)/);
  });

  test("errors of the loader reject the Promise rather than throw", async () => {
    const pending = torch.load(new Blob([linear]), { weights_only: false });
    expect(isThenable(pending)).toBe(true);
    await expect(pending).rejects.toThrow(/weights_only=False/);
    await expect(torch.load(new Blob([new Uint8Array([0x3c, 0x21])]))).rejects.toThrow(/invalid load key, '<'/);
  });
});

describe("torch.safetensors.load from a Response, a Blob or an ArrayBuffer", () => {
  const check = (loaded: Record<string, Tensor>) => {
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(stExpected.tensors).sort());
    for (const [name, want] of Object.entries(stExpected.tensors)) {
      expect([...loaded[name]!.shape], name).toEqual(want.shape);
      expect(encoded(loaded[name]!), name).toEqual(want.values);
    }
  };

  test("await safetensors.load(await fetch(url)) gives PyTorch's values", async () => {
    const pending = torch.safetensors.load(await fetch(dataUrl(stBytes)));
    expect(isThenable(pending)).toBe(true);
    check(await pending);
  });

  test("a Blob, an ArrayBuffer (synchronously) and SafeOpen over an ArrayBuffer", async () => {
    check(await torch.safetensors.load(new Blob([stBytes])));
    const fromBuffer = torch.safetensors.load(stBytes.slice().buffer);
    expect(isThenable(fromBuffer)).toBe(false);
    check(fromBuffer);
    const f = new torch.safetensors.SafeOpen(stBytes.slice().buffer);
    expect(encoded(f.get_tensor("u8"))).toEqual(stExpected.tensors["u8"]!.values);
  });

  test("a malformed body rejects with the reader's SafetensorError", async () => {
    await expect(torch.safetensors.load(new Blob([new Uint8Array(4)]))).rejects.toThrow(/HeaderTooSmall/);
    await expect(torch.safetensors.load(new Response("", { status: 403 }))).rejects.toThrow(/safetensors\.load: .*HTTP status 403/);
  });
});
