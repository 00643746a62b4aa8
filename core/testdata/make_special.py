#!/usr/bin/env python3
"""Reference values for core/special.test.ts and core/special-host.test.ts.

Run:  python3 core/testdata/make_special.py > core/testdata/special.json
Inputs of the float32 tables are first rounded to float32 (so conditioning does not count as
error). Every value is computed with mpmath at 50 significant digits (mpmath 1.3.0) and rounded
to the nearest float64; quantiles are found by mpmath's root finder (normal: on log ncdf,
started from scipy's ndtri; beta: on betainc, started from scipy's betaincinv).
"""
import json
import mpmath as mp
import numpy as np
from scipy.special import betaincinv, ndtri

mp.mp.dps = 50


def f(v):
    v = mp.mpf(v)
    if mp.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(v)


def logspace(lo, hi, n):
    return [float(mp.mpf(10) ** (lo + (hi - lo) * i / (n - 1))) for i in range(n)]


def f32(x):
    """x rounded to float32: the float32 functions are evaluated at exactly this input."""
    return float(np.float32(x))


def table(fn, xs):
    return [[x, f(fn(mp.mpf(x)))] for x in xs]


def table32(fn, xs):
    return table(fn, [f32(x) for x in xs])


pos = logspace(-3, 6, 46) + [0.5, 0.9, 0.99, 1.0, 1.01, 1.5, 1.9, 2.0, 2.1, 2.5, 3.0, 4.5, 7.25, 9.9, 10.5, 15.0]
neg = [-0.5, -1.5, -2.25, -3.7, -0.1, -5.5]
small_log = [1e-30, 1e-10, 1e-7, -1e-7, 3e-5, -3e-5, 1e-3, -1e-3, 0.01, -0.01, 0.1, -0.1, 0.24, -0.24,
             0.26, -0.26, 0.5, -0.5, 0.9, -0.9, 1.0, 3.0, 10.0, 1e3, 1e10]
expm1_x = [1e-30, 1e-10, 1e-7, -1e-7, 3e-5, -3e-5, 1e-3, -1e-3, 0.1, -0.1, 0.24, -0.24, 0.26, -0.26,
           0.5, -0.5, 1.0, -1.0, 5.0, -5.0, 20.0, -20.0, 80.0]
lbeta_pairs = [[0.5, 0.5], [1, 1], [2, 3], [1e-3, 2], [1e-3, 1e-3], [0.3, 7], [5, 15], [9.5, 9.5], [20, 30],
               [1, 1e4], [3.5, 1e5], [1e3, 1e6], [12, 1e4], [1e4, 1e4], [0.5, 1e6], [50, 50], [7, 200],
               [2.5, 11], [100, 0.01]]
erf_x = [-6, -3, -1, -0.6, -0.3, -1e-3, 1e-8, 1e-4, 0.05, 0.2, 0.49, 0.51, 0.7, 1, 1.5, 2, 3, 4, 5, 6]
erfc_x = [-3, -1, -0.2, 0, 1e-6, 0.1, 0.4, 0.6, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 8.5, 9]
cdf_z = [-13, -12, -10, -8, -6, -5, -4, -3, -2, -1.5, -1, -0.5, -0.1, 0, 0.1, 0.5, 1, 2, 3, 5, 8]
logcdf_z = [-30, -25, -20, -15, -10, -7, -5, -3, -2, -1, -0.5, 0, 0.5, 1, 2, 3, 4, 5, 6, 7, 8]
probit_p = [1e-37, 1e-30, 1e-20, 1e-10, 1e-6, 1e-3, 0.01, 0.02, 0.03, 0.1, 0.25, 0.4, 0.45, 0.49, 0.51,
            0.6, 0.75, 0.9, 0.99, 0.999, 0.99999]
log1mexp_a = [-1e-7, -1e-4, -0.01, -0.3, -0.69, -0.7, -1, -5, -20, -50, -80]
softplus_x = [-80, -30, -10, -1, -1e-3, 0, 1e-3, 1, 10, 20, 30, 100]

lbeta32 = [[f32(a), f32(b)] for a, b in lbeta_pairs]
normal_cdf = lambda z: mp.ncdf(z)


def quantile(p):
    """Φ⁻¹(p): Newton in log space from scipy's float64 ndtri as the starting point."""
    p = mp.mpf(p)
    if p > 0.5:
        return -quantile(1 - p)
    target = mp.log(p)
    return mp.findroot(lambda x: mp.log(mp.ncdf(x)) - target, mp.mpf(float(ndtri(float(p)))))


