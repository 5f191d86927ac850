// The messages of the argument checks (checks.h): only a call that fails gets here.

#include "checks.h"

#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace tsn {

namespace {

const char* typed_array_name(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "typed array";
  }
}

// What a non-matching argument is, as a JS programmer would call it.
const char* describe(napi_env env, napi_value value) {
  napi_typedarray_type type;
  size_t length;
  if (napi_get_typedarray_info(env, value, &type, &length, nullptr, nullptr, nullptr) == napi_ok) return typed_array_name(type);
  bool is = false;
  if (napi_is_arraybuffer(env, value, &is) == napi_ok && is) return "an ArrayBuffer";
  if (napi_is_dataview(env, value, &is) == napi_ok && is) return "a DataView";
  if (napi_is_array(env, value, &is) == napi_ok && is) return "an Array";
  napi_valuetype t;
  if (napi_typeof(env, value, &t) != napi_ok) return "something else";
  switch (t) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "a boolean";
    case napi_number: return "a number";
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_function: return "a function";
    case napi_bigint: return "a bigint";
    default: return "an object";
  }
}

// A double as JS prints it where it matters here (NaN, Infinity, integers without ".0").
void number(char* buf, size_t size, double x) {
  if (std::isnan(x)) std::snprintf(buf, size, "NaN");
  else if (std::isinf(x)) std::snprintf(buf, size, x > 0 ? "Infinity" : "-Infinity");
  else std::snprintf(buf, size, "%.17g", x);
}

void bound(char* buf, size_t size, double x) {
  if (x == kMaxSafe) std::snprintf(buf, size, "2^53 - 1");
  else if (x == -kMaxSafe) std::snprintf(buf, size, "-(2^53 - 1)");
  else number(buf, size, x);
}

}  // namespace

// Throws "torch-ts-native <fn>: <message>" as the error `thrower` makes; returns false.
bool Call::fail(napi_status (*thrower)(napi_env, const char*, const char*), const char* format, va_list list) {
  char message[400], full[512];
  std::vsnprintf(message, sizeof message, format, list);
  std::snprintf(full, sizeof full, "torch-ts-native %s: %s", fn_, message);
  thrower(env_, nullptr, full);
  return false;
}

bool Call::type_error(const char* format, ...) {
  va_list list;
  va_start(list, format);
  fail(napi_throw_type_error, format, list);
  va_end(list);
  return false;
}

bool Call::range_error(const char* format, ...) {
  va_list list;
  va_start(list, format);
  fail(napi_throw_range_error, format, list);
  va_end(list);
  return false;
}

bool Call::threads(napi_value value, int& out) {
  double x;
  if (napi_get_value_double(env_, value, &x) != napi_ok) return type_error("threads must be a number, got %s", describe(env_, value));
  if (!(x >= 1 && x <= kMaxThreads && x == std::floor(x))) {
    char got[40];
    number(got, sizeof got, x);
    return range_error("threads must be an integer in [1, %d], got %s", kMaxThreads, got);
  }
  out = static_cast<int>(x);
  return true;
}

bool Call::boolean(napi_value value, const char* name, bool& out) {
  napi_valuetype t;
  if (napi_typeof(env_, value, &t) == napi_ok && t == napi_undefined) return true;
  if (napi_get_value_bool(env_, value, &out) != napi_ok) return type_error("%s must be a boolean, got %s", name, describe(env_, value));
  return true;
}

bool Call::too_few(size_t count, size_t argc, const char* names) {
  return type_error("expected %zu argument%s (%s), got %zu", count, count == 1 ? "" : "s", names, argc);
}

bool Call::wrong_type(napi_value value, napi_typedarray_type type, const char* name) {
  return type_error("%s must be a %s, got %s", name, typed_array_name(type), describe(env_, value));
}

bool Call::too_short(size_t n) {
  return range_error("params (the Float64Array registered by init) has %zu elements, the call reads %zu", pLength_, n);
}

bool Call::not_integer(size_t i, double lo, double hi, const char* what, const char* view, int dim) {
  char label[96], got[40], low[40], high[40];
  if (view != nullptr && dim >= 0) std::snprintf(label, sizeof label, "%s's %s along dim %d", view, what, dim);
  else if (view != nullptr) std::snprintf(label, sizeof label, "%s's %s", view, what);
  else if (dim >= 0) std::snprintf(label, sizeof label, "the %s of dim %d", what, dim);
  else std::snprintf(label, sizeof label, "%s", what);
  number(got, sizeof got, p_[i]);
  bound(low, sizeof low, lo);
  bound(high, sizeof high, hi);
  return range_error("params[%zu] (%s) must be an integer in [%s, %s], got %s", i, label, low, high, got);
}

bool Call::outside(const Array& a, int64_t offset, int64_t lo, int64_t hi, bool ok) {
  if (!ok) {
    return range_error("%s (Float32Array of %zu elements): the view it was given reaches past element 2^63 (offset %lld)", a.name,
                       a.length, static_cast<long long>(offset));
  }
  if (lo < 0) {
    return range_error("%s (Float32Array of %zu elements): the view it was given starts before the array (reaches element %lld)", a.name, a.length,
                       static_cast<long long>(lo));
  }
  return range_error("%s (Float32Array of %zu elements) is too short for the view it was given (needs %lld)", a.name, a.length,
                     static_cast<long long>(hi) + 1);
}

bool Call::written_twice(const Array& a, int dim, int64_t size) {
  return range_error("%s's view writes elements more than once (stride 0 along dim %d of size %lld)", a.name, dim,
                     static_cast<long long>(size));
}

bool Call::too_many(const Array& a, int nd, const int64_t* shape) {
  double n = 1;
  for (int d = 0; d < nd; d++) n *= static_cast<double>(shape[d]);
  return range_error("%s's view has %.17g elements, more than its %zu: it would write some more than once", a.name, n, a.length);
}

}  // namespace tsn
