/**
 * The SGD and Adam updates of one float32 parameter in a single pass over flat arrays.
 *
 * Why: written with tensor ops, an Adam step makes a dozen full-size temporaries per parameter;
 * on the JS backend that measured ~108 ms per step for a 784-256-128-10 MLP (SGD with momentum
 * ~34 ms), against ~3 ms for its largest matrix product; this pass takes ~6 ms (~2 ms).
 *
 * It does the same float32 operations in the same order, rounding (Math.fround) wherever the
 * composite's kernels round a result or a scalar operand, so its results are bit-identical to
 * the tensor-op path (test/optim/flat_update.test.ts checks that). The tensor ops in sgd.ts and
 * adam.ts stay the reference and the path for everything else (float64, non-contiguous
 * tensors). Only float32 has a pass: a loop that sees one element type stays fast in V8.
 *
 * It reads and writes storage through the backend's `read` / `write`, so it works on any
 * backend, and bumps the version counters of what it writes, as in-place ops do.
 */

import type { Tensor } from "../tensor/tensor.js";
import type { TypedArray } from "../tensor/dtype.js";
import type { AdamStep, Backend, SgdStep } from "../backend/backend.js";

let enabled = true;

/** @internal Turns the flat pass off (tests compare it with the tensor-op path). */
export function setFlatUpdates(on: boolean): void {
  enabled = on;
}

/** Whether every tensor is a contiguous float32 tensor shaped like the first. */
export function canUpdateFlat(...ts: (Tensor | null | undefined)[]): boolean {
  if (!enabled) return false;
  const first = ts[0]!;
  const { dtype } = first;
  if (dtype.name !== "float32") return false;
  const n = first.numel();
  const storages = new Set<unknown>();
  for (const t of ts) {
    if (t === undefined || t === null) continue;
    if (t.dtype !== dtype || t.numel() !== n || !t.is_contiguous()) return false;
    if (t.ndim !== first.ndim || t._shape.some((s, i) => s !== first._shape[i])) return false;
    // Two of them in one storage (a grad that is a view of its param, state loaded into one
    // buffer): the passes read and write element by element, or in vectors, and would not agree
    // with the tensor ops; those run instead.
    if (storages.has(t._storage)) return false;
    storages.add(t._storage);
  }
  return true;
}

/**
 * The tensor's elements to update in place: a live view where the backend lends one (typed-array
 * storage: no copy), else a copy that `write` puts back.
 */
function read(t: Tensor): Float32Array {
  const { backend } = t._storage;
  if (backend.borrow) return backend.borrow(t._storage, t._offset, t.numel()) as Float32Array;
  return backend.read(t._storage, t._offset, t.numel()) as Float32Array;
}

function write(t: Tensor, values: TypedArray): void {
  const { backend } = t._storage;
  if (!backend.borrow) backend.write(t._storage, t._offset, values);
  t._storage.version++;
}

/** The backend of all these tensors' storage, if they share one that has the fused `kernel`. */
function fusedBackend(kernel: "sgdStep" | "adamStep", ...ts: (Tensor | null)[]): Backend | null {
  const backend = ts[0]!._storage.backend;
  if (!backend[kernel]) return null;
  for (const t of ts) if (t !== null && t._storage.backend !== backend) return null;
  return backend;
}

/** The rounding a float32 kernel applies when it stores a result (and to scalar operands). */
const r = Math.fround;


/**
 * One `_single_tensor_sgd` step of `param`. `buf` is the momentum buffer (null at the first
 * step: then a new one is returned), used only when momentum is non-zero.
 */
export function sgdFlat(param: Tensor, grad: Tensor, buf: Tensor | null, h: SgdStep, makeBuf: () => Tensor): Tensor | null {
  const p = read(param);
  const g = read(grad);
  const n = p.length;
  const wd = r(h.weight_decay);
  const mom = r(h.momentum);
  const oneMinusDamp = r(1 - h.dampening);
  const negLr = r(-h.lr);
  const useMomentum = h.momentum !== 0;
  const { maximize, nesterov } = h;
  const decay = h.weight_decay !== 0;
  const damped = oneMinusDamp !== 1;
  const b = useMomentum ? (buf === null ? null : read(buf)) : null;
  const created = useMomentum && buf === null ? makeBuf() : null;
  const fresh = created === null ? null : read(created);
  for (let i = 0; i < n; i++) {
    let d = maximize ? -g[i]! : g[i]!;
    if (decay) d = r(d + r(p[i]! * wd));
    if (useMomentum) {
      let v: number;
      if (fresh !== null) v = fresh[i] = d;
      else v = b![i] = r(r(b![i]! * mom) + (damped ? r(d * oneMinusDamp) : d));
      d = nesterov ? r(d + r(v * mom)) : v;
    }
    p[i] = r(p[i]! + r(d * negLr));
  }
  write(param, p);
  if (h.momentum === 0) return null;
  if (fresh !== null) {
    write(created!, fresh);
    return created;
  }
  write(buf!, b!);
  return buf;
}


