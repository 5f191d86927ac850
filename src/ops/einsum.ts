/**
 * `einsum`: Einstein summation over labelled dims, with PyTorch's equation syntax and its
 * evaluation strategy (ATen's einsum): take diagonals for repeated labels, align every operand
 * to one dim order (output dims first, then contracted ones), then contract the operands left to
 * right, each pair as one batched matrix product (`bmm`) over the dims that no later operand
 * and not the output needs. Everything is built from differentiable ops, so gradients (and
 * double backward) come from theirs.
 */

import { Tensor } from "../tensor/tensor.js";
import { RuntimeError, ValueError } from "../errors.js";
import { bmm } from "./matmul.js";
import { diagonal } from "./diagonal.js";

const LETTERS = 26;
/** Labels A-Z are 0-25 and a-z 26-51, as in ATen; 52 marks an ellipsis. */
const TOTAL_LABELS = 2 * LETTERS;
const ELLIPSIS = TOTAL_LABELS;

function isLetter(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
}

function labelOf(c: string): number {
  return c <= "Z" ? c.charCodeAt(0) - 65 : c.charCodeAt(0) - 97 + LETTERS;
}

function charOf(label: number): string {
  return String.fromCharCode(label < LETTERS ? 65 + label : 97 + label - LETTERS);
}

/**
 * `(left * right).sum(sumDims, keepdim=true)` for operands with equal ndim (size-1 dims
 * broadcast), as one bmm: dims in both operands and the output become the batch, dims in only
 * one operand the rows or columns, the summed dims the inner dimension.
 */
function sumproductPair(left: Tensor, right: Tensor, sumDims: readonly number[]): Tensor {
  if (sumDims.length === 0) return left.mul(right);
  const summed = new Set(sumDims);
  const [lro, lo, ro]: number[][] = [[], [], []];
  let [lroSize, loSize, roSize, sumSize] = [1, 1, 1, 1];
  for (let i = 0; i < left.ndim; i++) {
    const [sl, sr] = [left._shape[i] !== 1, right._shape[i] !== 1];
    if (summed.has(i)) {
      // A summed dim that only one side has can be summed before the product.
      if (sl && sr) sumSize *= left._shape[i]!;
      else if (sl) left = left.sum(i, { keepdim: true });
      else if (sr) right = right.sum(i, { keepdim: true });
    } else if (sl && sr) {
      lro.push(i);
      lroSize *= left._shape[i]!;
    } else if (sl) {
      lo.push(i);
      loSize *= left._shape[i]!;
    } else {
      ro.push(i);
      roSize *= right._shape[i]!;
    }
  }
  const outShape = [
    ...lro.map((d) => left._shape[d]!), ...lo.map((d) => left._shape[d]!), ...sumDims.map(() => 1),
    ...ro.map((d) => right._shape[d]!),
  ];
  const outOrder = [...lro, ...lo, ...sumDims, ...ro];
  const inverse = new Array<number>(outOrder.length);
  outOrder.forEach((d, i) => (inverse[d] = i));
  // (lro, lo, sum) · (lro, sum, ro) -> (lro, lo, ro)
  const a = left.permute([...lro, ...lo, ...sumDims, ...ro]).reshape(lroSize, loSize, sumSize);
  const b = right.permute([...lro, ...sumDims, ...ro, ...lo]).reshape(lroSize, sumSize, roSize);
  return bmm(a, b).view(outShape).permute(inverse);
}

