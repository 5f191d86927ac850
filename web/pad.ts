/**
 * The drawing pad: white strokes on black with the mouse (or a pen or finger), turned into a
 * 28x28 image the way MNIST's digits were made: the ink's bounding box scaled to fit 20x20,
 * then placed so that its centre of mass is at the centre of the 28x28 frame.
 */

const SIZE = 28;
const BOX = 20;

export class Pad {
  private readonly ctx: CanvasRenderingContext2D;
  private drawing = false;
  private last: { x: number; y: number } | null = null;

  /** `onChange` runs after every stroke segment (at most once per frame) and on clear. */
  constructor(readonly canvas: HTMLCanvasElement, private readonly onChange: () => void) {
    this.ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    this.fill();
    let queued = false;
    const changed = () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        this.onChange();
      });
    };
    canvas.addEventListener("pointerdown", (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.drawing = true;
      this.last = this.point(e);
      this.stroke(this.last, this.last);
      changed();
    });
    canvas.addEventListener("pointermove", (e) => {
      if (!this.drawing) return;
      const p = this.point(e);
      this.stroke(this.last ?? p, p);
      this.last = p;
      changed();
    });
    const end = () => {
      this.drawing = false;
      this.last = null;
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
  }

  clear(): void {
    this.fill();
    this.onChange();
  }

  private fill(): void {
    this.ctx.fillStyle = "black";
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
  }

  private point(e: PointerEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * this.canvas.width) / r.width, y: ((e.clientY - r.top) * this.canvas.height) / r.height };
  }

  private stroke(a: { x: number; y: number }, b: { x: number; y: number }): void {
    const ctx = this.ctx;
    ctx.strokeStyle = "white";
    ctx.lineWidth = this.canvas.width / 14;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.stroke();
  }

  /** The drawing as 784 values in [0, 1], row-major, MNIST-style; null while the pad is empty. */
  image(): Float32Array | null {
    const { width, height } = this.canvas;
    const src = this.ctx.getImageData(0, 0, width, height).data;
    let x0 = width, y0 = height, x1 = -1, y1 = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (src[4 * (y * width + x)]! > 25) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    }
    if (x1 < 0) return null;
    const w = x1 - x0 + 1, h = y1 - y0 + 1;
    const scale = BOX / Math.max(w, h);

    // Scale the box down to at most 20x20 (smoothed, so thin strokes keep their grey edges) ...
    const small = document.createElement("canvas");
    small.width = small.height = SIZE;
    const sctx = small.getContext("2d", { willReadFrequently: true })!;
    sctx.imageSmoothingEnabled = true;
    sctx.imageSmoothingQuality = "high";
    const dw = w * scale, dh = h * scale;
    sctx.drawImage(this.canvas, x0, y0, w, h, (SIZE - dw) / 2, (SIZE - dh) / 2, dw, dh);
    const boxed = greys(sctx.getImageData(0, 0, SIZE, SIZE).data);

    // ... then shift it so that its centre of mass sits at the frame's centre.
    let mass = 0, cx = 0, cy = 0;
    for (let i = 0; i < SIZE * SIZE; i++) {
      mass += boxed[i]!;
      cx += boxed[i]! * (i % SIZE);
      cy += boxed[i]! * Math.floor(i / SIZE);
    }
    const dx = Math.round((SIZE - 1) / 2 - cx / mass), dy = Math.round((SIZE - 1) / 2 - cy / mass);
    const out = new Float32Array(SIZE * SIZE);
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const sx = x - dx, sy = y - dy;
        if (sx >= 0 && sx < SIZE && sy >= 0 && sy < SIZE) out[y * SIZE + x] = boxed[sy * SIZE + sx]!;
      }
    }
    return out;
  }
}

function greys(rgba: Uint8ClampedArray): Float32Array {
  const out = new Float32Array(rgba.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = rgba[4 * i]! / 255;
  return out;
}
