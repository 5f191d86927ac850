// js-pytorch 0.7 (CPU path; nested JS arrays of float64 numbers). The Linear rows use PyTorch's
// [out, in] weight, so each step transposes it as F.linear's x·Wᵀ asks; the MLP uses js-pytorch's
// own nn.Linear, whose W is [in, out]. js-pytorch has no SGD (only Adam), so the step is the
// plain update p ← p − lr·grad written with its own ops, as its Adam writes its update.

import { readSpec, serve } from "../lib/harness.mjs";

const spec = readSpec();
const { torch } = await import("js-pytorch");

function nested(data, shape) {
  if (shape.length === 1) return Array.from(data);
  const [R, C] = shape;
  return Array.from({ length: R }, (_, i) => Array.from(data.subarray(i * C, (i + 1) * C)));
}
const T = ({ data, shape }, requires_grad = false) => torch.tensor(nested(data, shape), requires_grad);
const flat = (t) => {
  const d = t instanceof torch.Tensor ? t.data : t;
  return Array.isArray(d) ? d.flat(Infinity) : [d];
};

function impl(w, inputs) {
  if (w.kind === "linear" || w.kind === "mm") {
    const a = T(inputs.x ?? inputs.a);
    const b = T(inputs.w ?? inputs.b);
    const bias = w.kind === "linear" && inputs.b ? T(inputs.b) : null;
    let y;
    const step =
      w.kind === "mm"
        ? () => (y = torch.matmul(a, b))
        : () => {
            y = torch.matmul(a, torch.transpose(b, 0, 1));
            if (bias) y = torch.add(y, bias);
          };
    return { step, outputs: () => ({ y: flat(y) }) };
  }
  if (w.kind === "linear_bwd") {
    const x = T(inputs.x, true);
    const wt = T(inputs.w, true);
    const b = inputs.b ? T(inputs.b, true) : null;
    const g = T(inputs.g);
    let y;
    const step = () => {
      x.zero_grad();
      wt.zero_grad();
      b?.zero_grad();
      y = torch.matmul(x, torch.transpose(wt, 0, 1));
      if (b) y = torch.add(y, b);
      y.backward(g);
    };
    return { step, outputs: () => ({ y: flat(y), dx: flat(x.grad), dw: flat(wt.grad), ...(b ? { db: flat(b.grad) } : {}) }) };
  }
  // mlp_sgd
  const { K, H, C } = w;
  const fc1 = new torch.nn.Linear(K, H);
  const fc2 = new torch.nn.Linear(H, C);
  // Its nn.ReLU is a leaky ReLU (slope 1e-3 below 0); masked_fill gives PyTorch's ReLU and gradient.
  const relu = { forward: (z) => torch.masked_fill(z, z, (v) => v <= 0, 0) };
  // Its W is [in, out]: PyTorch's weight transposed.
  fc1.W = torch.tensor(torch.transpose(T(inputs.w1), 0, 1).data, true);
  fc1.b = T(inputs.b1, true);
  fc2.W = torch.tensor(torch.transpose(T(inputs.w2), 0, 1).data, true);
  fc2.b = T(inputs.b2, true);
  const params = [fc1.W, fc1.b, fc2.W, fc2.b];
  const x = T(inputs.x);
  const target = torch.tensor(Array.from(inputs.target.data, Math.round));
  const criterion = new torch.nn.CrossEntropyLoss();
  let loss;
  const step = () => {
    for (const p of params) p.zero_grad();
    loss = criterion.forward(fc2.forward(relu.forward(fc1.forward(x))), target);
    loss.backward();
    for (const p of params) p._data = p.add(p._grad.mul(-w.lr))._data;
  };
  const t = (p) => flat(torch.transpose(p, 0, 1));
  return {
    step,
    outputs: () => ({ loss: [flat(loss)[0]], w1: t(fc1.W), b1: flat(fc1.b), w2: t(fc2.W), b2: flat(fc2.b) }),
  };
}

const { readFileSync } = await import("node:fs");
const version = JSON.parse(readFileSync(new URL("../node_modules/js-pytorch/package.json", import.meta.url))).version;
await serve(spec, impl, () => ({ runner: "js-pytorch", threads: 1, info: { version, dtype: "float64 (JS numbers)" } }));
