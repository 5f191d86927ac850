// What the exports share (addon.cc, exports.cc): the per-environment instance and the
// kernel exports' N-API callbacks.

#pragma once

#include <cstddef>
#include <cstdint>

#include "checks.h"  // node_api.h, at NAPI_VERSION 8
#include "kernels.h"
#include "pool.h"

namespace tsn {

struct Instance {
  Pool pool;
  bool avx2 = avx2_available();
  // The registered parameter array: a reference keeps it alive, and it lives on a
  // SharedArrayBuffer, which cannot be detached, so its memory stays where it is.
  napi_ref paramsRef = nullptr;
  double* params = nullptr;
  size_t paramsLength = 0;
};

// One instance per JS environment (the main thread and each worker thread that loads us),
// each with its own pool: kernels never share threads across environments.
inline Instance* instance(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  return static_cast<Instance*>(data);
}

inline napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// The element `offset` of a checked array, as the kernels take it.
template <class T = float>
T* at(const Array& a, int64_t offset) {
  return static_cast<T*>(a.data) + offset;
}

// The kernel exports (exports.cc); their layouts in params are described there.
napi_value Matmul(napi_env env, napi_callback_info info);
napi_value PackB(napi_env env, napi_callback_info info);
napi_value Binary(napi_env env, napi_callback_info info);
napi_value Unary(napi_env env, napi_callback_info info);
napi_value Copy(napi_env env, napi_callback_info info);
napi_value Fill(napi_env env, napi_callback_info info);
napi_value Sum(napi_env env, napi_callback_info info);
napi_value Sgd(napi_env env, napi_callback_info info);
napi_value Adam(napi_env env, napi_callback_info info);
napi_value MtFill(napi_env env, napi_callback_info info);
napi_value MtBernoulli(napi_env env, napi_callback_info info);

}  // namespace tsn
