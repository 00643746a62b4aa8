/* One optimiser update of one tensor (optim.c). */
#ifndef DLM_OPTIM_H
#define DLM_OPTIM_H

#include <stddef.h>

#define DLM_OPTIM_HYPER_LEN 12
#define DLM_OPTIM_MAX_SLOTS 2

/* hy: rule, lr, t, momentum, beta1, beta2, eps, rho, decoupled decay, clip value, gradient
 * scale (clip norm), weight decay. s and so hold the rule's slots (0 to 2). */
void dlm_optimiser_step(const double *hy, size_t n, const float *p, const float *g, const float *const *s, float *po, float *const *so);

#endif
