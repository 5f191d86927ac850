// The kernel exports of torch-ts-native: each reads its arrays and its layout in params through
// a Call (checks.h), which throws for anything that does not fit, and only then runs its kernel.

#include <cstdint>

#include "addon.h"
#include "kernels.h"

namespace tsn {
namespace {

// Says which value of a layout failed `safe_integers` (throwing its message) and returns false, or
// returns true when none did: sizes[nd] from params[i] (with K after them when `k`), then
// (offset, strides[nd]) for each view.
bool layout_error(Call& c, size_t i, int nd, bool k, int views, const Array* arrays) {
  int64_t x;
  for (int d = 0; d < nd; d++) {
    if (!c.size(i++, x, "size", nullptr, d)) return false;
  }
  if (k && !c.size(i++, x, "K")) return false;
  for (int v = 0; v < views; v++) {
    if (!c.size(i++, x, "offset", arrays[v].name)) return false;
    for (int d = 0; d < nd; d++) {
      if (!c.stride(i++, x, arrays[v].name, d)) return false;
    }
  }
  return true;
}

// Reads a walk [nd, shape[nd], (offset, strides[nd]) for each view] from params[at] over the
// `Views` arrays it walks (out first), and checks it: every value an integer in range, every
// view inside its array, out written once (`threaded`: by one thread each). `empty` says the
// shape has no elements; the kernel must then not run (its walk divides by the inner size).
//
// One pass with no early exits decides (the common case: ~300 instructions for a 1-d walk of
// three views); only a walk that fails is read again, by the checks that say what is wrong.
template <int Views>
bool read_walk(Call& c, size_t at, const Array* arrays, bool threaded, Walk& w, int64_t* offsets, bool& empty) {
  int64_t nd;
  if (!c.need(at + 1) || !c.integer(at, 0, kMaxDims, nd, "nd")) return false;
  const int n = w.nd = static_cast<int>(nd);
  const size_t count = n + Views * (1 + n);
  if (!c.need(at + 1 + count)) return false;
  double values[kMaxDims + 3 * (1 + kMaxDims)];
  bool ok = c.safe_integers(at + 1, count, values);
  const bool read = ok;  // w and offsets hold the values (converting them is defined only now)
  if (ok) {
    // The element count, for out: its overflow matters only where no size is 0.
    int64_t numel = 1;
    bool big = false;
    empty = false;
    for (int d = 0; d < n; d++) {
      const int64_t size = w.shape[d] = static_cast<int64_t>(values[d]);
      ok &= size >= 0;
      empty |= size == 0;
      big |= !checked::mul(numel, size, &numel);
    }
    const double* q = values + n;
    for (int k = 0; k < Views; k++, q += 1 + n) {
      const int64_t offset = offsets[k] = static_cast<int64_t>(q[0]);
      int64_t lo = offset, hi = offset;
      bool inside = offset >= 0;
      for (int d = 0; d < n; d++) {
        const int64_t stride = w.strides[k][d] = static_cast<int64_t>(q[1 + d]);
        int64_t step = 0;
        inside &= checked::mul(w.shape[d] - 1, stride, &step);
        int64_t& end = step < 0 ? lo : hi;
        inside &= checked::add(end, step, &end);
      }
      ok &= (empty && offset >= 0) || (inside && lo >= 0 && hi < static_cast<int64_t>(arrays[k].length));
    }
    bool once = !big && numel <= static_cast<int64_t>(arrays[0].length);
    for (int d = 0; d < n && threaded; d++) once &= w.strides[0][d] != 0 || w.shape[d] <= 1;
    ok &= empty || once;
  }
  if (!ok) {
    if (!layout_error(c, at + 1, n, false, Views, arrays)) return false;
    if (read) {
      for (int k = 0; k < Views; k++) {
        if (!c.fits(arrays[k], offsets[k], n, w.shape, w.strides[k])) return false;
      }
      if (!c.writes_once(arrays[0], n, w.shape, w.strides[0], threaded)) return false;
    }
    return c.range_error("params changed while the call read them (another thread wrote them)");
  }
  // The walkers step every view's position, used or not.
  for (int k = Views; k < 3; k++) {
    for (int d = 0; d < n; d++) w.strides[k][d] = 0;
  }
  return true;
}

// Where a whole packed B of `floats` floats starts in `p`: its first 32-byte boundary (a
// Float32Array's data is 4-byte aligned, so this skips at most 7 floats), or null when what is
// left from there is too short.
float* packed_start(const Array& p, int64_t floats) {
  const uintptr_t at = reinterpret_cast<uintptr_t>(p.data);
  const uintptr_t aligned = (at + 31) & ~uintptr_t{31};
  const size_t skip = (aligned - at) / sizeof(float);
  if (p.length < skip || static_cast<uint64_t>(p.length - skip) < static_cast<uint64_t>(floats)) return nullptr;
  return reinterpret_cast<float*>(aligned);
}

// The floats a whole packed B of K x N needs with the slack for aligning it, or -1 past int64.
int64_t packed_floats_with_slack(int64_t K, int64_t N) {
  int64_t npad, floats;
  if (!checked::add(N, NR - 1, &npad)) return -1;
  npad = npad / NR * NR;
  if (!checked::mul(npad, K, &floats) || !checked::add(floats, 7, &floats)) return -1;
  return floats;
}

}  // namespace

// packB(dst, b); params: [K, N, offB, bRow, bCol]: B (K x N) packed whole into dst for products
// that reuse it (matmul's fourth argument). dst needs ceil(N / 16) · 16 · K + 7 floats; returns
// how many of them it skipped to reach a 32-byte boundary.
napi_value PackB(napi_env env, napi_callback_info info) {
  Call c(env, "packB");
  Instance* inst = instance(env);
  napi_value argv[2];
  Array dst, b;
  if (!c.args(info, 2, argv, "dst, b") || !c.floats(argv[0], "dst", dst) || !c.floats(argv[1], "b", b) ||
      !c.params(inst->params, inst->paramsLength) || !c.need(5)) {
    return nullptr;
  }
  int64_t K, N, off, bRow, bCol;
  if (!c.size(0, K, "K") || !c.size(1, N, "N") || !c.size(2, off, "offset", "b") || !c.stride(3, bRow, "b", 0) ||
      !c.stride(4, bCol, "b", 1)) {
    return nullptr;
  }
  const int64_t shape[2] = {K, N}, strides[2] = {bRow, bCol};
  if (!c.fits(b, off, 2, shape, strides)) return nullptr;
  napi_value skipped;
  if (K == 0 || N == 0) {  // nothing to pack (and an empty b's offset need not be inside it)
    napi_create_int32(env, 0, &skipped);
    return skipped;
  }
  const int64_t floats = packed_floats_with_slack(K, N);
  float* start = floats < 0 ? nullptr : packed_start(dst, floats - 7);
  if (start == nullptr) {
    c.range_error("dst has %zu elements; a packed %lld x %lld B needs %lld", dst.length, static_cast<long long>(K),
                  static_cast<long long>(N), static_cast<long long>(floats));
    return nullptr;
  }
  pack_b_whole(inst->avx2, K, N, at<const float>(b, off), bRow, bCol, start);
  // The floats skipped to align it (0-7): only here can the caller learn where it starts.
  napi_create_int32(env, static_cast<int32_t>(start - static_cast<float*>(dst.data)), &skipped);
  return skipped;
}

// matmul(out, a, b[, packed]); params: [nd, outShape[nd], K, offA, stridesA[nd], offB, stridesB[nd], offOut, stridesOut[nd]]
// with nd ≥ 2: out (..., M, N) = a (..., M, K) · b (..., K, N). `packed`, when given, is b
// packed by packB (one matrix: b's batch strides 0), read instead of packing b as the product
// runs; that it holds b's values is the caller's to ensure.
napi_value Matmul(napi_env env, napi_callback_info info) {
  Call c(env, "matmul");
  Instance* inst = instance(env);
  napi_value argv[4];
  Array arrays[3];  // a, b, out: the order of their layouts in params
  Array &a = arrays[0], &b = arrays[1], &out = arrays[2];
  Array packed;
  if (!c.args(info, 3, argv, "out, a, b", 1) || !c.floats(argv[0], "out", out) || !c.floats(argv[1], "a", a) ||
      !c.floats(argv[2], "b", b) || (!c.absent(argv[3]) && !c.floats(argv[3], "packed", packed)) ||
      !c.params(inst->params, inst->paramsLength)) {
    return nullptr;
  }
  const bool hasPacked = !c.absent(argv[3]);
  int64_t nd, K;
  if (!c.need(1) || !c.integer(0, 2, kMaxDims, nd, "nd") || !c.need(5 + 4 * nd)) return nullptr;
  const int n = static_cast<int>(nd), nb = n - 2;
  int64_t shape[3][kMaxDims], strides[3][kMaxDims], off[3];
  // [nd, outShape[nd], K, (offset, strides[nd]) for a, b, out]
  double values[kMaxDims + 1 + 3 * (1 + kMaxDims)];
  bool ok = c.safe_integers(1, 4 + 4 * n, values);
  if (ok) {  // converting is defined only now
    for (int d = 0; d < n; d++) ok &= (shape[2][d] = static_cast<int64_t>(values[d])) >= 0;
    ok &= (K = static_cast<int64_t>(values[n])) >= 0;
    const double* q = values + n + 1;
    for (int k = 0; k < 3; k++, q += 1 + n) {
      ok &= (off[k] = static_cast<int64_t>(q[0])) >= 0;
      for (int d = 0; d < n; d++) strides[k][d] = static_cast<int64_t>(q[1 + d]);
    }
  }
  if (!ok) {
    if (layout_error(c, 1, n, true, 3, arrays)) c.range_error("params changed while the call read them (another thread wrote them)");
    return nullptr;
  }
  bool empty = false;
  for (int d = 0; d < n; d++) empty |= shape[2][d] == 0;
  if (empty) return undefined(env);
  const int64_t M = shape[2][nb], N = shape[2][nb + 1];
  for (int d = 0; d < nb; d++) shape[0][d] = shape[1][d] = shape[2][d];
  shape[0][nb] = M, shape[0][nb + 1] = K;
  shape[1][nb] = K, shape[1][nb + 1] = N;
  for (int v = 0; v < 3; v++) {
    if (!c.fits(arrays[v], off[v], n, shape[v], strides[v])) return nullptr;
  }
  if (!c.writes_once(out, n, shape[2], strides[2], true)) return nullptr;
  // Both operands broadcast along K (stride 0) is the one way K escapes their arrays' bounds;
  // past them the work would no longer be bounded by the memory the call was given.
  if (K > static_cast<int64_t>(a.length) && K > static_cast<int64_t>(b.length)) {
    c.range_error("K = %lld exceeds both a's %zu and b's %zu elements (both broadcast along K)", static_cast<long long>(K), a.length,
                  b.length);
    return nullptr;
  }
  MatmulArgs m;
  m.avx2 = inst->avx2;
  m.batchDims = nb;
  m.batches = 1;
  for (int d = 0; d < nb; d++) {
    m.batches *= (m.batchShape[d] = shape[2][d]);  // ≤ out's length: writes_once
    m.aBatch[d] = strides[0][d];
    m.bBatch[d] = strides[1][d];
    m.cBatch[d] = strides[2][d];
  }
  // The pool numbers parts with an int.
  if (m.batches > INT32_MAX) {
    c.range_error("%lld batches is more than 2^31 - 1", static_cast<long long>(m.batches));
    return nullptr;
  }
  m.g.M = M;
  m.g.N = N;
  m.g.K = K;
  // With K = 0, a and b are empty (out is zero-filled) and their offsets need not be inside.
  m.g.a = at<const float>(a, K > 0 ? off[0] : 0);
  m.g.b = at<const float>(b, K > 0 ? off[1] : 0);
  m.g.c = at(out, off[2]);
  m.g.aRow = strides[0][nb];
  m.g.aCol = strides[0][nb + 1];
  m.g.bRow = strides[1][nb];
  m.g.bCol = strides[1][nb + 1];
  m.g.cRow = strides[2][nb];
  m.g.cCol = strides[2][nb + 1];
  if (hasPacked && K > 0) {
    for (int d = 0; d < nb; d++) {
      if (strides[1][d] != 0 && shape[2][d] != 1) {
        c.range_error("packed: b must be one matrix for every batch (its batch stride %d is %lld)", d,
                      static_cast<long long>(strides[1][d]));
        return nullptr;
      }
    }
    const int64_t floats = packed_floats_with_slack(K, N);
    m.g.packedB = floats < 0 ? nullptr : packed_start(packed, floats - 7);
    if (m.g.packedB == nullptr) {
      c.range_error("packed has %zu elements; a packed %lld x %lld b needs %lld", packed.length, static_cast<long long>(K),
                    static_cast<long long>(N), static_cast<long long>(floats));
      return nullptr;
    }
  }
  if (!matmul(inst->pool, m)) {
    // Out of memory, as V8 reports a failed ArrayBuffer allocation: a RangeError.
    c.range_error("could not allocate the %zu bytes of packing buffers that a product needs on this thread (out of memory)",
                  pack_buffer_bytes());
    return nullptr;
  }
  return undefined(env);
}

namespace {

// The elementwise calls: params [op or value, walk of `views` arrays (out first)].
struct Elementwise {
  Instance* inst;
  Array arrays[3];
  Walk w;
  int64_t off[3];
  bool empty;
};

template <int Views>
bool read_elementwise(Call& c, napi_env env, napi_callback_info info, const char* names, bool threaded, Elementwise& e) {
  static const char* const kNames[3] = {"out", "a", "b"};
  napi_value argv[3];
  Instance* inst = e.inst = instance(env);
  if (!c.args(info, Views, argv, names)) return false;
  for (int v = 0; v < Views; v++) {
    if (!c.floats(argv[v], kNames[v], e.arrays[v])) return false;
  }
  return c.params(inst->params, inst->paramsLength) && c.need(1) && read_walk<Views>(c, 1, e.arrays, threaded, e.w, e.off, e.empty);
}

}  // namespace

// binary(out, a, b); params: [op, walk of out, a, b]
napi_value Binary(napi_env env, napi_callback_info info) {
  Call c(env, "binary");
  Elementwise e;
  int64_t op;
  if (!read_elementwise<3>(c, env, info, "out, a, b", true, e) || !c.integer(0, kAdd, kReluBackward, op, "op")) return nullptr;
  if (e.empty) return undefined(env);
  binary(e.inst->pool, static_cast<int>(op), e.w, at(e.arrays[0], e.off[0]), at<const float>(e.arrays[1], e.off[1]),
         at<const float>(e.arrays[2], e.off[2]));
  return undefined(env);
}

// unary(out, a); params: [op, walk of out, a]
napi_value Unary(napi_env env, napi_callback_info info) {
  Call c(env, "unary");
  Elementwise e;
  int64_t op;
  if (!read_elementwise<2>(c, env, info, "out, a", true, e) || !c.integer(0, kNeg, kReciprocal, op, "op")) return nullptr;
  if (e.empty) return undefined(env);
  unary(e.inst->pool, static_cast<int>(op), e.w, at(e.arrays[0], e.off[0]), at<const float>(e.arrays[1], e.off[1]));
  return undefined(env);
}

// copy(out, a); params: [unused, walk of out, a]
napi_value Copy(napi_env env, napi_callback_info info) {
  Call c(env, "copy");
  Elementwise e;
  if (!read_elementwise<2>(c, env, info, "out, a", true, e)) return nullptr;
  if (e.empty) return undefined(env);
  copy(e.inst->pool, e.w, at(e.arrays[0], e.off[0]), at<const float>(e.arrays[1], e.off[1]));
  return undefined(env);
}

// fill(out); params: [value, walk of out]. One thread walks it, so a zero stride is no race.
napi_value Fill(napi_env env, napi_callback_info info) {
  Call c(env, "fill");
  Elementwise e;
  if (!read_elementwise<1>(c, env, info, "out", false, e)) return nullptr;
  if (e.empty) return undefined(env);
  fill(e.w, at(e.arrays[0], e.off[0]), static_cast<float>(c.param(0)));
  return undefined(env);
}

// sum(out, a); params: [offOut, offA, outer, reduced, inner]: out[o·inner + i] = Σ_r a[(o·reduced + r)·inner + i].
napi_value Sum(napi_env env, napi_callback_info info) {
  Call c(env, "sum");
  Instance* inst = instance(env);
  napi_value argv[2];
  Array out, a;
  int64_t offOut, offA, outer, reduced, inner, written, read;
  if (!c.args(info, 2, argv, "out, a") || !c.floats(argv[0], "out", out) || !c.floats(argv[1], "a", a) ||
      !c.params(inst->params, inst->paramsLength) || !c.need(5) || !c.size(0, offOut, "offset", "out") || !c.size(1, offA, "offset", "a") ||
      !c.size(2, outer, "outer") || !c.size(3, reduced, "reduced") || !c.size(4, inner, "inner")) {
    return nullptr;
  }
  if (!checked::mul(outer, inner, &written) || !checked::mul(written, reduced, &read)) {
    c.range_error("outer %lld · reduced %lld · inner %lld overflows int64", static_cast<long long>(outer),
                  static_cast<long long>(reduced), static_cast<long long>(inner));
    return nullptr;
  }
  if (written == 0) return undefined(env);
  if (!c.fits_range(out, offOut, written) || !c.fits_range(a, offA, read)) return nullptr;
  if (!sum_dense(at(out, offOut), at<const float>(a, read > 0 ? offA : 0), outer, reduced, inner)) {
    c.range_error("could not allocate %lld accumulators (%lld bytes; out of memory)", static_cast<long long>(inner),
                  static_cast<long long>(inner) * 8);
    return nullptr;
  }
  return undefined(env);
}

namespace {

// mtFill(state, out: Uint32Array): the next out.length draws of PyTorch's MT19937 (the same as
// that many Generator.nextUint32 calls). mtBernoulli(state, out: Float32Array): out[i] = 1 if
// the next 53-bit uniform < params[2] else 0. Both: the generator's 624 state words are updated
// in place and its position params [left, next] advanced.
napi_value MtDraws(napi_env env, napi_callback_info info, bool bernoulli) {
  Call c(env, bernoulli ? "mtBernoulli" : "mtFill");
  Instance* inst = instance(env);
  napi_value argv[2];
  Array state, out;
  int64_t left, next;
  if (!c.args(info, 2, argv, "state, out") || !c.array(argv[0], napi_uint32_array, "state", state) ||
      !c.array(argv[1], bernoulli ? napi_float32_array : napi_uint32_array, "out", out) || !c.params(inst->params, inst->paramsLength) ||
      !c.need(bernoulli ? 3 : 2) || !c.integer(0, 1, 624, left, "left") || !c.integer(1, 0, 624, next, "next")) {
    return nullptr;
  }
  if (state.length != 624) {
    c.range_error("state must hold 624 words, got %zu", state.length);
    return nullptr;
  }
  // random.cc reads words [next, next + left − 1) before it twists (left counts the current one).
  if (left + next > 625) {
    c.range_error("no generator is at position left %lld, next %lld (left + next is at most 625)", static_cast<long long>(left),
                  static_cast<long long>(next));
    return nullptr;
  }
  double* p = c.p();
  const double prob = bernoulli ? c.param(2) : 0.0;
  uint32_t* mt = static_cast<uint32_t*>(state.data);
  const int64_t n = static_cast<int64_t>(out.length);
  if (bernoulli) mt_bernoulli53(mt, left, next, static_cast<float*>(out.data), n, prob);
  else mt_fill(mt, left, next, static_cast<uint32_t*>(out.data), n);
  p[0] = static_cast<double>(left);
  p[1] = static_cast<double>(next);
  return undefined(env);
}

}  // namespace

napi_value MtFill(napi_env env, napi_callback_info info) { return MtDraws(env, info, false); }
napi_value MtBernoulli(napi_env env, napi_callback_info info) { return MtDraws(env, info, true); }

namespace {

// Whether the n-element ranges of two arrays share memory: the fused steps' loops promise the
// compiler they do not (__restrict). Arrays may be views of one buffer, so addresses decide.
bool disjoint(Call& c, const Array& x, int64_t offX, const Array& y, int64_t offY, int64_t n) {
  const uintptr_t u = reinterpret_cast<uintptr_t>(at<const float>(x, offX));
  const uintptr_t v = reinterpret_cast<uintptr_t>(at<const float>(y, offY));
  const uintptr_t bytes = static_cast<uintptr_t>(n) * sizeof(float);
  if (u + bytes <= v || v + bytes <= u) return true;
  return c.range_error("%s and %s overlap (the step reads and writes each as its own memory)", x.name, y.name);
}

// The fused steps' ranges: n elements from each offset, inside each array and apart.
bool ranges(Call& c, const Array* arrays, const int64_t* offsets, int count, int64_t n) {
  for (int v = 0; v < count; v++) {
    if (!c.fits_range(arrays[v], offsets[v], n)) return false;
  }
  if (n == 0) return true;
  for (int v = 0; v < count; v++) {
    for (int u = 0; u < v; u++) {
      if (!disjoint(c, arrays[u], offsets[u], arrays[v], offsets[v], n)) return false;
    }
  }
  return true;
}

}  // namespace

// sgd(param, grad, buf); params: [n, offP, offG, offBuf, wd, momentum, oneMinusDamp, negLr, flags]
// (buf is read only with momentum, flag 2).
napi_value Sgd(napi_env env, napi_callback_info info) {
  Call c(env, "sgd");
  Instance* inst = instance(env);
  napi_value argv[3];
  Array arrays[3];
  int64_t n, off[3], flags;
  if (!c.args(info, 3, argv, "param, grad, buf") || !c.floats(argv[0], "param", arrays[0]) || !c.floats(argv[1], "grad", arrays[1]) ||
      !c.floats(argv[2], "buf", arrays[2]) || !c.params(inst->params, inst->paramsLength) || !c.need(9) || !c.size(0, n, "n") ||
      !c.size(1, off[0], "offset", "param") || !c.size(2, off[1], "offset", "grad") || !c.size(3, off[2], "offset", "buf") ||
      !c.integer(8, 0, 63, flags, "flags")) {
    return nullptr;
  }
  SgdArgs h;
  h.n = n;
  h.wd = static_cast<float>(c.param(4));
  h.momentum = static_cast<float>(c.param(5));
  h.oneMinusDamp = static_cast<float>(c.param(6));
  h.negLr = static_cast<float>(c.param(7));
  h.decay = flags & 1;
  h.useMomentum = flags & 2;
  h.damped = flags & 4;
  h.nesterov = flags & 8;
  h.maximize = flags & 16;
  h.first = flags & 32;
  if (!ranges(c, arrays, off, h.useMomentum ? 3 : 2, n)) return nullptr;
  if (n == 0) return undefined(env);
  sgd_step(inst->pool, h, at(arrays[0], off[0]), at<const float>(arrays[1], off[1]), h.useMomentum ? at(arrays[2], off[2]) : nullptr);
  return undefined(env);
}

// adam(param, grad, expAvg, expAvgSq, maxExpAvgSq); params: [n, offP, offG, offM, offV, offVmax,
// shrink, wd, w, oneMinusW, beta2, value, bc2, eps, negStep, flags] (maxExpAvgSq is read only
// with amsgrad, flag 16).
napi_value Adam(napi_env env, napi_callback_info info) {
  static const char* const kNames[5] = {"param", "grad", "expAvg", "expAvgSq", "maxExpAvgSq"};
  Call c(env, "adam");
  Instance* inst = instance(env);
  napi_value argv[5];
  Array arrays[5];
  int64_t n, off[5], flags;
  if (!c.args(info, 5, argv, "param, grad, expAvg, expAvgSq, maxExpAvgSq")) return nullptr;
  for (int v = 0; v < 5; v++) {
    if (!c.floats(argv[v], kNames[v], arrays[v])) return nullptr;
  }
  if (!c.params(inst->params, inst->paramsLength) || !c.need(16) || !c.size(0, n, "n") || !c.integer(15, 0, 31, flags, "flags")) return nullptr;
  for (int v = 0; v < 5; v++) {
    if (!c.size(1 + v, off[v], "offset", kNames[v])) return nullptr;
  }
  AdamArgs h;
  h.n = n;
  h.shrink = static_cast<float>(c.param(6));
  h.wd = static_cast<float>(c.param(7));
  h.w = static_cast<float>(c.param(8));
  h.oneMinusW = static_cast<float>(c.param(9));
  h.beta2 = static_cast<float>(c.param(10));
  h.value = static_cast<float>(c.param(11));
  h.bc2 = static_cast<float>(c.param(12));
  h.eps = static_cast<float>(c.param(13));
  h.negStep = static_cast<float>(c.param(14));
  h.decay = flags & 1;
  h.decoupled = flags & 2;
  h.small = flags & 4;
  h.maximize = flags & 8;
  const bool amsgrad = flags & 16;
  if (!ranges(c, arrays, off, amsgrad ? 5 : 4, n)) return nullptr;
  if (n == 0) return undefined(env);
  adam_step(inst->pool, h, at(arrays[0], off[0]), at<const float>(arrays[1], off[1]), at(arrays[2], off[2]), at(arrays[3], off[3]),
            amsgrad ? at(arrays[4], off[4]) : nullptr);
  return undefined(env);
}

}  // namespace tsn
