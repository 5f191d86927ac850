// The N-API surface of torch-ts-native. Tensors stay in the JS backend's typed arrays: each call
// takes the arrays themselves and reads their data pointers (napi_get_typedarray_info), so
// nothing is copied and the garbage collector keeps owning the memory. Sizes, strides and
// offsets come through one Float64Array that the JS side registers once (`init`) and rewrites
// before each call, so a call converts no JS numbers or arrays (measured: ~0.15 µs per call).
//
// Every function trusts its arguments: the TS backend (src/backend/native) checks dtypes,
// aliasing and ranks before calling.

#define NAPI_VERSION 8
#include <node_api.h>

#include <cstdint>

#include "kernels.h"
#include "pool.h"

namespace tsn {
namespace {

struct Instance {
  Pool pool;
  bool avx2 = avx2_available();
  napi_ref paramsRef = nullptr;
  const double* params = nullptr;
};

// One instance per JS environment (the main thread and each worker thread that loads us),
// each with its own pool: kernels never share threads across environments.
Instance* instance(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  return static_cast<Instance*>(data);
}

template <class T>
T* array_data(napi_env env, napi_value value) {
  void* data = nullptr;
  napi_get_typedarray_info(env, value, nullptr, nullptr, &data, nullptr, nullptr);
  return static_cast<T*>(data);
}

// Reads up to `n` arguments into argv; returns the instance.
Instance* args(napi_env env, napi_callback_info info, size_t n, napi_value* argv) {
  size_t argc = n;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  return instance(env);
}

int64_t at(const double* p, int i) { return static_cast<int64_t>(p[i]); }

// Parses [nd, shape[nd], (offset, strides[nd]) × views] starting at p[i]; returns the offsets.
int read_walk(const double* p, int i, int views, Walk& w, int64_t* offsets) {
  w.nd = static_cast<int>(p[i++]);
  for (int d = 0; d < w.nd; d++) w.shape[d] = at(p, i++);
  for (int v = 0; v < views; v++) {
    offsets[v] = at(p, i++);
    for (int d = 0; d < w.nd; d++) w.strides[v][d] = at(p, i++);
  }
  for (int v = views; v < 3; v++) {
    for (int d = 0; d < w.nd; d++) w.strides[v][d] = 0;
  }
  return i;
}

napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// init(params: Float64Array, threads: number)
napi_value Init(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Instance* inst = args(env, info, 2, argv);
  if (inst->paramsRef != nullptr) napi_delete_reference(env, inst->paramsRef);
  napi_create_reference(env, argv[0], 1, &inst->paramsRef);
  inst->params = array_data<double>(env, argv[0]);
  int32_t threads = 1;
  napi_get_value_int32(env, argv[1], &threads);
  inst->pool.resize(threads);
  return undefined(env);
}

// setThreads(n)
napi_value SetThreads(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Instance* inst = args(env, info, 1, argv);
  int32_t threads = 1;
  napi_get_value_int32(env, argv[0], &threads);
  inst->pool.resize(threads);
  return undefined(env);
}

napi_value Threads(napi_env env, napi_callback_info info) {
  napi_value result;
  napi_create_int32(env, args(env, info, 0, nullptr)->pool.size(), &result);
  return result;
}

// avx2(): whether products run the AVX2+FMA build. avx2(false) switches this environment to the
// portable build (tests check both), avx2(true) back where the CPU has it.
napi_value Avx2(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Instance* inst = instance(env);
  if (argc >= 1) {
    bool on = true;
    napi_get_value_bool(env, argv[0], &on);
    inst->avx2 = on && avx2_available();
  }
  napi_value result;
  napi_get_boolean(env, inst->avx2, &result);
  return result;
}

// matmul(out, a, b); params: [nd, outShape[nd], K, offA, stridesA[nd], offB, stridesB[nd], offOut, stridesOut[nd]]
napi_value Matmul(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  Instance* inst = args(env, info, 3, argv);
  const double* p = inst->params;
  const int nd = static_cast<int>(p[0]);
  const int nb = nd - 2;
  MatmulArgs m;
  m.avx2 = inst->avx2;
  m.batchDims = nb;
  m.batches = 1;
  for (int d = 0; d < nb; d++) m.batches *= (m.batchShape[d] = at(p, 1 + d));
  m.g.M = at(p, 1 + nb);
  m.g.N = at(p, 2 + nb);
  m.g.K = at(p, 1 + nd);
  int i = 2 + nd;
  int64_t off[3];
  int64_t* batch[3] = {m.aBatch, m.bBatch, m.cBatch};
  int64_t rowCol[3][2];
  for (int v = 0; v < 3; v++) {
    off[v] = at(p, i++);
    for (int d = 0; d < nb; d++) batch[v][d] = at(p, i++);
    rowCol[v][0] = at(p, i++);
    rowCol[v][1] = at(p, i++);
  }
  m.g.a = array_data<const float>(env, argv[1]) + off[0];
  m.g.b = array_data<const float>(env, argv[2]) + off[1];
  m.g.c = array_data<float>(env, argv[0]) + off[2];
  m.g.aRow = rowCol[0][0];
  m.g.aCol = rowCol[0][1];
  m.g.bRow = rowCol[1][0];
  m.g.bCol = rowCol[1][1];
  m.g.cRow = rowCol[2][0];
  m.g.cCol = rowCol[2][1];
  matmul(inst->pool, m);
  return undefined(env);
}

// binary(out, a, b); params: [op, walk of out, a, b]
napi_value Binary(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  Instance* inst = args(env, info, 3, argv);
  const double* p = inst->params;
  Walk w;
  int64_t off[3];
  read_walk(p, 1, 3, w, off);
  binary(inst->pool, static_cast<int>(p[0]), w, array_data<float>(env, argv[0]) + off[0],
         array_data<const float>(env, argv[1]) + off[1], array_data<const float>(env, argv[2]) + off[2]);
  return undefined(env);
}

// unary(out, a); params: [op, walk of out, a]
napi_value Unary(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Instance* inst = args(env, info, 2, argv);
  const double* p = inst->params;
  Walk w;
  int64_t off[3];
  read_walk(p, 1, 2, w, off);
  unary(inst->pool, static_cast<int>(p[0]), w, array_data<float>(env, argv[0]) + off[0],
        array_data<const float>(env, argv[1]) + off[1]);
  return undefined(env);
}

// copy(out, a); params: [unused, walk of out, a]
napi_value Copy(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Instance* inst = args(env, info, 2, argv);
  const double* p = inst->params;
  Walk w;
  int64_t off[3];
  read_walk(p, 1, 2, w, off);
  copy(inst->pool, w, array_data<float>(env, argv[0]) + off[0], array_data<const float>(env, argv[1]) + off[1]);
  return undefined(env);
}

// fill(out); params: [value, walk of out]
napi_value Fill(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Instance* inst = args(env, info, 1, argv);
  const double* p = inst->params;
  Walk w;
  int64_t off[3];
  read_walk(p, 1, 1, w, off);
  fill(w, array_data<float>(env, argv[0]) + off[0], static_cast<float>(p[0]));
  return undefined(env);
}

// sum(out, a); params: [offOut, offA, outer, reduced, inner]
napi_value Sum(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Instance* inst = args(env, info, 2, argv);
  const double* p = inst->params;
  sum_dense(array_data<float>(env, argv[0]) + at(p, 0), array_data<const float>(env, argv[1]) + at(p, 1), at(p, 2),
            at(p, 3), at(p, 4));
  return undefined(env);
}

// mtFill(state, out: Uint32Array): the next out.length draws of PyTorch's MT19937 (the same as
// that many Generator.nextUint32 calls). mtBernoulli(state, out: Float32Array): out[i] = 1 if
// the next 53-bit uniform < params[2] else 0. Both: the generator's 624 state words are updated
// in place and its position params [left, next] advanced. One function serves both names (the
// out array's type says which); everything is checked, as these get raw counters.
napi_value MtDraws(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Instance* inst = args(env, info, 2, argv);
  double* p = const_cast<double*>(inst->params);
  size_t stateLen = 0, n = 0;
  void* state = nullptr;
  void* out = nullptr;
  napi_typedarray_type stateType, outType;
  if (napi_get_typedarray_info(env, argv[0], &stateType, &stateLen, &state, nullptr, nullptr) != napi_ok ||
      napi_get_typedarray_info(env, argv[1], &outType, &n, &out, nullptr, nullptr) != napi_ok ||
      stateType != napi_uint32_array || stateLen != 624 || state == nullptr || (n > 0 && out == nullptr) ||
      (outType != napi_uint32_array && outType != napi_float32_array)) {
    napi_throw_type_error(env, nullptr, "expected (Uint32Array(624), Uint32Array or Float32Array)");
    return nullptr;
  }
  int64_t left = at(p, 0), next = at(p, 1);
  if (left < 1 || left > 624 || next < 0 || next > 624 || left + next > 625) {
    napi_throw_range_error(env, nullptr, "invalid generator position");
    return nullptr;
  }
  uint32_t* mt = static_cast<uint32_t*>(state);
  if (outType == napi_uint32_array) mt_fill(mt, left, next, static_cast<uint32_t*>(out), static_cast<int64_t>(n));
  else mt_bernoulli53(mt, left, next, static_cast<float*>(out), static_cast<int64_t>(n), p[2]);
  p[0] = static_cast<double>(left);
  p[1] = static_cast<double>(next);
  return undefined(env);
}

// sgd(param, grad, buf); params: [n, offP, offG, offBuf, wd, momentum, oneMinusDamp, negLr, flags]
napi_value Sgd(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  Instance* inst = args(env, info, 3, argv);
  const double* p = inst->params;
  const int flags = static_cast<int>(p[8]);
  SgdArgs h;
  h.n = at(p, 0);
  h.wd = static_cast<float>(p[4]);
  h.momentum = static_cast<float>(p[5]);
  h.oneMinusDamp = static_cast<float>(p[6]);
  h.negLr = static_cast<float>(p[7]);
  h.decay = flags & 1;
  h.useMomentum = flags & 2;
  h.damped = flags & 4;
  h.nesterov = flags & 8;
  h.maximize = flags & 16;
  h.first = flags & 32;
  sgd_step(h, array_data<float>(env, argv[0]) + at(p, 1), array_data<const float>(env, argv[1]) + at(p, 2),
           h.useMomentum ? array_data<float>(env, argv[2]) + at(p, 3) : nullptr);
  return undefined(env);
}

// adam(param, grad, expAvg, expAvgSq, maxExpAvgSq); params: [n, offP, offG, offM, offV, offVmax,
// shrink, wd, w, oneMinusW, beta2, value, bc2, eps, negStep, flags]
napi_value Adam(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  Instance* inst = args(env, info, 5, argv);
  const double* p = inst->params;
  const int flags = static_cast<int>(p[15]);
  AdamArgs h;
  h.n = at(p, 0);
  h.shrink = static_cast<float>(p[6]);
  h.wd = static_cast<float>(p[7]);
  h.w = static_cast<float>(p[8]);
  h.oneMinusW = static_cast<float>(p[9]);
  h.beta2 = static_cast<float>(p[10]);
  h.value = static_cast<float>(p[11]);
  h.bc2 = static_cast<float>(p[12]);
  h.eps = static_cast<float>(p[13]);
  h.negStep = static_cast<float>(p[14]);
  h.decay = flags & 1;
  h.decoupled = flags & 2;
  h.small = flags & 4;
  h.maximize = flags & 8;
  const bool amsgrad = flags & 16;
  adam_step(h, array_data<float>(env, argv[0]) + at(p, 1), array_data<const float>(env, argv[1]) + at(p, 2),
            array_data<float>(env, argv[2]) + at(p, 3), array_data<float>(env, argv[3]) + at(p, 4),
            amsgrad ? array_data<float>(env, argv[4]) + at(p, 5) : nullptr);
  return undefined(env);
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
  napi_set_instance_data(env, new Instance(), Finalize, nullptr);
  const napi_property_descriptor props[] = {
      {"init", nullptr, Init, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"avx2", nullptr, Avx2, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, Matmul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"copy", nullptr, Copy, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fill", nullptr, Fill, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sum", nullptr, Sum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgd", nullptr, Sgd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mtFill", nullptr, MtDraws, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mtBernoulli", nullptr, MtDraws, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mallocTuning", nullptr, MallocTuning, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