/** The labels of each operand in the equation's left-hand side, ELLIPSIS marking `...`. */
function parseInputs(lhs: string, numOps: number): number[][] {
  const labels: number[][] = Array.from({ length: numOps }, () => []);
  let op = 0;
  let ellipsisSeen = false;
  for (let i = 0; i < lhs.length; i++) {
    const c = lhs[i]!;
    if (c === " ") continue;
    if (c === ".") {
      if (ellipsisSeen) throw new RuntimeError(`einsum(): found '.' for operand ${op} for which an ellipsis was already found`);
      if (!(i + 2 < lhs.length && lhs[++i] === "." && lhs[++i] === ".")) {
        throw new RuntimeError(`einsum(): found '.' for operand ${op} that is not part of any ellipsis`);
      }
      labels[op]!.push(ELLIPSIS);
      ellipsisSeen = true;
    } else if (c === ",") {
      if (++op >= numOps) throw new RuntimeError("einsum(): fewer operands were provided than specified in the equation");
      ellipsisSeen = false;
    } else {
      if (!isLetter(c)) {
        throw new RuntimeError(`einsum(): invalid subscript given at index ${i} in the equation string, subscripts must be in [a-zA-Z]`);
      }
      labels[op]!.push(labelOf(c));
    }
  }
  if (op !== numOps - 1) throw new RuntimeError("einsum(): more operands were provided than specified in the equation");
  return labels;
}

