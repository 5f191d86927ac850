/**
 * Rebuilding tensors from a checkpoint: `torch._utils._rebuild_tensor_v2` and its relatives
 * (Parameters, torch.Size, torch.device), each view checked against its storage's real size
 * before a tensor is made, and what the other leaves of a loaded value become.
 */

import { Tensor } from "../tensor/tensor.js";
import { DType } from "../tensor/dtype.js";
import { makeSize, Size } from "../tensor/size.js";
import { device } from "../tensor/device.js";
import { Parameter } from "../nn/parameter.js";
import { RuntimeError } from "../errors.js";
import { PyDict, PyGlobal, PyTuple, pyTypeName, UnpicklingError, type Reducer } from "./pickle_nodes.js";
import { DTYPE_BY_TORCH_NAME, nonNegativeInt, StorageRef } from "./pt_storage.js";


// ---- rebuilding tensors ----------------------------------------------------------------------

function intTuple(x: unknown, what: string, charge: (units: number) => void): number[] {
  const items = x instanceof PyTuple ? x.items : x instanceof Size ? [...x] : null;
  if (items === null) throw new RuntimeError(`torch.load: a tensor's ${what} must be a tuple, got ${pyTypeName(x)}`);
  charge(items.length);
  return items.map((v, i) => nonNegativeInt(v, `${what}[${i}]`));
}

/**
 * `tensor.set_(storage, offset, size, stride)`: a view of the whole storage, refused (with
 * PyTorch's setStorage message) when it would reach past the storage's end.
 */
function viewOf(
  storage: unknown,
  offsetArg: unknown,
  sizeArg: unknown,
  strideArg: unknown,
  charge: (units: number) => void,
): Tensor {
  if (!(storage instanceof StorageRef)) {
    throw new UnpicklingError(`a tensor's storage must come from a persistent id, got ${pyTypeName(storage)}`);
  }
  const offset = nonNegativeInt(offsetArg, "storage offset");
  const size = intTuple(sizeArg, "size", charge);
  const stride = intTuple(strideArg, "stride", charge);
  if (size.length !== stride.length) {
    throw new RuntimeError(`mismatch in length of strides and shape: ${size.length} sizes and ${stride.length} strides`);
  }
  // computeStorageNbytes: zero-size tensors need no storage; otherwise the last element's index + 1.
  let needed = 0;
  if (!size.includes(0)) {
    needed = offset + 1;
    for (let i = 0; i < size.length; i++) needed += (size[i]! - 1) * stride[i]!;
  }
  let numel = 1;
  for (const s of size) numel *= s;
  if (!Number.isSafeInteger(needed) || !Number.isSafeInteger(numel)) {
    throw new RuntimeError(`torch.load: a tensor of size [${size.join(", ")}] is too large to address`);
  }
  const itemsize = storage.type.itemsize;
  if (needed > storage.numel) {
    throw new RuntimeError(
      `setStorage: sizes [${size.join(", ")}], strides [${stride.join(", ")}], storage offset ${offset}, and itemsize ` +
        `${itemsize} requiring a storage size of ${needed * itemsize} are out of bounds for storage of size ` +
        `${storage.numel * itemsize}`,
    );
  }
  const base = storage.tensor();
  return new Tensor(base._storage, size, stride, offset);
}

function requiresGrad(t: Tensor, flag: unknown): Tensor {
  if (typeof flag !== "boolean") throw new RuntimeError(`torch.load: requires_grad must be a bool, got ${pyTypeName(flag)}`);
  if (flag) t.requires_grad = true;
  return t;
}

/** Backward hooks cannot survive pickling; PyTorch saves an empty OrderedDict. */
function noHooks(hooks: unknown): void {
  if (hooks === null || hooks === undefined) return;
  if (!(hooks instanceof PyDict) || hooks.map.size !== 0) {
    throw new RuntimeError("torch.load: tensors with backward hooks are not supported by torch-ts");
  }
}

function noState(state: unknown, what: string): void {
  if (state === null || state === undefined) return;
  if (state instanceof PyDict && state.map.size === 0 && state.attrs === null) return;
  if (state instanceof PyTuple && state.items.every((s) => s === null || (s instanceof PyDict && s.map.size === 0))) return;
  throw new RuntimeError(`torch.load: ${what} with Python attributes are not supported by torch-ts`);
}

function argsCheck(args: readonly unknown[], min: number, max: number, name: string): void {
  if (args.length < min || args.length > max) {
    throw new UnpicklingError(`${name}() takes ${min === max ? min : `${min} to ${max}`} arguments (${args.length} given)`);
  }
}

const unsupported = (what: string): Reducer => () => {
  throw new RuntimeError(`torch.load: ${what} are not supported by torch-ts`);
};

