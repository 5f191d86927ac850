/**
 * The backward engine: walks the graph from the roots, runs each node once all the gradients
 * flowing into it have arrived (later-made nodes first, as PyTorch's engine does), and
 * accumulates into leaves' `.grad` — or, for `torch.autograd.grad`, hands the gradients of the
 * requested inputs back instead.
 */

import { Tensor, markAllocations } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { edgeOf, type Node } from "./graph.js";
import { is_grad_enabled, no_grad, set_grad_enabled } from "./grad_mode.js";
import { RuntimeError } from "../errors.js";
import { add } from "../ops/arithmetic.js";
import { ones, zeros } from "../tensor/creation.js";

export interface BackwardOptions {
  retain_graph?: boolean;
  create_graph?: boolean;
  /** Accumulate only into these leaves (PyTorch's `inputs=`). */
  inputs?: Tensor[];
}


/** Pre-hooks on a node's output slot: tensor hooks and retain_grad of non-leaves. */
export function addTensorHook(t: Tensor, hook: (grad: Tensor) => Tensor | void): void {
  const slot = edgeOf(t);
  if (!slot) {
    throw new RuntimeError("cannot register a hook on a tensor that doesn't require gradient");
  }
  const [node, nr] = slot;
  ((node._preHooks ??= [])[nr] ??= []).push(hook);
}

function checkRoots(roots: readonly Tensor[], grads: readonly (Tensor | null | undefined)[]): readonly Tensor[] {
  // The given list itself when it names a gradient for every root (y.backward(g)); else a copy with ones.
  let checked: (Tensor | null | undefined)[] | null = grads.length === roots.length ? null : new Array<Tensor>(roots.length);
  for (let i = 0; i < roots.length; i++) {
    const r = roots[i]!;
    if (!r.requires_grad) {
      throw new RuntimeError(`element ${i} of tensors does not require grad and does not have a grad_fn`);
    }
    const g = grads[i];
    if (g === null || g === undefined) {
      if (r.numel() !== 1) throw new RuntimeError("grad can be implicitly created only for scalar outputs");
      checked ??= grads.slice();
      checked[i] = ones(r._shape, { dtype: r.dtype });
      continue;
    }
    if (!sameShape(g._shape, r._shape)) {
      throw new RuntimeError(
        `Mismatch in shape: grad_output[${i}] has a shape of ${g.shape} and output[${i}] has a shape of ${r.shape}.`,
      );
    }
    if (checked) checked[i] = g;
  }
  return (checked ?? grads) as readonly Tensor[];
}

/** (Index loops: array methods on a torch.Size take V8's slow generic path.) */
function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let d = 0; d < a.length; d++) if (a[d] !== b[d]) return false;
  return true;
}

/**
 * Runs backward from `roots` with `grads`. When `capture` is given, returns the gradients that
 * reach those tensors and leaves every `.grad` untouched (torch.autograd.grad).
 */
export function runBackward(
  roots: readonly Tensor[],
  grads: readonly (Tensor | null | undefined)[],
  options: BackwardOptions & { capture?: readonly Tensor[]; allowUnused?: boolean } = NO_OPTIONS,
): (Tensor | null)[] {
  const createGraph = options.create_graph ?? false;
  const retainGraph = options.retain_graph ?? createGraph;
  const pass = new Pass(running > 0);
  const ownership = createGraph || options.capture ? null : new GradOwnership(pass.id);
  // A backward run from a hook inside another keeps the outer pass's marks when it ends.
  const outer = markAllocations(ownership ? pass.id : 0);
  running++;
  try {
    return runGraph(roots, grads, options, createGraph, retainGraph, pass, ownership);
  } finally {
    running--;
    pass.release();
    markAllocations(outer);
  }
}

const NO_OPTIONS: BackwardOptions = Object.freeze({});
/** What runGraph returns when it captures nothing (never written: a fresh one per pass is garbage). */
const NOTHING_CAPTURED: (Tensor | null)[] = [];

/** Numbers the backward passes (Node._pass, Storage.bornIn); 0 means none. */
let passes = 0;
/** How many passes are running: a hook may start one inside another. */
let running = 0;

/**
 * One backward pass's hold on the nodes it walks. Each node keeps the pass's count of pending
 * edges and its gradient buffer in fields of its own (`_pass`, `_deps`, `_buffer`): Maps keyed
 * by node cost about 30 ns a lookup, some ten of them per node, which was most of the engine's
 * time on a small graph. A pass started inside another (from a hook) may walk the same nodes,
 * so it keeps what the enclosing pass had there and puts it back when it ends.
 */
