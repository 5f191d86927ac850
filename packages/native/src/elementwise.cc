// float32 elementwise kernels and the dense sum. Each op's expression is the JS reference's
// (src/backend/js/elementwise.ts): for float32 + − × ÷ √ the binary64 result rounded once is
// the float32 operation itself, so these are bit-identical to it, NaN and −0 included.

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <new>

#include "kernels.h"
#include "pool.h"

namespace tsn {

namespace {

// Drops size-1 dims and merges neighbours that every view walks as one, in place.
void coalesce(Walk& w, int nv) {
  int nd = 0;
  for (int d = 0; d < w.nd; d++) {
    const int64_t size = w.shape[d];
    if (size == 1) continue;
    if (nd > 0) {
      bool merges = true;
      for (int v = 0; v < nv && merges; v++) merges = w.strides[v][nd - 1] == w.strides[v][d] * size;
      if (merges) {
        w.shape[nd - 1] *= size;
        for (int v = 0; v < nv; v++) w.strides[v][nd - 1] = w.strides[v][d];
        continue;
      }
    }
    w.shape[nd] = size;
    for (int v = 0; v < nv; v++) w.strides[v][nd] = w.strides[v][d];
    nd++;
  }
  if (nd == 0) {
    w.shape[0] = 1;
    for (int v = 0; v < nv; v++) w.strides[v][0] = 0;
    nd = 1;
  }
  w.nd = nd;
}

int64_t numel(const Walk& w) {
  int64_t n = 1;
  for (int d = 0; d < w.nd; d++) n *= w.shape[d];
  return n;
}

// Calls row(o0, o1, o2, n) for each run of the innermost dim within flat elements [e0, e1) in
// row-major order, with each view's element offset at the start of the run.
template <class Row>
void walk_range(const Walk& w, int nv, int64_t e0, int64_t e1, Row row) {
  const int nd = w.nd;
  const int64_t inner = w.shape[nd - 1];
  int64_t counter[kMaxDims] = {};
  int64_t pos[3] = {0, 0, 0};
  int64_t rest = e0 / inner;
  for (int d = nd - 2; d >= 0; d--) {
    counter[d] = rest % w.shape[d];
    rest /= w.shape[d];
    for (int v = 0; v < nv; v++) pos[v] += counter[d] * w.strides[v][d];
  }
  int64_t col = e0 % inner;
  int64_t at = e0;
  while (at < e1) {
    const int64_t n = inner - col < e1 - at ? inner - col : e1 - at;
    row(pos[0] + col * w.strides[0][nd - 1], pos[1] + col * w.strides[1][nd - 1], pos[2] + col * w.strides[2][nd - 1], n);
    at += n;
    col = 0;
    for (int d = nd - 2; d >= 0; d--) {
      counter[d]++;
      for (int v = 0; v < nv; v++) pos[v] += w.strides[v][d];
      if (counter[d] < w.shape[d]) break;
      for (int v = 0; v < nv; v++) pos[v] -= w.strides[v][d] * w.shape[d];
      counter[d] = 0;
    }
  }
}


inline float js_max(float x, float y) {
  if (x != x || y != y) return std::numeric_limits<float>::quiet_NaN();
  if (x > y) return x;
  if (y > x) return y;
  // Equal: Math.max(+0, −0) is +0, which is the AND of the two bit patterns.
  uint32_t a, b;
  std::memcpy(&a, &x, 4);
  std::memcpy(&b, &y, 4);
  a &= b;
  std::memcpy(&x, &a, 4);
  return x;
}

inline float js_min(float x, float y) {
  if (x != x || y != y) return std::numeric_limits<float>::quiet_NaN();
  if (x < y) return x;
  if (y < x) return y;
  // Equal: Math.min(+0, −0) is −0, the OR of the two bit patterns.
  uint32_t a, b;
  std::memcpy(&a, &x, 4);
  std::memcpy(&b, &y, 4);
  a |= b;
  std::memcpy(&x, &a, 4);
  return x;
}

struct Add { static float f(float x, float y) { return x + y; } };
struct Sub { static float f(float x, float y) { return x - y; } };
struct Mul { static float f(float x, float y) { return x * y; } };
struct Div { static float f(float x, float y) { return x / y; } };
struct Maximum { static float f(float x, float y) { return js_max(x, y); } };
struct Minimum { static float f(float x, float y) { return js_min(x, y); } };
// ReLU's gradient: `b <= 0 ? 0 : a` (NaN in b passes the gradient).
struct ReluBackward { static float f(float x, float y) { return y <= 0.0f ? 0.0f : x; } };

struct Neg { static float f(float x) { return -x; } };
struct Abs { static float f(float x) { return std::fabs(x); } };
// `x < 0 ? 0 : x`: NaN and −0 pass through.
struct Relu { static float f(float x) { return x < 0.0f ? 0.0f : x; } };
struct Sqrt { static float f(float x) { return std::sqrt(x); } };
struct Square { static float f(float x) { return x * x; } };
struct Reciprocal { static float f(float x) { return 1.0f / x; } };
struct Identity { static float f(float x) { return x; } };

template <class F>
void binary_row(float* o, int64_t so, const float* x, int64_t sa, const float* y, int64_t sb, int64_t n) {
  if (so == 1 && sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; i++) o[i] = F::f(x[i], y[i]);
  } else if (so == 1 && sa == 1 && sb == 0) {
    const float v = *y;
    for (int64_t i = 0; i < n; i++) o[i] = F::f(x[i], v);
  } else if (so == 1 && sa == 0 && sb == 1) {
    const float u = *x;
    for (int64_t i = 0; i < n; i++) o[i] = F::f(u, y[i]);
  } else {
    for (int64_t i = 0; i < n; i++) o[i * so] = F::f(x[i * sa], y[i * sb]);
  }
}

template <class F>
void binary_walk(Pool& pool, const Walk& w, float* out, const float* a, const float* b) {
  const int64_t so = w.strides[0][w.nd - 1], sa = w.strides[1][w.nd - 1], sb = w.strides[2][w.nd - 1];
  parallel_range(pool, numel(w), [&](int64_t e0, int64_t e1) {
    walk_range(w, 3, e0, e1, [&](int64_t po, int64_t pa, int64_t pb, int64_t n) {
      binary_row<F>(out + po, so, a + pa, sa, b + pb, sb, n);
    });
  });
}

template <class F>
void unary_row(float* o, int64_t so, const float* x, int64_t sa, int64_t n) {
  if (so == 1 && sa == 1) {
    for (int64_t i = 0; i < n; i++) o[i] = F::f(x[i]);
  } else {
    for (int64_t i = 0; i < n; i++) o[i * so] = F::f(x[i * sa]);
  }
}

template <class F>
void unary_walk(Pool& pool, const Walk& w, float* out, const float* a) {
  const int64_t so = w.strides[0][w.nd - 1], sa = w.strides[1][w.nd - 1];
  parallel_range(pool, numel(w), [&](int64_t e0, int64_t e1) {
    walk_range(w, 2, e0, e1, [&](int64_t po, int64_t pa, int64_t, int64_t n) { unary_row<F>(out + po, so, a + pa, sa, n); });
  });
}

// A dense 2-D out from a source walked across its memory (w.t().contiguous()): tile by tile,
// so that each source line is read once (the row-major walk reads one float per line).
bool transposed_copy(const Walk& w, float* out, const float* a) {
  if (w.nd != 2 || w.strides[0][1] != 1 || w.strides[0][0] != w.shape[1]) return false;
  const int64_t rows = w.shape[0], cols = w.shape[1];
  const int64_t sr = w.strides[1][0], sc = w.strides[1][1];
  constexpr int64_t T = 32;
  if (rows < T || cols < T || sc <= 1) return false;
  for (int64_t r0 = 0; r0 < rows; r0 += T) {
    const int64_t r1 = r0 + T < rows ? r0 + T : rows;
    for (int64_t c0 = 0; c0 < cols; c0 += T) {
      const int64_t c1 = c0 + T < cols ? c0 + T : cols;
      for (int64_t r = r0; r < r1; r++) {
        float* q = out + r * cols;
        const float* p = a + r * sr;
        for (int64_t c = c0; c < c1; c++) q[c] = p[c * sc];
      }
    }
  }
  return true;
}

}  // namespace

