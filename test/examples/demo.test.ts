import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import torch from "../../src/index.js";
import { safetensors } from "../../src/node/index.js";

// `npm test` builds the examples before vitest runs (see package.json); this runs the built
// demo in its CI size: --quick is 2 epochs (one learning-rate cycle) on the full 8,000 / 2,000
// split. The full 25-epoch run's results are in the README.
const built = "build/examples/demo.js";

describe("examples/demo.ts (npm run demo)", () => {
  it("is built", () => {
    expect(existsSync(built), `${built} missing: run \`npm run build && npm run build:examples\``).toBe(true);
  });

  it("--quick trains to well above chance and saves weights that reproduce its accuracy", { timeout: 180_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "torch-ts-demo-"));
    try {
      const weights = join(dir, "mnist_mlp.safetensors");
      const stdout = execFileSync(process.execPath, [built, "--quick", "--save", weights], { encoding: "utf8", timeout: 170_000 });
      const epochs = [...stdout.matchAll(/^epoch (\d+): .* test accuracy ([\d.]+)%$/gm)];
      expect(epochs.map((m) => Number(m[1])), stdout).toEqual([1, 2]);
      const final = /final test accuracy: ([\d.]+)% after 2 epochs/.exec(stdout);
      expect(final, stdout).not.toBe(null);
      const accuracy = Number(final![1]);
      expect(accuracy, stdout).toBeGreaterThan(80); // chance is 10%

      // The saved file: PyTorch's state_dict keys and shapes, and weights that give the same accuracy.
      const f = safetensors.safe_open(weights, "pt");
      expect(f.keys()).toEqual(["1.bias", "1.weight", "4.bias", "4.weight", "7.bias", "7.weight"]);
      expect(f.metadata()?.test_accuracy).toBe((accuracy / 100).toFixed(4));
      const state = safetensors.load_file(weights);
      expect([...state["1.weight"]!.shape]).toEqual([256, 784]);
      expect([...state["7.weight"]!.shape]).toEqual([10, 128]);

      const exported = join(dir, "mnist.safetensors");
      execFileSync(process.execPath, [built, "--export", exported], { encoding: "utf8" });
      const data = safetensors.load_file(exported);
      const nn = torch.nn;
      const model = new nn.Sequential(
        new nn.Flatten(), new nn.Linear(784, 256), new nn.ReLU(), new nn.Dropout(0.2),
        new nn.Linear(256, 128), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(128, 10),
      );
      model.load_state_dict(state);
      model.eval();
      const testIdx = data.test_indices!;
      expect(testIdx.shape[0]).toBe(2000);
      const correct = torch.no_grad(() =>
        model(data.images!.index_select(0, testIdx)).argmax(1).eq(data.labels!.index_select(0, testIdx)).sum().item(),
      ) as number;
      expect((100 * correct) / 2000).toBeCloseTo(accuracy, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
