/**
 * Writing model files: `torch.onnx.export(model, args, path)` (a Promise: it loads the Node
 * writer on demand) and the synchronous `onnx.export` of "torch-ts/node"; and the core's
 * independence from Node modules.
 */

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { afterAll, describe, expect, test } from "vitest";

import torch, { nn } from "../../src/index.js";
import { onnx as nodeOnnx } from "../../src/node/index.js";
import { PRODUCER_VERSION } from "../../src/onnx/export.js";
import { decode, expectClose, toOrt } from "./onnx_testing.js";

const dir = mkdtempSync(join(tmpdir(), "torch-ts-onnx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mlp() {
  torch.manual_seed(0);
  return new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
}

describe("torch.onnx.export with a path", () => {
  test("writes the file and resolves to the bytes written; onnxruntime loads the file", async () => {
    const model = mlp();
    const x = torch.randn(3, 4);
    const path = join(dir, "mlp.onnx");
    const pending = torch.onnx.export(model, x, path, { input_names: ["x"] });
    expect(pending).toBeInstanceOf(Promise);
    const bytes = await pending;
    expect(new Uint8Array(readFileSync(path))).toEqual(bytes);
    expect(bytes).toEqual(torch.onnx.export(model, x, null, { input_names: ["x"] }));
    // A plain Uint8Array that owns its memory (not a view into Node's Buffer pool).
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
    expect(bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length).toBe(true);
    const session = await ort.InferenceSession.create(path);
    const out = await session.run({ x: toOrt(x) });
    expectClose(out.output!, torch.no_grad(() => model(x)));
    await session.release();
  });

  test("an export error rejects the Promise and writes nothing", async () => {
    class Custom extends nn.Module {
      override forward(x: torch.Tensor): torch.Tensor {
        return x;
      }
    }
    const path = join(dir, "custom.onnx");
    await expect(torch.onnx.export(new Custom(), torch.randn(2), path)).rejects.toThrow(torch.onnx.OnnxExporterError);
    expect(readdirSync(dir)).not.toContain("custom.onnx");
  });

  test("the options object may take f's place", () => {
    const m = decode(torch.onnx.export(new nn.ReLU(), torch.randn(2), { opset_version: 18 }));
    expect(m.opset_import[0]!.version).toBe(18);
  });
});

describe('onnx.export of "torch-ts/node"', () => {
  test("writes synchronously and returns the same bytes as torch.onnx.export", () => {
    const model = mlp();
    const x = torch.randn(2, 4);
    const path = join(dir, "sync.onnx");
    const bytes = nodeOnnx.export(model, x, path, { dynamic_axes: { input: { 0: "n" } } });
    expect(new Uint8Array(readFileSync(path))).toEqual(bytes);
    expect(bytes).toEqual(torch.onnx.export(model, x, { dynamic_axes: { input: { 0: "n" } } }));
  });
});

describe("packaging", () => {
  test("producer_version is the package's version", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    expect(PRODUCER_VERSION).toBe(pkg.version);
    expect(decode(torch.onnx.export(new nn.ReLU(), torch.randn(1))).producer_version).toBe(pkg.version);
  });

  test("src/onnx imports no Node module (the core runs in browsers)", () => {
    for (const file of readdirSync("src/onnx")) {
      const text = readFileSync(join("src/onnx", file), "utf8");
      const imports = [...text.matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1]!);
      for (const spec of imports) expect(spec.startsWith(".") || spec.startsWith("protobufjs/"), `${file}: ${spec}`).toBe(true);
      expect(text, file).not.toMatch(/from\s+"node:|require\(/);
    }
  });
});
