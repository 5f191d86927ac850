import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const utilsDir = fileURLToPath(new URL("../../../src/utils/", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("torch.utils runs in browsers", () => {
  it("no file under src/utils imports a Node module (file reading lives in src/node)", () => {
    const files = sources(utilsDir);
    expect(files.length).toBeGreaterThan(4);
    const nodeImport = /\bfrom\s+["'](node:[^"']+|fs|zlib|path|os|url|buffer)["']|\brequire\(/;
    const offenders = files.filter((f) => nodeImport.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });
});
