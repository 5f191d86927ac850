/**
 * onnx.checker (with full shape inference) on exported files, where Debian's Python has the
 * `onnx` package (python3-onnx), or the Python that ONNX_PYTHON names. It is not installed on
 * every machine, so this file skips, saying why, when `import onnx` fails; onnxruntime's loader
 * (the other tests) checks the files either way. Each model is checked at every opset from 17
 * to the newest this onnx knows (Debian's python3-onnx 1.12: 17 only).
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";

import torch, { nn } from "../../src/index.js";

/** Debian's Python, or another with `onnx` named by ONNX_PYTHON. */
const PYTHON = process.env.ONNX_PYTHON ?? "/usr/bin/python3";
const probe = spawnSync(PYTHON, ["-c", "import onnx.defs; print(onnx.defs.onnx_opset_version())"], { encoding: "utf8" });
const hasOnnx = probe.status === 0;
/** The newest opset this onnx knows, capped at ours: the models are checked at 17 through it. */
const maxOpset = hasOnnx ? Math.min(Number(probe.stdout.trim()), 23) : 17;
const reason = hasOnnx ? "" : ` (skipped: ${PYTHON} cannot import onnx; install python3-onnx to run it)`;

const dir = mkdtempSync(join(tmpdir(), "torch-ts-onnx-checker-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.skipIf(!hasOnnx)(`onnx.checker.check_model(full_check=True) accepts the exported models${reason}`, () => {
  torch.manual_seed(0);
  const models: [string, nn.Module, torch.Tensor, torch.onnx.ExportOptions][] = [
    ["linear3d", new nn.Linear(4, 3, { bias: false }), torch.randn(2, 5, 4), {}],
    [
      "mlp",
      new nn.Sequential(
        new nn.Flatten(), new nn.Linear(6, 8), new nn.GELU("tanh"), new nn.LayerNorm(8), new nn.Dropout(),
        new nn.Linear(8, 3), new nn.SiLU(), new nn.LogSoftmax(-1),
      ),
      torch.randn(2, 2, 3),
      { dynamic_axes: { input: { 0: "batch" }, output: { 0: "batch" } } },
    ],
    ["flatten", new nn.Sequential(new nn.Flatten(0, 1), new nn.GELU()), torch.randn(2, 3, 4, 5), { dynamic_axes: { input: [0, 3] } }],
  ];
  const paths: string[] = [];
  for (let opset = 17; opset <= maxOpset; opset++) {
    for (const [name, model, x, options] of models) {
      const path = join(dir, `${name}_${opset}.onnx`);
      writeFileSync(path, torch.onnx.export(model, x, null, { ...options, opset_version: opset }));
      paths.push(path);
    }
  }
  const script = [
    "import sys, onnx",
    "for p in sys.argv[1:]:",
    "    onnx.checker.check_model(onnx.load(p), full_check=True)",
    "    print('ok', p)",
  ].join("\n");
  const result = spawnSync(PYTHON, ["-c", script, ...paths], { encoding: "utf8" });
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  expect(result.stdout.trim().split("\n")).toHaveLength(paths.length);
});
