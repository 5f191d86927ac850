// A training loop written like PyTorch's, with no dispose calls, run against the built package
// (dist/) in its own process so that `--expose-gc` can force full collections before each
// measurement. Prints one JSON line with the memory samples.
//
//   node --expose-gc [--min-semi-space-size=16 --max-semi-space-size=16] \
//     test/training/flat_memory_loop.mjs [steps] [--leak]
//
// --leak keeps every input batch alive: the control that shows the measurement sees a leak.
import torch from "../../dist/index.js";

const nn = torch.nn;
const steps = Number(process.argv[2] ?? 10000);
const leak = process.argv.includes("--leak");
const warmup = 1000;
if (typeof globalThis.gc !== "function") throw new Error("run with --expose-gc");

torch.manual_seed(0);
const x = torch.randn(1024, 32);
const y = torch.randint(0, 10, [1024]);
const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(x, y), { batch_size: 32, shuffle: true });
const model = new nn.Sequential(new nn.Linear(32, 64), new nn.ReLU(), new nn.Dropout(0.1), new nn.Linear(64, 10));
const optimizer = new torch.optim.AdamW(model.parameters(), { lr: 1e-3 });
const criterion = new nn.CrossEntropyLoss();

function sample(step) {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return { step, heapUsed: m.heapUsed, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers };
}

const kept = [];
const samples = [];
const start = performance.now();
let step = 0;
let lastLoss = NaN;
outer: for (;;) {
  model.train();
  for (const [data, target] of loader) {
    optimizer.zero_grad();
    const loss = criterion(model(data), target);
    loss.backward();
    optimizer.step();
    if (leak) kept.push(data);
    step++;
    if (step % 100 === 0) lastLoss = loss.item();
    if (step % 1000 === 0) {
      model.eval();
      torch.no_grad(() => model(x).argmax(1).eq(y).sum().item());
      model.train();
    }
    if (step >= warmup && step % 1000 === 0) samples.push(sample(step));
    if (step >= steps) break outer;
  }
}
const seconds = (performance.now() - start) / 1000;
console.log(JSON.stringify({ backend: torch.backends.get_backend(), steps, seconds, loss: lastLoss, kept: kept.length, samples }));
