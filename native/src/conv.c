/*
 * Convolutions as im2col + one GEMM. The patch matrix P has a row per output pixel (n, i, j)
 * and a column per filter tap (a, b, ci) in the filter's own [kh, kw, ci] order, so the filter
 * is already the [kh·kw·ci, co] right-hand matrix:
 *   forward   Y  = P · W
 *   filter    dW = Pᵀ · dY
 *   input     dP = dY · Wᵀ, scattered back onto dx (col2im)
 * Images are taken in chunks so that P stays below CHUNK_FLOATS; a 1×1 stride-1 unpadded
 * convolution uses x itself as P.
 */
#include "conv.h"

#include <stdlib.h>
#include <string.h>

#include "gemm.h"

#define CHUNK_FLOATS (16u << 20) /* 64 MB of patches at most */

static float *scratch;
static size_t scratch_len;

static float *get_scratch(size_t len) {
  if (len <= scratch_len) return scratch;
  free(scratch);
  scratch = malloc(sizeof(float) * len);
  scratch_len = scratch ? len : 0;
  return scratch;
}

static int is_pointwise(const dlm_conv_geom *g) {
  return g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->pt == 0 && g->pl == 0 && g->oh == g->h && g->ow == g->w;
}

/* Images per chunk: at least one. */
static int chunk_images(const dlm_conv_geom *g) {
  size_t per = (size_t)g->oh * g->ow * g->kh * g->kw * g->ci;
  size_t k = per ? CHUNK_FLOATS / per : (size_t)g->n;
  return k < 1 ? 1 : (k > (size_t)g->n ? g->n : (int)k);
}

/* Patches of images n0..n0+nb into p (rows nb·oh·ow, columns kh·kw·ci); padding reads 0. A
 * window row whose kw taps all lie inside x is one contiguous run of kw·ci floats when the
 * dilation is 1: copied at once (ci is 1 for a first layer on grey images, so per-tap copies
 * would be one float each). */
static void im2col(const dlm_conv_geom *g, const float *x, int n0, int nb, float *p) {
  const int ci = g->ci, run = g->kw * ci;
  for (int n = n0; n < n0 + nb; n++)
    for (int i = 0; i < g->oh; i++)
      for (int j = 0; j < g->ow; j++) {
        const int x0 = j * g->sw - g->pl;
        const int inside = g->dw == 1 && x0 >= 0 && x0 + g->kw <= g->w;
        for (int a = 0; a < g->kh; a++, p += run) {
          int y = i * g->sh + a * g->dh - g->pt;
          if (y < 0 || y >= g->h) {
            memset(p, 0, sizeof(float) * run);
            continue;
          }
          const float *row = x + ((size_t)n * g->h + y) * g->w * ci;
          if (inside) {
            memcpy(p, row + (size_t)x0 * ci, sizeof(float) * run);
            continue;
          }
          for (int b = 0; b < g->kw; b++) {
            int xx = x0 + b * g->dw;
            if (xx < 0 || xx >= g->w) memset(p + b * ci, 0, sizeof(float) * ci);
            else memcpy(p + b * ci, row + (size_t)xx * ci, sizeof(float) * ci);
          }
        }
      }
}

/* dx[images n0..] += dP scattered back (col2im), with im2col's contiguous runs. */
static void col2im(const dlm_conv_geom *g, const float *p, int n0, int nb, float *dx) {
  const int ci = g->ci, run = g->kw * ci;
  for (int n = n0; n < n0 + nb; n++)
    for (int i = 0; i < g->oh; i++)
      for (int j = 0; j < g->ow; j++) {
        const int x0 = j * g->sw - g->pl;
        const int inside = g->dw == 1 && x0 >= 0 && x0 + g->kw <= g->w;
        for (int a = 0; a < g->kh; a++, p += run) {
          int y = i * g->sh + a * g->dh - g->pt;
          if (y < 0 || y >= g->h) continue;
          float *row = dx + ((size_t)n * g->h + y) * g->w * ci;
          if (inside) {
            float *d = row + (size_t)x0 * ci;
            for (int e = 0; e < run; e++) d[e] += p[e];
            continue;
          }
          for (int b = 0; b < g->kw; b++) {
            int xx = x0 + b * g->dw;
            if (xx < 0 || xx >= g->w) continue;
            float *d = row + (size_t)xx * ci;
            for (int c = 0; c < ci; c++) d[c] += p[b * ci + c];
          }
        }
      }
}

