/**
 * The autograd graph: nodes named as PyTorch names them (`AddmmBackward0`), with edges to the
 * nodes of their inputs and the tensors their backward needs, checked against in-place changes.
 */

import type { Tensor } from "../tensor/tensor.js";
import { is_grad_enabled } from "./grad_mode.js";
import { RuntimeError } from "../errors.js";

/**
 * Computes the gradients of a node's inputs from the gradients of its outputs. Written with
 * public ops, so the backward itself can be differentiated (double backward). `grads[i]` is
 * the gradient of output i (zeros when an output was unused); `saved` are the unpacked saved
 * tensors. Return one entry per input, null where the input needs none.
 */
export type BackwardFn = (grads: Tensor[], saved: Tensor[]) => (Tensor | null)[];

/** An edge: the node that receives a gradient, and which of its outputs it is for. */
export type Edge = [Node, number] | null;

let sequence = 0;

const NO_POST_HOOKS: readonly never[] = Object.freeze([]);

export class Node {
  /** Edges to the inputs' nodes, in input order (PyTorch's `next_functions`). */
  readonly next_functions: Edge[];
  /**
   * @internal The outputs' dims and dtypes, to build zero gradients for unused ones and to cast
   * incoming ones: output i's at 2i and 2i + 1 (one flat list: a node is made for every op
   * that records, and small ones are most of a small model's time).
   */
  readonly _outputs: (readonly number[] | Tensor["dtype"])[];
  /** @internal Larger for nodes made later; the engine runs later nodes first. */
  readonly _sequence = sequence++;
  /**
   * @internal Hooks on the gradient of output i, run before this node's backward (null until
   * the first is added: most nodes never get one).
   */
  _preHooks: ((grad: Tensor) => Tensor | void)[][] | null = null;
  /** @internal Hooks `(grad_inputs, grad_outputs)` run after this node's backward. */
  _postHooks: readonly ((gradInputs: (Tensor | null)[], gradOutputs: Tensor[]) => void)[] = NO_POST_HOOKS;
  /** The saved tensors (null once freed) and the version each had when saved. */
  private saved: Tensor[] | null;
  private savedVersions: number[];
  /** Indices of the saved tensors that are this node's outputs (null for none, as in most nodes). */
  private savedOutputs: number[] | null = null;
  /** @internal The backward pass that owns `_deps` and `_buffer` now (engine.ts); 0 for none. */
  _pass = 0;
  /** @internal How many edges into this node have yet to deliver their gradient, in that pass. */
  _deps = 0;
  /** @internal The gradients summed so far for each output, in that pass. */
  _buffer: (Tensor | null)[] | null = null;
  /**
   * @internal The leaf accumulator's variable (AccumulateGrad's), null for other nodes: the
   * engine asks this of every node and gradient, where `instanceof` walked the prototype chain.
   */
  readonly _variable: Tensor | null = null;

  constructor(
    private readonly _name: string,
    inputs: readonly (Tensor | null)[],
    private readonly backwardFn: BackwardFn,
    saved: readonly Tensor[] = [],
    outputs: readonly Tensor[] = [],
  ) {
    const edges = new Array<Edge>(inputs.length);
    for (let i = 0; i < inputs.length; i++) edges[i] = edgeOf(inputs[i]!);
    this.next_functions = edges;
    const kept = new Array<Tensor>(saved.length);
    const versions = new Array<number>(saved.length);
    for (let i = 0; i < saved.length; i++) {
      const t = saved[i]!;
      kept[i] = t;
      versions[i] = t._version;
      if (outputs.includes(t)) (this.savedOutputs ??= []).push(i);
    }
    this.saved = kept;
    this.savedVersions = versions;
    const outs = new Array<readonly number[] | Tensor["dtype"]>(2 * outputs.length);
    for (let i = 0; i < outputs.length; i++) {
      outs[2 * i] = outputs[i]!._shape;
      outs[2 * i + 1] = outputs[i]!.dtype;
    }
    this._outputs = outs;
  }

  /** The node's name as PyTorch gives it: `AddmmBackward0`, `torch::autograd::AccumulateGrad`. */
  name(): string {
    return this._name;
  }

  /**
   * @internal An in-place op is about to overwrite `target`, whose values this node saved as an
   * input: keep `copy(saved)` instead, as PyTorch keeps the original self of an in-place op.
   */
  _keepOriginals(target: Tensor, copy: (t: Tensor) => Tensor): void {
    const saved = this.saved ?? [];
    for (let i = 0; i < saved.length; i++) {
      if (this.isOutput(i) || saved[i]!._storage !== target._storage) continue;
      saved[i] = copy(saved[i]!);
      this.savedVersions[i] = saved[i]!._version;
    }
  }

  /** Whether saved tensor i was this node's own output (it names the node in error messages). */
  private isOutput(i: number): boolean {
    return this.savedOutputs !== null && this.savedOutputs.includes(i);
  }