/** The torch callables an allowed checkpoint may call, by full name. */
export const TORCH_REDUCERS: ReadonlyMap<string, Reducer> = new Map<string, Reducer>([
  [
    "torch._utils._rebuild_tensor_v2",
    // (storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None)
    (args, charge) => {
      argsCheck(args, 6, 7, "_rebuild_tensor_v2");
      noHooks(args[5]);
      noState(args[6], "tensors");
      return requiresGrad(viewOf(args[0], args[1], args[2], args[3], charge), args[4]);
    },
  ],
  [
    "torch._utils._rebuild_tensor",
    (args, charge) => {
      argsCheck(args, 4, 4, "_rebuild_tensor");
      return viewOf(args[0], args[1], args[2], args[3], charge);
    },
  ],
  [
    "torch._utils._rebuild_parameter",
    // (data, requires_grad, backward_hooks)
    (args) => {
      argsCheck(args, 3, 3, "_rebuild_parameter");
      noHooks(args[2]);
      return parameter(args[0], args[1]);
    },
  ],
  [
    "torch._utils._rebuild_parameter_with_state",
    (args) => {
      argsCheck(args, 4, 4, "_rebuild_parameter_with_state");
      noHooks(args[2]);
      noState(args[3], "parameters");
      return parameter(args[0], args[1]);
    },
  ],
  [
    // nn.Parameter(data, requires_grad=True) through NEWOBJ.
    "torch.nn.parameter.Parameter",
    (args) => {
      argsCheck(args, 0, 2, "Parameter");
      return parameter(args[0] ?? null, args[1] ?? true);
    },
  ],
  [
    // (func, new_type, args, state): a Tensor or Parameter that carried a __dict__.
    "torch._tensor._rebuild_from_type_v2",
    (args, charge) => {
      argsCheck(args, 4, 4, "_rebuild_from_type_v2");
      const [func, newType, inner, state] = args;
      const reducer = func instanceof PyGlobal ? TORCH_REDUCERS.get(func.fullName) : undefined;
      if (reducer === undefined || !(inner instanceof PyTuple)) {
        throw new UnpicklingError(`_rebuild_from_type_v2 needs a rebuild function and its arguments`);
      }
      const typeName = newType instanceof PyGlobal ? newType.fullName : pyTypeName(newType);
      if (typeName !== "torch.Tensor" && typeName !== "torch.nn.parameter.Parameter") {
        throw new RuntimeError(`torch.load: tensor subclass ${typeName} is not supported by torch-ts`);
      }
      noState(state, "tensors");
      const t = reducer(inner.items, charge);
      return typeName === "torch.nn.parameter.Parameter" && !(t instanceof Parameter) ? parameter(t, true) : t;
    },
  ],
  [
    "torch.Size",
    (args, charge) => {
      argsCheck(args, 0, 1, "Size");
      return makeSize(args.length === 0 ? [] : intTuple(args[0], "torch.Size", charge));
    },
  ],
  [
    "torch.device",
    (args) => {
      argsCheck(args, 1, 2, "device");
      const [type, index] = args;
      if (typeof type !== "string" || (index !== undefined && index !== null && typeof index !== "number")) {
        throw new UnpicklingError("torch.device() takes a str and an optional int");
      }
      return index === undefined || index === null ? new device(type) : new device(type, index);
    },
  ],
  ["torch._utils._rebuild_qtensor", unsupported("quantized tensors")],
  ["torch._utils._rebuild_sparse_tensor", unsupported("sparse tensors")],
  ["torch._utils._rebuild_meta_tensor_no_storage", unsupported("meta tensors")],
  ["torch._utils._rebuild_wrapper_subclass", unsupported("tensor subclasses")],
  ["torch._utils._rebuild_device_tensor_from_numpy", unsupported("tensors saved through numpy")],
  ["torch._utils._rebuild_device_tensor_from_cpu_tensor", unsupported("device tensors of this kind")],
  ["torch._utils._rebuild_tensor_v3", unsupported("tensors of dtypes without a storage class (uint16, float8, ...)")],
  ["builtins.complex", unsupported("complex numbers")],
  ["torch.serialization._get_layout", unsupported("tensor layouts other than strided")],
]);

function parameter(data: unknown, flag: unknown): Parameter {
  if (!(data instanceof Tensor)) throw new UnpicklingError(`Parameter data must be a tensor, got ${pyTypeName(data)}`);
  if (typeof flag !== "boolean") throw new RuntimeError(`torch.load: requires_grad must be a bool, got ${pyTypeName(flag)}`);
  return new Parameter(data, flag);
}

/**
 * What a leaf of the loaded value becomes: dtype globals map to torch-ts dtypes; storages,
 * classes and functions cannot be values in torch-ts.
 */
export function finalizeTorchLeaf(leaf: unknown): unknown {
  if (leaf instanceof PyGlobal) {
    if (leaf.module === "torch" && Object.hasOwn(DTYPE_BY_TORCH_NAME, leaf.name)) {
      const t = DTYPE_BY_TORCH_NAME[leaf.name]!;
      if (t.loadsAs.name === t.torchName) return t.loadsAs;
      if (Object.hasOwn(DType.all, leaf.name)) return DType.all[leaf.name as keyof typeof DType.all];
      throw new RuntimeError(`torch.load: the checkpoint holds the dtype ${leaf.fullName}, which torch-ts does not have`);
    }
    throw new RuntimeError(`torch.load: the checkpoint holds ${leaf.fullName} itself as a value, which torch-ts cannot represent`);
  }
  if (leaf instanceof StorageRef) {
    throw new RuntimeError(
      `torch.load: the checkpoint holds a bare torch.${leaf.type.torchName} storage (key ${leaf.key}); ` +
        `torch-ts has no storage objects, only tensors`,
    );
  }
  return leaf;
}
