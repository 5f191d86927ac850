import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// `npm test` builds the examples before vitest runs (see package.json); this runs the built one.
const built = "build/examples/seed.js";
const golden = JSON.parse(readFileSync("test/golden/seed/seed.json", "utf8")) as { stdout: string; torch_version: string };

describe("examples/seed.ts", () => {
  it("is built", () => {
    expect(existsSync(built), `${built} missing: run \`npm run build && npm run build:examples\``).toBe(true);
  });

  it(`prints what PyTorch ${golden.torch_version} prints`, () => {
    const stdout = execFileSync(process.execPath, [built], { encoding: "utf8" });
    expect(stdout).toBe(golden.stdout);
  });
});
