/**
 * Bad and hostile files: each must end in a clear error (one of torch-ts's error classes, with a
 * message saying what is wrong), never a crash, a hang, a huge allocation or a partial result,
 * and nothing in a file may ever run.
 */

import { existsSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { zipSync } from "fflate";

import torch, { RuntimeError, UnpicklingError, ValueError } from "../../src/index.js";
import { expected, expectLoaded, fixture } from "./pt_golden.js";

const fx = expected();

/** Runs torch.load and returns the error it must throw. */
function refusal(bytes: Uint8Array): Error {
  try {
    torch.load(bytes);
  } catch (e) {
    return e as Error;
  }
  throw new Error("torch.load accepted the file");
}

function expectClearError(e: Error): void {
  expect([RuntimeError, UnpicklingError, ValueError].some((cls) => e instanceof cls), `${e.name}: ${e.message}`).toBe(
    true,
  );
  expect(e.message.length).toBeGreaterThan(10);
}

describe("hostile files written with Python's pickle and torch.save are refused", () => {
  for (const [name, want] of Object.entries(fx.hostile)) {
    test(name, () => {
      const before = process.memoryUsage().arrayBuffers;
      const e = refusal(fixture("hostile", name));
      expectClearError(e);
      expect(e.message).toContain(want.message);
      if (want.source === "pytorch-2.x") {
        expect(e).toBeInstanceOf(UnpicklingError);
        expect(e.message).toMatch(/^Weights only load failed\. .*\n\tWeightsUnpickler error: /s);
      }
      // Refusals come before any allocation sized by the file.
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 2 ** 20);
      expect(existsSync(fx.marker), "a payload ran").toBe(false);
    });
  }

  test("the refusal names the global, in PyTorch 2.x's words", () => {
    expect(refusal(fixture("hostile", "eval")).message).toContain(
      "WeightsUnpickler error: Unsupported global: GLOBAL eval was not an allowed global by default.",
    );
    expect(refusal(fixture("hostile", "os_system")).message).toContain(
      "WeightsUnpickler error: Trying to load unsupported GLOBAL posix.system whose module posix is blocked.",
    );
  });
});

// ---- the zip container -----------------------------------------------------------------------

/** The offset of the central-directory header of the record whose name ends with `suffix`. */
function centralHeader(bytes: Uint8Array, suffix: string): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let p = bytes.length - 22; p >= 0; p--) {
    if (view.getUint32(p, true) !== 0x02014b50) continue;
    const nameLen = view.getUint16(p + 28, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    if (name.endsWith(suffix)) return p;
  }
  throw new Error(`no central header for ${suffix}`);
}

function patched(name: string, edit: (bytes: Uint8Array, view: DataView) => void): Uint8Array {
  const bytes = fixture("valid", name).slice();
  edit(bytes, new DataView(bytes.buffer));
  return bytes;
}

describe("zip archives that lie are refused before anything is read", () => {
  test("every truncation of a checkpoint is refused", () => {
    const bytes = fixture("valid", "linear_float32");
    for (let n = 0; n < bytes.length; n++) expectClearError(refusal(bytes.subarray(0, n)));
  });

  test("a stored record whose size claims more bytes than the archive has", () => {
    const bytes = patched("linear_float32", (b, v) => {
      const h = centralHeader(b, "/data/0");
      v.setUint32(h + 20, 1e9, true);
      v.setUint32(h + 24, 1e9, true);
    });
    const e = refusal(bytes);
    expectClearError(e);
    expect(e.message).toContain("data/0: the record claims 1000000000 bytes");
  });

  test("a stored record whose compressed and uncompressed sizes disagree", () => {
    const e = refusal(patched("linear_float32", (b, v) => v.setUint32(centralHeader(b, "/data/0") + 24, 52, true)));
    expect(e.message).toContain("a stored record declares 52 bytes but holds 48");
  });

  test("a record shorter than its storage declares", () => {
    const e = refusal(
      patched("linear_float32", (b, v) => {
        const h = centralHeader(b, "/data/0");
        v.setUint32(h + 20, 40, true);
        v.setUint32(h + 24, 40, true);
      }),
    );
    expect(e.message).toContain("storage 0 declares 12 elements of float32 (48 bytes) but its record holds 40 bytes");
  });

  test("records that overlap", () => {
    const e = refusal(
      patched("linear_float32", (b, v) => {
        const h0 = centralHeader(b, "/data/0");
        v.setUint32(centralHeader(b, "/data/1") + 42, v.getUint32(h0 + 42, true), true);
      }),
    );
    expect(e.message).toMatch(/records .* overlap/);
  });

  test("a local header offset out of range", () => {
    const e = refusal(patched("linear_float32", (b, v) => v.setUint32(centralHeader(b, "/data/1") + 42, 0xfffffff0, true)));
    expect(e.message).toContain("local header at offset 4294967280 is missing or out of range");
  });

  test("an entry count the central directory cannot hold (zip64 record)", () => {
    const e = refusal(
      patched("linear_float32", (b, v) => {
        let zip64 = b.length - 4;
        while (v.getUint32(zip64, true) !== 0x06064b50) zip64--;
        v.setUint32(zip64 + 32, 0, true);
        v.setUint32(zip64 + 36, 0x10000, true); // 2^48 entries
      }),
    );
    expect(e.message).toContain("entries, more than its");
  });

  test("a corrupted storage fails its CRC-32", () => {
    const bytes = fixture("valid", "linear_float32").slice();
    const view = new DataView(bytes.buffer);
    const h = centralHeader(bytes, "/data/0");
    const local = view.getUint32(h + 42, true);
    const data = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    bytes[data + 5]! ^= 0x40;
    expect(refusal(bytes).message).toContain("reading file linear_float32/data/0: CRC-32 check failed");
  });

  test("not a zip and not a legacy pickle", () => {
    expect(refusal(new TextEncoder().encode("hello world")).message).toContain("invalid load key, 'h'.");
    expect(refusal(new Uint8Array(0)).message).toContain("the file is empty");
    expect(refusal(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3])).message).toContain(
      "failed finding central directory",
    );
  });
});

describe("deflated records (PyTorch stores, but other zip tools deflate)", () => {
  const pt = fixture("valid", "linear_float32");

  /** The fixture's records re-zipped by fflate at `level`, with `edit` applied to the result. */
  function rezipped(level: 0 | 6, edit?: (bytes: Uint8Array, view: DataView) => void): Uint8Array {
    const files: Record<string, Uint8Array> = {};
    const view = new DataView(pt.buffer, pt.byteOffset, pt.byteLength);
    for (const name of ["data.pkl", "data/0", "data/1", "version"]) {
      const h = centralHeader(pt, `/${name}`);
      const local = view.getUint32(h + 42, true);
      const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
      files[`archive/${name}`] = pt.slice(start, start + view.getUint32(h + 24, true));
    }
    const out = zipSync(files, { level });
    edit?.(out, new DataView(out.buffer));
    return out;
  }

  test("load as the stored ones do", () => {
    expectLoaded(torch.load(rezipped(6)), fx.valid["linear_float32"]!);
  });

  test("a deflated record that inflates to less than it declares", () => {
    const e = refusal(rezipped(6, (b, v) => v.setUint32(centralHeader(b, "/data.pkl") + 24, 291, true)));
    expect(e.message).toContain("inflates to 290 bytes, not the 291 it declares");
  });

  test("a zip bomb's declared size is refused before inflating", () => {
    const e = refusal(rezipped(6, (b, v) => v.setUint32(centralHeader(b, "/data/0") + 24, 4e9, true)));
    expect(e.message).toContain("more than deflate can produce");
  });
});
