/// <reference types="node" />
// (Node-only: the library build has no ambient types; see idx.ts.)

/**
 * `safetensors.torch`'s file functions for Node: `save_file`, `load_file` and `safe_open`.
 * The format itself is encoded and decoded in the core (src/serialization/safetensors.ts).
 */

import { closeSync, fstatSync, openSync, readFileSync, readSync, writeFileSync } from "node:fs";
import type { Tensor } from "../tensor/tensor.js";
import { load, save, SafeOpen, SafetensorError, type ByteSource } from "../serialization/safetensors.js";

export { save, load, SafeOpen, SafetensorError, MAX_HEADER_SIZE } from "../serialization/safetensors.js";

/**
 * Saves a dictionary of tensors to `filename` in the safetensors format
 * (`safetensors.torch.save_file`).
 *
 * Args:
 *   tensors: names to contiguous tensors that share no memory (a `state_dict()` is one).
 *   filename: the file to write (replaced if it exists).
 *   metadata: optional string-to-string information stored in the header.
 *
 * ```ts
 * import { safetensors } from "torch-ts/node";
 * safetensors.save_file(model.state_dict(), "model.safetensors");
 * ```
 */
export function save_file(tensors: Record<string, Tensor>, filename: string, metadata: Record<string, string> | null = null): void {
  writeFileSync(filename, save(tensors, metadata));
}

/**
 * Loads the tensors of a safetensors file (`safetensors.torch.load_file`). A malformed file
 * throws a SafetensorError that names the problem.
 *
 * Args:
 *   filename: the file to read.
 *   device: only "cpu".
 *
 * ```ts
 * model.load_state_dict(safetensors.load_file("model.safetensors"));
 * ```
 */
export function load_file(filename: string, device: string = "cpu"): Record<string, Tensor> {
  checkCpu(device);
  return load(readFileSync(filename));
}

/**
 * Opens a safetensors file to read its keys, metadata and tensors one at a time
 * (`safetensors.safe_open(filename, framework="pt")`). Only the header is read and validated
 * now; each `get_tensor` reads just that tensor's bytes, so a large file never sits in memory.
 *
 * ```ts
 * const f = safetensors.safe_open("model.safetensors", "pt");
 * f.metadata(); f.keys(); f.get_tensor("0.weight");
 * ```
 */
export function safe_open(filename: string, framework: string = "pt", options: { device?: string } = {}): SafeOpen {
  if (framework !== "pt" && framework !== "torch") throw new TypeError(`safe_open: framework "${framework}" is not supported; torch-ts reads "pt"`);
  checkCpu(options.device ?? "cpu");
  return new SafeOpen(fileRanges(filename));
}

/** Reads byte ranges of a file on demand, opening it for each read (nothing to close later). */
function fileRanges(filename: string): ByteSource {
  const fd = openSync(filename, "r");
  let length: number;
  try {
    length = fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
  return {
    length,
    read(begin: number, end: number): Uint8Array {
      const out = new Uint8Array(Math.max(0, Math.min(end, length) - begin));
      const f = openSync(filename, "r");
      try {
        let done = 0;
        while (done < out.length) {
          const n = readSync(f, out, done, out.length - done, begin + done);
          if (n === 0) throw new SafetensorError(`safetensors: ${filename} became shorter while it was open`);
          done += n;
        }
      } finally {
        closeSync(f);
      }
      return out;
    },
  };
}

function checkCpu(device: string): void {
  if (device !== "cpu") throw new TypeError(`safetensors: device "${device}" is not available; torch-ts tensors live on the cpu`);
}
