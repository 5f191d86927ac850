// Fused optimizer steps over float32 arrays in this module's memory (the backend copies the
// operands in and the results out). Every operation is an IEEE binary32 one, rounded as the
// JS pass in src/optim/flat_update.ts rounds (Math.fround after each step), in the same order
// and with no fused multiply-add, so the results are bit-identical to it.

/** Adam / AdamW: p, g, m, v (and vmax when amsgrad) are byte offsets of n floats each. */
export function adam(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  maximize: i32, decay: i32, decoupled: i32, shrink: f32, wd: f32, w: f32, oneMinusW: f32, small: i32,
  beta2: f32, value: f32, bc2: f32, eps: f32, negStep: f32,
): void {
  const vShrink = f32x4.splat(shrink), vWd = f32x4.splat(wd), vW = f32x4.splat(w);
  const vOmw = f32x4.splat(oneMinusW), vBeta2 = f32x4.splat(beta2), vValue = f32x4.splat(value);
  const vBc2 = f32x4.splat(bc2), vEps = f32x4.splat(eps), vNeg = f32x4.splat(negStep);
  const amsgrad = vmax != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    let d = v128.load(g + o);
    if (maximize) d = f32x4.neg(d);
    let x = v128.load(p + o);
    if (decay) {
      if (decoupled) x = f32x4.mul(x, vShrink);
      else d = f32x4.add(d, f32x4.mul(x, vWd));
    }
    let mi = v128.load(m + o);
    const diff = f32x4.sub(d, mi);
    mi = small ? f32x4.add(mi, f32x4.mul(diff, vW)) : f32x4.sub(d, f32x4.mul(diff, vOmw));
    v128.store(m + o, mi);
    let vi = f32x4.add(f32x4.mul(v128.load(v + o), vBeta2), f32x4.mul(f32x4.mul(d, vValue), d));
    v128.store(v + o, vi);
    if (amsgrad) {
      vi = f32x4.max(v128.load(vmax + o), vi);
      v128.store(vmax + o, vi);
    }
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vi), vBc2), vEps);
    v128.store(p + o, f32x4.add(x, f32x4.div(f32x4.mul(mi, vNeg), denom)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let d = load<f32>(g + o);
    if (maximize) d = -d;
    let x = load<f32>(p + o);
    if (decay) {
      if (decoupled) x = x * shrink;
      else d = d + x * wd;
    }
    let mi = load<f32>(m + o);
    const diff = d - mi;
    mi = small ? mi + diff * w : d - diff * oneMinusW;
    store<f32>(m + o, mi);
    let vi = load<f32>(v + o) * beta2 + d * value * d;
    store<f32>(v + o, vi);
    if (amsgrad) {
      vi = max<f32>(load<f32>(vmax + o), vi);
      store<f32>(vmax + o, vi);
    }
    const denom = sqrt<f32>(vi) / bc2 + eps;
    store<f32>(p + o, x + mi * negStep / denom);
  }
}

/**
 * SGD: p, g (and buf when momentum is used) are byte offsets of n floats. `first`: buf is new
 * and takes the (decayed) gradient as it is.
 */
export function sgd(
  p: usize, g: usize, buf: usize, n: i32,
  maximize: i32, decay: i32, wd: f32, useMomentum: i32, first: i32, mom: f32, damped: i32, oneMinusDamp: f32,
  nesterov: i32, negLr: f32,
): void {
  // Four lanes at a time: each lane does the scalar loop's binary32 operations, so the bits are
  // the same (the scalar loop below takes the last n % 4).
  const vWd = f32x4.splat(wd), vMom = f32x4.splat(mom), vOmd = f32x4.splat(oneMinusDamp), vNeg = f32x4.splat(negLr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    let d = v128.load(g + o);
    if (maximize) d = f32x4.neg(d);
    const x = v128.load(p + o);
    if (decay) d = f32x4.add(d, f32x4.mul(x, vWd));
    if (useMomentum) {
      let b: v128;
      if (first) b = d;
      else b = f32x4.add(f32x4.mul(v128.load(buf + o), vMom), damped ? f32x4.mul(d, vOmd) : d);
      v128.store(buf + o, b);
      d = nesterov ? f32x4.add(d, f32x4.mul(b, vMom)) : b;
    }
    v128.store(p + o, f32x4.add(x, f32x4.mul(d, vNeg)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let d = load<f32>(g + o);
    if (maximize) d = -d;
    const x = load<f32>(p + o);
    if (decay) d = d + x * wd;
    if (useMomentum) {
      let b: f32;
      if (first) b = d;
      else b = load<f32>(buf + o) * mom + (damped ? d * oneMinusDamp : d);
      store<f32>(buf + o, b);
      d = nesterov ? d + b * mom : b;
    }
    store<f32>(p + o, x + d * negLr);
  }
}
