/**
 * Float64 finite-difference gradient checks for the tests, built on the public
 * `torch.autograd.gradcheck` (src/autograd/gradcheck.ts), so the tests exercise the checker
 * users get. gradcheck compares a full Jacobian, one backward per output element; the checks
 * here project the outputs on fixed cotangents first (a vector-Jacobian product, one backward),
 * which keeps the many shape cases of the op tests fast. The one check gradcheck cannot
 * express, the exact double backward of an affine op, is {@link gradgradcheckAffine}.
 */

import { expect } from "vitest";

import torch, { Tensor } from "../../src/index.js";
import { lcgSigned, lcgTensor } from "./streams.js";
import { TOLERANCE, type GradcheckTolerance } from "./tolerance.js";

type Outputs = Tensor | readonly Tensor[] | Iterable<Tensor>;
type Fn = (...xs: Tensor[]) => Outputs;

function outputsOf(r: Outputs): Tensor[] {
  return r instanceof torch.Tensor ? [r] : [...(r as Iterable<Tensor>)];
}

function floatingOutputs(fn: Fn, xs: Tensor[]): Tensor[] {
  return outputsOf(fn(...xs)).filter((o) => o.dtype.is_floating_point);
}

/** Σ_k ⟨outs_k, vs_k⟩ as a 0-d tensor, differentiable in `outs`. */
function projected(outs: Tensor[], vs: readonly Tensor[]): Tensor {
  const total = outs.reduce((acc: Tensor | null, o, k) => {
    const term = o.mul(vs[k]!).sum();
    return acc === null ? term : acc.add(term);
  }, null);
  if (total === null) throw new Error("gradcheck: the function has no floating-point output");
  return total;
}

/**
 * Checks the vector-Jacobian product of `fn` at `inputs` with torch.autograd.gradcheck: the
 * gradient of the scalar L(x) = Σ_k ⟨fn(x)_k, v_k⟩ for fixed cotangents v_k must match L's
 * central differences in every input element, |a − n| ≤ atol + rtol·|n|. Outputs that are not
 * floating (indices) are left out. `cotangents` is called once, with the outputs at `inputs`.
 */
export function vjpcheck(
  fn: Fn,
  inputs: readonly Tensor[],
  cotangents: (outputs: Tensor[]) => Tensor[],
  tol: GradcheckTolerance,
): void {
  const leaves = inputs.map((t) => t.detach().clone().requires_grad_(true));
  const vs = cotangents(floatingOutputs(fn, leaves));
  const loss = (...xs: Tensor[]) => projected(floatingOutputs(fn, xs), vs);
  expect(torch.autograd.gradcheck(loss, leaves, { eps: tol.eps, atol: tol.atol, rtol: tol.rtol })).toBe(true);
}

/**
 * {@link vjpcheck} at the given float64 inputs, with fixed pseudo-random cotangents
 * (lcgTensor seeds 1234, 1241, ...). Tolerances of curved functions by default.
 *
 * ```ts
 * gradcheck((t) => t.prod(1), [lcgTensor([3, 4], 2)]);
 * ```
 */
export function gradcheck(fn: Fn, inputs: readonly Tensor[], tol: GradcheckTolerance = TOLERANCE.float64.gradcheckReduction): void {
  vjpcheck(fn, inputs, (outs) => outs.map((o, k) => lcgTensor(o.shape, 1234 + 7 * k)), tol);
}

/**
 * `(...xs) ↦ ∂loss(xs)/∂xs` computed with create_graph, as a function gradcheck can
 * differentiate: checking it checks the double backward. gradcheck evaluates its finite
 * differences under no_grad on detached copies, so there the gradient is taken under
 * enable_grad on fresh leaves. With `allow_unused`, inputs the loss does not reach give no
 * output instead of an error.
 */
export function firstGrad(
  loss: (...xs: Tensor[]) => Tensor,
  options: { allow_unused?: boolean } = {},
): (...xs: Tensor[]) => Tensor[] {
  const allow_unused = options.allow_unused ?? false;
  return (...xs: Tensor[]) =>
    torch.enable_grad(() => {
      const leaves = xs.map((t) => (t.requires_grad ? t : t.detach().requires_grad_(true)));
      const grads = torch.autograd.grad(loss(...leaves), leaves, null, { create_graph: true, allow_unused });
      return grads.filter((g): g is Tensor => g !== null);
    });
}

/**
 * Checks the second derivative: the gradient of Σ_k ⟨fn(x)_k, w_k⟩ (fixed w, lcgTensor seeds
 * 99, 100, ...) is itself checked with {@link gradcheck}, so every backward formula must be
 * differentiable.
 */
export function gradgradcheck(fn: Fn, inputs: readonly Tensor[], tol: GradcheckTolerance = TOLERANCE.float64.gradcheckReduction): void {
  const first = firstGrad((...xs) => {
    const outs = floatingOutputs(fn, xs);
    return projected(outs, outs.map((o, k) => lcgTensor(o.shape, 99 + k)));
  }, { allow_unused: true });
  gradcheck(first, inputs, tol);
}

const numelOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function leaf(values: Float64Array, shape: readonly number[], requiresGrad: boolean): Tensor {
  const t = torch.tensor(Float64Array.from(values)).reshape([...shape]).clone();
  return requiresGrad ? t.requires_grad_(true) : t;
}

/**
 * {@link vjpcheck} of a function that is linear in its inputs (joins, splits, indexing,
 * diagonals), at pseudo-random float64 inputs of the given shapes, with cotangents drawn from
 * the same stream after them (lcgSigned(seed)), at the tight linear tolerance.
 *
 * ```ts
 * gradcheckLinear((a, b) => torch.cat([a!, b!], 0), [[2, 3], [1, 3]]);
 * ```
 */
export function gradcheckLinear(fn: (...xs: Tensor[]) => Tensor | Tensor[], shapes: readonly (readonly number[])[], seed = 7): void {
  const rand = lcgSigned(seed);
  const inputs = shapes.map((s) => leaf(Float64Array.from({ length: numelOf(s) }, rand), s, false));
  vjpcheck(
    fn,
    inputs,
    (outs) => outs.map((o) => leaf(Float64Array.from({ length: o.numel() }, rand), o.shape, false)),
    TOLERANCE.float64.gradcheckLinear,
  );
}

/**
 * Double backward of an affine f, exactly: the gradient of ⟨w, Jᵀv⟩ with respect to v is J w,
 * which is f(w) − f(0). Compared bit for bit: the ops it serves only move, scale and add
 * values, and both sides do the same arithmetic.
 */
export function gradgradcheckAffine(f: (x: Tensor) => Tensor, shape: readonly number[], seed = 11): void {
  const rand = lcgSigned(seed);
  const x = leaf(Float64Array.from({ length: numelOf(shape) }, rand), shape, true);
  const out = f(x);
  const v = leaf(Float64Array.from({ length: out.numel() }, rand), out.shape, true);
  const [g] = torch.autograd.grad([out], [x], [v], { create_graph: true });
  const w = leaf(Float64Array.from({ length: x.numel() }, rand), shape, false);
  const [gv] = torch.autograd.grad([g!.mul(w).sum()], [v]);
  const want = f(w).sub(f(torch.zeros([...shape], { dtype: torch.float64 })));
  expect(Array.from(gv!._values() as Float64Array)).toEqual(Array.from(want._values() as Float64Array));
}
