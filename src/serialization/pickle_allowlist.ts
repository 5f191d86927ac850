/**
 * What the restricted unpickler may name and call: PyTorch's allow-list and blocklist
 * (`torch/_weights_only_unpickler.py`), Python 2's module renames, and the containers and bytes
 * constructors, NEWOBJ and BUILD as PyTorch's unpickler allows them.
 */

import { Tensor } from "../tensor/tensor.js";
import {
  PyDict, PyGlobal, PyList, PySet, PyTuple, pyTypeName, UnpicklingError, type Reducer,
} from "./pickle_nodes.js";

// ---- the allow-list --------------------------------------------------------------------------

/** Modules never allowed, whatever else is (PyTorch's `_blocklisted_modules`). */
const BLOCKLISTED_MODULES = new Set(["sys", "os", "posix", "nt"]);

const DTYPE_NAMES = [
  "float32", "float", "float64", "double", "float16", "half", "bfloat16", "complex32", "chalf", "complex64",
  "cfloat", "complex128", "cdouble", "uint8", "int8", "int16", "short", "int32", "int", "int64", "long", "bool",
  "qint8", "quint8", "qint32", "quint4x2", "quint2x4", "float8_e5m2", "float8_e4m3fn", "float8_e5m2fnuz",
  "float8_e4m3fnuz", "float8_e8m0fnu", "float4_e2m1fn_x2", "uint16", "uint32", "uint64", "bits1x8", "bits2x4",
  "bits4x2", "bits8", "bits16", "uint1", "uint2", "uint3", "uint4", "uint5", "uint6", "uint7", "int1", "int2",
  "int3", "int4", "int5", "int6", "int7",
];
const TENSOR_TYPES = ["Double", "Float", "Half", "BFloat16", "Long", "Int", "Short", "Char", "Byte", "Bool"];
const STORAGE_TYPES = [
  ...TENSOR_TYPES, "ComplexDouble", "ComplexFloat", "QUInt8", "QInt8", "QInt32", "QUInt4x2", "QUInt2x4",
];
const REBUILD_FUNCTIONS = [
  "_rebuild_parameter", "_rebuild_parameter_with_state", "_rebuild_qtensor", "_rebuild_tensor", "_rebuild_tensor_v2",
  "_rebuild_tensor_v3", "_rebuild_sparse_tensor", "_rebuild_meta_tensor_no_storage", "_rebuild_wrapper_subclass",
  "_rebuild_device_tensor_from_numpy", "_rebuild_device_tensor_from_cpu_tensor",
];

/** PyTorch's `_get_allowed_globals()`, by full name. */
export const ALLOWED_GLOBALS: ReadonlySet<string> = new Set([
  "collections.OrderedDict",
  "collections.Counter",
  "torch.nn.parameter.Parameter",
  "torch.serialization._get_layout",
  "torch.Size",
  "torch.Tensor",
  "torch.device",
  "_codecs.encode",
  "builtins.bytearray",
  "builtins.set",
  "builtins.complex",
  ...DTYPE_NAMES.map((d) => `torch.${d}`),
  ...TENSOR_TYPES.flatMap((t) => [`torch.${t}Tensor`, `torch.cuda.${t}Tensor`]),
  ...STORAGE_TYPES.flatMap((t) => [`torch.${t}Storage`, `torch.cuda.${t}Storage`]),
  "torch.storage.TypedStorage", "torch.storage.UntypedStorage", "torch.TypedStorage", "torch.UntypedStorage",
  "torch.per_tensor_affine", "torch.per_tensor_symmetric", "torch.per_channel_affine",
  "torch.per_channel_symmetric", "torch.per_channel_affine_float_qparams",
  ...REBUILD_FUNCTIONS.map((f) => `torch._utils.${f}`),
  "torch._tensor._rebuild_from_type_v2",
]);

