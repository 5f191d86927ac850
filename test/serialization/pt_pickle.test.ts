/**
 * The restricted unpickler on its own: Python's pickles at protocols 2 to 5 (written by
 * scripts/golden/pt.py), and hand-built opcode streams for what the allow-list, the type checks,
 * the nesting cap and the copy budget must refuse.
 */

import { describe, expect, test } from "vitest";

import torch, { Tensor, UnpicklingError } from "../../src/index.js";
import { MAX_CONTAINERS, unpickle, type UnpickleOptions } from "../../src/serialization/pickle.js";
import { Pickler } from "../../src/serialization/pickler.js";
import { finalizeTorchLeaf, TORCH_REDUCERS } from "../../src/serialization/pt_rebuild.js";
import { storageLoader } from "../../src/serialization/pt_storage.js";
import { expected, expectLoaded, fixture } from "./pt_golden.js";

const fx = expected();
const torchOptions: UnpickleOptions = {
  reducers: TORCH_REDUCERS,
  persistentLoad: storageLoader(
    () => 24,
    () => new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5]).buffer),
  ),
  finalizeLeaf: finalizeTorchLeaf,
};

/** A pickle from text: ASCII opcodes and arguments, with \xNN escapes. */
function pk(text: string): Uint8Array {
  return Uint8Array.from([...text].map((c) => c.charCodeAt(0)));
}

const u32 = (n: number) => String.fromCharCode(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);

function load(bytes: Uint8Array): unknown {
  return unpickle(bytes, 0, torchOptions).value;
}

describe("Python's pickles at every protocol torch.save or pickle.dump may use", () => {
  for (const [name, want] of Object.entries(fx.pickles)) {
    test(name, () => {
      const bytes = fixture("pickles", name);
      const { value, end } = unpickle(bytes);
      expect(end).toBe(bytes.length);
      expectLoaded(value, want);
      const shared = (value as { shared: unknown[] }).shared;
      expect(shared[0]).toBe(shared[1]);
    });
  }
});

describe("values", () => {
  test("dtypes torch-ts has load as torch-ts dtypes; others are refused", () => {
    expect(load(pk("\x80\x02ctorch\nfloat64\n."))).toBe(torch.float64);
    expect(load(pk("\x80\x02ctorch\nlong\n."))).toBe(torch.int64);
    expect(() => load(pk("\x80\x02ctorch\nfloat16\n."))).toThrow("holds the dtype torch.float16, which torch-ts does not have");
  });

  test("torch.Size and torch.device", () => {
    expect(load(pk("\x80\x02ctorch\nSize\nK\x02K\x03\x86\x85R."))).toEqual(torch.zeros(2, 3).shape);
    expect(String(load(pk("\x80\x02ctorch\ndevice\nX\x03\x00\x00\x00cpu\x85R.")))).toBe("cpu");
    expect(() => load(pk("\x80\x02ctorch\ndevice\nX\x04\x00\x00\x00cuda\x85R."))).toThrow('supports only the "cpu" device');
  });

  test("a storage outside a tensor cannot be a value", () => {
    const pid = "(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x06tQ";
    expect(() => load(pk(`\x80\x02${pid}.`))).toThrow("holds a bare torch.float32 storage (key 0)");
    const t = load(pk(`\x80\x02ctorch._utils\n_rebuild_tensor_v2\n(${pid}K\x01K\x02\x85K\x02\x85\x89}tR.`)) as Tensor;
    expect(t.tolist()).toEqual([1, 3]);
  });

  test('a "__proto__" key stays a key', () => {
    const obj = load(pk("\x80\x02}X\x09\x00\x00\x00__proto__K\x01s.")) as Record<string, unknown>;
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(Object.keys(obj)).toEqual(["__proto__"]);
  });
});