class Pass {
  readonly id = ++passes;
  private readonly claimed: Node[] = [];
  /** For a nested pass: the enclosing pass's [pass, deps, buffer] of each claimed node. */
  private readonly outer: [number, number, (Tensor | null)[] | null][] | null;

  constructor(nested: boolean) {
    this.outer = nested ? [] : null;
  }

  /** Makes `node`'s fields this pass's; false when they already were. */
  claim(node: Node): boolean {
    if (node._pass === this.id) return false;
    this.claimed.push(node);
    this.outer?.push([node._pass, node._deps, node._buffer]);
    node._pass = this.id;
    node._deps = 0;
    node._buffer = null;
    return true;
  }

  /** Hands the fields back (emptied, or as the enclosing pass had them); gradients left by a failed pass go too. */
  release(): void {
    const outer = this.outer;
    for (let i = 0; i < this.claimed.length; i++) {
      const node = this.claimed[i]!;
      node._pass = outer ? outer[i]![0] : 0;
      node._deps = outer ? outer[i]![1] : 0;
      node._buffer = outer ? outer[i]![2] : null;
    }
  }
}

/**
 * Which gradient buffers the engine alone holds, so that a leaf's first `.grad` can take the
 * incoming gradient's storage instead of a copy (PyTorch's AccumulateGrad steals it when its
 * use count says nothing else refers to it). A storage qualifies when it was made during this
 * backward pass (so it is no forward value and no user-given gradient), no hook saw it, and no
 * other pending gradient uses it (AddBackward hands one tensor to both inputs). The marks live
 * on the storage (`bornIn`, `buffered`), and only the pass that made a storage counts on it.
 */
class GradOwnership {
  constructor(readonly pass: number) {}

  /** A gradient is waiting in a node's input buffer. */
  hold(g: Tensor): void {
    const s = g._storage;
    if (s.bornIn === this.pass) s.buffered = s.buffered! + 1;
  }

  /** The node holding it ran (or summed it into another): it no longer waits. */
  drop(g: Tensor): void {
    const s = g._storage;
    if (s.bornIn === this.pass) s.buffered = s.buffered! - 1;
  }

  /** Code outside the engine (a hook) got this gradient and may keep it: the pass disowns it. */
  expose(g: Tensor): void {
    const s = g._storage;
    if (s.bornIn === this.pass) s.bornIn = 0;
  }

  /** Whether `g`, about to leave its buffer, may become a leaf's `.grad` as it is. */
  canSteal(g: Tensor, leaf: Tensor): boolean {
    const s = g._storage;
    return (
      s.bornIn === this.pass && s.buffered === 1 && !g.requires_grad &&
      g._offset === 0 && g.numel() === s.length && g.is_contiguous() && g.dtype === leaf.dtype &&
      leaf.is_contiguous()
    );
  }
}

const NO_GRADS: readonly (Tensor | null)[] = Object.freeze([]);

/** Whether a node's buffer holds a gradient for each of its `nOut` outputs. */
function complete(buf: readonly (Tensor | null)[], nOut: number): boolean {
  if (buf.length !== nOut) return false;
  for (let i = 0; i < nOut; i++) if (!buf[i]) return false;
  return true;
}

/**
 * The gradients `node` runs with, from its buffer: each output's after its hooks, captured
 * where torch.autograd.grad asks for it, zeros for an output that got none (not for a leaf).
 */
function gradientsOf(
  node: Node,
  buf: readonly (Tensor | null)[],
  nOut: number,
  isLeaf: boolean,
  ownership: GradOwnership | null,
  captureSlots: readonly ([Node, number] | null)[] | null,
  captured: (Tensor | null)[],
): Tensor[] {
  const gradOutputs = new Array<Tensor>(nOut);
  for (let nr = 0; nr < nOut; nr++) {
    let g = buf[nr] ?? null;
    const hooks = node._preHooks?.[nr];
    if (g && hooks?.length) {
      ownership?.expose(g);
      for (const hook of hooks) {
        const replaced = hook(g);
        if (replaced) {
          g = replaced;
          ownership?.expose(g);
        }
      }
    }
    if (captureSlots && g) {
      for (let i = 0; i < captureSlots.length; i++) {
        const slot = captureSlots[i];
        if (slot && slot[0] === node && slot[1] === nr) captured[i] = g;
      }
    }
    if (!g && !isLeaf) {
      g = zeros(node._outputs[2 * nr] as readonly number[], { dtype: node._outputs[2 * nr + 1] as DType });
    }
    gradOutputs[nr] = g!;
  }
  return gradOutputs;
}