void binary(Pool& pool, int op, Walk& w, float* out, const float* a, const float* b) {
  coalesce(w, 3);
  switch (op) {
    case kAdd: return binary_walk<Add>(pool, w, out, a, b);
    case kSub: return binary_walk<Sub>(pool, w, out, a, b);
    case kMul: return binary_walk<Mul>(pool, w, out, a, b);
    case kDiv: return binary_walk<Div>(pool, w, out, a, b);
    case kMaximum: return binary_walk<Maximum>(pool, w, out, a, b);
    case kMinimum: return binary_walk<Minimum>(pool, w, out, a, b);
    case kReluBackward: return binary_walk<ReluBackward>(pool, w, out, a, b);
  }
}

void unary(Pool& pool, int op, Walk& w, float* out, const float* a) {
  coalesce(w, 2);
  switch (op) {
    case kNeg: return unary_walk<Neg>(pool, w, out, a);
    case kAbs: return unary_walk<Abs>(pool, w, out, a);
    case kRelu: return unary_walk<Relu>(pool, w, out, a);
    case kSqrt: return unary_walk<Sqrt>(pool, w, out, a);
    case kSquare: return unary_walk<Square>(pool, w, out, a);
    case kReciprocal: return unary_walk<Reciprocal>(pool, w, out, a);
  }
}

