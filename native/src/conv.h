/* 2-D convolution (NHWC, filter [kh, kw, ci, co]) and max-pool gradient on host buffers. */
#ifndef DLM_CONV_H
#define DLM_CONV_H

/* Geometry shared by the three convolution functions, in this order in the JavaScript Int32Array. */
typedef struct {
  int n, h, w, ci, kh, kw, co, oh, ow, sh, sw, pt, pl, dh, dw;
} dlm_conv_geom;
#define DLM_CONV_GEOM_LEN 15

/* Return 0 when scratch memory could not be had (the caller falls back to tfjs). */
int dlm_conv2d(const dlm_conv_geom *g, const float *x, const float *filter, float *y);
int dlm_conv2d_backprop_filter(const dlm_conv_geom *g, const float *x, const float *dy, float *dfilter);
int dlm_conv2d_backprop_input(const dlm_conv_geom *g, const float *dy, const float *filter, float *dx);

/* Max pooling's gradient: n, h, w, c, kh, kw, oh, ow, sh, sw, pt, pl. */
typedef struct {
  int n, h, w, c, kh, kw, oh, ow, sh, sw, pt, pl;
} dlm_pool_geom;
#define DLM_POOL_GEOM_LEN 12
void dlm_max_pool_grad(const dlm_pool_geom *g, const float *x, const float *dy, float *dx);

#endif