/** Adds `g` to the gradient waiting for output `nr` of `node`. */
function accumulate(node: Node, nr: number, g: Tensor, ownership: GradOwnership | null): void {
  // As PyTorch's validate_outputs: a gradient takes the dtype of the tensor it is for.
  const leaf = node._variable;
  const dtype = leaf !== null ? leaf.dtype : (node._outputs[2 * nr + 1] as DType | undefined);
  if (dtype !== undefined && g.dtype !== dtype) g = g.to(dtype);
  const buf = node._buffer;
  if (buf === null) {
    // (Most nodes have one output: a one-element literal, not an array grown to one.)
    if (nr === 0) node._buffer = [g];
    else (node._buffer = new Array<Tensor | null>(nr + 1))[nr] = g;
    ownership?.hold(g);
    return;
  }
  const prev = buf[nr];
  if (prev) {
    ownership?.drop(prev);
    const sum = add(prev, g);
    buf[nr] = sum;
    ownership?.hold(sum);
  } else {
    buf[nr] = g;
    ownership?.hold(g);
  }
}

function runGraph(
  roots: readonly Tensor[],
  grads: readonly (Tensor | null | undefined)[],
  options: BackwardOptions & { capture?: readonly Tensor[]; allowUnused?: boolean },
  createGraph: boolean,
  retainGraph: boolean,
  pass: Pass,
  ownership: GradOwnership | null,
): (Tensor | null)[] {
  const rootGrads = checkRoots(roots, grads);

  // Count, for every reachable node, how many edges lead into it.
  const stack: Node[] = [];
  // (checkRoots made sure every root requires grad, so each has a slot.)
  const rootSlots = new Array<[Node, number]>(roots.length);
  for (let i = 0; i < roots.length; i++) {
    const slot = (rootSlots[i] = edgeOf(roots[i]!)!);
    if (pass.claim(slot[0])) stack.push(slot[0]);
  }
  while (stack.length) {
    const edges = stack.pop()!.next_functions;
    for (let i = 0; i < edges.length; i++) {
      const edge = edges[i];
      if (!edge) continue;
      const next = edge[0];
      if (pass.claim(next)) stack.push(next);
      next._deps++;
    }
  }

  // Gradients that will be captured, keyed by the slot they arrive at.
  const captureSlots = options.capture ? options.capture.map((t) => edgeOf(t)) : null;
  const captured: (Tensor | null)[] = captureSlots ? captureSlots.map(() => null) : NOTHING_CAPTURED;
  const onlyInputs = options.inputs ? new Set(options.inputs) : null;

  for (let i = 0; i < roots.length; i++) accumulate(rootSlots[i]![0], rootSlots[i]![1], rootGrads[i]!, ownership);

  const ready: Node[] = [];
  for (let i = 0; i < roots.length; i++) {
    const node = rootSlots[i]![0];
    if (node._deps === 0 && !ready.includes(node)) ready.push(node);
  }
  const previousMode = is_grad_enabled();
  set_grad_enabled(createGraph);
  try {
    while (ready.length) {
      // Latest-created first: the order PyTorch's engine runs a single-threaded graph in.
      // (Sequence numbers are unique, so the ready list's own order does not matter.)
      let best = 0;
      for (let i = 1; i < ready.length; i++) if (ready[i]!._sequence > ready[best]!._sequence) best = i;
      const node = ready[best]!;
      ready[best] = ready[ready.length - 1]!;
      ready.pop();
      const buf = node._buffer ?? NO_GRADS;
      node._buffer = null;

      const isLeaf = node._variable !== null;
      const nOut = isLeaf ? 1 : node._outputs.length >> 1;
      // Without hooks or captures, and with every output's gradient there (most nodes), the
      // buffer itself is the list of gradients the node gets.
      const plain = node._preHooks === null && captureSlots === null && complete(buf, nOut);
      const gradOutputs = plain ? (buf as Tensor[]) : gradientsOf(node, buf, nOut, isLeaf, ownership, captureSlots, captured);

      if (isLeaf) {
        const g = gradOutputs[0];
        const leaf = node._variable!;
        if (g && !options.capture && (!onlyInputs || onlyInputs.has(leaf))) {
          if (ownership !== null && leaf.grad === null && ownership.canSteal(g, leaf)) {
            // A view (TBackward's transpose of an mm result) becomes a tensor of its own.
            leaf.grad = g._base === null ? g : new Tensor(g._storage, g._shape);
          } else {
            accumulateIntoLeaf(leaf, g, createGraph);
          }
        }
        if (buf[0]) ownership?.drop(buf[0]);
        continue;
      }
      const gradInputs = node._apply(gradOutputs, retainGraph);
      if (ownership) for (let nr = 0; nr < nOut; nr++) if (buf[nr]) ownership.drop(buf[nr]!);
      if (node._postHooks.length) {
        for (const g of gradInputs) if (g) ownership?.expose(g);
        for (const hook of node._postHooks) hook(gradInputs, gradOutputs);
      }
      const edges = node.next_functions;
      for (let i = 0; i < edges.length; i++) {
        const edge = edges[i];
        if (!edge) continue;
        const next = edge[0];
        const g = gradInputs[i];
        if (g) accumulate(next, edge[1], g, ownership);
        if (--next._deps === 0) ready.push(next);
      }
    }
  } finally {
    set_grad_enabled(previousMode);
  }

  if (captureSlots) {
    captured.forEach((g, i) => {
      if (g === null && !options.allowUnused && captureSlots[i] !== undefined) {
        throw new RuntimeError(
          "One of the differentiated Tensors appears to not have been used in the graph. " +
            "Set allow_unused=True if this is the desired behavior.",
        );
      }
    });
  }
  return captured;
}

