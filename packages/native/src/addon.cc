// The N-API surface of torch-ts-native. Tensors stay in the JS backend's typed arrays: each call
// takes the arrays themselves and reads their data pointers (napi_get_typedarray_info), so
// nothing is copied and the garbage collector keeps owning the memory. Sizes, strides and
// offsets come through one Float64Array that the JS side registers once (`init`) and rewrites
// before each call, so a call converts no JS numbers or arrays (measured: ~0.15 µs per call).
//
// These functions are a public package's API, so nothing a caller passes may crash the process,
// hang it or touch memory outside the arrays it gave: every export checks its arguments (the
// arrays' types, each size, stride and offset, that each view lies inside its array) through
// checks.h before any kernel runs, and throws a TypeError or RangeError otherwise. The TS
// backend (src/backend/native) checks the same things first and keeps such calls on its JS
// kernels; these checks are the last line.
//
// This file holds the module, its per-environment instance and the pool's controls; the kernel
// exports are in exports.cc.

#include "addon.h"

#include <new>

#include "kernels.h"

namespace tsn {
namespace {

// init(params: Float64Array, threads: number). params must live on a SharedArrayBuffer: an
// ArrayBuffer can be detached (transferred), which frees the memory under a kept pointer, and
// looking the array up again on every call would cost as much as a small kernel.
napi_value Init(napi_env env, napi_callback_info info) {
  Call c(env, "init");
  napi_value argv[2], buffer;
  Array params;
  int threads;
  bool detachable = true;
  if (!c.args(info, 2, argv, "params, threads") || !c.array(argv[0], napi_float64_array, "params", params) || !c.threads(argv[1], threads)) {
    return nullptr;
  }
  // A typed array's buffer is an ArrayBuffer or a SharedArrayBuffer, and napi_is_arraybuffer
  // says true only for the first.
  if (napi_get_typedarray_info(env, argv[0], nullptr, nullptr, nullptr, &buffer, nullptr) != napi_ok ||
      napi_is_arraybuffer(env, buffer, &detachable) != napi_ok || detachable) {
    c.type_error("params must be a Float64Array on a SharedArrayBuffer (an ArrayBuffer can be detached under the addon)");
    return nullptr;
  }
  Instance* inst = instance(env);
  napi_ref ref;
  if (napi_create_reference(env, argv[0], 1, &ref) != napi_ok) {
    c.type_error("could not keep a reference to params");
    return nullptr;
  }
  if (inst->paramsRef != nullptr) napi_delete_reference(env, inst->paramsRef);
  inst->paramsRef = ref;
  inst->params = static_cast<double*>(params.data);
  inst->paramsLength = params.length;
  inst->pool.resize(threads);
  return undefined(env);
}

// setThreads(n): the threads the pool now has, which is fewer than n where the OS refused to
// start some workers (pool.h).
napi_value SetThreads(napi_env env, napi_callback_info info) {
  Call c(env, "setThreads");
  napi_value argv[1];
  int threads;
  if (!c.args(info, 1, argv, "threads") || !c.threads(argv[0], threads)) return nullptr;
  Pool& pool = instance(env)->pool;
  pool.resize(threads);
  napi_value result;
  napi_create_int32(env, pool.size(), &result);
  return result;
}

napi_value Threads(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_int32(env, instance(env)->pool.size(), &result);
  return result;
}

// avx2(): whether products run the AVX2+FMA build. avx2(false) switches this environment to the
// portable build (tests check both), avx2(true) back where the CPU has it.
napi_value Avx2(napi_env env, napi_callback_info info) {
  Call c(env, "avx2");
  napi_value argv[1];
  size_t argc = 1;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Instance* inst = instance(env);
  if (argc >= 1) {
    bool on = inst->avx2;
    if (!c.boolean(argv[0], "on", on)) return nullptr;
    inst->avx2 = on && avx2_available();
  }
  napi_value result;
  napi_get_boolean(env, inst->avx2, &result);
  return result;
}

// mallocTuning(): what loading the addon did to glibc's heap thresholds (malloc_tune.cc).
napi_value MallocTuning(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_string_utf8(env, tune_malloc(), NAPI_AUTO_LENGTH, &result);
  return result;
}

void Finalize(napi_env, void* data, void*) { delete static_cast<Instance*>(data); }

}  // namespace
}  // namespace tsn

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  using namespace tsn;
  tune_malloc();
  // new without nothrow would abort on failure (no exceptions in the addon); this way the
  // require() that loads us throws instead.
  Instance* inst = new (std::nothrow) Instance();
  if (inst == nullptr) {
    napi_throw_range_error(env, nullptr, "torch-ts-native: could not allocate its per-thread state (out of memory)");
    return nullptr;
  }
  napi_set_instance_data(env, inst, Finalize, nullptr);
  const napi_property_descriptor props[] = {
      {"init", nullptr, Init, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"avx2", nullptr, Avx2, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, Matmul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"packB", nullptr, PackB, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"copy", nullptr, Copy, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fill", nullptr, Fill, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sum", nullptr, Sum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgd", nullptr, Sgd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mtFill", nullptr, MtFill, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mtBernoulli", nullptr, MtBernoulli, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mallocTuning", nullptr, MallocTuning, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
