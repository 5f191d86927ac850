/**
 * Running real PyTorch from the tests: Debian's `/usr/bin/python3` with python3-torch (the
 * `python3` first on PATH may have no torch). `-P` keeps the working directory off sys.path.
 *
 * Where torch is missing the live tests skip with the reason; under CI (the `CI` variable set,
 * where .ci/run installs python3-torch) a missing torch is a failure instead.
 */

import { spawnSync } from "node:child_process";

export const PYTHON = "/usr/bin/python3";

let availability: { ok: boolean; reason: string } | null = null;

/** Whether `/usr/bin/python3 -P -c "import torch"` works, and why not. */
export function torchAvailable(): { ok: boolean; reason: string } {
  if (availability === null) {
    const r = spawnSync(PYTHON, ["-P", "-c", "import torch; print(torch.__version__)"], { encoding: "utf8", timeout: 60000 });
    availability =
      r.status === 0
        ? { ok: true, reason: `torch ${r.stdout.trim()}` }
        : { ok: false, reason: `${PYTHON} cannot import torch (${(r.error?.message ?? r.stderr).trim().split("\n").pop()})` };
  }
  return availability;
}

/** Whether a missing torch must fail the run rather than skip (CI installs python3-torch). */
export const REQUIRE_TORCH = Boolean(process.env["CI"]);

/**
 * Runs `code` with PyTorch and returns what it printed. The code runs from the repository root
 * with `encode` (the fixtures' encoding, from scripts/golden/pt.py) defined. The script is
 * loaded by path: putting scripts/golden on sys.path would let its random.py shadow Python's.
 */
export function runTorch(code: string): string {
  const prelude = [
    "import importlib.util, json, warnings",
    "warnings.simplefilter('ignore')",
    "import torch",
    "_spec = importlib.util.spec_from_file_location('pt_golden', 'scripts/golden/pt.py')",
    "_pt = importlib.util.module_from_spec(_spec)",
    "_spec.loader.exec_module(_pt)",
    "encode = _pt.encode",
    "",
  ].join("\n");
  const r = spawnSync(PYTHON, ["-P", "-c", prelude + code], { encoding: "utf8", timeout: 120000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}
