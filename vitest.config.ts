import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/harness/setup.ts"],
    pool: "threads",
    maxWorkers: 2,
    testTimeout: 30000,
    // Every reuse of a staged (wasm) or packed (native) right-hand operand is compared with its
    // storage first, so a write that did not bump the storage's version fails the suite.
    env: { TORCH_TS_CHECK_STAGED: "1" },
  },
});
