import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import torch, { Tensor } from "../../src/index.js";

// Runs real PyTorch live: scripts/reference/safetensors_roundtrip.py builds the same tensors in
// PyTorch, reads torch-ts's file, and writes its own for torch-ts to read. Without Debian's
// python3-torch the test is skipped on a developer's machine and fails in CI (CI is set there),
// so a CI image that lost PyTorch cannot pass silently.
const PYTHON = "/usr/bin/python3";
const probe = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
const havePyTorch = probe.status === 0;
const inCI = Boolean(process.env.CI);

/** The tensors of safetensors_roundtrip.py's `expected()`, built the same way in torch-ts. */
function tensors(): Record<string, Tensor> {
  torch.manual_seed(0);
  const linear = new torch.nn.Linear(4, 3);
  return {
    f32: torch.tensor(new Float32Array([0, -0, Infinity, -Infinity, NaN, 1e-45, 3.4028234663852886e38, -1.5])).view(2, 4),
    arange: torch.arange(24, { dtype: torch.float32 }).div(7).sub(1).view(2, 3, 4),
    f64: torch.tensor(new Float64Array([0.1, 1 / 3, -2.5e-300, 5e-324, -0])),
    i64: torch.tensor(new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 12345678901234n])),
    i32: torch.tensor(new Int32Array([-(2 ** 31), 2 ** 31 - 1, 0, -7])).view(2, 2),
    bool: torch.tensor([[true, false, true], [false, false, true]]),
    scalar: torch.tensor(3.5),
    empty: torch.zeros(0, 3),
    "w\u00ebight": torch.ones(2, { dtype: torch.float64 }),
    "\uFF21": torch.full([1], 2, { dtype: torch.float32 }), // 2.0 would be an int here (README, porting notes)
    "\u{1F600}": torch.full([1], 3, { dtype: torch.float32 }),
    "linear.weight": linear.weight.detach(),
    "linear.bias": linear.bias!.detach(),
  };
}

function bytesOf(t: Tensor): number[] {
  const v = t._values();
  return Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
}

describe("safetensors with real PyTorch", () => {
  it.skipIf(!havePyTorch && !inCI)("PyTorch reads torch-ts's file bit for bit, and torch-ts reads PyTorch's", () => {
    expect(havePyTorch, `${PYTHON} with torch is required in CI (Debian's python3-torch): ${probe.stderr ?? probe.error}`).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), "torch-ts-st-py-"));
    try {
      const ours = join(dir, "torch_ts.safetensors");
      const theirs = join(dir, "pytorch.safetensors");
      const mine = tensors();
      writeFileSync(ours, torch.safetensors.save(mine, { format: "pt" }));
      const run = spawnSync(PYTHON, ["scripts/reference/safetensors_roundtrip.py", ours, theirs], { encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout.trim().split("\n").pop()!) as {
        reader: string; torch_version: string; mismatches: string[]; bytes_equal: boolean;
      };
      expect(report.mismatches).toEqual([]);
      // The reference writer's layout, so the same tensors give the same file.
      expect(report.bytes_equal).toBe(true);

      const bytes = readFileSync(theirs);
      const loaded = torch.safetensors.load(bytes);
      expect(Object.keys(loaded).sort()).toEqual(Object.keys(mine).sort());
      for (const [name, t] of Object.entries(mine)) {
        expect(loaded[name]!.dtype, name).toBe(t.dtype);
        expect([...loaded[name]!.shape], name).toEqual([...t.shape]);
        expect(bytesOf(loaded[name]!), name).toEqual(bytesOf(t));
      }
      expect(new torch.safetensors.SafeOpen(bytes).metadata()).toEqual({ format: "pt" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
