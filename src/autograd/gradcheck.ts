/**
 * `torch.autograd.gradcheck`: compares the gradients autograd computes with central finite
 * differences, element by element. Use float64 inputs: float32 differences are too coarse.
 */

import { Tensor } from "../tensor/tensor.js";
import { no_grad } from "./grad_mode.js";
import { grad } from "./engine.js";
import { RuntimeError } from "../errors.js";
import { zeros } from "../tensor/creation.js";

export class GradcheckError extends RuntimeError {
  override name = "GradcheckError";
}

export interface GradcheckOptions {
  /** Finite-difference step. */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Throw a GradcheckError on mismatch (the default) rather than return false. */
  raise_exception?: boolean;
}

type Fn = (...inputs: Tensor[]) => Tensor | Tensor[];

function outputsOf(fn: Fn, inputs: Tensor[]): Tensor[] {
  const out = fn(...inputs);
  return Array.isArray(out) ? out : [out];
}

/** Flat values of a tensor as numbers. */
function flatValues(t: Tensor): number[] {
  return Array.from(t.detach().contiguous().to(t.dtype)._values() as ArrayLike<number>, Number);
}

/**
 * Checks `fn`'s gradients at `inputs` against finite differences: for every input that
 * requires grad, every input element i and output element j, compares ∂out_j/∂in_i from
 * autograd with (f(x + eps·e_i) − f(x − eps·e_i)) / 2eps, accepting |a − n| ≤ atol + rtol·|n|.
 *
 * ```ts
 * const x = torch.randn(3, { dtype: torch.float64, requires_grad: true });
 * torch.autograd.gradcheck((x) => x.exp().sum(), [x]);   // true
 * ```
 */
export function gradcheck(fn: Fn, inputs: Tensor | Tensor[], options: GradcheckOptions = {}): boolean {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raise_exception = true } = options;
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const fail = (msg: string): boolean => {
    if (raise_exception) throw new GradcheckError(msg);
    return false;
  };

  const outputs = outputsOf(fn, ins);
  const diffIdx = ins.map((t, i) => (t.requires_grad ? i : -1)).filter((i) => i >= 0);
  if (diffIdx.length === 0) return fail("gradcheck expects at least one input tensor to require gradient");

  for (const [o, out] of outputs.entries()) {
    if (!out.dtype.is_floating_point) continue;
    const nOut = out.numel();
    // Analytical Jacobian, one row (output element) at a time.
    const analytical: number[][][] = diffIdx.map(() => []);
    for (let j = 0; j < nOut; j++) {
      const onehot = zeros(out.numel(), { dtype: out.dtype });
      no_grad(() => onehot.narrow(0, j, 1).fill_(1));
      const grads = out.requires_grad
        ? grad([out], diffIdx.map((i) => ins[i]!), [onehot.view(out._shape)], { retain_graph: true, allow_unused: true })
        : diffIdx.map(() => null);
      grads.forEach((g, k) => analytical[k]!.push(g ? flatValues(g) : new Array<number>(ins[diffIdx[k]!]!.numel()).fill(0)));
    }
    // Numerical Jacobian by perturbing each input element.
    for (const [k, i] of diffIdx.entries()) {
      const x = ins[i]!;
      const n = x.numel();
      for (let e = 0; e < n; e++) {
        const evalAt = (delta: number): number[] =>
          no_grad(() => {
            const xp = x.detach().clone();
            xp.view(-1).narrow(0, e, 1).add_(delta);
            const args = ins.map((t, m) => (m === i ? xp : t.detach()));
            return flatValues(outputsOf(fn, args)[o]!);
          });
        const plus = evalAt(eps);
        const minus = evalAt(-eps);
        for (let j = 0; j < nOut; j++) {
          const numerical = (plus[j]! - minus[j]!) / (2 * eps);
          const a = analytical[k]![j]![e]!;
          if (!(Math.abs(a - numerical) <= atol + rtol * Math.abs(numerical))) {
            return fail(
              `Jacobian mismatch for output ${o} with respect to input ${i},\n` +
                `numerical:${numerical}\nanalytical:${a}\n(at input element ${e}, output element ${j})`,
            );
          }
        }
      }
    }
  }
  return true;
}
