/**
 * `torch.load(path)` and `torch.save(obj, path)` with Node's file system, for Node versions
 * without `process.getBuiltinModule` (before 20.16), where the main entry's `torch.load` takes
 * only bytes. The formats and their checks are src/serialization/pt.ts's.
 *
 * ```ts
 * import { load, save } from "torch-ts/node";
 * model.load_state_dict(load<nn.StateDict>("model.pt"));
 * save(model.state_dict(), "model.pt");
 * ```
 */

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { archiveNameFor, load as loadFromBytes, saveBytes, type FileLike, type LoadOptions } from "../serialization/pt.js";

/** `torch.load(f)`: `f` a path (string or file URL) or the file's bytes; see torch.load. */
export function load<T = unknown>(f: FileLike | URL, options: LoadOptions = {}): T {
  const bytes = typeof f === "string" || f instanceof URL ? readFileSync(f) : f;
  return loadFromBytes<T>(bytes, options);
}

/** `torch.save(obj, f)`: writes PyTorch's zip format to the path `f`; see torch.save. */
export function save(obj: unknown, f: string | URL): void {
  const path = f instanceof URL ? fileURLToPath(f) : f;
  writeFileSync(path, saveBytes(obj, archiveNameFor(path)));
}
