/**
 * The seed example: PyTorch's first steps with nn.Linear, line for line. Run it with
 * `npm run example`; it prints what PyTorch prints for
 *
 *   torch.manual_seed(0); m = nn.Linear(2, 3); input = torch.randn(4, 2); output = m(input)
 */

import torch from "torch-ts";
const nn = torch.nn;

torch.manual_seed(0);
const m = new nn.Linear(2, 3); // weight and bias bit-identical to PyTorch's after manual_seed(0)
const input = torch.randn(4, 2); // bit-identical to torch.randn(4, 2)
const output = m(input); // modules are callable: hooks, then forward
console.log(output.size()); // torch.Size([4, 3])
console.log(m); // Linear(in_features=2, out_features=3, bias=True)
console.log(output); // tensor([[...]], grad_fn=<AddmmBackward0>)
