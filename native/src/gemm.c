/*
 * A blocked single-precision GEMM in portable C (GCC/Clang vector extensions), the fallback
 * when OpenBLAS is absent at run time. The layout is the classic Goto/BLIS one: B is packed
 * into KC×NR panels, A into MR×KC panels, and a 6×16 micro-kernel keeps its 12 accumulator
 * vectors in registers while it walks KC. Transposes cost nothing: they only change how the
 * packing reads its operand. With -march=native on an AVX2+FMA machine each v8 is one ymm
 * register; elsewhere the compiler splits it into narrower vectors and the code stays right.
 */
#define _GNU_SOURCE /* dladdr */
#include "gemm.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#define MR 6
#define NR 16
#define KC 256
#define MC 120 /* multiple of MR: A block of MC×KC floats (~120 KB) stays in L2 */
#define NC 3072 /* multiple of NR */

typedef float v8 __attribute__((vector_size(32), aligned(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4)));

static float *scratch_a, *scratch_b;

static int ensure_scratch(void) {
  if (scratch_a) return 1;
  scratch_a = aligned_alloc(64, sizeof(float) * MC * KC);
  scratch_b = aligned_alloc(64, sizeof(float) * KC * NC);
  return scratch_a && scratch_b;
}

/* Pack rows i0..i0+mc of op(A), columns p0..p0+kc, into MR-row panels (zero rows at the end). */
static void pack_a(int transA, const float *A, int lda, int i0, int mc, int p0, int kc, float *out) {
  for (int ir = 0; ir < mc; ir += MR) {
    int rows = mc - ir < MR ? mc - ir : MR;
    for (int k = 0; k < kc; k++) {
      for (int i = 0; i < MR; i++) {
        float v = 0.0f;
        if (i < rows) {
          int row = i0 + ir + i, col = p0 + k;
          v = transA ? A[(size_t)col * lda + row] : A[(size_t)row * lda + col];
        }
        *out++ = v;
      }
    }
  }
}

/* Pack rows p0..p0+kc of op(B), columns j0..j0+nc, into NR-column panels (zero columns at the end). */
static void pack_b(int transB, const float *B, int ldb, int p0, int kc, int j0, int nc, float *out) {
  for (int jr = 0; jr < nc; jr += NR) {
    int cols = nc - jr < NR ? nc - jr : NR;
    for (int k = 0; k < kc; k++) {
      int row = p0 + k;
      if (!transB && cols == NR) {
        memcpy(out, B + (size_t)row * ldb + j0 + jr, sizeof(float) * NR);
        out += NR;
        continue;
      }
      for (int j = 0; j < NR; j++) {
        int col = j0 + jr + j;
        *out++ = j < cols ? (transB ? B[(size_t)col * ldb + row] : B[(size_t)row * ldb + col]) : 0.0f;
      }
    }
  }
}

/* C[0..mr, 0..nr] (+)= Apanel · Bpanel over kc; `accumulate` adds to C instead of storing. */
static void micro_kernel(int kc, const float *a, const float *b, float *c, int ldc, int mr, int nr, int accumulate) {
  v8 acc[MR][2];
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = (v8){0};
  for (int k = 0; k < kc; k++) {
    v8 b0 = *(const v8 *)b, b1 = *(const v8 *)(b + 8);
    for (int i = 0; i < MR; i++) {
      v8 ai = (v8){0} + a[i];
      acc[i][0] += ai * b0;
      acc[i][1] += ai * b1;
    }
    a += MR;
    b += NR;
  }
  if (mr == MR && nr == NR) {
    for (int i = 0; i < MR; i++) {
      v8u *row = (v8u *)(c + (size_t)i * ldc);
      if (accumulate) {
        row[0] += acc[i][0];
        row[1] += acc[i][1];
      } else {
        row[0] = acc[i][0];
        row[1] = acc[i][1];
      }
    }
    return;
  }
  float tile[MR][NR] __attribute__((aligned(32)));
  for (int i = 0; i < MR; i++) {
    *(v8 *)&tile[i][0] = acc[i][0];
    *(v8 *)&tile[i][8] = acc[i][1];
  }
  for (int i = 0; i < mr; i++)
    for (int j = 0; j < nr; j++) c[(size_t)i * ldc + j] = accumulate ? c[(size_t)i * ldc + j] + tile[i][j] : tile[i][j];
}

void dlm_sgemm_builtin(int transA, int transB, int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C,
                       int ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    for (int i = 0; i < M; i++) memset(C + (size_t)i * ldc, 0, sizeof(float) * N);
    return;
  }
  if (!ensure_scratch()) abort();
  for (int jc = 0; jc < N; jc += NC) {
    int nc = N - jc < NC ? N - jc : NC;
    for (int pc = 0; pc < K; pc += KC) {
      int kc = K - pc < KC ? K - pc : KC;
      pack_b(transB, B, ldb, pc, kc, jc, nc, scratch_b);
      for (int ic = 0; ic < M; ic += MC) {
        int mc = M - ic < MC ? M - ic : MC;
        pack_a(transA, A, lda, ic, mc, pc, kc, scratch_a);
        for (int jr = 0; jr < nc; jr += NR) {
          int nr = nc - jr < NR ? nc - jr : NR;
          for (int ir = 0; ir < mc; ir += MR) {
            int mr = mc - ir < MR ? mc - ir : MR;
            micro_kernel(kc, scratch_a + (size_t)ir * kc, scratch_b + (size_t)jr * kc, C + (size_t)(ic + ir) * ldc + jc + jr, ldc, mr,
                         nr, pc > 0);
          }
        }
      }
    }
  }
}

/* OpenBLAS through dlopen: nothing of it is needed at build time (CBLAS enums are fixed by the standard). */
typedef void (*cblas_sgemm_fn)(int order, int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
                               const float *B, int ldb, float beta, float *C, int ldc);
enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112 };
static cblas_sgemm_fn cblas_sgemm_ptr;

int dlm_openblas_load(const char **path, int *threads) {
  /* Only OpenBLAS: the reference libblas.so.3 is slower than tfjs's own wasm kernels. */
  void *lib = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
  if (!lib) return 0;
  cblas_sgemm_ptr = (cblas_sgemm_fn)dlsym(lib, "cblas_sgemm");
  if (!cblas_sgemm_ptr) return 0;
  /* One thread unless the user asked otherwise: tfjs's wasm runs on one, and a pthread
   * OpenBLAS on a shared 2-core machine loses more to spinning than it gains. */
  void (*set_threads)(int) = (void (*)(int))dlsym(lib, "openblas_set_num_threads");
  int (*get_threads)(void) = (int (*)(void))dlsym(lib, "openblas_get_num_threads");
  if (set_threads && !getenv("OPENBLAS_NUM_THREADS")) set_threads(1);
  *threads = get_threads ? get_threads() : 0;
  Dl_info info;
  *path = dladdr((void *)cblas_sgemm_ptr, &info) && info.dli_fname ? info.dli_fname : "libopenblas.so.0";
  return 1;
}

void dlm_sgemm_openblas(int transA, int transB, int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C,
                        int ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    for (int i = 0; i < M; i++) memset(C + (size_t)i * ldc, 0, sizeof(float) * N);
    return;
  }
  cblas_sgemm_ptr(CBLAS_ROW_MAJOR, transA ? CBLAS_TRANS : CBLAS_NO_TRANS, transB ? CBLAS_TRANS : CBLAS_NO_TRANS, M, N, K, 1.0f, A, lda,
                  B, ldb, 0.0f, C, ldc);
}

dlm_sgemm_fn dlm_sgemm = dlm_sgemm_builtin;