int dlm_conv2d(const dlm_conv_geom *g, const float *x, const float *filter, float *y) {
  const int kk = g->kh * g->kw * g->ci, pix = g->oh * g->ow;
  if (is_pointwise(g)) {
    dlm_sgemm(0, 0, g->n * pix, g->co, kk, x, kk, filter, g->co, y, g->co);
    return 1;
  }
  const int step = chunk_images(g);
  float *p = get_scratch((size_t)step * pix * kk);
  if (!p) return 0;
  for (int n0 = 0; n0 < g->n; n0 += step) {
    int nb = g->n - n0 < step ? g->n - n0 : step;
    im2col(g, x, n0, nb, p);
    dlm_sgemm(0, 0, nb * pix, g->co, kk, p, kk, filter, g->co, y + (size_t)n0 * pix * g->co, g->co);
  }
  return 1;
}

int dlm_conv2d_backprop_filter(const dlm_conv_geom *g, const float *x, const float *dy, float *dfilter) {
  const int kk = g->kh * g->kw * g->ci, pix = g->oh * g->ow;
  if (is_pointwise(g)) {
    dlm_sgemm(1, 0, kk, g->co, g->n * pix, x, kk, dy, g->co, dfilter, g->co);
    return 1;
  }
  const int step = chunk_images(g);
  const size_t plen = (size_t)step * pix * kk, wlen = (size_t)kk * g->co;
  /* A second chunk needs a partial product to add: room for it after the patches. */
  float *p = get_scratch(plen + (step < g->n ? wlen : 0));
  if (!p) return 0;
  float *part = p + plen;
  for (int n0 = 0; n0 < g->n; n0 += step) {
    int nb = g->n - n0 < step ? g->n - n0 : step;
    im2col(g, x, n0, nb, p);
    float *out = n0 == 0 ? dfilter : part;
    dlm_sgemm(1, 0, kk, g->co, nb * pix, p, kk, dy + (size_t)n0 * pix * g->co, g->co, out, g->co);
    if (n0 > 0)
      for (size_t e = 0; e < wlen; e++) dfilter[e] += part[e];
  }
  return 1;
}

int dlm_conv2d_backprop_input(const dlm_conv_geom *g, const float *dy, const float *filter, float *dx) {
  const int kk = g->kh * g->kw * g->ci, pix = g->oh * g->ow;
  if (is_pointwise(g)) {
    dlm_sgemm(0, 1, g->n * pix, kk, g->co, dy, g->co, filter, g->co, dx, kk);
    return 1;
  }
  const int step = chunk_images(g);
  float *p = get_scratch((size_t)step * pix * kk);
  if (!p) return 0;
  memset(dx, 0, sizeof(float) * (size_t)g->n * g->h * g->w * g->ci);
  for (int n0 = 0; n0 < g->n; n0 += step) {
    int nb = g->n - n0 < step ? g->n - n0 : step;
    dlm_sgemm(0, 1, nb * pix, kk, g->co, dy + (size_t)n0 * pix * g->co, g->co, filter, g->co, p, kk);
    col2im(g, p, n0, nb, dx);
  }
  return 1;
}

/* Each window's dy goes to its first maximum (row-major over the window), as tfjs's cpu
 * backend and TensorFlow do; padding never wins. Channels are the inner loop, so every tap
 * reads a contiguous run of c floats. */
void dlm_max_pool_grad(const dlm_pool_geom *g, const float *x, const float *dy, float *dx) {
  const int c = g->c;
  memset(dx, 0, sizeof(float) * (size_t)g->n * g->h * g->w * c);
  size_t *best = malloc(sizeof(size_t) * c);
  float *bestv = malloc(sizeof(float) * c);
  if (!best || !bestv) abort();
  for (int n = 0; n < g->n; n++)
    for (int i = 0; i < g->oh; i++)
      for (int j = 0; j < g->ow; j++) {
        int first = 1;
        for (int a = 0; a < g->kh; a++) {
          int y = i * g->sh + a - g->pt;
          if (y < 0 || y >= g->h) continue;
          for (int b = 0; b < g->kw; b++) {
            int xx = j * g->sw + b - g->pl;
            if (xx < 0 || xx >= g->w) continue;
            size_t at = (((size_t)n * g->h + y) * g->w + xx) * c;
            const float *v = x + at;
            if (first) {
              for (int ch = 0; ch < c; ch++) best[ch] = at + ch, bestv[ch] = v[ch];
              first = 0;
              continue;
            }
            for (int ch = 0; ch < c; ch++)
              if (v[ch] > bestv[ch]) best[ch] = at + ch, bestv[ch] = v[ch];
          }
        }
        if (first) continue; /* a window of padding only */
        const float *d = dy + (((size_t)n * g->oh + i) * g->ow + j) * c;
        for (int ch = 0; ch < c; ch++) dx[best[ch]] += d[ch];
      }
  free(best);
  free(bestv);
}
