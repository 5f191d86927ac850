// Run by finalization.test.ts as `node --expose-gc` against dist/: a backend whose storages own
// memory the collector cannot see must get it back once their tensors are garbage.
import torch from "../../dist/index.js";
import { registerBackend, setDefaultBackend } from "../../dist/backend/registry.js";
import { jsBackend } from "../../dist/backend/js/index.js";

let allocated = 0;
let released = 0;
const releasedIds = new Set();
const counting = {
  ...jsBackend,
  name: "counting",
  allocate(dtype, length) {
    const storage = jsBackend.allocate(dtype, length);
    const id = allocated++;
    // Closes over the id, nothing of the storage, as Storage.release requires.
    Object.defineProperty(storage, "id", { value: id });
    Object.defineProperty(storage, "release", { value: () => void (released++, releasedIds.add(id)) });
    return storage;
  },
};
registerBackend(counting);
setDefaultBackend("counting");

// A loop that makes garbage tensors (views included), written without any dispose call.
for (let i = 0; i < 2000; i++) {
  const x = torch.ones(16, 16);
  const y = x.t().mul(2).add(1).sum(0);
  void y.view(4, 4);
}
const kept = torch.zeros(8);
setDefaultBackend("js");

for (let round = 0; round < 20 && released < allocated - 1; round++) {
  globalThis.gc();
  await new Promise((resolve) => setTimeout(resolve, 10));
}
console.log(JSON.stringify({ allocated, released, keptReleased: releasedIds.has(kept._storage.id) }));
