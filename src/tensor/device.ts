/**
 * `torch.device`. torch-ts computes on the CPU (through its JS, WebAssembly or native backends,
 * which are all "cpu" to PyTorch code); any other device is refused with a clear message.
 */

import { RuntimeError } from "../errors.js";

export class device {
  readonly type = "cpu";
  readonly index: number | null;

  constructor(spec: string | device = "cpu", index?: number) {
    if (spec instanceof device) {
      this.index = spec.index;
      return;
    }
    const [type, idx] = String(spec).split(":");
    if (type !== "cpu") {
      throw new RuntimeError(
        `torch-ts supports only the "cpu" device, but got device "${spec}" ` +
          `(its fast backends run on the CPU; there is no CUDA, MPS or other accelerator support)`,
      );
    }
    this.index = idx !== undefined ? Number(idx) : (index ?? null);
  }

  toString(): string {
    return this.index === null ? this.type : `${this.type}:${this.index}`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.index === null ? `device(type='cpu')` : `device(type='cpu', index=${this.index})`;
  }
}

export const cpu = new device("cpu");

/** Validates a `device` option; undefined means the CPU. */
export function checkDevice(d: string | device | null | undefined): device {
  if (d === undefined || d === null) return cpu;
  return d instanceof device ? d : new device(d);
}
