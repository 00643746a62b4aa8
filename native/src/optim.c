/*
 * One optimiser update of one parameter tensor (core/kernels/optimiser-step.ts is the
 * JavaScript twin and documents the rules): θ, g and the slots in, new θ and slots out. One
 * branch-free loop per rule in single precision, so that the compiler vectorises it, doing the
 * float32 operations of nn/optimisers.ts's tfjs ops in their order, with their constants
 * (1 − β₁ and 1 − β₁ᵗ computed in double and rounded once, as JavaScript hands them to tfjs),
 * and without fused multiply-adds, so that both round alike.
 */
#pragma GCC optimize("fp-contract=off")
#include "optim.h"

#include <math.h>

enum { SGD, MOMENTUM, NESTEROV, ADAM, RMSPROP, ADAGRAD };

/* The preprocessed gradient: clamped to ±c, scaled (clip norm), plus weight decay. */
static inline float grad(float g, float th, float c, float scale, float wd) {
  g = g > c ? c : g < -c ? -c : g;
  return g * scale + wd * th;
}

void dlm_optimiser_step(const double *hy, size_t n, const float *restrict p, const float *restrict g, const float *const *s, float *restrict po,
                        float *const *so) {
  const int rule = (int)hy[0];
  const float lr = (float)hy[1], mu = (float)hy[3], b1 = (float)hy[4], b2 = (float)hy[5], eps = (float)hy[6], rho = (float)hy[7];
  const float dec = (float)hy[8], c = isinf(hy[9]) ? INFINITY : (float)hy[9], scale = (float)hy[10], wd = (float)hy[11];
  switch (rule) {
    case SGD:
      for (size_t i = 0; i < n; i++) po[i] = p[i] - lr * grad(g[i], p[i], c, scale, wd);
      break;
    case MOMENTUM: {
      const float *restrict v = s[0];
      float *restrict vo = so[0];
      for (size_t i = 0; i < n; i++) {
        const float gi = grad(g[i], p[i], c, scale, wd), v1 = mu * v[i] + gi;
        vo[i] = v1;
        po[i] = p[i] - lr * v1;
      }
      break;
    }
    case NESTEROV: {
      const float *restrict v = s[0];
      float *restrict vo = so[0];
      for (size_t i = 0; i < n; i++) {
        const float gi = grad(g[i], p[i], c, scale, wd), v1 = mu * v[i] + gi;
        vo[i] = v1;
        po[i] = p[i] - lr * (gi + mu * v1);
      }
      break;
    }
    case ADAM: {
      const float *restrict m = s[0], *restrict v = s[1];
      float *restrict mo = so[0], *restrict vo = so[1];
      const float c1 = (float)(1.0 - pow(hy[4], hy[2])), c2 = (float)(1.0 - pow(hy[5], hy[2]));
      const float ob1 = (float)(1.0 - hy[4]), ob2 = (float)(1.0 - hy[5]);
      for (size_t i = 0; i < n; i++) {
        const float gi = grad(g[i], p[i], c, scale, wd);
        const float m1 = b1 * m[i] + ob1 * gi, v1 = b2 * v[i] + ob2 * (gi * gi);
        mo[i] = m1;
        vo[i] = v1;
        po[i] = p[i] - lr * (m1 / c1 / (sqrtf(v1 / c2) + eps) + dec * p[i]);
      }
      break;
    }
    default: {
      const float *restrict v = s[0];
      float *restrict vo = so[0];
      const float keep = rule == RMSPROP ? rho : 1.0f, add = rule == RMSPROP ? (float)(1.0 - hy[7]) : 1.0f;
      for (size_t i = 0; i < n; i++) {
        const float gi = grad(g[i], p[i], c, scale, wd), v1 = keep * v[i] + add * (gi * gi);
        vo[i] = v1;
        po[i] = p[i] - lr * (gi / (sqrtf(v1) + eps));
      }
    }
  }
}
