import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

// examples/fashion_mnist.ts in its CI size: one epoch on the first 6,000 training images,
// tested on all 10,000 test images. The data come from Debian's dataset-fashion-mnist; without
// it the test is skipped on a developer's machine and fails in CI (where CI is set).
const built = "build/examples/fashion_mnist.js";
const data = "/usr/share/datasets/fashion-mnist";
const haveData = existsSync(`${data}/train-images-idx3-ubyte.gz`);

describe("examples/fashion_mnist.ts", () => {
  it("is built", () => {
    expect(existsSync(built), `${built} missing: run \`npm run build && npm run build:examples\``).toBe(true);
  });

  it.skipIf(!haveData && !process.env.CI)("one epoch on 6,000 images reaches well above chance", { timeout: 180_000 }, () => {
    expect(haveData, `${data} missing: install Debian's dataset-fashion-mnist`).toBe(true);
    const stdout = execFileSync(process.execPath, [built, "--data", data, "--epochs", "1", "--subset", "6000"], {
      encoding: "utf8", timeout: 170_000,
    });
    expect(stdout).toMatch(/6000 train, 10000 test/);
    expect(stdout).toMatch(/^epoch 1: train loss [\d.]+, /m);
    const final = /final test accuracy: ([\d.]+) after 1 epochs; ([\d.]+) s per epoch/.exec(stdout);
    expect(final, stdout).not.toBe(null);
    expect(Number(final![1]), stdout).toBeGreaterThan(0.6); // chance is 0.1
  });
});