  /**
   * @internal An in-place op wrote this node's output `from` into `into`, which now stands for
   * it: a saved output is `into` from here on, so a later in-place write to it is detected.
   */
  _rebindOutput(from: Tensor, into: Tensor): void {
    const saved = this.saved ?? [];
    for (let i = 0; i < saved.length; i++) {
      if (saved[i] !== from) continue;
      saved[i] = into;
      this.savedVersions[i] = into._version;
    }
  }

  /** @internal Runs the backward; frees the saved tensors unless `retainGraph`. */
  _apply(grads: Tensor[], retainGraph: boolean): (Tensor | null)[] {
    const saved = this.unpack();
    // Freed, the node's own list is the backward's; kept, the backward gets a copy.
    if (!retainGraph) this.saved = null;
    return this.backwardFn(grads, retainGraph ? saved.slice() : saved);
  }

  private unpack(): Tensor[] {
    if (this.saved === null) {
      throw new RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved tensors after " +
          "they have already been freed). Saved intermediate values of the graph are freed when you call " +
          ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the " +
          "graph a second time or if you need to access saved tensors after calling backward.",
      );
    }
    const saved = this.saved;
    for (let i = 0; i < saved.length; i++) {
      const tensor = saved[i]!;
      const version = this.savedVersions[i]!;
      const isOutput = this.isOutput(i);
      if (tensor._version !== version) {
        const t = tensor;
        const kind = `torch.${t.dtype.scalarTypeName}Tensor [${t._shape.join(", ")}]`;
        // PyTorch names the node a saved output came from, or the current node of a saved input;
        // a leaf or a tensor outside the graph gets no "which is" clause.
        const which = isOutput ? `output ${t._outputNr} of ${this.name()}` : t._gradFn ? `output ${t._outputNr} of ${t._gradFn.name()}` : null;
        throw new RuntimeError(
          `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
            `[${kind}]${which ? `, which is ${which},` : ""} is at version ${t._version}; expected version ${version} instead. ` +
            `Hint: enable anomaly detection to find the operation that failed to compute its gradient, ` +
            `with torch.autograd.set_detect_anomaly(True).`,
        );
      }
    }
    return saved;
  }

  /** `<AddmmBackward0>`: how PyTorch shows a node inside a tensor's repr. */
  toString(): string {
    return `<${this._name.replace("torch::autograd::", "")} object>`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** The node where a leaf that requires grad collects its gradient into `.grad`. */
export class AccumulateGrad extends Node {
  declare readonly _variable: Tensor;
  /** @internal The edge into this node: every node that uses the leaf shares it. */
  readonly _edge: [Node, number];

  constructor(readonly variable: Tensor) {
    super("torch::autograd::AccumulateGrad", [], () => []);
    this._variable = variable;
    this._edge = [this, 0];
  }
}

/** @internal The edge into the node where `t`'s gradient arrives, or null when it needs none. */
export function edgeOf(t: Tensor | null): Edge {
  if (t === null || !t.requires_grad) return null;
  if (t._gradFn) return [t._gradFn, t._outputNr];
  return ((t._accumulator ??= new AccumulateGrad(t)) as AccumulateGrad)._edge;
}

/** Whether an op on these inputs should record a node. (Fixed arity: a rest array was garbage on every op.) */
export function needsGrad(a: Tensor | null | undefined, b?: Tensor | null, c?: Tensor | null): boolean {
  if (!is_grad_enabled()) return false;
  return (a != null && a.requires_grad) || (b != null && b.requires_grad) || (c != null && c.requires_grad);
}

function anyNeedsGrad(inputs: readonly (Tensor | null | undefined)[]): boolean {
  if (!is_grad_enabled()) return false;
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i];
    if (t && t.requires_grad) return true;
  }
  return false;
}

/**
 * Records that `outputs` were computed from `inputs` by the op `name`, when grad mode is on and
 * an input requires grad. Returns the first output for convenience.
 */
export function record<T extends Tensor>(
  name: string,
  inputs: readonly (Tensor | null)[],
  outputs: T | readonly T[],
  backward: BackwardFn,
  saved: readonly Tensor[] = NO_SAVED,
): T {
  // Every op calls this, most with grad off or no input requiring it: that answer comes first,
  // before any array is made.
  const single = !Array.isArray(outputs);
  const first = (single ? outputs : (outputs as readonly T[])[0]!) as T;
  if (!anyNeedsGrad(inputs)) return first;
  const outs = single ? [first] : (outputs as readonly T[]);
  const node = new Node(name, inputs, backward, saved, outs);
  for (let i = 0; i < outs.length; i++) {
    const t = outs[i]!;
    t._gradFn = node;
    t._outputNr = i;
  }
  return first;
}

const NO_SAVED: readonly Tensor[] = Object.freeze([]);