function accumulateIntoLeaf(leaf: Tensor, g: Tensor, createGraph: boolean): void {
  if (createGraph) {
    leaf.grad = leaf.grad === null ? g : add(leaf.grad, g);
  } else if (leaf.grad === null) {
    // The incoming gradient may be shared (AddBackward hands one tensor to both inputs) or a
    // broadcast view (SumBackward expands): .grad gets memory of its own.
    leaf.grad = g.detach().clone();
  } else {
    // In place, as PyTorch: a reference to .grad taken earlier sees the accumulation.
    const grad = leaf.grad;
    no_grad(() => grad.add_(g));
  }
}

/** `torch.autograd.backward(tensors, grad_tensors, options)` */
export function backward(
  tensors: Tensor | readonly Tensor[],
  grad_tensors?: Tensor | readonly (Tensor | null)[] | null,
  options: BackwardOptions = {},
): void {
  const roots = Array.isArray(tensors) ? (tensors as readonly Tensor[]) : [tensors as Tensor];
  const grads = grad_tensors == null ? [] : Array.isArray(grad_tensors) ? grad_tensors : [grad_tensors as Tensor];
  runBackward(roots, grads as (Tensor | null)[], options);
}

export interface GradOptions {
  retain_graph?: boolean;
  create_graph?: boolean;
  allow_unused?: boolean;
}

/**
 * `torch.autograd.grad(outputs, inputs, grad_outputs, options)`: the gradients of `outputs`
 * with respect to `inputs`, returned rather than accumulated into `.grad`.
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  grad_outputs?: Tensor | readonly (Tensor | null)[] | null,
  options: GradOptions = {},
): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? (outputs as readonly Tensor[]) : [outputs as Tensor];
  const ins = Array.isArray(inputs) ? (inputs as readonly Tensor[]) : [inputs as Tensor];
  const grads = grad_outputs == null ? [] : Array.isArray(grad_outputs) ? grad_outputs : [grad_outputs as Tensor];
  for (const t of ins) {
    if (!t.requires_grad) throw new RuntimeError("One of the differentiated Tensors does not require grad");
  }
  return runBackward(outs, grads as (Tensor | null)[], {
    ...options,
    capture: ins,
    allowUnused: options.allow_unused ?? false,
  });
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    /** Computes the gradient of this tensor with respect to the graph's leaves. */
    backward(gradient?: Tensor | null, options?: BackwardOptions): void;
    /** Runs `hook(grad)` when this tensor's gradient is computed; a returned tensor replaces it. */
    register_hook(hook: (grad: Tensor) => Tensor | void): { remove(): void };
    /** Makes a non-leaf keep its `.grad` after backward. */
    retain_grad(): void;
  }
}

const P = Tensor.prototype;
P.backward = function (gradient, options) {
  runBackward([this], [gradient ?? null], options);
};
P.register_hook = function (hook) {
  if (!this.requires_grad) {
    throw new RuntimeError("cannot register a hook on a tensor that doesn't require gradient");
  }
  let active = true;
  addTensorHook(this, (g) => (active ? hook(g) : undefined));
  return { remove: () => void (active = false) };
};
P.retain_grad = function () {
  if (!this.requires_grad) throw new RuntimeError("can't retain_grad on Tensor that has requires_grad=False");
  if (this.is_leaf || this._retainsGrad) return;
  this._retainsGrad = true;
  const self = this;
  addTensorHook(this, (g) => {
    self.grad = self.grad === null ? g.detach().clone() : no_grad(() => self.grad!.add(g));
  });
};
