/**
 * torch.save's archive (layout, alignment, determinism), round trips through torch.load, and
 * the values torch.save refuses. What PyTorch itself reads from these files is pt_live.test.ts.
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, test } from "vitest";

import torch, { nn, Tensor } from "../../src/index.js";
import * as node from "../../src/node/index.js";
import { toHex } from "../harness/bytes.js";

/** Every local header of a zip: its name and where its data starts (read independently of src). */
function localRecords(bytes: Uint8Array): { name: string; dataStart: number; extra: Uint8Array }[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = [];
  let p = 0;
  while (view.getUint32(p, true) === 0x04034b50) {
    const size = view.getUint32(p + 18, true);
    const nameLen = view.getUint16(p + 26, true);
    const extraLen = view.getUint16(p + 28, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 30, p + 30 + nameLen));
    const dataStart = p + 30 + nameLen + extraLen;
    out.push({ name, dataStart, extra: bytes.subarray(p + 30 + nameLen, dataStart) });
    p = dataStart + size;
  }
  return out;
}

function sampleState(): Record<string, unknown> {
  const base = torch.arange(12, { dtype: torch.float32 }).reshape(3, 4);
  return {
    f32: base,
    view: base.narrow(0, 1, 2),
    transposed: base.t(),
    f64: torch.tensor([1.5, -0.25], { dtype: torch.float64 }),
    i64: torch.tensor([2n ** 62n, -1n]),
    i32: torch.tensor([7, -7], { dtype: torch.int32 }),
    bool: torch.tensor([true, false]),
    param: new nn.Parameter(torch.ones(2)),
  };
}

describe("torch.save writes PyTorch's archive layout", () => {
  const bytes = torch.save(sampleState());
  const records = localRecords(bytes);

  test("records in torch.save's order, under archive/", () => {
    expect(records.map((r) => r.name)).toEqual([
      "archive/data.pkl",
      "archive/.format_version",
      "archive/.storage_alignment",
      "archive/byteorder",
      "archive/data/0",
      "archive/data/1",
      "archive/data/2",
      "archive/data/3",
      "archive/data/4",
      "archive/data/5",
      "archive/version",
      "archive/.data/serialization_id",
    ]);
  });

  test("every record's data starts at a multiple of 64, padded with an FB extra field of Z", () => {
    for (const r of records) {
      expect(r.dataStart % 64, r.name).toBe(0);
      expect(String.fromCharCode(r.extra[0]!, r.extra[1]!), r.name).toBe("FB");
      expect(r.extra.subarray(4).every((b) => b === 0x5a), r.name).toBe(true);
    }
  });

  test("the same object gives the same bytes", () => {
    const again = torch.save(sampleState());
    expect(toHex(again)).toBe(toHex(bytes));
  });
});

