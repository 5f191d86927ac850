// Fractional and NaN arguments where PyTorch's parser wants an int: the same TypeError as
// PyTorch 1.13 (messages copied from it), before any view with a fractional offset can reach a
// kernel (on the native backend such a view read and wrote outside its storage).
import { describe, expect, it } from "vitest";
import torch from "../../src/index.js";

describe("integer arguments", () => {
  const x = torch.zeros([3, 1000]);

  it("select and narrow give PyTorch's overload message", () => {
    expect(() => x.select(0, 2.999)).toThrowError(TypeError);
    expect(() => x.select(0, 2.5)).toThrowError(
      "select() received an invalid combination of arguments - got (int, float), but expected one of:\n" +
        " * (int dim, int index)\n      didn't match because some of the arguments have invalid types: (int, !float!)\n" +
        " * (name dim, int index)\n      didn't match because some of the arguments have invalid types: (!int!, !float!)\n",
    );
    expect(() => x.narrow(0, 0.5, 1)).toThrowError(
      "narrow() received an invalid combination of arguments - got (int, float, int), but expected one of:\n" +
        " * (int dim, Tensor start, int length)\n      didn't match because some of the arguments have invalid types: (int, !float!, int)\n" +
        " * (int dim, int start, int length)\n      didn't match because some of the arguments have invalid types: (int, !float!, int)\n",
    );
    expect(() => x.select(0, NaN)).toThrowError(TypeError);
    expect(() => x.select(0, -0.5)).toThrowError(TypeError);
  });

  it("diagonal, split, chunk and tensor_split refuse fractions", () => {
    expect(() => x.diagonal(0.5)).toThrowError("diagonal(): argument 'offset' (position 1) must be int, not float");
    expect(() => x.split([1.5, 1.5])).toThrowError(
      "split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of ints, not list",
    );
    expect(() => x.split(1.5)).toThrowError(TypeError);
    expect(() => x.chunk(2.5)).toThrowError(TypeError);
    expect(() => torch.tensor_split(x, [2.9])).toThrowError(TypeError);
    expect(() => x.sum(0.5)).toThrowError(TypeError);
  });

  it("still takes integers", () => {
    expect(x.select(0, 2).shape).toEqual([1000]);
    expect(x.narrow(1, 10, 5).shape).toEqual([3, 5]);
    expect(x.split([1, 2]).map((t) => t.shape[0])).toEqual([1, 2]);
  });
});
