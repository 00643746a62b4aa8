/* Single-precision GEMM for the dlm accelerator: row-major C = op(A)·op(B) (beta = 0). */
#ifndef DLM_GEMM_H
#define DLM_GEMM_H

#include <stddef.h>

/* op(A) is M×K (A stored K×M when transA), op(B) is K×N (B stored N×K when transB); lda, ldb,
 * ldc are row strides in elements. */
typedef void (*dlm_sgemm_fn)(int transA, int transB, int M, int N, int K, const float *A, int lda,
                             const float *B, int ldb, float *C, int ldc);

/* The blocked C GEMM of this addon (gemm.c). */
void dlm_sgemm_builtin(int transA, int transB, int M, int N, int K, const float *A, int lda,
                       const float *B, int ldb, float *C, int ldc);

/* Try to dlopen libopenblas.so.0; on success fill *path and return 1. */
int dlm_openblas_load(const char **path, int *threads);
void dlm_sgemm_openblas(int transA, int transB, int M, int N, int K, const float *A, int lda,
                        const float *B, int ldb, float *C, int ldc);

/* The active GEMM (OpenBLAS when loaded and chosen, else the built-in one). */
extern dlm_sgemm_fn dlm_sgemm;

#endif