describe("what the restricted unpickler refuses", () => {
  const refused = (text: string, message: string) => {
    expect(() => load(pk(text))).toThrow(UnpicklingError);
    expect(() => load(pk(text))).toThrow(message);
  };

  test("globals outside the allow-list, whichever opcode names them", () => {
    refused("\x80\x02cbuiltins\neval\n.", "Unsupported global: GLOBAL eval was not an allowed global by default.");
    refused("\x80\x02c__builtin__\nglobals\n.", "GLOBAL globals was not");
    refused("\x80\x02cnt\nsystem\n.", "Trying to load unsupported GLOBAL nt.system whose module nt is blocked.");
    refused("\x80\x04\x8c\x02os\x8c\x06system\x93.", "Trying to load unsupported GLOBAL os.system whose module os is blocked.");
    refused("\x80\x02c__builtin__\nintern\n.", "whose module sys is blocked"); // renamed to sys.intern
    // Names are looked up as own keys only: Object.prototype's members are not globals.
    refused("\x80\x02cconstructor\nname\n.", "GLOBAL constructor.name was not an allowed global");
    refused("\x80\x02ctorch\nconstructor\n.", "GLOBAL torch.constructor was not an allowed global");
  });

  test("calling what is not a callable, building or appending to the wrong types", () => {
    refused("\x80\x02ctorch\nfloat32\n)R.", "Trying to call reduce for unrecognized function <torch.float32>");
    refused("\x80\x02]K\x01K\x02s.", "Can only SETITEM for dict, collections.OrderedDict, collections.Counter, but got <class 'list'>");
    refused("\x80\x02}K\x01a.", "Can only append to lists, but got <class 'dict'>");
    refused("\x80\x02]}b.", "Can only build Tensor, Parameter, OrderedDict");
    refused("\x80\x02ctorch\nTensor\n)\x81.", "Can only create new object for nn.Parameter");
    refused("\x80\x02}]K\x01s.", "unhashable type: 'list'");
    refused("\x80\x02(X\x06\x00\x00\x00moduletQ.", "Only persistent_load of storage is allowed");
  });

  test("malformed streams", () => {
    refused("\x80\x02", "pickle data was truncated");
    refused("\x80\x02X\xff\xff\xff\xff.", "pickle data was truncated");
    refused("\x80\x02\x95\xff\xff\xff\xff\xff\xff\xff\x7f.", "pickle data was truncated");
    refused("\x80\x02h\x05.", "Memo value not found at index 5");
    refused("\x80\x02t.", "could not find MARK");
    refused("\x80\x02.", "unpickling stack underflow");
    refused("\x80\x06.", "unsupported pickle protocol: 6");
    refused("\x80\x02X\x02\x00\x00\x00\xff\xfe.", "not valid UTF-8");
  });

  test("a container inside itself, and nesting beyond 1000 levels", () => {
    refused("\x80\x02]q\x00h\x00a.", "the pickle holds a container that contains itself");
    refused(`\x80\x02${"]".repeat(1001)}${"a".repeat(1000)}.`, "nests containers more than 1000 levels deep");
    expect(() => load(pk(`\x80\x02${"]".repeat(1000)}${"a".repeat(999)}.`))).not.toThrow();
  });

  test("a pickle bomb: set() of one big memoized list, again and again, stops at the copy budget", () => {
    // A list of 50,000 ints, then 100,000 times set(that list): 5e9 copies from 700 kB.
    const list = `]q\x00(${"K\x01".repeat(50000)}e`;
    const call = "h\x01h\x00\x85R"; // set, (list,), REDUCE: 6 bytes each
    const text = `\x80\x02${list}cbuiltins\nset\nq\x01](${call.repeat(100000)}e.`;
    const start = performance.now();
    expect(() => load(pk(text))).toThrow("the pickle copies far more data than it holds");
    expect(performance.now() - start).toBeLessThan(5000);
  });

  test("more containers than any checkpoint needs: a file of `}` would grow 100-fold in memory", () => {
    const bytes = new Uint8Array(MAX_CONTAINERS + 4).fill(0x7d);
    bytes.set([0x80, 2]);
    bytes[bytes.length - 1] = 0x2e;
    expect(() => load(bytes)).toThrow(`the pickle builds more than ${MAX_CONTAINERS} containers`);
  });

  test("a string of 2^32 - 1 bytes is not allocated: the length is checked against the bytes there", () => {
    refused(`\x80\x02X${u32(0xffffffff)}`, "pickle data was truncated");
  });
});

describe("the pickler writes protocol 2, as torch.save does", () => {
  test("opcodes for ints of every width, as Python chooses them", () => {
    const bytes = new Pickler().dump([0, 255, 256, 65535, 65536, -1, 2 ** 31, -(2n ** 100n)]);
    const text = String.fromCharCode(...bytes);
    expect(text.startsWith("\x80\x02]q\x00(K\x00K\xffM\x00\x01M\xff\xffJ\x00\x00\x01\x00J\xff\xff\xff\xff\x8a\x05")).toBe(true);
    expect(unpickle(bytes).value).toEqual([0, 255, 256, 65535, 65536, -1, 2 ** 31, -(2n ** 100n)]);
  });
});