describe("torch.load reads back what torch.save wrote", () => {
  test("tensors of every dtype, views with their offsets and strides, shared storages, Parameters", () => {
    const src = sampleState() as Record<string, Tensor>;
    const got = torch.load<Record<string, Tensor>>(torch.save(src));
    expect(Object.keys(got)).toEqual(Object.keys(src));
    for (const [k, t] of Object.entries(src)) {
      const g = got[k]!;
      expect(g.dtype, k).toBe(t.dtype);
      expect([...g.shape], k).toEqual([...t.shape]);
      expect(g.stride(), k).toEqual(t.stride());
      expect(g.storage_offset(), k).toBe(t.storage_offset());
      expect(g.tolist(), k).toEqual(t.tolist());
    }
    expect(got["view"]!._storage).toBe(got["f32"]!._storage);
    expect(got["transposed"]!._storage).toBe(got["f32"]!._storage);
    expect(got["f64"]!._storage).not.toBe(got["f32"]!._storage);
    expect(got["param"]).toBeInstanceOf(nn.Parameter);
    expect(got["param"]!.requires_grad).toBe(true);
  });

  test("Python values: ints, floats, bigints, strings, None, bools, lists, tuples, Size, Maps, Sets, bytes", () => {
    const value = {
      int: 3,
      negative: -70000,
      float: 0.1,
      negzero: -0,
      inf: -Infinity,
      big: 2 ** 60,
      bigint: -(2n ** 80n),
      str: "naïve ☃",
      none: null,
      bools: [true, false],
      tuple: Object.freeze([1, "a", Object.freeze([])]),
      nested: [[[]], {}],
      size: torch.zeros(2, 3).shape,
      int_keys: { 0: "a", 2: "b" },
      map: new Map<unknown, unknown>([[1.5, "x"], ["0", "string zero"], [Object.freeze([1, 2]), null]]),
      set: new Set([1, 2]),
      bytes: new Uint8Array([0, 128, 255]),
      empty_bytes: new Uint8Array(0),
      dtype: torch.float64,
      __proto__key: JSON.parse('{"__proto__": 1}') as unknown,
    };
    const got = torch.load<Record<string, unknown>>(torch.save(value));
    // Ints beyond 2^53 load as bigints, whatever they were written from.
    expect(got).toStrictEqual({ ...value, big: 2n ** 60n });
    expect(Object.isFrozen(got["tuple"])).toBe(true);
    expect(got["size"]).toBeInstanceOf(torch.Size);
    expect(Object.keys(got["__proto__key"] as object)).toEqual(["__proto__"]);
  });

  test("the same object twice stays one object; a list inside itself is refused on load", () => {
    const t = torch.ones(2);
    const shared = [t];
    const got = torch.load<unknown[][]>(torch.save([shared, shared, t]));
    expect(got[0]).toBe(got[1]);
    expect(got[0]![0]).toBe(got[2]);
    const loop: unknown[] = [];
    loop.push(loop);
    expect(() => torch.load(torch.save(loop))).toThrow("the pickle holds a container that contains itself");
  });

  test("an optimizer state_dict round-trips into a fresh optimizer", () => {
    const model = new nn.Linear(3, 2);
    const opt = new torch.optim.Adam(model.parameters(), { lr: 0.01 });
    model(torch.ones(4, 3)).sum().backward();
    opt.step();
    const fresh = new torch.optim.Adam(model.parameters(), { lr: 0.5 });
    fresh.load_state_dict(torch.load(torch.save(opt.state_dict())));
    expect(fresh.param_groups[0]!.lr).toBe(0.01);
    const s = fresh.state.get(model.weight) as Record<string, Tensor>;
    expect(s["exp_avg"]!.tolist()).toEqual((opt.state.get(model.weight) as Record<string, Tensor>)["exp_avg"]!.tolist());
  });
});

describe("what torch.save refuses", () => {
  test("a Module, functions, symbols and typed arrays other than bytes", () => {
    expect(() => torch.save(new nn.Linear(2, 2))).toThrow("cannot save a Module itself; save its state_dict()");
    expect(() => torch.save({ f: () => 1 })).toThrow("cannot pickle 'function' object");
    expect(() => torch.save([Symbol("x")])).toThrow("cannot pickle 'symbol' object");
    expect(() => torch.save(new Float32Array(2))).toThrow("cannot pickle 'Float32Array' object");
    expect(() => torch.save(new nn.UninitializedParameter())).toThrow("cannot save an uninitialized parameter");
  });

  test("nesting beyond Python's recursion limit", () => {
    let deep: unknown[] = [];
    for (let i = 0; i < 1500; i++) deep = [deep];
    expect(() => torch.save(deep)).toThrow("maximum recursion depth exceeded while pickling an object");
  });

  test("torch.load with weights_only: false", () => {
    expect(() => torch.load(torch.save(1), { weights_only: false })).toThrow("cannot load with weights_only=False");
  });
});

describe("paths (Node)", () => {
  const dir = mkdtempSync(join(tmpdir(), "torch-ts-pt-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("torch.save(obj, path) and torch.load(path) on the main namespace", () => {
    const path = join(dir, "model.v1.pt");
    torch.save({ w: torch.ones(2) }, path);
    // PyTorch names the archive's folder after the file, without its last extension.
    expect(localRecords(new Uint8Array(readFileSync(path)))[0]!.name).toBe("model.v1/data.pkl");
    expect(torch.load<Record<string, Tensor>>(path)["w"]!.tolist()).toEqual([1, 1]);
  });

  test('"torch-ts/node" load and save, with string paths and file URLs', () => {
    const path = join(dir, "node.pt");
    node.save([torch.arange(3)], pathToFileURL(path));
    expect(node.load<Tensor[]>(path)[0]!.tolist()).toEqual([0, 1, 2]);
    expect(node.load<Tensor[]>(pathToFileURL(path))[0]!.tolist()).toEqual([0, 1, 2]);
  });
});
