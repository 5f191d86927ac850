// The argument checks of the exported functions (exports.cc, addon.cc). torch-ts-native is a package of its
// own, so its functions get whatever a user passes them: each export reads its arguments
// through a Call, which checks every typed array's type, every size, stride and offset it reads
// from the parameter array, and that every element each view reaches lies inside its array,
// before any kernel runs. A failed check throws a JS TypeError (wrong kind of argument) or
// RangeError (a value out of range), "torch-ts-native <function>: <what is wrong>", and
// returns false; the export then returns at once and nothing is touched.
//
// The hot checks are inline (a few comparisons per dim and view: the TS backend calls these
// on every large op); only the messages are built out of line, in checks.cc.

#pragma once

#define NAPI_VERSION 8
#include <node_api.h>

#include <cmath>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tsn {

// 2^53 − 1: sizes, strides and offsets arrive as doubles, which hold integers exactly up to here.
constexpr double kMaxSafe = 9007199254740991.0;

// What the addon's pool may be resized to (the TS side clamps torch.set_num_threads to this too).
constexpr int kMaxThreads = 64;

// A typed-array argument: its name in messages, its data and its length in elements.
struct Array {
  const char* name = "";
  void* data = nullptr;
  size_t length = 0;
};

namespace checked {
// r = a·b and r = a + b, false where int64 overflows.
inline bool mul(int64_t a, int64_t b, int64_t* r) {
#if defined(__GNUC__) || defined(__clang__)
  return !__builtin_mul_overflow(a, b, r);
#else
  // No operand here is INT64_MIN, so the magnitudes are defined.
  const int64_t ua = a < 0 ? -a : a, ub = b < 0 ? -b : b;
  if (ua != 0 && ub > INT64_MAX / ua) return false;
  *r = a * b;
  return true;
#endif
}
inline bool add(int64_t a, int64_t b, int64_t* r) {
#if defined(__GNUC__) || defined(__clang__)
  return !__builtin_add_overflow(a, b, r);
#else
  if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b)) return false;
  *r = a + b;
  return true;
#endif
}
}  // namespace checked

class Call {
 public:
  Call(napi_env env, const char* fn) : env_(env), fn_(fn) {}

  // Reads `count` arguments into argv (`names` lists them for the message: "out, a, b"); fewer
  // is a TypeError.
  // With `optional` > 0, argv has room for that many more, which read as undefined when absent.
  bool args(napi_callback_info info, size_t count, napi_value* argv, const char* names, size_t optional = 0) {
    size_t argc = count + optional;
    if (napi_get_cb_info(env_, info, &argc, argv, nullptr, nullptr) != napi_ok) return type_error("could not read its arguments");
    return argc >= count || too_few(count, argc, names);
  }
  // Whether `value` is undefined (an optional argument left out).
  bool absent(napi_value value) const {
    napi_valuetype t;
    return napi_typeof(env_, value, &t) == napi_ok && t == napi_undefined;
  }

  // `value` as a typed array of `type`, named `name` in messages.
  bool array(napi_value value, napi_typedarray_type type, const char* name, Array& out) {
    napi_typedarray_type actual;
    out.name = name;
    if (napi_get_typedarray_info(env_, value, &actual, &out.length, &out.data, nullptr, nullptr) != napi_ok || actual != type) {
      return wrong_type(value, type, name);
    }
    return true;
  }
  bool floats(napi_value value, const char* name, Array& out) { return array(value, napi_float32_array, name, out); }

  // The parameter array that init registered (its memory stays put: see Init in addon.cc).
  bool params(double* p, size_t length) {
    if (p == nullptr) return type_error("init(params, threads) has not been called in this thread");
    p_ = p;
    pLength_ = length;
    return true;
  }
  double* p() const { return p_; }
  // params[i], loaded once: the array is shared memory that another thread may write while a
  // call reads it, so a value is checked and used from one load.
  double param(size_t i) const { return load(i); }

  // Whether the parameter array holds the first n values this call reads.
  bool need(size_t n) { return n <= pLength_ || too_short(n); }

