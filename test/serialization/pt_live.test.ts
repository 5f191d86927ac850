/**
 * Round trips with real PyTorch (/usr/bin/python3): torch-ts writes and PyTorch reads with
 * `torch.load(weights_only=True)`; PyTorch writes and torch-ts reads; and models defined the
 * same way in both libraries exchange weights in both directions and then compute the same
 * outputs. Skipped (with the reason) where torch is missing, failed under CI.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";

import torch, { nn, Tensor } from "../../src/index.js";
import { expectLoaded, type Encoded } from "./pt_golden.js";
import { REQUIRE_TORCH, runTorch, torchAvailable } from "./pt_python.js";

const available = torchAvailable();

if (!available.ok && REQUIRE_TORCH) {
  test("PyTorch is installed (CI installs python3-torch)", () => {
    throw new Error(available.reason);
  });
}

const title = available.ok ? `with real PyTorch (${available.reason})` : `with real PyTorch (skipped: ${available.reason})`;

describe.skipIf(!available.ok)(title, () => {
  const dir = mkdtempSync(join(tmpdir(), "torch-ts-live-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string) => join(dir, name);

  /** PyTorch's view of a file: torch.load, then the fixtures' encoding (scripts/golden/pt.py). */
  function pytorchLoads(path: string, weightsOnly = true): Encoded {
    const code = `x = torch.load(${JSON.stringify(path)}, weights_only=${weightsOnly ? "True" : "False"})\nprint(json.dumps(encode(x, {})))`;
    return JSON.parse(runTorch(code)) as Encoded;
  }

  test("PyTorch reads torch-ts's tensors, views and shared storages with weights_only=True", () => {
    const base = torch.arange(12, { dtype: torch.float32 }).reshape(3, 4);
    const obj = {
      weight: base,
      rows: base.narrow(0, 1, 2),
      transposed: base.t(),
      element: base.select(0, 2).select(0, 3),
      expanded: torch.tensor([1, 2], { dtype: torch.float64 }).expand(3, 2),
      f64: torch.tensor([0.1, -1e300, Infinity], { dtype: torch.float64 }),
      i64: torch.tensor([2n ** 62n, -(2n ** 63n), 5n]),
      i32: torch.tensor([-5, 2 ** 31 - 1], { dtype: torch.int32 }),
      bool: torch.tensor([true, false, true]),
      param: new nn.Parameter(torch.tensor([[1, 2]], { dtype: torch.float32 })),
      frozen: new nn.Parameter(torch.zeros(2), false),
      grad_leaf: torch.ones(1).requires_grad_(),
      nested: [1, -2, 70000, 2 ** 40, "s", null, true, Object.freeze([3, Object.freeze([4])]), torch.zeros(2, 3).shape],
      int_keys: { 0: "a", 1: "b" },
      same: base,
    };
    const path = file("from_ts.pt");
    torch.save(obj, path);
    expectLoaded(obj, pytorchLoads(path));
  });

  test("floats as Python values (optimizer hyperparameters) read back equal", () => {
    // 1.13's restricted unpickler lacks BINFLOAT (2.x has it): weights_only=False on a file torch-ts wrote.
    const obj = { lr: 0.001, eps: 1e-8, betas: Object.freeze([0.9, 0.999]), neg: -2.5, tiny: 5e-324 };
    const path = file("floats.pt");
    torch.save(obj, path);
    expectLoaded(obj, pytorchLoads(path, false));
  });

  test("torch-ts reads what this PyTorch writes", () => {
    const path = file("from_py.pt");
    const code = `
torch.manual_seed(0)
x = torch.randn(4, 5, dtype=torch.float64)
obj = {"x": x, "t": x.t(), "col": x[:, 2], "h": torch.randn(3).half(), "b": torch.randn(3).bfloat16(),
       "u8": torch.tensor([0, 200], dtype=torch.uint8), "p": torch.nn.Parameter(torch.randn(2)),
       "size": torch.Size([1, 2]), "tuple": (1, "two", None), 7: [True, False]}
torch.save(obj, ${JSON.stringify(path)})
print(json.dumps(encode(torch.load(${JSON.stringify(path)}, weights_only=True), {})))`;
    const want = JSON.parse(runTorch(code)) as Encoded;
    expectLoaded(torch.load(path), want);
  });

  test("a PyTorch state_dict passed through torch-ts stays an OrderedDict with its _metadata", () => {
    const src = file("sd_py.pt");
    const back = file("sd_back.pt");
    runTorch(`torch.save(torch.nn.Sequential(torch.nn.Linear(2, 2)).state_dict(), ${JSON.stringify(src)})`);
    torch.save(torch.load(src), back);
    const code = `
a = torch.load(${JSON.stringify(src)}, weights_only=True)
b = torch.load(${JSON.stringify(back)}, weights_only=True)
print(type(b).__name__, b._metadata == a._metadata, all(torch.equal(a[k], b[k]) for k in a), list(b))`;
    expect(runTorch(code).trim()).toBe("OrderedDict True True ['0.weight', '0.bias']");
  });

  test("an nn.Sequential exchanges weights both ways and both libraries compute the same outputs", () => {
    const pyFile = file("seq_py.pt");
    const tsFile = file("seq_ts.pt");
    const x = torch.randn(3, 4);
    const make = () => new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));

    // torch-ts -> PyTorch
    torch.manual_seed(5);
    const ours = make();
    torch.save(ours.state_dict(), tsFile);
    torch.save(x, file("x.pt"));
    const code = `
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
print(model.load_state_dict(torch.load(${JSON.stringify(tsFile)}, weights_only=True), strict=True))
x = torch.load(${JSON.stringify(file("x.pt"))}, weights_only=True)
torch.save(model(x).detach(), ${JSON.stringify(file("out_py_from_ts.pt"))})
torch.manual_seed(1)
other = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
torch.save(other.state_dict(), ${JSON.stringify(pyFile)})
torch.save(other(x).detach(), ${JSON.stringify(file("out_py.pt"))})`;
    expect(runTorch(code).trim()).toBe("<All keys matched successfully>");
    const pyOut = torch.load<Tensor>(file("out_py_from_ts.pt"));
    expectClose(pyOut, ours(x) as Tensor);

    // PyTorch -> torch-ts
    const theirs = make();
    expect(String(theirs.load_state_dict(torch.load<nn.StateDict>(pyFile)))).toBe("<All keys matched successfully>");
    expectClose(theirs(x) as Tensor, torch.load<Tensor>(file("out_py.pt")));
  });

  test("an Adam state_dict saved by torch-ts continues training in PyTorch exactly as in torch-ts", () => {
    torch.manual_seed(3);
    const model = new nn.Linear(3, 2);
    const opt = new torch.optim.Adam(model.parameters(), { lr: 0.01 });
    const x = torch.randn(5, 3);
    const step = () => {
      opt.zero_grad();
      (model(x) as Tensor).pow(2).sum().backward();
      opt.step();
    };
    step();
    step();
    torch.save({ model: model.state_dict(), opt: opt.state_dict(), x }, file("train.pt"));
    step();
    const code = `
ckpt = torch.load(${JSON.stringify(file("train.pt"))}, weights_only=False)  # 1.13 lacks BINFLOAT (lr) in weights_only
model = torch.nn.Linear(3, 2)
model.load_state_dict(ckpt["model"])
opt = torch.optim.Adam(model.parameters(), lr=0.5)
opt.load_state_dict(ckpt["opt"])
opt.zero_grad()
model(ckpt["x"]).pow(2).sum().backward()
opt.step()
torch.save(model.state_dict(), ${JSON.stringify(file("after_py.pt"))})`;
    runTorch(code);
    const after = torch.load<Record<string, Tensor>>(file("after_py.pt"));
    expectClose(after["weight"]!, model.weight);
    expectClose(after["bias"]!, model.bias!);
  });
});

function expectClose(a: Tensor, b: Tensor): void {
  expect([...a.shape]).toEqual([...b.shape]);
  const x = a.detach().contiguous()._values() as Float32Array;
  const y = b.detach().contiguous()._values() as Float32Array;
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(y[i]!));
}
