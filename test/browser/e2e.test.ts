/**
 * The browser demo (web/) end to end, in real headless Chromium driven by playwright-core: the
 * test builds the page with Vite, serves the build on a free port with the COOP/COEP headers
 * (`vite preview`, as `npm run web:preview` does), and then, as a user would:
 *
 * - checks that the page is cross-origin isolated and says how the WebAssembly backend threads
 *   (and that without the headers it falls back to one thread and says why);
 * - trains the MLP for two epochs in the Web Worker, checks that the loss fell and the accuracy on
 *   the held-out digits rose well above chance, while the page kept answering timers;
 * - draws digits on the pad with mouse events and reads the predictions;
 * - downloads the weights and checks that torch-ts's reader, a torch-ts model and real PyTorch
 *   (scripts/reference/web_demo_weights.py) read them and predict what the page predicted;
 * - saves a screenshot to test-results/web-demo.png.
 *
 * Without /usr/bin/chromium (Debian's `chromium`) it is skipped on a developer's machine and
 * fails in CI, as is the PyTorch step without Debian's python3-torch.
 */

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, preview, type PreviewServer } from "vite";
import { chromium, type BrowserContext, type Page } from "playwright-core";

import torch, { nn } from "../../src/index.js";
import { CHROMIUM, CHROMIUM_ARGS } from "./chromium.js";

const inCI = Boolean(process.env.CI);
const haveChromium = existsSync(CHROMIUM);
const PYTHON = "/usr/bin/python3";
const havePyTorch = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" }).status === 0;

/** The page's `window.torchDemo` (web/main.ts), as far as the test reads it. */
interface Demo {
  cross_origin_isolated: boolean;
  info: { threads: number | null; threading: string | null; cross_origin_isolated: boolean; hardware_concurrency: number } | null;
  threading_text: string;
  done: boolean;
  error: string | null;
  losses: { step: number; loss: number; train_accuracy: number }[];
  test_accuracies: { step: number; accuracy: number }[];
  prediction: { digit: number; probabilities: number[]; image: number[] } | null;
}
declare const torchDemo: Demo;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

const demo = (page: Page) => page.evaluate(() => torchDemo);