function einsumImpl(equation: string, operands: readonly Tensor[]): Tensor {
  if (operands.length === 0) throw new RuntimeError("einsum(): must provide at least one operand");
  const numOps = operands.length;
  const arrow = equation.indexOf("->");
  const lhs = arrow < 0 ? equation : equation.slice(0, arrow);
  const opLabels = parseInputs(lhs, numOps);

  // How often each label occurs, and how many dims the widest ellipsis covers.
  const labelCount = new Array<number>(TOTAL_LABELS).fill(0);
  let ellNumDim = 0;
  opLabels.forEach((labels, i) => {
    const ndim = operands[i]!.ndim;
    let nlabels = labels.length;
    const hasEllipsis = labels.includes(ELLIPSIS);
    for (const l of labels) {
      if (l === ELLIPSIS) {
        nlabels--;
        ellNumDim = Math.max(ellNumDim, ndim - nlabels);
      } else {
        labelCount[l]!++;
      }
    }
    if (hasEllipsis ? nlabels > ndim : nlabels !== ndim) {
      throw new RuntimeError(
        `einsum(): the number of subscripts in the equation (${nlabels}) ` +
          (hasEllipsis ? "is more than the number of dimensions (" : "does not match the number of dimensions (") +
          `${ndim}) for operand ${i}` + (hasEllipsis ? "" : " and no ellipsis was given"),
      );
    }
  });

  // Every operand is aligned to one dim order: output dims, then the contracted ones.
  const permIndex = new Array<number>(TOTAL_LABELS).fill(-1);
  let next = 0;
  let ellIndex = 0;
  let ellInOutput = false;
  if (arrow < 0) {
    // Implicit output: the ellipsis dims, then the labels seen once, in alphabetical order.
    next = ellNumDim;
    ellInOutput = true;
    for (let l = 0; l < TOTAL_LABELS; l++) if (labelCount[l] === 1) permIndex[l] = next++;
  } else {
    const rhs = equation.slice(arrow + 2);
    for (let i = 0; i < rhs.length; i++) {
      const c = rhs[i]!;
      if (c === " ") continue;
      if (c === ".") {
        if (ellInOutput) throw new RuntimeError("einsum(): found '.' for output but an ellipsis (...) was already found");
        if (!(i + 2 < rhs.length && rhs[++i] === "." && rhs[++i] === ".")) {
          throw new RuntimeError("einsum(): found '.' for output that is not part of any ellipsis (...)");
        }
        ellIndex = next;
        next += ellNumDim;
        ellInOutput = true;
      } else {
        if (!isLetter(c)) {
          throw new RuntimeError(
            `einsum(): invalid subscript given at index ${lhs.length + 2 + i} in the equation string, subscripts must be in [a-zA-Z]`,
          );
        }
        const l = labelOf(c);
        if (labelCount[l] === 0 || permIndex[l] !== -1) {
          throw new RuntimeError(
            `einsum(): output subscript ${c}` +
              (permIndex[l] !== -1 ? " appears more than once in the output" : " does not appear in the equation for any input operand"),
          );
        }
        permIndex[l] = next++;
      }
    }
  }
  const outNumDim = next;
  if (!ellInOutput) {
    ellIndex = next;
    next += ellNumDim;
  }
  for (let l = 0; l < TOTAL_LABELS; l++) if (labelCount[l]! > 0 && permIndex[l] === -1) permIndex[l] = next++;
  const totalDims = next;

  // Check sizes, take diagonals, add the missing dims as size 1 and permute into the common order.
  // dimCounts[d]: how many operands have a non-trivial size at aligned dim d.
  const labelSize = new Array<number>(TOTAL_LABELS).fill(1);
  const ellSizes = new Array<number>(ellNumDim).fill(1);
  const dimCounts = new Array<number>(totalDims).fill(0);
  const ops: Tensor[] = operands.map((operand, i) => {
    let op = operand;
    const permutation = new Array<number>(totalDims).fill(-1);
    let dim = 0;
    for (const s of opLabels[i]!) {
      if (s === ELLIPSIS) {
        const ndim = operand.ndim - (opLabels[i]!.length - 1);
        for (let j = ellNumDim - ndim; j < ellNumDim; j++) {
          const size = op._shape[dim]!;
          if (size !== 1) {
            if (ellSizes[j] !== 1 && ellSizes[j] !== size) {
              throw new RuntimeError(
                `einsum(): dimension ${dim} covered by ellipsis in operand ${i}has size ${size} which does not broadcast with previously seen ellipsis with size ${ellSizes[j]} for the respective dimension`,
              );
            }
            ellSizes[j] = size;
            dimCounts[ellIndex + j]!++;
          }
          permutation[ellIndex + j] = dim++;
        }
      } else if (permutation[permIndex[s]!] === -1) {
        const size = op._shape[dim]!;
        if (size !== 1) {
          if (labelSize[s] !== 1 && labelSize[s] !== size) {
            throw new RuntimeError(
              `einsum(): subscript ${charOf(s)} has size ${size} for operand ${i} which does not broadcast with previously seen size ${labelSize[s]}`,
            );
          }
          labelSize[s] = size;
          dimCounts[permIndex[s]!]!++;
        }
        permutation[permIndex[s]!] = dim++;
      } else {
        // A repeated label: keep only its diagonal, in the place of its first occurrence.
        const prev = permutation[permIndex[s]!]!;
        if (op._shape[dim] !== op._shape[prev]) {
          throw new RuntimeError(
            `einsum(): subscript ${charOf(s)} is repeated for operand ${i} but the sizes don't match, ${op._shape[dim]} != ${op._shape[prev]}`,
          );
        }
        op = diagonal(op, 0, prev, dim).movedim(-1, prev);
      }
    }
    for (let k = 0; k < totalDims; k++) {
      if (permutation[k] === -1) {
        op = op.unsqueeze(dim);
        permutation[k] = dim++;
      }
    }
    return op.permute(permutation);
  });

  // Contract left to right. A contracted dim is summed in the pair that is the last to hold it
  // non-trivially; a dim only one operand of the pair still holds is summed before the product.
  while (ops.length > 1) {
    let a = ops.shift()!;
    let b = ops.shift()!;
    const sumDims: number[] = [];
    const aSum: number[] = [];
    const bSum: number[] = [];
    for (let d = outNumDim; d < totalDims; d++) {
      if (a._shape[d] !== 1 && b._shape[d] !== 1) {
        if (--dimCounts[d]! === 1) {
          sumDims.push(d);
          dimCounts[d] = 0;
        }
      } else if (dimCounts[d] === 1) {
        if (a._shape[d] !== 1) {
          aSum.push(d);
          dimCounts[d] = 0;
        } else if (b._shape[d] !== 1) {
          bSum.push(d);
          dimCounts[d] = 0;
        }
      }
    }
    if (aSum.length > 0) a = a.sum(aSum, { keepdim: true });
    if (bSum.length > 0) b = b.sum(bSum, { keepdim: true });
    ops.unshift(sumproductPair(a, b, sumDims));
  }

  const result = ops[0]!;
  if (totalDims === outNumDim) return result;
  // With several operands the contracted dims are all size 1 by now; one operand sums them here.
  if (numOps > 1) return result.view(result._shape.slice(0, outNumDim));
  return result.sum(Array.from({ length: totalDims - outNumDim }, (_, k) => outNumDim + k));
}