out = {
    "provenance": "mpmath 1.3.0 at 50 digits; core/testdata/make_special.py",
    "lgamma": table32(lambda x: mp.log(abs(mp.gamma(x))), pos + neg),
    "digamma": table32(mp.digamma, pos + neg),
    "trigamma": table32(lambda x: mp.polygamma(1, x), pos + neg),
    "tetragamma": table32(lambda x: mp.polygamma(2, x), pos + neg),
    "lbeta": [[a, b, f(mp.log(mp.beta(a, b)))] for a, b in lbeta32],
    "lbeta_grad": [[a, b, f(mp.digamma(a) - mp.digamma(a + b)), f(mp.digamma(b) - mp.digamma(a + b))]
                   for a, b in lbeta32],
    "lchoose": [[n, k, f(mp.log(mp.binomial(n, k)))] for n, k in [[10, 3], [100, 50], [1e4, 2], [1e6, 10], [7.5, 2.5], [20, 0]]],
    "log1p": table32(mp.log1p, small_log),
    "expm1": table32(mp.expm1, expm1_x),
    "log1mexp": table32(lambda a: mp.log(-mp.expm1(a)), log1mexp_a),
    "softplus": table32(lambda x: mp.log1p(mp.exp(x)), softplus_x),
    "erf": table32(mp.erf, erf_x),
    "erfc": table32(mp.erfc, erfc_x),
    "normal_cdf": table32(normal_cdf, cdf_z),
    "normal_logcdf": table32(lambda z: mp.log(normal_cdf(z)), logcdf_z),
    "normal_logcdf_grad": table32(lambda z: mp.npdf(z) / normal_cdf(z), logcdf_z),
    "probit": table32(quantile, probit_p),
    # float64 host functions
    "normal_quantile": table(quantile, [1e-300, 1e-100, 1e-20, 1e-8, 1e-3, 0.02, 0.0243, 0.1, 0.3, 0.5, 0.7, 0.9, 0.975, 0.9999, 1 - 1e-12]),
    "erfc_host": table(mp.erfc, [-5, -1, 0, 1e-10, 0.3, 0.5, 1, 1.2, 1.3, 2, 3, 5, 10, 15, 20, 26.5]),
    "erf_host": table(mp.erf, [-3, -0.5, 1e-12, 1e-5, 0.1, 0.4, 0.6, 1, 2, 4]),
    "inc_beta": [[a, b, x, f(mp.betainc(a, b, 0, x, regularized=True))] for a, b, x in
                 [[1, 1, 0.3], [2, 3, 0.4], [0.5, 0.5, 0.01], [0.5, 0.5, 0.99], [10, 20, 0.2], [10, 20, 0.5],
                  [100, 200, 0.33], [1e3, 1e3, 0.48], [0.1, 5, 1e-6], [5, 0.1, 0.999], [30, 2, 0.9], [2.5, 7.5, 0.05]]],
    "beta_quantile": [],
    "gamma_p": [[a, x, f(mp.gammainc(a, 0, x, regularized=True))] for a, x in
                [[0.5, 0.1], [1, 1], [2.5, 1.5], [10, 3], [10, 10], [10, 25], [100, 90], [100, 120], [1e4, 1e4], [0.1, 5]]],
    "gamma_q": [[a, x, f(mp.gammainc(a, x, mp.inf, regularized=True))] for a, x in
                [[0.5, 0.1], [1, 1], [2.5, 1.5], [10, 3], [10, 10], [10, 25], [100, 90], [100, 150], [1e4, 1.05e4], [3, 60]]],
    "chi2_sf": [[x, k, f(mp.gammainc(mp.mpf(k) / 2, mp.mpf(x) / 2, mp.inf, regularized=True))] for x, k in
                [[3.84, 1], [1, 1], [10, 3], [50, 10], [200, 100], [0.01, 5], [500, 20]]],
}
for p, a, b in [[0.5, 2, 3], [0.025, 0.5, 0.5], [0.975, 10, 20], [1e-6, 2, 5], [0.999, 100, 3], [0.3, 1e3, 2e3], [0.5, 1, 1]]:
    q = mp.findroot(lambda x: mp.betainc(a, b, 0, x, regularized=True) - p, mp.mpf(float(betaincinv(a, b, p))))
    out["beta_quantile"].append([p, a, b, f(q)])

print("{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in out.items()) + "\n}")