  // params[i] as an integer in [lo, hi] (a finite double with no fraction). `what` names it:
  // "the size of dim 2" is (what "size", dim 2), "a's offset" (view "a", what "offset"),
  // "a's stride along dim 1" (view "a", what "stride", dim 1).
  bool integer(size_t i, double lo, double hi, int64_t& out, const char* what, const char* view = nullptr, int dim = -1) {
    const double x = param(i);
    // NaN fails the range test; inside it the cast is defined, and exact iff x has no fraction.
    if (x >= lo && x <= hi) {
      out = static_cast<int64_t>(x);
      if (static_cast<double>(out) == x) return true;
    }
    return not_integer(i, lo, hi, what, view, dim);
  }
  // Copies params[i, i + n) to v (one read of memory that another thread may be writing: what
  // is checked is what is used) and says whether each is an integer of magnitude at most
  // 2^53 − 1, without a branch or a conversion: in round-to-nearest, |x| + 2^52 − 2^52 is |x|
  // rounded to an integer, so it equals |x| only when |x| is one, and every double from 2^52 on
  // is one; NaN and ±Infinity fail the magnitude test. No message: on false the caller finds
  // the value with `integer`, which throws.
  bool safe_integers(size_t i, size_t n, double* v) const {
    std::memcpy(v, p_ + i, n * sizeof(double));
    bool ok = true;
    for (size_t k = 0; k < n; k++) {
      const double a = std::fabs(v[k]);
      ok &= (a <= kMaxSafe) & ((a >= 0x1p52) | ((a + 0x1p52) - 0x1p52 == a));
    }
    return ok;
  }
  bool size(size_t i, int64_t& out, const char* what, const char* view = nullptr, int dim = -1) {
    return integer(i, 0, kMaxSafe, out, what, view, dim);
  }
  bool stride(size_t i, int64_t& out, const char* view, int dim) { return integer(i, -kMaxSafe, kMaxSafe, out, "stride", view, dim); }

  // Whether every element of the view (offset, shape and strides over nd dims) lies inside `a`:
  // its lowest index offset + Σ (size − 1)·stride over negative strides is ≥ 0 and its highest,
  // over positive strides, below a's length. An empty view (some size 0) reaches nothing.
  // Sizes and offset must be ≥ 0 (checked as they were read).
  bool fits(const Array& a, int64_t offset, int nd, const int64_t* shape, const int64_t* strides) {
    int64_t lo = offset, hi = offset;
    bool empty = false, ok = true;
    for (int d = 0; d < nd; d++) {
      empty |= shape[d] == 0;
      int64_t step = 0;
      ok &= checked::mul(shape[d] - 1, strides[d], &step);
      int64_t& end = step < 0 ? lo : hi;
      ok &= checked::add(end, step, &end);
    }
    if (empty) return true;
    return (ok && lo >= 0 && hi < static_cast<int64_t>(a.length)) || outside(a, offset, lo, hi, ok);
  }
  // `fits` for n elements from `offset`, one apart.
  bool fits_range(const Array& a, int64_t offset, int64_t n) {
    const int64_t one = 1;
    return fits(a, offset, 1, &n, &one);
  }

  // For a view that a kernel writes: whether it has no more elements than its array (a view
  // with more writes some element twice, and the work would not be bounded by the memory the
  // call was given) and, where the walk may be split over threads (`threaded`), no stride 0 on
  // a dim of size > 1 (two threads would write one element). Run after `fits`.
  bool writes_once(const Array& a, int nd, const int64_t* shape, const int64_t* strides, bool threaded) {
    int64_t n = 1;
    bool ok = true;
    for (int d = 0; d < nd; d++) {
      ok &= checked::mul(n, shape[d], &n);
      if (threaded && strides[d] == 0 && shape[d] > 1) return written_twice(a, d, shape[d]);
    }
    return (ok && n <= static_cast<int64_t>(a.length)) || too_many(a, nd, shape);
  }

  // A thread count argument: an integer in [1, kMaxThreads].
  bool threads(napi_value value, int& out);
  // An optional boolean argument (undefined leaves `out` as it is).
  bool boolean(napi_value value, const char* name, bool& out);

  // Throw "torch-ts-native <fn>: <message>" (printf format) and return false.
  bool type_error(const char* format, ...);
  bool range_error(const char* format, ...);

 private:
  bool fail(napi_status (*thrower)(napi_env, const char*, const char*), const char* format, va_list list);
  // A volatile load: exactly one read, which the compiler may not repeat.
  double load(size_t i) const { return static_cast<volatile const double*>(p_)[i]; }
  bool too_few(size_t count, size_t argc, const char* names);
  bool wrong_type(napi_value value, napi_typedarray_type type, const char* name);
  bool too_short(size_t n);
  bool not_integer(size_t i, double lo, double hi, const char* what, const char* view, int dim);
  bool outside(const Array& a, int64_t offset, int64_t lo, int64_t hi, bool ok);
  bool written_twice(const Array& a, int dim, int64_t size);
  bool too_many(const Array& a, int nd, const int64_t* shape);

  napi_env env_;
  const char* fn_;
  double* p_ = nullptr;
  size_t pLength_ = 0;
};

}  // namespace tsn
