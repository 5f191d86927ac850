// torch-ts on one backend at one thread count, from the built dist/ (npm run build).
// Written as a PyTorch user writes it: F.linear, torch.mm, y.backward(g), nn.Sequential + SGD.

import { readSpec, serve } from "../lib/harness.mjs";

const spec = readSpec();
const { default: torch } = await import("../../dist/index.js");
const F = torch.nn.functional;
torch.backends.set_backend(spec.backend);
torch.set_num_threads(spec.threads);

const tensor = ({ data, shape }) => torch.tensor(data).reshape(shape);
const flat = (t) => t.detach().contiguous()._values();

function impl(w, inputs) {
  if (w.kind === "linear" || w.kind === "mm") {
    const a = tensor(inputs.x ?? inputs.a);
    const b = tensor(inputs.w ?? inputs.b);
    const bias = inputs.b && w.kind === "linear" ? tensor(inputs.b) : undefined;
    let y;
    const step = w.kind === "mm" ? () => (y = torch.mm(a, b)) : () => (y = F.linear(a, b, bias));
    return { step, outputs: () => ({ y: flat(y) }) };
  }
  if (w.kind === "linear_bwd") {
    const x = tensor(inputs.x).requires_grad_(true);
    const wt = tensor(inputs.w).requires_grad_(true);
    const b = inputs.b ? tensor(inputs.b).requires_grad_(true) : undefined;
    const g = tensor(inputs.g);
    let y;
    const step = () => {
      x.grad = wt.grad = null;
      if (b) b.grad = null;
      y = F.linear(x, wt, b);
      y.backward(g);
    };
    return {
      step,
      outputs: () => ({ y: flat(y), dx: flat(x.grad), dw: flat(wt.grad), ...(b ? { db: flat(b.grad) } : {}) }),
    };
  }
  // mlp_sgd
  const nn = torch.nn;
  const fc1 = new nn.Linear(w.K, w.H);
  const fc2 = new nn.Linear(w.H, w.C);
  const model = new nn.Sequential(fc1, new nn.ReLU(), fc2);
  torch.no_grad(() => {
    fc1.weight.copy_(tensor(inputs.w1));
    fc1.bias.copy_(tensor(inputs.b1));
    fc2.weight.copy_(tensor(inputs.w2));
    fc2.bias.copy_(tensor(inputs.b2));
  });
  const x = tensor(inputs.x);
  const target = torch.tensor(Array.from(inputs.target.data, Math.round));
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new torch.optim.SGD(model.parameters(), { lr: w.lr });
  let loss;
  const step = () => {
    optimizer.zero_grad();
    loss = criterion(model(x), target);
    loss.backward();
    optimizer.step();
  };
  return {
    step,
    outputs: () => ({
      loss: [loss.item()],
      w1: flat(fc1.weight),
      b1: flat(fc1.bias),
      w2: flat(fc2.weight),
      b2: flat(fc2.bias),
    }),
  };
}

const kernel = spec.backend.startsWith("wasm") ? torch.backends.wasm.kernel() : null;
await serve(spec, impl, () => ({
  runner: `torch-ts ${spec.backend}`,
  threads: spec.threads,
  info: { backend: spec.backend, kernel, num_threads: torch.get_num_threads(), backends: torch.backends.list_backends() },
}));