/** Python's sublist format: integers in [0, 52) name dims, "..." an ellipsis. */
export type Sublist = readonly (number | "...")[];

function subscriptsOf(list: Sublist): string {
  return list
    .map((s) => {
      if (s === "...") return "...";
      if (typeof s !== "number" || !Number.isInteger(s)) {
        throw new TypeError("einsum(): expected subscript list to contain only integers and the ellipsis \"...\"");
      }
      if (s < 0 || s >= TOTAL_LABELS) {
        throw new ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)");
      }
      return charOf(s);
    })
    .join("");
}

/**
 * `torch.einsum(equation, ...operands)`: sums the product of the operands' elements over the
 * labels that the output does not keep, in Einstein's notation.
 *
 * - Each operand's dims are labelled by letters (`a-z`, `A-Z`), operands separated by commas:
 *   `"ij,jk->ik"` is a matrix product, `"bij,bjk->bik"` a batched one, `"i,j->ij"` an outer
 *   product.
 * - `->` names the output's labels in order. Without it the output is every label that occurs
 *   exactly once, in alphabetical order (upper case first): `"ij,jk"` is `"ij,jk->ik"`, `"ba"`
 *   a transpose.
 * - A label repeated in one operand takes its diagonal: `"ii->i"` is the diagonal, `"ii"` the
 *   trace.
 * - `...` stands for the dims no label names; these broadcast across operands and lead the
 *   implicit output: `"...ij,...jk->...ik"`. Size-1 dims broadcast like any other.
 *
 * The operands may also be passed as one array, `einsum("ij,jk", [a, b])`, or in the sublist
 * format `einsum(a, [0, 1], b, [1, 2], [0, 2])` with integers in [0, 52) for labels.
 *
 * ```ts
 * torch.einsum("ij,jk->ik", a, b)       // a.mm(b)
 * torch.einsum("bn,anm,bm->ba", l, A, r) // bilinear form
 * ```
 */
export function einsum(equation: string, ...operands: Tensor[]): Tensor;
export function einsum(equation: string, operands: readonly Tensor[]): Tensor;
export function einsum(...sublistFormat: (Tensor | Sublist)[]): Tensor;
export function einsum(...args: (string | Tensor | readonly Tensor[] | Sublist)[]): Tensor {
  if (args.length < 2) {
    throw new ValueError(
      "einsum(): must specify the equation string and at least one operand, or at least one operand and its subscripts list",
    );
  }
  const [first, ...rest] = args;
  if (typeof first === "string") {
    const operands = rest.length === 1 && Array.isArray(rest[0]) ? (rest[0] as readonly Tensor[]) : (rest as Tensor[]);
    return einsumImpl(first, operands);
  }
  // Sublist format: operand, sublist, operand, sublist, ..., [output sublist].
  const operands: Tensor[] = [];
  const inputs: string[] = [];
  let i = 0;
  for (; i + 1 < args.length; i += 2) {
    operands.push(args[i] as Tensor);
    inputs.push(subscriptsOf(args[i + 1] as Sublist));
  }
  const equation = inputs.join(",") + (i < args.length ? "->" + subscriptsOf(args[i] as Sublist) : "");
  return einsumImpl(equation, operands);
}
