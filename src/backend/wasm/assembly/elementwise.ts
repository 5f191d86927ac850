// The elementwise work of a training step over dense float32 arrays in this module's memory
// (the backend, ../elementwise.ts, copies the operands in and the result out): relu, its
// backward, the four arithmetic ops (same shape, or one operand a row repeated down the other:
// a bias), and the column sums of a bias gradient. Each lane does what the JS kernel in
// src/backend/js/fast_elementwise.ts / fast_reduce.ts does for its element, so the bits are the
// same: + - * / of two float32 values rounded to float32 is the binary64 result rounded once,
// relu and its backward pass their element through or give +0 by the same comparison, and the
// sums accumulate in binary64 in the JS order. Pointers are byte offsets; n counts elements.

/** `x < 0 ? 0 : x`: NaN and -0 fail the comparison and pass through, as in JS. */
export function relu(o: usize, x: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const v = v128.load(x + at);
    v128.store(o + at, v128.andnot(v, f32x4.lt(v, zero)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const v = load<f32>(x + at);
    store<f32>(o + at, v < 0 ? 0 : v);
  }
}

/** `y <= 0 ? 0 : g` (g the incoming gradient, y relu's output; NaN in y lets g through). */
export function reluBackward(o: usize, g: usize, y: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    v128.store(o + at, v128.andnot(v128.load(g + at), f32x4.le(v128.load(y + at), zero)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(o + at, load<f32>(y + at) <= 0 ? 0 : load<f32>(g + at));
  }
}

// Which op `rowsOf` runs (a constant at each call, so each loop has one op and no branch).
const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;

@inline function lanes(op: i32, a: v128, b: v128): v128 {
  if (op == ADD) return f32x4.add(a, b);
  if (op == SUB) return f32x4.sub(a, b);
  if (op == MUL) return f32x4.mul(a, b);
  return f32x4.div(a, b);
}

@inline function scalar(op: i32, a: f32, b: f32): f32 {
  if (op == ADD) return a + b;
  if (op == SUB) return a - b;
  if (op == MUL) return a * b;
  return a / b;
}

/**
 * `o = a op b` over `rows` rows of `cols` elements. An operand whose row step is 0 is one row
 * read again for every row (a bias [cols] against [rows, cols]); a step of `cols` walks it.
 */
@inline function rowsOf(op: i32, o: usize, a: usize, stepA: usize, b: usize, stepB: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    let i = 0;
    for (; i + 4 <= cols; i += 4) {
      const at = <usize>i << 2;
      v128.store(o + at, lanes(op, v128.load(a + at), v128.load(b + at)));
    }
    for (; i < cols; i++) {
      const at = <usize>i << 2;
      store<f32>(o + at, scalar(op, load<f32>(a + at), load<f32>(b + at)));
    }
    o += <usize>cols << 2;
    a += stepA;
    b += stepB;
  }
}

// `o = a op b` over [rows, cols]. `rowA` / `rowB`: that operand is a single row of `cols`,
// broadcast down the rows, rather than [rows, cols]. One export per op rather than an op code:
// binaryen merged the four loops of one function back into one, computing each lane's sum
// before testing the op code, and the quotient after all three others.

export function add(o: usize, a: usize, rowA: i32, b: usize, rowB: i32, rows: i32, cols: i32): void {
  rowsOf(ADD, o, a, rowA ? 0 : <usize>cols << 2, b, rowB ? 0 : <usize>cols << 2, rows, cols);
}

export function sub(o: usize, a: usize, rowA: i32, b: usize, rowB: i32, rows: i32, cols: i32): void {
  rowsOf(SUB, o, a, rowA ? 0 : <usize>cols << 2, b, rowB ? 0 : <usize>cols << 2, rows, cols);
}

export function mul(o: usize, a: usize, rowA: i32, b: usize, rowB: i32, rows: i32, cols: i32): void {
  rowsOf(MUL, o, a, rowA ? 0 : <usize>cols << 2, b, rowB ? 0 : <usize>cols << 2, rows, cols);
}

export function div(o: usize, a: usize, rowA: i32, b: usize, rowB: i32, rows: i32, cols: i32): void {
  rowsOf(DIV, o, a, rowA ? 0 : <usize>cols << 2, b, rowB ? 0 : <usize>cols << 2, rows, cols);
}

/**
 * For each of `outer` blocks of `reduced` rows of `inner` columns, o[column] = the sum of the
 * column's elements in binary64, rows in order, rounded once to float32. `acc` is 8·inner bytes
 * of scratch. Four columns a step, in two f64x2 accumulators: each lane makes the additions of
 * the JS accumulator for its column in the same order, so the sums are the JS kernel's.
 */
export function sumColumns(o: usize, x: usize, acc: usize, outer: i32, reduced: i32, inner: i32): void {
  for (let k = 0; k < outer; k++) {
    memory.fill(acc, 0, <usize>inner << 3);
    for (let r = 0; r < reduced; r++) {
      let i = 0;
      for (; i + 4 <= inner; i += 4) {
        const v = v128.load(x + (<usize>i << 2));
        const lo = acc + (<usize>i << 3);
        v128.store(lo, f64x2.add(v128.load(lo), f64x2.promote_low_f32x4(v)));
        v128.store(lo + 16, f64x2.add(v128.load(lo + 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3))));
      }
      for (; i < inner; i++) {
        const at = acc + (<usize>i << 3);
        store<f64>(at, load<f64>(at) + <f64>load<f32>(x + (<usize>i << 2)));
      }
      x += <usize>inner << 2;
    }
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      const lo = acc + (<usize>i << 3);
      const low = f32x4.demote_f64x2_zero(v128.load(lo));
      const high = f32x4.demote_f64x2_zero(v128.load(lo + 16));
      v128.store(o + (<usize>i << 2), v128.shuffle<i64>(low, high, 0, 2));
    }
    for (; i < inner; i++) store<f32>(o + (<usize>i << 2), <f32>load<f64>(acc + (<usize>i << 3)));
    o += <usize>inner << 2;
  }
}
