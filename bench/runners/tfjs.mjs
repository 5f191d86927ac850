// TensorFlow.js 4.22: spec.tfjs_backend "cpu" (tfjs-backend-cpu, plain JS) or "wasm"
// (@tensorflow/tfjs-backend-wasm, XNNPACK; in Node its threads are switched off in its code, so it
// is a one-thread peer). Written the way a TF.js user writes it: tf.fused.matMul with the bias (the
// tf.layers.dense path), tf.valueAndGrads with dy for the backward rows, tf.train.sgd.minimize for
// the MLP. The Linear rows keep PyTorch's [out, in] weight (transposeB); the MLP uses TF.js's own
// [in, out] kernel layout, as tf.layers.dense does.

import { readSpec, serve, transpose } from "../lib/harness.mjs";

const spec = readSpec();
// The union package: tfjs-core's Node bundle registers no gradients, @tensorflow/tfjs's does (with
// tfjs-backend-cpu and the optimizers).
const tf = await import("@tensorflow/tfjs");
if (spec.tfjs_backend === "wasm") await import("@tensorflow/tfjs-backend-wasm");
await tf.setBackend(spec.tfjs_backend);
await tf.ready();

const T = ({ data, shape }) => tf.tensor(data, shape, "float32");

// tfjs-wasm 4.22's fused matMul with transposeB and a bias adds the bias wrongly (the check
// catches it: rows after the first get other rows' sums), so there x·Wᵀ + b is matMul, then add.
const brokenFusedBias = spec.tfjs_backend === "wasm";
function linear(a, b, bias) {
  if (bias && brokenFusedBias) return tf.add(tf.matMul(a, b, false, true), bias);
  return tf.fused.matMul({ a, b, transposeB: true, bias });
}
const read = (t) => t.dataSync();

function impl(w, inputs) {
  if (w.kind === "linear" || w.kind === "mm") {
    const a = T(inputs.x ?? inputs.a);
    const b = T(inputs.w ?? inputs.b);
    const bias = w.kind === "linear" && inputs.b ? T(inputs.b) : undefined;
    const transposeB = w.kind === "linear";
    let y = null;
    return {
      step: () => {
        y?.dispose();
        y = transposeB ? linear(a, b, bias) : tf.matMul(a, b);
      },
      outputs: () => ({ y: read(y) }),
    };
  }
  if (w.kind === "linear_bwd") {
    const x = T(inputs.x);
    const wt = T(inputs.w);
    const g = T(inputs.g);
    const hasBias = Boolean(inputs.b);
    const args = hasBias ? [x, wt, T(inputs.b)] : [x, wt];
    const f = tf.valueAndGrads((x_, w_, b_) => linear(x_, w_, b_));
    let r = null;
    return {
      step: () => {
        if (r) tf.dispose([r.value, ...r.grads]);
        r = f(args, g);
      },
      outputs: () => ({
        y: read(r.value),
        dx: read(r.grads[0]),
        dw: read(r.grads[1]),
        ...(hasBias ? { db: read(r.grads[2]) } : {}),
      }),
    };
  }
  // mlp_sgd
  const { K, H, C } = w;
  const w1 = tf.variable(tf.tensor(transpose(inputs.w1.data, H, K), [K, H]));
  const b1 = tf.variable(T(inputs.b1));
  const w2 = tf.variable(tf.tensor(transpose(inputs.w2.data, C, H), [H, C]));
  const b2 = tf.variable(T(inputs.b2));
  const x = T(inputs.x);
  const labels = tf.oneHot(tf.tensor1d(Array.from(inputs.target.data, Math.round), "int32"), C);
  const optimizer = tf.train.sgd(w.lr);
  const lossFn = () => {
    const h = tf.fused.matMul({ a: x, b: w1, bias: b1, activation: "relu" });
    const logits = tf.fused.matMul({ a: h, b: w2, bias: b2 });
    return tf.losses.softmaxCrossEntropy(labels, logits);
  };
  let loss = null;
  return {
    step: () => {
      loss?.dispose();
      loss = optimizer.minimize(lossFn, true, [w1, b1, w2, b2]);
    },
    outputs: () => ({
      loss: read(loss),
      w1: transpose(read(w1), K, H),
      b1: read(b1),
      w2: transpose(read(w2), H, C),
      b2: read(b2),
    }),
  };
}

await serve(spec, impl, async () => ({
  runner: `tfjs-${spec.tfjs_backend}`,
  threads: 1,
  info: {
    version: tf.version_core,
    backend: tf.getBackend(),
    ...(spec.tfjs_backend === "wasm"
      ? { simd: await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"), multithread: await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT") }
      : {}),
    ...(brokenFusedBias ? { note: "x·Wᵀ + b as matMul + add: fused matMul with transposeB and bias is wrong in 4.22" } : {}),
  },
}));
