/** The page's two drawings: the live chart (chart.js) and the first layer's weights as images. */

import {
  Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
} from "chart.js";

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

export interface TrainingChart {
  addLoss(step: number, loss: number, trainAccuracy: number): void;
  addTestAccuracy(step: number, accuracy: number): void;
  reset(): void;
}

/** Training loss (left axis), training-batch and test accuracy (right axis, 0 to 1) by step. */
export function trainingChart(canvas: HTMLCanvasElement): TrainingChart {
  const series = (label: string, color: string, yAxisID: string, dashed = false) => ({
    label, yAxisID, data: [] as { x: number; y: number }[], borderColor: color, backgroundColor: color,
    borderWidth: 2, pointRadius: 0, borderDash: dashed ? [4, 3] : [], tension: 0.2,
  });
  const chart = new Chart(canvas, {
    type: "line",
    data: {
      datasets: [
        series("training loss", "#dc2626", "loss"),
        series("training accuracy", "#60a5fa", "accuracy", true),
        series("test accuracy", "#1d4ed8", "accuracy"),
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      interaction: { mode: "nearest", intersect: false },
      scales: {
        x: { type: "linear", title: { display: true, text: "step" }, min: 0 },
        loss: { type: "linear", position: "left", min: 0, title: { display: true, text: "loss" } },
        accuracy: { type: "linear", position: "right", min: 0, max: 1, grid: { drawOnChartArea: false }, title: { display: true, text: "accuracy" } },
      },
    },
  });
  const [loss, trainAcc, testAcc] = chart.data.datasets as { data: { x: number; y: number }[] }[];
  let queued = false;
  const update = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      chart.update("none");
    });
  };
  return {
    addLoss(step, value, accuracy) {
      loss!.data.push({ x: step, y: value });
      trainAcc!.data.push({ x: step, y: accuracy });
      update();
    },
    addTestAccuracy(step, accuracy) {
      testAcc!.data.push({ x: step, y: accuracy });
      update();
    },
    reset() {
      for (const d of [loss, trainAcc, testAcc]) d!.data.length = 0;
      update();
    },
  };
}

/**
 * Draws the rows of a first-layer weight (out_features, 784) as 28x28 tiles, up to `max` of
 * them, each scaled to its own largest magnitude: red positive, blue negative, white zero.
 */
export function drawWeights(canvas: HTMLCanvasElement, weight: number[], rows: number, max = 32): void {
  const shown = Math.min(rows, max);
  const cols = 8, zoom = 2, gap = 2, tile = 28 * zoom + gap;
  canvas.width = cols * tile;
  canvas.height = Math.ceil(shown / cols) * tile;
  const ctx = canvas.getContext("2d")!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingEnabled = false;
  const one = document.createElement("canvas");
  one.width = one.height = 28;
  const octx = one.getContext("2d")!;
  const img = octx.createImageData(28, 28);
  for (let r = 0; r < shown; r++) {
    let m = 1e-12;
    for (let i = 0; i < 784; i++) m = Math.max(m, Math.abs(weight[r * 784 + i]!));
    for (let i = 0; i < 784; i++) {
      const v = weight[r * 784 + i]! / m; // in [-1, 1]
      const p = Math.round(255 * (1 - Math.abs(v)));
      img.data[4 * i] = v > 0 ? 255 : p;
      img.data[4 * i + 1] = p;
      img.data[4 * i + 2] = v < 0 ? 255 : p;
      img.data[4 * i + 3] = 255;
    }
    octx.putImageData(img, 0, 0);
    ctx.drawImage(one, (r % cols) * tile, Math.floor(r / cols) * tile, 28 * zoom, 28 * zoom);
  }
}
