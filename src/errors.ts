/**
 * PyTorch's Python exception classes, so that `catch (e) { e instanceof RuntimeError }` and
 * `e.name` read the way a PyTorch user expects. `TypeError` is JavaScript's own: Python's has
 * the same name and the same meaning.
 */

export class RuntimeError extends Error {
  override name = "RuntimeError";
}

export class IndexError extends Error {
  override name = "IndexError";
}

export class ValueError extends Error {
  override name = "ValueError";
}

export class NotImplementedError extends Error {
  override name = "NotImplementedError";
}

export class KeyError extends Error {
  override name = "KeyError";
}