describe.skipIf(!haveChromium && !inCI)("the browser demo in headless Chromium", () => {
  let outDir = "";
  let profile = "";
  let server: PreviewServer | null = null;
  let context: BrowserContext | null = null;
  let page: Page;
  let url = "";
  const pageErrors: string[] = [];

  beforeAll(async () => {
    expect(haveChromium, `${CHROMIUM} is required in CI (Debian's chromium package)`).toBe(true);
    outDir = mkdtempSync(join(tmpdir(), "torch-ts-web-"));
    profile = mkdtempSync(join(tmpdir(), "torch-ts-chromium-"));
    await build({ configFile: "web/vite.config.ts", logLevel: "warn", build: { outDir, emptyOutDir: true } });
    const port = await freePort();
    server = await preview({
      configFile: "web/vite.config.ts",
      logLevel: "warn",
      build: { outDir },
      preview: { host: "127.0.0.1", port, strictPort: true, open: false },
    });
    url = `http://127.0.0.1:${port}/`;
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      acceptDownloads: true,
      viewport: { width: 1280, height: 1000 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("console", (m) => m.type() === "error" && pageErrors.push(m.text()));
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await new Promise<void>((resolve) => (server ? server.httpServer.close(() => resolve()) : resolve()));
    for (const dir of [outDir, profile]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("without COOP/COEP the page is not isolated and the backend says it runs on one thread", async () => {
    const plain = await context!.newPage();
    // The same server, with the two isolation headers taken out of every response.
    await plain.route("**/*", async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      delete headers["cross-origin-opener-policy"];
      delete headers["cross-origin-embedder-policy"];
      await route.fulfill({ response, headers });
    });
    await plain.goto(url);
    await plain.waitForFunction(() => torchDemo.info !== null || torchDemo.error !== null, null, { timeout: 60_000 });
    const d = await demo(plain);
    expect(d.error).toBeNull();
    expect(d.cross_origin_isolated).toBe(false);
    expect(d.info!.cross_origin_isolated).toBe(false);
    expect(await plain.textContent("#isolation")).toMatch(/not cross-origin isolated/);
    if (d.info!.threads !== null) {
      expect(d.info!.threads).toBe(1);
      expect(await plain.textContent("#threading")).toMatch(/single-threaded, 1 thread \(not cross-origin isolated/);
    }
    await plain.close();
  }, 90_000);

  test("the page is cross-origin isolated and shows the threading the backend chose", async () => {
    await page.goto(url);
    await page.waitForFunction(() => torchDemo.info !== null || torchDemo.error !== null, null, { timeout: 60_000 });
    const d = await demo(page);
    expect(d.error).toBeNull();
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    expect(d.info!.cross_origin_isolated).toBe(true); // the training worker too
    const text = (await page.textContent("#threading"))!;
    expect(text).toBe(d.threading_text);
    expect(text).toMatch(/^Training worker: torch-ts's wasm backend/);
    if (d.info!.threads !== null) {
      // torch.backends.wasm.threads() / threading() exist: isolated, the backend runs on workers.
      expect(d.info!.threading).not.toBeNull();
      expect(text).toContain(d.info!.threading!);
      if (d.info!.hardware_concurrency > 1) {
        expect(d.info!.threads).toBeGreaterThan(1);
        expect(text).toMatch(/multi-threaded, \d+ threads through Web Workers \(cross-origin isolated/);
      }
    }
    expect(await page.textContent("#model-repr")).toContain("(0): Linear(in_features=784, out_features=128, bias=True)");
  }, 90_000);

  test("trains in the worker: the loss falls, accuracy rises far above chance, the page stays responsive", async () => {
    await page.fill("#epochs", "2");
    await page.click("#train");
    await page.waitForFunction(() => torchDemo.losses.length > 0, null, { timeout: 60_000 });
    // While the worker trains, the page's own timers keep firing on time.
    const worstGapMs = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          let last = performance.now();
          let worst = 0;
          let ticks = 0;
          const id = setInterval(() => {
            const now = performance.now();
            worst = Math.max(worst, now - last);
            last = now;
            if (++ticks === 50) {
              clearInterval(id);
              resolve(worst);
            }
          }, 20);
        }),
    );
    await page.waitForFunction(() => torchDemo.done || torchDemo.error !== null, null, { timeout: 120_000 });
    const d = await demo(page);
    expect(d.error).toBeNull();
    expect(worstGapMs).toBeLessThan(500);

    const first = d.losses[0]!;
    const last = d.losses[d.losses.length - 1]!;
    expect(d.losses.length).toBeGreaterThan(10);
    expect(first.loss).toBeGreaterThan(1.5); // about ln(10) = 2.3 at the start
    expect(last.loss).toBeLessThan(0.5 * first.loss);
    const accuracy = d.test_accuracies[d.test_accuracies.length - 1]!.accuracy;
    expect(accuracy).toBeGreaterThan(0.8); // chance is 0.1
    expect(accuracy).toBeGreaterThan(d.test_accuracies[0]!.accuracy - 0.02);
    expect(await page.textContent("#accuracy")).toBe(`${(100 * accuracy).toFixed(2)}%`);
    expect(await page.textContent("#progress")).toMatch(/^Finished after 250 steps/);
  }, 180_000);

  /** Draws a stroke through `points` (fractions of the pad's size) with the mouse. */
  async function stroke(points: [number, number][]): Promise<void> {
    const box = (await page.locator("#pad").boundingBox())!;
    const at = ([x, y]: [number, number]) => [box.x + x * box.width, box.y + y * box.height] as const;
    await page.mouse.move(...at(points[0]!));
    await page.mouse.down();
    for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 8 });
    await page.mouse.up();
  }

  async function predicted(): Promise<NonNullable<Demo["prediction"]>> {
    await page.waitForFunction(() => torchDemo.prediction !== null);
    await page.waitForTimeout(100); // the pad predicts once per frame: let the last segment in
    return (await demo(page)).prediction!;
  }

  test("predicts digits drawn with the mouse", async () => {
    await page.click("#clear");
    expect((await demo(page)).prediction).toBeNull();
    await stroke([[0.5, 0.15], [0.5, 0.85]]); // a one
    const one = await predicted();
    expect(one.digit).toBe(1);
    expect(await page.textContent("#prediction")).toMatch(/^1 \(\d+\.\d%\)$/);

    await page.click("#clear");
    const ring: [number, number][] = [];
    for (let i = 0; i <= 24; i++) {
      const a = (2 * Math.PI * i) / 24;
      ring.push([0.5 + 0.22 * Math.sin(a), 0.5 - 0.32 * Math.cos(a)]);
    }
    await stroke(ring); // a zero
    const zero = await predicted();
    expect(zero.digit).toBe(0);
    expect(zero.image.length).toBe(784);
    expect(zero.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  }, 60_000);

  let downloaded: Uint8Array = new Uint8Array(0);

  test("downloads the weights as safetensors that torch-ts reads, with PyTorch's state_dict keys", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    expect(download.suggestedFilename()).toBe("mnist_mlp.safetensors");
    downloaded = new Uint8Array(readFileSync((await download.path())!));

    const state = torch.safetensors.load(downloaded);
    expect(Object.fromEntries(Object.entries(state).map(([k, t]) => [k, [...t.shape]]))).toEqual({
      "0.weight": [128, 784], "0.bias": [128],
      "2.weight": [64, 128], "2.bias": [64],
      "4.weight": [10, 64], "4.bias": [10],
    });
    expect(new torch.safetensors.SafeOpen(downloaded).metadata()).toEqual({ format: "pt" });

    // The same model in torch-ts (Node) predicts what the page predicted for the last drawing.
    const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 64), new nn.ReLU(), new nn.Linear(64, 10));
    expect(String(model.load_state_dict(state))).toBe("<All keys matched successfully>");
    const { image, probabilities } = (await demo(page)).prediction!;
    const here = torch.no_grad(() => torch.softmax(model(torch.tensor(new Float32Array(image)).view(1, 784)), 1)).flatten().tolist() as number[];
    here.forEach((p, i) => expect(p).toBeCloseTo(probabilities[i]!, 5));
  }, 60_000);

  test.skipIf(!havePyTorch && !inCI)("PyTorch loads the downloaded file and predicts what the page predicted", async () => {
    expect(havePyTorch, `${PYTHON} with torch is required in CI (Debian's python3-torch)`).toBe(true);
    expect(downloaded.length).toBeGreaterThan(0);
    const { image, probabilities, digit } = (await demo(page)).prediction!;
    const dir = mkdtempSync(join(tmpdir(), "torch-ts-web-py-"));
    try {
      writeFileSync(join(dir, "mnist_mlp.safetensors"), downloaded);
      writeFileSync(join(dir, "case.json"), JSON.stringify({ hidden: [128, 64], activation: "ReLU", image }));
      const run = spawnSync(PYTHON, ["scripts/reference/web_demo_weights.py", join(dir, "mnist_mlp.safetensors"), join(dir, "case.json")], { encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout.trim().split("\n").pop()!) as { keys: string[]; metadata: unknown; probabilities: number[] };
      expect(report.keys).toEqual(["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]);
      expect(report.metadata).toEqual({ format: "pt" });
      expect(report.probabilities.indexOf(Math.max(...report.probabilities))).toBe(digit);
      report.probabilities.forEach((p, i) => expect(p).toBeCloseTo(probabilities[i]!, 4));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test("no errors on the page; a screenshot goes to test-results/", async () => {
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/web-demo.png", fullPage: true });
    expect(existsSync("test-results/web-demo.png")).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
