/*
 * The N-API face of the accelerator. Every function takes Float32Arrays that are views of the
 * tensors' own storage (the wasm heap, or the cpu backend's arrays) and writes its result into
 * a view of an output tensor the caller allocated: no copies. Shapes arrive as plain numbers
 * or as an Int32Array of geometry. Errors are thrown as JavaScript exceptions; the loader
 * (core/kernels/native.ts) checks shapes before it calls, so they mean a bug, not a fallback.
 */
#include <node_api.h>
#include <stdint.h>
#include <string.h>

#include "conv.h"
#include "gemm.h"
#include "optim.h"

static const char *openblas_path;
static int openblas_threads;

#define CHECK(call)                                                                                  \
  do {                                                                                               \
    if ((call) != napi_ok) {                                                                         \
      napi_throw_error(env, NULL, "dlm native: N-API call failed: " #call);                        \
      return NULL;                                                                                   \
    }                                                                                                \
  } while (0)

/* Data pointer and length (in elements) of a typed array of the expected type. */
static int typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *len) {
  napi_typedarray_type type;
  napi_value buf;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, len, data, &buf, &offset) != napi_ok || type != want) {
    napi_throw_type_error(env, NULL, want == napi_float32_array ? "dlm native: expected a Float32Array" : want == napi_float64_array ? "dlm native: expected a Float64Array" : "dlm native: expected an Int32Array");
    return 0;
  }
  return 1;
}

static int int_arg(napi_env env, napi_value v, int *out) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "dlm native: expected a number");
    return 0;
  }
  return 1;
}

/* sgemm(A, B, C, batch, M, N, K, transA, transB, strideA, strideB, strideC): for each batch
 * entry b, C[b] = op(A[b])·op(B[b]) with the given element strides between entries (0 to
 * broadcast one operand). */
static napi_value sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 12) {
    napi_throw_error(env, NULL, "dlm native: sgemm takes 12 arguments");
    return NULL;
  }
  float *A, *B, *C;
  size_t la, lb, lc;
  int d[9];
  if (!typed(env, argv[0], napi_float32_array, (void **)&A, &la) || !typed(env, argv[1], napi_float32_array, (void **)&B, &lb) ||
      !typed(env, argv[2], napi_float32_array, (void **)&C, &lc))
    return NULL;
  for (int i = 0; i < 9; i++)
    if (!int_arg(env, argv[3 + i], &d[i])) return NULL;
  const int batch = d[0], M = d[1], N = d[2], K = d[3], tA = d[4], tB = d[5];
  const size_t sA = (size_t)d[6], sB = (size_t)d[7], sC = (size_t)d[8];
  if (batch < 0 || M < 0 || N < 0 || K < 0 ||
      (batch > 0 && ((batch - 1) * sA + (size_t)M * K > la || (batch - 1) * sB + (size_t)K * N > lb || (batch - 1) * sC + (size_t)M * N > lc))) {
    napi_throw_range_error(env, NULL, "dlm native: sgemm operands are smaller than their shapes");
    return NULL;
  }
  for (int b = 0; b < batch; b++)
    dlm_sgemm(tA, tB, M, N, K, A + b * sA, tA ? M : K, B + b * sB, tB ? K : N, C + b * sC, N);
  return NULL;
}

static int geometry(napi_env env, napi_value v, int *out, size_t len) {
  int32_t *g;
  size_t n;
  if (!typed(env, v, napi_int32_array, (void **)&g, &n)) return 0;
  if (n != len) {
    napi_throw_range_error(env, NULL, "dlm native: wrong geometry length");
    return 0;
  }
  memcpy(out, g, sizeof(int) * len);
  return 1;
}

typedef int (*conv_fn)(const dlm_conv_geom *, const float *, const float *, float *);

/* Which operands a convolution function takes, in order (for the length checks). */
enum { X, W, Y };