/**
 * Python's `_compat_pickle` renames, which protocol 2 applies in reverse when writing
 * (`subprocess.Popen` is written `commands Popen`, `eval` as `__builtin__ eval`): the entries
 * that decide what a refusal names, or which allowed global a Python 2 name is.
 */
const IMPORT_MAPPING: Record<string, string> = {
  __builtin__: "builtins", copy_reg: "copyreg", commands: "subprocess", cPickle: "pickle", Queue: "queue",
  urllib2: "urllib.request", httplib: "http.client", StringIO: "io", cStringIO: "io", UserDict: "collections",
  UserList: "collections", UserString: "collections", thread: "_thread", SocketServer: "socketserver",
  repr: "reprlib", ConfigParser: "configparser", xmlrpclib: "xmlrpc.client", _winreg: "winreg",
};
const NAME_MAPPING: Record<string, [string, string]> = {
  "__builtin__.xrange": ["builtins", "range"], "__builtin__.reduce": ["functools", "reduce"],
  "__builtin__.intern": ["sys", "intern"], "__builtin__.unichr": ["builtins", "chr"],
  "__builtin__.unicode": ["builtins", "str"], "__builtin__.long": ["builtins", "int"],
  "__builtin__.basestring": ["builtins", "str"], "itertools.izip": ["builtins", "zip"],
  "itertools.imap": ["builtins", "map"], "itertools.ifilter": ["builtins", "filter"],
};

/** PyTorch's checks in GLOBAL: blocked modules, then the allow-list. */
export function resolveGlobal(module: string, name: string): PyGlobal {
  // Own keys only: a module named "constructor" must not find Object.prototype's.
  const key = `${module}.${name}`;
  if (Object.hasOwn(NAME_MAPPING, key)) [module, name] = NAME_MAPPING[key]!;
  else if (Object.hasOwn(IMPORT_MAPPING, module)) module = IMPORT_MAPPING[module]!;
  let fullPath = `${module}.${name}`;
  if (BLOCKLISTED_MODULES.has(module)) {
    throw new UnpicklingError(`Trying to load unsupported GLOBAL ${fullPath} whose module ${module} is blocked.`);
  }
  if (ALLOWED_GLOBALS.has(fullPath)) return new PyGlobal(module, name);
  // PyTorch prints builtins without their module (`eval`, not `builtins.eval`).
  if (fullPath.startsWith("builtins.")) fullPath = fullPath.slice("builtins.".length);
  throw new UnpicklingError(
    `Unsupported global: GLOBAL ${fullPath} was not an allowed global by default. ` +
      `torch-ts never runs code from a checkpoint and has no add_safe_globals: only tensors, storages, ` +
      `containers, OrderedDict, torch.Size and primitive types load.`,
  );
}

export function setItemCheck(target: unknown): void {
  if (!(target instanceof PyDict)) {
    throw new UnpicklingError(
      `Can only SETITEMS for dict, collections.OrderedDict, collections.Counter, but got <class '${pyTypeName(target)}'>`,
    );
  }
}

export function describe(x: unknown): string {
  if (x instanceof PyGlobal) return `<${x.fullName}>`;
  return `<${pyTypeName(x)} object>`;
}