void copy(Pool& pool, Walk& w, float* out, const float* a) {
  coalesce(w, 2);
  if (w.nd == 1 && w.strides[0][0] == 1 && w.strides[1][0] == 1) {
    std::memcpy(out, a, static_cast<size_t>(w.shape[0]) * 4);
    return;
  }
  if (transposed_copy(w, out, a)) return;
  unary_walk<Identity>(pool, w, out, a);
}

void fill(Walk& w, float* out, float value) {
  coalesce(w, 1);
  walk_range(w, 1, 0, numel(w), [&](int64_t po, int64_t, int64_t, int64_t n) {
    const int64_t s = w.strides[0][w.nd - 1];
    float* o = out + po;
    if (s == 1) {
      for (int64_t i = 0; i < n; i++) o[i] = value;
    } else {
      for (int64_t i = 0; i < n; i++) o[i * s] = value;
    }
  });
}

bool sum_dense(float* out, const float* a, int64_t outer, int64_t reduced, int64_t inner) {
  if (inner == 1) {
    for (int64_t o = 0; o < outer; o++) {
      const float* x = a + o * reduced;
      double acc = 0.0;
      for (int64_t r = 0; r < reduced; r++) acc += x[r];
      out[o] = static_cast<float>(acc);
    }
    return true;
  }
  // One binary64 accumulator per output column, rows added in order: each output sees the
  // reference's order of additions, so the result is the JS one bit for bit.
  // Not std::vector: the addon is built without exceptions, so a failed allocation would abort.
  std::unique_ptr<double[]> acc(new (std::nothrow) double[static_cast<size_t>(inner)]);
  if (!acc) return false;
  for (int64_t o = 0; o < outer; o++) {
    double* s = acc.get();
    for (int64_t i = 0; i < inner; i++) s[i] = 0.0;
    const float* x = a + o * reduced * inner;
    for (int64_t r = 0; r < reduced; r++) {
      const float* row = x + r * inner;
      for (int64_t i = 0; i < inner; i++) s[i] += row[i];
    }
    float* dst = out + o * inner;
    for (int64_t i = 0; i < inner; i++) dst[i] = static_cast<float>(s[i]);
  }
  return true;
}

}  // namespace tsn
