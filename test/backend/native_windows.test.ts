// The native addon's Windows code (CreateThread workers in pool.cc, _aligned_malloc in gemm.cc)
// is compiled by nothing else here: node-gyp builds for this machine. Each source of
// binding.gyp is compiled for x86-64 Windows with mingw-w64 (its POSIX-threads flavour, whose
// C++ library has std::mutex as MSVC's has), with Node's own headers. Compiled only: there is
// no Windows node.lib to link against, and nothing to run it on. Before this test existed,
// gemm.cc called std::aligned_alloc, which the Windows C runtime lacks.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const COMPILER = "x86_64-w64-mingw32-g++-posix";
const NODE_HEADERS = "/usr/include/node";
const native = fileURLToPath(new URL("../../packages/native/", import.meta.url));
const sources = (JSON.parse(readFileSync(join(native, "binding.gyp"), "utf8")) as { targets: { sources: string[] }[] }).targets[0]!.sources;

const haveCompiler = spawnSync(COMPILER, ["--version"], { stdio: "ignore" }).status === 0;
const haveHeaders = spawnSync("test", ["-f", join(NODE_HEADERS, "node_api.h")]).status === 0;
const missing = !haveCompiler
  ? `${COMPILER} is not installed (apt-get install g++-mingw-w64-x86-64-posix; .ci/run installs it)`
  : !haveHeaders
    ? `Node's headers are not in ${NODE_HEADERS} (Debian's nodejs package has them)`
    : null;

describe("the native addon's sources compile for Windows", () => {
  if (missing !== null) {
    if (process.env.CI) it("can be compiled", () => expect.fail(missing));
    else it.skip(missing, () => {});
    return;
  }
  it.each(sources)("%s", (source) => {
    const result = spawnSync(
      COMPILER,
      ["-std=c++17", "-O2", "-fno-exceptions", "-I", NODE_HEADERS, "-c", join(native, source), "-o", join(tmpdir(), `torch-ts-win-${process.pid}.o`)],
      { encoding: "utf8", timeout: 120_000 },
    );
    expect(result.stderr.split("\n").filter((line) => / error: /.test(line))).toEqual([]);
    expect(result.status).toBe(0);
  });
});
