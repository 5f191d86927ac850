// torch-ts-native's package: what `npm pack` would publish. npm 11 refuses install scripts
// under --strict-allow-scripts and compiling at install fails without a compiler, so the package
// ships a prebuilt binary, no install script, and no binding.gyp (npm adds `node-gyp rebuild`
// as an install script to any package that contains one).

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const pkgDir = new URL("../../packages/native/", import.meta.url);
const prebuilt = `prebuilds/${process.platform}-${process.arch}/torch_ts_native.node`;
const built = existsSync(new URL(prebuilt, pkgDir));

interface PackEntry {
  files: { path: string }[];
}

describe("torch-ts-native package", () => {
  const manifest = JSON.parse(readFileSync(new URL("package.json", pkgDir), "utf8")) as {
    name: string;
    scripts?: Record<string, string>;
    gypfile?: boolean;
  };

  it("declares no install-time scripts and no gyp build", () => {
    expect(manifest.name).toBe("torch-ts-native");
    for (const script of ["preinstall", "install", "postinstall"]) expect(manifest.scripts?.[script]).toBeUndefined();
    expect(manifest.gypfile).toBeUndefined();
  });

  it("is not a dependency of torch-ts (npm ci would try to build it)", () => {
    const root = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as Record<string, Record<string, string> | undefined>;
    for (const field of ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"]) {
      expect(root[field]?.["torch-ts-native"]).toBeUndefined();
    }
  });

  if (!built && !process.env.CI) {
    it.skip(`npm pack: no ${prebuilt} yet (npm run build:native builds it)`, () => {});
    return;
  }

  it("packs the loader and the prebuilt binary, and neither binding.gyp nor the sources", () => {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: pkgDir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    const [entry] = JSON.parse(out) as PackEntry[];
    const files = entry!.files.map((f) => f.path).sort();
    expect(files).toContain("index.js");
    expect(files).toContain("package.json");
    expect(files).toContain("README.md");
    expect(files).toContain(prebuilt);
    expect(files).not.toContain("binding.gyp");
    expect(files.filter((f) => f.startsWith("src/") || f.startsWith("build/"))).toEqual([]);
  });
});