static size_t conv_len(const dlm_conv_geom *g, int what) {
  return what == X ? (size_t)g->n * g->h * g->w * g->ci : what == W ? (size_t)g->kh * g->kw * g->ci * g->co : (size_t)g->n * g->oh * g->ow * g->co;
}

/* The three convolutions share one signature: (in0, in1, out, geometry) → whether it ran;
 * roles[] says which of x, filter, y each operand is. Every loop stays inside those lengths. */
static napi_value conv_call(napi_env env, napi_callback_info info, conv_fn f, const int roles[3]) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 4) {
    napi_throw_error(env, NULL, "dlm native: a convolution takes 4 arguments");
    return NULL;
  }
  float *a, *b, *out;
  size_t la, lb, lo;
  dlm_conv_geom g;
  if (!typed(env, argv[0], napi_float32_array, (void **)&a, &la) || !typed(env, argv[1], napi_float32_array, (void **)&b, &lb) ||
      !typed(env, argv[2], napi_float32_array, (void **)&out, &lo) || !geometry(env, argv[3], (int *)&g, DLM_CONV_GEOM_LEN))
    return NULL;
  const int *d = (const int *)&g;
  for (int i = 0; i < DLM_CONV_GEOM_LEN; i++)
    if (d[i] < 0) {
      napi_throw_range_error(env, NULL, "dlm native: negative convolution geometry");
      return NULL;
    }
  if (la < conv_len(&g, roles[0]) || lb < conv_len(&g, roles[1]) || lo < conv_len(&g, roles[2])) {
    napi_throw_range_error(env, NULL, "dlm native: convolution operands are smaller than their shapes");
    return NULL;
  }
  napi_value ok;
  CHECK(napi_get_boolean(env, f(&g, a, b, out) != 0, &ok));
  return ok;
}

static const int FORWARD[3] = {X, W, Y}, FILTER_GRAD[3] = {X, Y, W}, INPUT_GRAD[3] = {Y, W, X};
static napi_value conv2d(napi_env env, napi_callback_info info) { return conv_call(env, info, dlm_conv2d, FORWARD); }
static napi_value conv2d_bf(napi_env env, napi_callback_info info) { return conv_call(env, info, dlm_conv2d_backprop_filter, FILTER_GRAD); }
static napi_value conv2d_bi(napi_env env, napi_callback_info info) { return conv_call(env, info, dlm_conv2d_backprop_input, INPUT_GRAD); }

/* maxPoolGrad(x, dy, dx, geometry) */
static napi_value max_pool_grad(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *dy, *dx;
  size_t lx, ldy, ldx;
  dlm_pool_geom g;
  if (argc != 4 || !typed(env, argv[0], napi_float32_array, (void **)&x, &lx) || !typed(env, argv[1], napi_float32_array, (void **)&dy, &ldy) ||
      !typed(env, argv[2], napi_float32_array, (void **)&dx, &ldx) || !geometry(env, argv[3], (int *)&g, DLM_POOL_GEOM_LEN))
    return NULL;
  const size_t in = (size_t)g.n * g.h * g.w * g.c, out = (size_t)g.n * g.oh * g.ow * g.c;
  if (g.n < 0 || g.h < 0 || g.w < 0 || g.c < 0 || g.oh < 0 || g.ow < 0 || lx < in || ldx < in || ldy < out) {
    napi_throw_range_error(env, NULL, "dlm native: max-pool operands are smaller than their shapes");
    return NULL;
  }
  dlm_max_pool_grad(&g, x, dy, dx);
  return NULL;
}

/* Float32Arrays of a JavaScript array into out (at most max, each of at least n elements). */
static int float_list(napi_env env, napi_value arr, float **out, uint32_t max, size_t n, uint32_t *count) {
  if (napi_get_array_length(env, arr, count) != napi_ok || *count > max) {
    napi_throw_type_error(env, NULL, "dlm native: expected an array of at most 2 Float32Arrays");
    return 0;
  }
  for (uint32_t j = 0; j < *count; j++) {
    napi_value v;
    size_t len;
    if (napi_get_element(env, arr, j, &v) != napi_ok || !typed(env, v, napi_float32_array, (void **)&out[j], &len)) return 0;
    if (len < n) {
      napi_throw_range_error(env, NULL, "dlm native: a slot is smaller than its parameter");
      return 0;
    }
  }
  return 1;
}

