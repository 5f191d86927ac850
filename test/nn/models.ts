/** The models scripts/golden/nn.py builds, spelled the torch-ts way. */

import torch, { nn } from "../../src/index.js";

type Parameter = InstanceType<typeof nn.Parameter>;

/** nn.py's `Net`: an extra_repr of two lines, parameters, buffers and children. */
export class Net extends nn.Module {
  declare scale: Parameter;
  declare encoder: nn.Sequential;
  declare heads: nn.ModuleDict;
  declare offset: Parameter;

  constructor() {
    super();
    this.scale = new nn.Parameter(torch.ones(3));
    this.encoder = new nn.Sequential(new nn.Linear(4, 3), new nn.Identity());
    this.register_buffer("steps", torch.zeros([], { dtype: torch.int64 }));
    this.register_buffer("cache", torch.zeros(2), { persistent: false });
    this.heads = new nn.ModuleDict({ cls: new nn.Linear(3, 2), reg: new nn.Linear(3, 1, { bias: false }) });
    this.offset = new nn.Parameter(torch.zeros(1));
  }

  override extra_repr(): string {
    return "hidden=3\nnote=two lines";
  }
}

/** The state_dict fixture's models, by the `code` name the fixture records. */
export function buildModel(code: string): nn.Module {
  switch (code) {
    case "nested":
      return new nn.Sequential(
        new nn.Linear(2, 3),
        new nn.Sequential(new nn.Linear(3, 3), new nn.Identity()),
        new nn.Linear(3, 1, { bias: false }),
      );
    case "custom":
      return new Net();
    case "shared": {
      const shared = new nn.Linear(2, 2);
      return new nn.Sequential(shared, shared);
    }
    case "named":
      return new nn.Sequential(new Map([["fc1", new nn.Linear(2, 3)], ["fc2", new nn.Linear(3, 1)]]));
  }
  throw new Error(`unknown model ${code}`);
}