/** The callables the unpickler itself knows: containers and bytes. */
export const BUILTIN_REDUCERS = new Map<string, Reducer>([
  ["collections.OrderedDict", (args, charge) => fillDict(new PyDict("collections.OrderedDict"), args, charge)],
  ["collections.Counter", (args, charge) => fillDict(new PyDict("collections.Counter"), args, charge)],
  [
    "builtins.set",
    (args, charge) => {
      const src = args[0];
      if (args.length === 0) return new PySet();
      if (src instanceof PyList || src instanceof PyTuple || src instanceof PySet) {
        charge(src.items.length);
        return new PySet([...src.items]);
      }
      throw new UnpicklingError(`set() argument must be a list or tuple, got ${pyTypeName(src)}`);
    },
  ],
  [
    "builtins.bytearray",
    (args, charge) => {
      const src = args[0];
      if (args.length === 0) return new Uint8Array(0);
      if (src instanceof Uint8Array) {
        charge(src.length);
        return src.slice();
      }
      throw new UnpicklingError(`bytearray() argument must be bytes, got ${pyTypeName(src)}`);
    },
  ],
  [
    // Protocol 2 writes bytes as _codecs.encode(text, 'latin1'): one char per byte.
    "_codecs.encode",
    (args, charge) => {
      const [s, encoding] = args;
      if (typeof s !== "string" || (encoding !== "latin1" && encoding !== "latin-1")) {
        throw new UnpicklingError(`_codecs.encode is supported only as encode(str, 'latin1') for bytes`);
      }
      charge(s.length);
      const out = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c > 255) throw new UnpicklingError(`'latin-1' codec can't encode character at position ${i}`);
        out[i] = c;
      }
      return out;
    },
  ],
]);

/** OrderedDict(items) / Counter(mapping): the argument forms torch.save never writes but pickle may. */
function fillDict(d: PyDict, args: readonly unknown[], charge: (units: number) => void): PyDict {
  if (args.length === 0) return d;
  const src = args[0];
  if (src instanceof PyDict || src instanceof PyList || src instanceof PyTuple) {
    charge(src instanceof PyDict ? src.map.size : src.items.length);
  }
  if (src instanceof PyDict) {
    for (const [k, v] of src.map) d.map.set(k, v);
    return d;
  }
  if (src instanceof PyList || src instanceof PyTuple) {
    for (const pair of src.items) {
      if (!(pair instanceof PyTuple || pair instanceof PyList) || pair.items.length !== 2) {
        throw new UnpicklingError(`${d.kind}() expects (key, value) pairs`);
      }
      d.map.set(pair.items[0], pair.items[1]);
    }
    return d;
  }
  throw new UnpicklingError(`${d.kind}() argument must be a dict or a list of pairs, got ${pyTypeName(src)}`);
}

export function newObject(
  cls: unknown,
  args: unknown,
  reducers: ReadonlyMap<string, Reducer>,
  charge: (units: number) => void,
): unknown {
  if (!(args instanceof PyTuple)) throw new UnpicklingError(`NEWOBJ arguments must be a tuple, got ${pyTypeName(args)}`);
  if (cls instanceof PyGlobal) {
    switch (cls.fullName) {
      case "collections.OrderedDict":
      case "collections.Counter":
        return new PyDict(cls.fullName);
      case "builtins.set":
        return new PySet();
      case "torch.nn.parameter.Parameter": {
        const reducer = reducers.get(cls.fullName);
        if (reducer) return reducer(args.items, charge);
      }
    }
  }
  throw new UnpicklingError(
    `Can only create new object for nn.Parameter or classes allowlisted via \`add_safe_globals\` but got ${describe(cls)}`,
  );
}

function isEmptyState(state: unknown): boolean {
  return state === null || (state instanceof PyDict && state.map.size === 0);
}

export function build(inst: unknown, state: unknown, charge: (units: number) => void): void {
  if (inst instanceof PyDict && inst.kind !== "dict") {
    // OrderedDict: `inst.__dict__.update(state)`; state_dicts carry `_metadata` this way.
    if (state === null) return;
    if (!(state instanceof PyDict)) throw new UnpicklingError(`BUILD state for ${inst.kind} must be a dict`);
    inst.attrs ??= new PyDict();
    charge(state.map.size);
    for (const [k, v] of state.map) inst.attrs.map.set(k, v);
    return;
  }
  if (inst instanceof Tensor && isEmptyState(state)) return;
  throw new UnpicklingError(
    "Can only build Tensor, Parameter, OrderedDict or types allowlisted via `add_safe_globals`, " +
      `but got <class '${pyTypeName(inst)}'>`,
  );
}
