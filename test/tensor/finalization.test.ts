import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

// The memory decision (DESIGN.md): storage that the collector cannot see is released when its
// tensor is collected, through a FinalizationRegistry. The child process uses a backend whose
// storages carry a `release`, makes garbage tensors in a loop, and forces collections.
describe("Storage.release", () => {
  it("runs for every collected storage and not for a live one", () => {
    const out = execFileSync(process.execPath, ["--expose-gc", "test/tensor/finalization_child.mjs"], {
      encoding: "utf8",
    });
    const { allocated, released, keptReleased } = JSON.parse(out) as {
      allocated: number;
      released: number;
      keptReleased: boolean;
    };
    expect(allocated).toBeGreaterThan(2000);
    // The tensor still referenced keeps its memory...
    expect(keptReleased).toBe(false);
    // ...and the garbage comes back; V8 may keep the last few objects of the loop alive a while.
    expect(released).toBeGreaterThanOrEqual(allocated - 10);
  });
});
