import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/harness/setup.ts"],
    pool: "threads",
    maxWorkers: 2,
    testTimeout: 30000,
  },
});