/** One `_single_tensor_adam` step of `param` (after its step count was advanced). */
export function adamFlat(
  param: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, maxExpAvgSq: Tensor | null, h: AdamStep,
): void {
  const p = read(param);
  const g = read(grad);
  const m = read(expAvg);
  const v = read(expAvgSq);
  const vmax = maxExpAvgSq === null ? null : read(maxExpAvgSq);
  const n = p.length;
  const { maximize } = h;
  const decay = h.weight_decay !== 0;
  const decoupled = h.decoupled_weight_decay;
  const shrink = r(1 - h.lr * h.weight_decay);
  const wd = r(h.weight_decay);
  // lerp_'s weight and 1 − weight are formed in the operands' dtype.
  const w = r(1 - h.beta1);
  const oneMinusW = r(1 - w);
  const small = Math.abs(w) < 0.5;
  const beta2 = r(h.beta2);
  const value = r(1 - h.beta2);
  const bc2 = r(h.bias_correction2_sqrt);
  const eps = r(h.eps);
  const negStep = r(-h.step_size);
  for (let i = 0; i < n; i++) {
    let d = maximize ? -g[i]! : g[i]!;
    let x = p[i]!;
    if (decay) {
      if (decoupled) x = r(x * shrink);
      else d = r(d + r(x * wd));
    }
    const diff = r(d - m[i]!);
    const mi = (m[i] = small ? r(m[i]! + r(diff * w)) : r(d - r(diff * oneMinusW)));
    let vi = (v[i] = r(r(v[i]! * beta2) + r(r(d * value) * d)));
    if (vmax !== null) {
      const prev = vmax[i]!;
      vi = vmax[i] = prev !== prev || vi !== vi ? NaN : Math.max(prev, vi);
    }
    const denom = r(r(r(Math.sqrt(vi)) / bc2) + eps);
    p[i] = r(x + r(r(mi * negStep) / denom));
  }
  write(param, p);
  write(expAvg, m);
  write(expAvgSq, v);
  if (vmax !== null) write(maxExpAvgSq!, vmax);
}

/**
 * One SGD step of `param`: the backend's fused kernel where its storage has one (native), else
 * the JS pass. Returns the momentum buffer (new at the first step), or null without momentum.
 */
export function sgdUpdate(param: Tensor, grad: Tensor, buf: Tensor | null, h: SgdStep, makeBuf: () => Tensor): Tensor | null {
  const backend = fusedBackend("sgdStep", param, grad, buf);
  if (backend === null) return sgdFlat(param, grad, buf, h, makeBuf);
  const first = h.momentum !== 0 && buf === null;
  const momentum = h.momentum === 0 ? null : (buf ?? makeBuf());
  if (momentum !== null && momentum._storage.backend !== backend) return sgdFlat(param, grad, buf, h, makeBuf);
  backend.sgdStep!(param._view, grad._view, momentum?._view ?? null, h, first);
  param._storage.version++;
  if (momentum !== null) momentum._storage.version++;
  return momentum;
}

/** One Adam / AdamW step of `param`: the backend's fused kernel where it has one, else the JS pass. */
export function adamUpdate(
  param: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, maxExpAvgSq: Tensor | null, h: AdamStep,
): void {
  const backend = fusedBackend("adamStep", param, grad, expAvg, expAvgSq, maxExpAvgSq);
  if (backend === null) return adamFlat(param, grad, expAvg, expAvgSq, maxExpAvgSq, h);
  backend.adamStep!(param._view, grad._view, expAvg._view, expAvgSq._view, maxExpAvgSq?._view ?? null, h);
  for (const t of [param, expAvg, expAvgSq, maxExpAvgSq]) if (t !== null) t._storage.version++;
}