/* optimiserStep(hyper: Float64Array, p, g, slots: Float32Array[], pOut, slotsOut: Float32Array[]) */
static napi_value optimiser_step(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  double *hy;
  float *p, *g, *po, *s[DLM_OPTIM_MAX_SLOTS], *so[DLM_OPTIM_MAX_SLOTS];
  size_t lh, lp, lg, lpo;
  uint32_t ns, nso;
  if (argc != 6 || !typed(env, argv[0], napi_float64_array, (void **)&hy, &lh) || !typed(env, argv[1], napi_float32_array, (void **)&p, &lp) ||
      !typed(env, argv[2], napi_float32_array, (void **)&g, &lg) || !typed(env, argv[4], napi_float32_array, (void **)&po, &lpo) ||
      !float_list(env, argv[3], s, DLM_OPTIM_MAX_SLOTS, lp, &ns) || !float_list(env, argv[5], so, DLM_OPTIM_MAX_SLOTS, lp, &nso))
    return NULL;
  if (lh != DLM_OPTIM_HYPER_LEN || lg != lp || lpo != lp || ns != nso) {
    napi_throw_range_error(env, NULL, "dlm native: optimiserStep operands do not match");
    return NULL;
  }
  dlm_optimiser_step(hy, lp, p, g, (const float *const *)s, po, so);
  return NULL;
}

static napi_value str(napi_env env, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

/* info() → { blas: "openblas" | "builtin", openblas: path | null, threads } */
static napi_value get_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value obj, threads, nul;
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_get_null(env, &nul));
  CHECK(napi_create_int32(env, dlm_sgemm == dlm_sgemm_openblas ? openblas_threads : 1, &threads));
  CHECK(napi_set_named_property(env, obj, "blas", str(env, dlm_sgemm == dlm_sgemm_openblas ? "openblas" : "builtin")));
  CHECK(napi_set_named_property(env, obj, "openblas", openblas_path ? str(env, openblas_path) : nul));
  CHECK(napi_set_named_property(env, obj, "threads", threads));
  return obj;
}

/* setBlas("openblas" | "builtin") → whether that GEMM is now active. */
static napi_value set_blas(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], ok;
  char name[16] = {0};
  size_t n;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &n) != napi_ok) {
    napi_throw_type_error(env, NULL, "dlm native: setBlas takes a name");
    return NULL;
  }
  int done = 0;
  if (strcmp(name, "builtin") == 0) {
    dlm_sgemm = dlm_sgemm_builtin;
    done = 1;
  } else if (strcmp(name, "openblas") == 0 && openblas_path) {
    dlm_sgemm = dlm_sgemm_openblas;
    done = 1;
  }
  CHECK(napi_get_boolean(env, done, &ok));
  return ok;
}

static napi_value init(napi_env env, napi_value exports) {
  if (dlm_openblas_load(&openblas_path, &openblas_threads)) dlm_sgemm = dlm_sgemm_openblas;
  napi_property_descriptor props[] = {
      {"sgemm", NULL, sgemm, NULL, NULL, NULL, napi_default, NULL},
      {"conv2d", NULL, conv2d, NULL, NULL, NULL, napi_default, NULL},
      {"conv2dBackpropFilter", NULL, conv2d_bf, NULL, NULL, NULL, napi_default, NULL},
      {"conv2dBackpropInput", NULL, conv2d_bi, NULL, NULL, NULL, napi_default, NULL},
      {"maxPoolGrad", NULL, max_pool_grad, NULL, NULL, NULL, napi_default, NULL},
      {"optimiserStep", NULL, optimiser_step, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, get_info, NULL, NULL, NULL, napi_default, NULL},
      {"setBlas", NULL, set_blas, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
