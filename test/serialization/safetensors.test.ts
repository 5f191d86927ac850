import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import torch, { NotImplementedError, RuntimeError, Tensor, ValueError } from "../../src/index.js";
import { safetensors as nodeSafetensors } from "../../src/node/index.js";

const { save, load, SafeOpen, SafetensorError } = torch.safetensors;

/** The bytes of a file with this header text (unpadded, as a hand-written file may be) and data. */
function file(header: string, data: Uint8Array | number = 0): Uint8Array {
  const h = new TextEncoder().encode(header);
  const body = typeof data === "number" ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + h.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(body, 8 + h.length);
  return out;
}

function headerOf(bytes: Uint8Array): Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
}

function f32(values: number[], shape: number[]): Tensor {
  return torch.tensor(new Float32Array(values)).view(shape);
}

function bits(t: Tensor): string {
  const v = t._values();
  return Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).join(",");
}

describe("safetensors.save: the bytes the Rust crate writes", () => {
  // Expected bytes copied from huggingface/safetensors, safetensors/src/tensor.rs, tests
  // test_serialization, test_serialization_forced_alignement and test_empty.
  it("one F32 tensor whose header is already a multiple of 8 (no padding)", () => {
    const out = save({ "attn.0": f32([0, 1, 2, 3, 4, 5], [1, 2, 3]) });
    expect(Array.from(out)).toEqual([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
      116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
      58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
      101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
      0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
  });

  it("pads the header with spaces to a multiple of 8", () => {
    const out = save({ attn0: f32([0, 1, 2, 3, 4, 5], [1, 1, 2, 3]) });
    expect(Array.from(out)).toEqual([
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
      121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
      91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
      115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
      32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
      160, 64,
    ]);
  });

  it("an empty dict, with and without metadata", () => {
    expect(Array.from(save({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect(Array.from(save({}, { framework: "pt" }))).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
      95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
      116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
  });

  it("orders tensors by dtype (I64, F64, F32, I32, BOOL), then by name's UTF-8 bytes", () => {
    const out = save({
      z_bool: torch.tensor([true]),
      b_f32: torch.zeros(1),
      a_f32: torch.zeros(1),
      i32: torch.zeros(1, { dtype: torch.int32 }),
      f64: torch.zeros(1, { dtype: torch.float64 }),
      i64: torch.zeros(1, { dtype: torch.int64 }),
      // U+FF21 (fullwidth A) sorts before U+1F600 in UTF-16 but after it in UTF-8: Rust's order is UTF-8's.
      "\u{1F600}": torch.zeros(1),
      "\uFF21": torch.zeros(1),
    });
    const h = headerOf(out);
    const order = Object.keys(h).sort((a, b) => h[a]!.data_offsets[0] - h[b]!.data_offsets[0]);
    expect(order).toEqual(["i64", "f64", "a_f32", "b_f32", "\uFF21", "\u{1F600}", "i32", "z_bool"]);
    // And the header lists them in that order, as serde writes the crate's Metadata.
    expect(Object.keys(h)).toEqual(order);
  });

  it("keeps that order for integer-like names, which a JS object would move to the front", () => {
    const out = save({ b: torch.zeros(1), "10": torch.zeros(1), "2": torch.zeros(1) }, { k: "v" });
    const n = Number(new DataView(out.buffer).getBigUint64(0, true));
    const text = new TextDecoder().decode(out.subarray(8, 8 + n));
    // Rust compares bytes: "10" < "2" < "b".
    expect(text.trimEnd()).toBe(
      '{"__metadata__":{"k":"v"},"10":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},' +
        '"2":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}',
    );
  });

  it("writes __metadata__ first and every data offset aligned to the element size", () => {
    const out = save({ a: torch.zeros(3, { dtype: torch.bool }), b: torch.zeros(2, { dtype: torch.float64 }) }, { k: "v" });
    const n = Number(new DataView(out.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(out.subarray(8, 8 + n));
    expect(text.startsWith('{"__metadata__":{"k":"v"},"b":')).toBe(true);
    expect(headerOf(out).b!.data_offsets).toEqual([0, 16]);
    expect(headerOf(out).a!.data_offsets).toEqual([16, 19]);
  });
});

describe("safetensors round trip", () => {
  it("every dtype, 0-d and empty tensors, values bit for bit", () => {
    const tensors: Record<string, Tensor> = {
      f32: f32([0, -0, Infinity, -Infinity, NaN, 1e-45, 3.4028234663852886e38, -1.5], [2, 4]),
      f64: torch.tensor(new Float64Array([0.1, 1 / 3, -2.5e-300, 5e-324, -0])),
      i64: torch.tensor(new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 12345678901234n])),
      i32: torch.tensor(new Int32Array([-(2 ** 31), 2 ** 31 - 1, 0, -7])).view(2, 2),
      bool: torch.tensor([[true, false, true], [false, false, true]]),
      scalar: torch.tensor(3.5),
      empty: torch.zeros(0, 3),
    };
    const loaded = load(save(tensors, { note: "tëst \"quoted\"\n" }));
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const u = loaded[name]!;
      expect(u.dtype, name).toBe(t.dtype);
      expect([...u.shape], name).toEqual([...t.shape]);
      expect(bits(u), name).toBe(bits(t));
    }
  });

  it("loads from a Uint8Array view into a larger buffer, at an odd offset, and copies", () => {
    const bytes = save({ w: f32([1, 2, 3], [3]) });
    const big = new Uint8Array(bytes.length + 5);
    big.set(bytes, 3);
    const view = big.subarray(3, 3 + bytes.length);
    const w = load(view).w!;
    expect(w.tolist()).toEqual([1, 2, 3]);
    big.fill(0);
    expect(w.tolist()).toEqual([1, 2, 3]);
  });

  it("a model's state_dict loads back into a fresh model", () => {
    torch.manual_seed(0);
    const a = new torch.nn.Sequential(new torch.nn.Linear(4, 3), new torch.nn.ReLU(), new torch.nn.Linear(3, 2));
    const b = new torch.nn.Sequential(new torch.nn.Linear(4, 3), new torch.nn.ReLU(), new torch.nn.Linear(3, 2));
    b.load_state_dict(load(save(a.state_dict())));
    const x = torch.randn(5, 4);
    expect(torch.equal(a(x), b(x))).toBe(true);
  });

  it("SafeOpen gives keys, metadata and single tensors", () => {
    const bytes = save({ b: torch.ones(2), a: torch.zeros(1, { dtype: torch.int64 }) }, { format: "pt" });
    const f = new SafeOpen(bytes);
    expect(f.keys()).toEqual(["a", "b"]);
    expect(f.metadata()).toEqual({ format: "pt" });
    expect(f.get_tensor("b").tolist()).toEqual([1, 1]);
    expect(() => f.get_tensor("c")).toThrow(SafetensorError);
    expect(new SafeOpen(save({})).metadata()).toBe(null);
  });

  it("save_file / load_file / safe_open from torch-ts/node", () => {
    const dir = mkdtempSync(join(tmpdir(), "torch-ts-st-"));
    try {
      const path = join(dir, "m.safetensors");
      nodeSafetensors.save_file({ x: torch.arange(6).view(2, 3) }, path, { a: "b" });
      expect(Array.from(readFileSync(path))).toEqual(Array.from(save({ x: torch.arange(6).view(2, 3) }, { a: "b" })));
      expect(nodeSafetensors.load_file(path).x!.tolist()).toEqual([[0, 1, 2], [3, 4, 5]]);
      expect(nodeSafetensors.safe_open(path, "pt").metadata()).toEqual({ a: "b" });
      expect(() => nodeSafetensors.load_file(path, "cuda")).toThrow(TypeError);
      writeFileSync(path, new Uint8Array([1, 2, 3]));
      expect(() => nodeSafetensors.load_file(path)).toThrow(/HeaderTooSmall/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("safetensors.save refuses what the format cannot hold, in safetensors.torch's words", () => {
  it("a non-contiguous tensor", () => {
    expect(() => save({ t: torch.zeros(2, 3).t() })).toThrow(ValueError);
    expect(() => save({ t: torch.zeros(2, 3).t() })).toThrow("You are trying to save a non contiguous tensor: `t` which is not allowed.");
  });

  it("tensors that share memory", () => {
    const base = torch.zeros(4);
    expect(() => save({ a: base, b: base.view(2, 2) })).toThrow(RuntimeError);
    expect(() => save({ a: base, b: base.view(2, 2) })).toThrow(/Some tensors share memory.*\{'a', 'b'\}/);
    // Disjoint slices of one storage share none of it: allowed.
    const [x, y] = torch.arange(4).split(2);
    expect(() => save({ x: x!, y: y! })).not.toThrow();
  });

  it("non-tensors, non-string metadata, and a tensor named __metadata__", () => {
    expect(() => save([] as never)).toThrow("Expected a dict of [str, torch.Tensor] but received <class 'list'>");
    expect(() => save({ a: 1 as never })).toThrow("Key `a` is invalid, expected torch.Tensor but received <class 'int'>");
    expect(() => save({ a: torch.zeros(1) }, { v: 1 as never })).toThrow(TypeError);
    expect(() => save({ __metadata__: torch.zeros(1) })).toThrow(ValueError);
  });
});

describe("safetensors.load validates the file and says what is wrong", () => {
  const good = '{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const cases: [string, Uint8Array, RegExp][] = [
    ["fewer than 8 bytes", new Uint8Array(5), /HeaderTooSmall/],
    ["a header length past the end of the file", (() => {
      const b = file(good, 8);
      new DataView(b.buffer).setBigUint64(0, 1000n, true);
      return b;
    })(), /InvalidHeaderLength: the header length is 1000 bytes but the data after the length have only/],
    ["a header over 100 MB", (() => {
      const b = file(good, 8);
      new DataView(b.buffer).setBigUint64(0, 100_000_001n, true);
      return b;
    })(), /HeaderTooLarge/],
    ["a header length of 2^64 - 1", (() => {
      const b = file(good, 8);
      new DataView(b.buffer).setBigUint64(0, 2n ** 64n - 1n, true);
      return b;
    })(), /HeaderTooLarge/],
    ["invalid UTF-8", (() => {
      const b = file("{\"\u00e9\":1}");
      b[10] = 0xff;
      return b;
    })(), /InvalidHeader: the header is not valid UTF-8/],
    ["a header that does not start with {", file(" []"), /InvalidHeaderStart/],
    ["malformed JSON", file('{"t":{"dtype":"F32",'), /InvalidHeaderDeserialization: the header is not valid JSON/],
    ["an unknown dtype", file('{"t":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}', 8), /unknown dtype 'F33'/],
    ["a negative dim", file('{"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}', 8), /`shape` must be a list of non-negative integers/],
    ["offsets that are not two integers", file('{"t":{"dtype":"F32","shape":[2],"data_offsets":[0]}}', 8), /`data_offsets` must be two/],
    ["a non-string metadata value", file('{"__metadata__":{"a":1}}'), /`__metadata__` value of 'a' is not a string/],
    ["a gap between tensors", file(
      '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}', 12,
    ), /InvalidOffset: tensor 'b': data_offsets \[8, 12\] leave a gap/],
    ["overlapping tensors", file(
      '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8,
    ), /InvalidOffset: tensor 'b'.*overlap/],
    ["data that do not start at offset 0", file('{"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8), /InvalidOffset/],
    ["an end before the begin", file('{"t":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"u":{"dtype":"F32","shape":[0],"data_offsets":[0,-1]}}'), /data_offsets/],
    ["a byte length that is not shape times itemsize", file('{"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', 8), /TensorInvalidInfo: tensor 't': shape \[3\] of F32 needs 12 bytes/],
    ["a shape too large to count", file('{"t":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}', 8), /ValidationOverflow/],
    ["trailing bytes after the last tensor", file(good, 9), /MetadataIncompleteBuffer/],
    ["a truncated data section", file(good, 7), /MetadataIncompleteBuffer/],
  ];
  for (const [what, bytes, message] of cases) {
    it(what, () => {
      let error: unknown;
      try {
        load(bytes);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SafetensorError);
      expect((error as Error).message).toMatch(/^Error while deserializing header: /);
      expect((error as Error).message).toMatch(message);
    });
  }

  it("a valid file with a dtype torch-ts lacks fails as not implemented, naming it", () => {
    const bytes = file('{"h":{"dtype":"U16","shape":[2],"data_offsets":[0,4]}}', 4);
    expect(() => load(bytes)).toThrow(NotImplementedError);
    expect(() => load(bytes)).toThrow(
      "safetensors: tensor 'h' has dtype U16, which torch-ts does not support yet (supported: F64, F32, I64, I32, BOOL, F16, BF16, I16, I8, U8)",
    );
  });

  it("accepts what the format allows: unpadded headers, any key order, trailing JSON whitespace", () => {
    const data = new Uint8Array(new Float32Array([1, 2, 3]).buffer);
    const out = load(file('{"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}  \n', data));
    expect(out.a!.tolist()).toEqual([1, 2]);
    expect(out.b!.tolist()).toEqual([3]);
    expect(Object.keys(out)).toEqual(["a", "b"]);
  });

  it("never crashes on corrupted bytes: every failure is a SafetensorError or NotImplementedError", () => {
    const valid = save({ w: torch.arange(12, { dtype: torch.float32 }).view(3, 4), n: torch.tensor([1, 2]) }, { k: "v" });
    torch.manual_seed(0);
    let failures = 0;
    for (let trial = 0; trial < 400; trial++) {
      const bytes = valid.slice();
      const kind = trial % 3;
      if (kind === 0) {
        // Flip one byte in the header region (length included).
        const at = Number(torch.randint(0, 8 + 120, []).item());
        bytes[at] = Number(torch.randint(0, 256, []).item());
      } else if (kind === 1) {
        // Truncate anywhere.
        const at = Number(torch.randint(0, bytes.length, []).item());
        try {
          load(bytes.subarray(0, at));
        } catch (e) {
          expect(e).toBeInstanceOf(SafetensorError);
          failures++;
        }
        continue;
      } else {
        // Append junk.
        const junk = new Uint8Array(1 + (trial % 7));
        const grown = new Uint8Array(bytes.length + junk.length);
        grown.set(bytes);
        expect(() => load(grown)).toThrow(SafetensorError);
        failures++;
        continue;
      }
      try {
        load(bytes);
      } catch (e) {
        expect(e instanceof SafetensorError || e instanceof NotImplementedError, String(e)).toBe(true);
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(250);
  });
});

describe("torch.safetensors runs in browsers", () => {
  it("no file under src/serialization imports a Node module (files are in src/node/safetensors.ts)", () => {
    const dir = "src/serialization";
    const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
    expect(files).toContain("safetensors.ts");
    const nodeImport = /\bfrom\s+["'](node:[^"']+|fs|zlib|path|os|url|buffer)["']|\brequire\(/;
    expect(files.filter((f) => nodeImport.test(readFileSync(join(dir, f), "utf8")))).toEqual([]);
  });
});
