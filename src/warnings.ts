/**
 * Python's `warnings.warn` under its default filter, which is how PyTorch's warnings (Python's
 * and TORCH_WARN's) reach a user: each category and message printed once per process.
 */

const shown = new Set<string>();

/** Prints `category: message` to the console the first time it is given. */
export function warn(message: string, category = "UserWarning"): void {
  const line = `${category}: ${message}`;
  if (shown.has(line)) return;
  shown.add(line);
  console.warn(line);
}
