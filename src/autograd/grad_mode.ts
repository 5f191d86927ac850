/**
 * Grad mode: whether ops record the autograd graph. PyTorch's context managers become scoped
 * functions that run a callback and return its value: `torch.no_grad(() => model(x))`.
 * The callback must be synchronous: the mode is restored when it returns.
 */

let enabled = true;

export function is_grad_enabled(): boolean {
  return enabled;
}

/** Runs `fn` with grad mode set to `mode`, restoring the previous mode afterwards. */
export function set_grad_enabled<T>(mode: boolean, fn?: () => T): T | undefined {
  if (fn === undefined) {
    enabled = mode;
    return undefined;
  }
  const previous = enabled;
  enabled = mode;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

/** Runs `fn` without recording a graph: results of ops inside have no grad_fn. */
export function no_grad<T>(fn: () => T): T {
  return set_grad_enabled(false, fn) as T;
}

/** Runs `fn` with graph recording on, even inside `no_grad`. */
export function enable_grad<T>(fn: () => T): T {
  return set_grad_enabled(true, fn) as T;
}
