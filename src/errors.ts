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

/** Python's AttributeError: raised by `get_submodule`, `get_parameter` and `get_buffer`. */
export class AttributeError extends Error {
  override name = "AttributeError";
}

/** Python's AssertionError: what PyTorch's own `assert` statements raise (TensorDataset's size check). */
export class AssertionError extends Error {
  override name = "AssertionError";
}
