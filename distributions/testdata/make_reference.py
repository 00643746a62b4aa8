"""
Reference values for distributions/distributions.test.ts, computed with scipy.stats (float64)
and, where scipy has no such distribution, with closed forms checked here by numerical
integration (scipy.integrate). Run: python3 make_reference.py > reference.json

Conventions converted explicitly:
  * NegativeBinomial(mu, phi) = Stan's neg_binomial_2 = scipy nbinom(n = phi, p = phi / (mu + phi)).
  * LKJCholesky(K, eta): density over the strict lower triangle of L. For K = 2 it reduces to
    L21 = r with (r + 1)/2 ~ Beta(eta, eta), so scipy's beta gives the reference. For K = 3 the
    closed form sum_i (K - i + 2 eta - 2) log L_ii - log c_K(eta) (LKJ 2009, eq. 16) is used, and
    this script checks that it integrates to 1 over the free coordinates (nquad) and takes the
    moments of L from the same integration.
  * Categorical is 1-based: value k has probability p[k - 1].
  * HalfStudentT(nu, sigma) = |StudentT(nu, 0, sigma)|: logpdf = log 2 + t.logpdf.
  * ordered(Normal(0, 1, size = K)): log p = sum of Normal logpdfs on increasing vectors; the
    moments are those of the order statistics, by quad over k C(K,k) F^{k-1} S^{K-k} f.
"""
import json
import math
import sys

import numpy as np
from scipy import integrate, special, stats

cases = []


def add(cid, dist, args, xs, logp, mean=None, var=None, kwargs=None, cdf=None, batch=None, logcdf=None, note=None):
    c = {"id": cid, "dist": dist, "args": args, "kwargs": kwargs or {}, "x": xs, "logp": [float(v) for v in logp]}
    c["mean"] = None if mean is None else np.asarray(mean, dtype=float).tolist()
    c["var"] = None if var is None else np.asarray(var, dtype=float).tolist()
    if cdf is not None:
        c["cdf"] = {"x": cdf[0], "p": [float(v) for v in cdf[1]]}
    if logcdf is not None:
        c["logcdf"] = {"x": logcdf[0], "logcdf": [float(v) for v in logcdf[1]], "logsf": [float(v) for v in logcdf[2]]}
    c["batch"] = batch
    cases.append(c)


def uni(cid, dist, args, frozen, xs, cdf_pts, kwargs=None, batch=0, has_logcdf=True, mean=None, var=None):
    m = frozen.mean() if mean is None else mean
    v = frozen.var() if var is None else var
    add(cid, dist, args, xs, frozen.logpdf(xs) if hasattr(frozen, "logpdf") else frozen.logpmf(xs), m, v, kwargs,
        cdf=(cdf_pts, frozen.cdf(cdf_pts)), batch={"index": batch, "eventRank": 0},
        logcdf=(xs, frozen.logcdf(xs), frozen.logsf(xs)) if has_logcdf else None)


def fix(v):
    return float(v)


uni("Normal", "Normal", [1.5, 2.0], stats.norm(1.5, 2.0), [-3.0, 0.0, 1.5, 4.2, 9.0], [0.0, 1.5, 3.0])
uni("HalfNormal", "HalfNormal", [1.7], stats.halfnorm(scale=1.7), [0.0, 0.3, 1.0, 2.5, 6.0], [0.5, 1.2, 3.0])
nu, mu, s = 5.0, -1.0, 1.5
uni("StudentT", "StudentT", [nu, mu, s], stats.t(nu, mu, s), [-8.0, -1.0, 0.0, 2.5, 30.0], [-2.0, -1.0, 1.0])
t_big = stats.t(250.0, 0.5, 2.0)
uni("StudentT(nu=250)", "StudentT", [250.0, 0.5, 2.0], t_big, [-3.0, 0.5, 4.0, 9.0], [0.0, 2.0, 4.0], batch=1)
# HalfStudentT: no scipy distribution; |t|. Moments by quad.
hnu, hs = 6.0, 2.0
ht = stats.t(hnu, 0, hs)
hm = integrate.quad(lambda x: 2 * x * ht.pdf(x), 0, np.inf)[0]
hv = hs**2 * hnu / (hnu - 2) - hm**2
hx = [0.0, 0.4, 1.5, 4.0, 12.0]
add("HalfStudentT", "HalfStudentT", [hnu, hs], hx, np.log(2) + ht.logpdf(hx), hm, hv,
    cdf=([1.0, 2.0, 5.0], 2 * ht.cdf([1.0, 2.0, 5.0]) - 1), batch={"index": 1, "eventRank": 0},
    logcdf=(hx, np.log(2 * ht.cdf(hx) - 1), np.log(2) + ht.logsf(hx)))
uni("Cauchy", "Cauchy", [0.5, 2.0], stats.cauchy(0.5, 2.0), [-300.0, -2.0, 0.5, 3.0, 1000.0], [-3.0, 0.5, 4.0], mean=float("nan"), var=float("nan"))
uni("HalfCauchy", "HalfCauchy", [1.5], stats.halfcauchy(scale=1.5), [0.0, 0.5, 1.5, 10.0, 500.0], [0.5, 1.5, 6.0], mean=float("inf"), var=float("inf"))
uni("Laplace", "Laplace", [-0.5, 1.2], stats.laplace(-0.5, 1.2), [-9.0, -1.0, -0.45, 0.7, 12.0], [-2.0, -0.5, 1.0])
uni("Logistic", "Logistic", [2.0, 0.7], stats.logistic(2.0, 0.7), [-10.0, 1.0, 2.0, 3.5, 20.0], [1.0, 2.0, 3.5])
uni("LogNormal", "LogNormal", [0.3, 0.5], stats.lognorm(s=0.5, scale=math.exp(0.3)), [0.05, 0.8, 1.35, 3.0, 10.0], [0.8, 1.35, 2.5])
uni("Exponential", "Exponential", [2.5], stats.expon(scale=1 / 2.5), [0.0, 0.01, 0.4, 2.0, 8.0], [0.1, 0.4, 1.0])
uni("Gamma", "Gamma", [3.5, 2.0], stats.gamma(3.5, scale=0.5), [0.05, 0.7, 1.75, 4.0, 12.0], [1.0, 1.75, 3.0])
uni("Gamma(shape<1)", "Gamma", [0.6, 1.3], stats.gamma(0.6, scale=1 / 1.3), [0.001, 0.2, 1.0, 5.0], [0.1, 0.5, 1.5], batch=1)
uni("InverseGamma", "InverseGamma", [4.0, 3.0], stats.invgamma(4.0, scale=3.0), [0.1, 0.5, 1.0, 2.5, 9.0], [0.5, 1.0, 2.0])
uni("Weibull", "Weibull", [1.8, 2.5], stats.weibull_min(1.8, scale=2.5), [0.0, 0.3, 2.0, 5.0, 9.0], [1.0, 2.2, 4.0])
uni("Beta", "Beta", [2.5, 4.0], stats.beta(2.5, 4.0), [0.001, 0.1, 0.35, 0.8, 0.999], [0.2, 0.35, 0.6])
uni("Beta(a<1)", "Beta", [0.7, 0.9], stats.beta(0.7, 0.9), [0.0001, 0.3, 0.7, 0.9999], [0.1, 0.5, 0.9], batch=1)
uni("Uniform", "Uniform", [-1.0, 3.0], stats.uniform(-1.0, 4.0), [-1.0, 0.0, 2.5, 3.0], [0.0, 1.0, 2.5])


def disc(cid, dist, args, frozen, xs, kwargs=None, batch=0):
    add(cid, dist, args, xs, frozen.logpmf(xs), frozen.mean(), frozen.var(), kwargs,
        cdf=None, batch={"index": batch, "eventRank": 0})


disc("Bernoulli", "Bernoulli", [0.3], stats.bernoulli(0.3), [0.0, 1.0])
disc("Bernoulli(logit)", "Bernoulli", [], stats.bernoulli(special.expit(-1.2)), [0.0, 1.0], kwargs={"logit": -1.2}, batch="logit")
disc("Binomial", "Binomial", [12, 0.35], stats.binom(12, 0.35), [0.0, 3.0, 4.0, 12.0], batch=1)
disc("Binomial(large n)", "Binomial", [400, 0.2], stats.binom(400, 0.2), [60.0, 85.0, 100.0], batch=1)
disc("Binomial(logit)", "Binomial", [7], stats.binom(7, special.expit(0.8)), [0.0, 5.0, 7.0], kwargs={"logit": 0.8}, batch="logit")
disc("Poisson", "Poisson", [3.2], stats.poisson(3.2), [0.0, 1.0, 3.0, 10.0])
disc("Poisson(large)", "Poisson", [45.0], stats.poisson(45.0), [30.0, 45.0, 70.0])
disc("Poisson(log_rate)", "Poisson", [], stats.poisson(math.exp(1.1)), [0.0, 2.0, 9.0], kwargs={"log_rate": 1.1}, batch="log_rate")
nb_mu, nb_phi = 4.0, 2.5
disc("NegativeBinomial", "NegativeBinomial", [nb_mu, nb_phi], stats.nbinom(nb_phi, nb_phi / (nb_mu + nb_phi)), [0.0, 2.0, 4.0, 15.0])

# Categorical over 1..K.
p = np.array([0.2, 0.5, 0.1, 0.2])
ks = np.arange(1, 5)
cm = float((ks * p).sum())
cv = float((ks**2 * p).sum() - cm**2)
add("Categorical", "Categorical", [p.tolist()], [1.0, 2.0, 3.0, 4.0],
    [stats.multinomial(1, p).logpmf(np.eye(4)[k - 1]) for k in [1, 2, 3, 4]], cm, cv, batch={"index": 0, "eventRank": 1})
eta = np.array([0.5, -1.0, 2.0])
pe = special.softmax(eta)
add("Categorical(logits)", "Categorical", [], [1.0, 3.0], [stats.multinomial(1, pe).logpmf(np.eye(3)[k - 1]) for k in [1, 3]],
    float((np.arange(1, 4) * pe).sum()), float((np.arange(1, 4) ** 2 * pe).sum() - (np.arange(1, 4) * pe).sum() ** 2),
    kwargs={"logits": eta.tolist()}, batch={"index": "logits", "eventRank": 1})

alpha = np.array([2.0, 3.5, 1.2])
dx = [[0.2, 0.5, 0.3], [0.6, 0.3, 0.1], [0.05, 0.9, 0.05]]
dd = stats.dirichlet(alpha)
add("Dirichlet", "Dirichlet", [alpha.tolist()], dx, [dd.logpdf(np.array(v)) for v in dx], dd.mean(), dd.var(), batch={"index": 0, "eventRank": 1})

mvmu = np.array([1.0, -1.0, 0.5])
S = np.array([[2.0, 0.6, -0.3], [0.6, 1.0, 0.2], [-0.3, 0.2, 0.8]])
mvx = [[0.0, 0.0, 0.0], [1.5, -2.0, 1.0], [3.0, 1.0, -1.0]]
mvd = stats.multivariate_normal(mvmu, S)
add("MvNormal", "MvNormal", [mvmu.tolist(), S.tolist()], mvx, [mvd.logpdf(v) for v in mvx], mvmu, np.diag(S), batch={"index": 0, "eventRank": 1})
Lc = np.linalg.cholesky(S)
add("MvNormal(cholesky)", "MvNormal", [mvmu.tolist()], mvx, [mvd.logpdf(v) for v in mvx], mvmu, np.diag(S),
    kwargs={"cholesky": Lc.tolist()}, batch={"index": "cholesky", "eventRank": 2})

# LKJCholesky, K = 2: L21 = r, (r+1)/2 ~ Beta(eta, eta).
def lkj2(r):
    return [[1.0, 0.0], [r, math.sqrt(1 - r * r)]]


e2 = 1.5
rs = [-0.8, 0.0, 0.3, 0.95]
bd = stats.beta(e2, e2)
r_mean = 0.0
r_var = 4 * bd.var()
sq = integrate.quad(lambda r: math.sqrt(1 - r * r) * bd.pdf((r + 1) / 2) / 2, -1, 1)[0]
sq2 = 1 - r_var
add("LKJCholesky(K=2)", "LKJCholesky", [2, e2], [lkj2(r) for r in rs], [bd.logpdf((r + 1) / 2) - math.log(2) for r in rs],
    [[1, 0], [r_mean, sq]], [[0, 0], [r_var, sq2 - sq**2]], batch={"index": 1, "eventRank": 0})


def lkj_logc(K, eta):
    out = 0.0
    for k in range(1, K):
        b = eta + (K - k - 1) / 2
        out += (2 * eta - 2 + K - k) * (K - k) * math.log(2) + (K - k) * special.betaln(b, b)
    return out


def lkj_logp(L, eta):
    K = len(L)
    return sum((K - i + 2 * eta - 2) * math.log(L[i - 1][i - 1]) for i in range(2, K + 1)) - lkj_logc(K, eta)


def lkj3(a, b, c):
    # free coordinates: L21 = a, L31 = b, L32 = c with b^2 + c^2 < 1
    return [[1.0, 0.0, 0.0], [a, math.sqrt(1 - a * a), 0.0], [b, c, math.sqrt(1 - b * b - c * c)]]


e3 = 2.0


def integrate3(f):
    # (a, b, c) with |a| < 1 and b^2 + c^2 < 1; polar coordinates for (b, c).
    def g(rho, th, a):
        b, c = rho * math.cos(th), rho * math.sin(th)
        L = lkj3(a, b, c)
        return f(L) * math.exp(lkj_logp(L, e3)) * rho
    return integrate.nquad(g, [[0, 1], [0, 2 * math.pi], [-1, 1]], opts={"epsabs": 1e-10, "epsrel": 1e-8})[0]


total = integrate3(lambda L: 1.0)
assert abs(total - 1) < 1e-6, total
m3 = np.zeros((3, 3))
v3 = np.zeros((3, 3))
for i in range(3):
    for j in range(i + 1):
        mij = 1.0 if i == j == 0 else integrate3(lambda L: L[i][j])
        s2 = 1.0 if i == j == 0 else integrate3(lambda L: L[i][j] ** 2)
        m3[i, j] = mij
        v3[i, j] = max(s2 - mij**2, 0.0)
pts3 = [(0.2, -0.3, 0.5), (0.0, 0.0, 0.0), (-0.7, 0.6, 0.3)]
add("LKJCholesky(K=3)", "LKJCholesky", [3, e3], [lkj3(*q) for q in pts3], [lkj_logp(lkj3(*q), e3) for q in pts3], m3, v3,
    batch={"index": 1, "eventRank": 0})

# Mixture of two normals.
w = np.array([0.3, 0.7])
c1, c2 = stats.norm(-2.0, 1.0), stats.norm(1.5, 0.5)
mx = np.array([-4.0, -2.0, 0.0, 1.5, 3.0])
mm = w[0] * -2.0 + w[1] * 1.5
mv = w[0] * (1.0 + 4.0) + w[1] * (0.25 + 2.25) - mm**2
add("Mixture", "Mixture", [w.tolist(), [{"dist": "Normal", "args": [-2.0, 1.0]}, {"dist": "Normal", "args": [1.5, 0.5]}]],
    mx.tolist(), np.logaddexp(np.log(w[0]) + c1.logpdf(mx), np.log(w[1]) + c2.logpdf(mx)), mm, mv,
    cdf=([-2.0, 0.0, 1.5], w[0] * c1.cdf([-2.0, 0.0, 1.5]) + w[1] * c2.cdf([-2.0, 0.0, 1.5])), batch={"index": 0, "eventRank": 1})

# truncated
tn = stats.truncnorm((-0.5 - 1.0) / 2.0, (3.0 - 1.0) / 2.0, loc=1.0, scale=2.0)
uni("truncated(Normal)", "truncated", [{"dist": "Normal", "args": [1.0, 2.0]}, -0.5, 3.0], tn, [-0.5, 0.0, 1.0, 2.9], [0.0, 1.0, 2.0], batch=1, has_logcdf=False)
tu = stats.truncnorm(4.0, np.inf)  # deep upper tail: Z = S(4) ≈ 3.2e-5
uni("truncated(Normal, lo=4)", "truncated", [{"dist": "Normal", "args": [0.0, 1.0]}, 4.0], tu, [4.0, 4.1, 4.5, 6.0], [4.1, 4.25, 4.5], batch=1, has_logcdf=False)
ex = stats.expon(scale=1 / 0.5)
z = ex.cdf(3.0)
tex = [0.0, 1.0, 2.9]
add("truncated(Exponential, hi=3)", "truncated", [{"dist": "Exponential", "args": [0.5]}], tex, ex.logpdf(tex) - math.log(z),
    ex.expect(lambda x: x, lb=0, ub=3.0, conditional=True),
    ex.expect(lambda x: x**2, lb=0, ub=3.0, conditional=True) - ex.expect(lambda x: x, lb=0, ub=3.0, conditional=True) ** 2,
    kwargs={"hi": 3.0}, cdf=([0.5, 1.5, 2.5], ex.cdf([0.5, 1.5, 2.5]) / z), batch={"index": "hi", "eventRank": 0})
la = stats.laplace(0.0, 1.0)
zl = la.cdf(2.0) - la.cdf(-1.0)
tlx = [-1.0, 0.3, 1.5]
lam = la.expect(lambda x: x, lb=-1, ub=2, conditional=True)
lav = la.expect(lambda x: x**2, lb=-1, ub=2, conditional=True) - lam**2
add("truncated(Laplace)", "truncated", [{"dist": "Laplace", "args": [0.0, 1.0]}, -1.0, 2.0], tlx, la.logpdf(tlx) - math.log(zl), lam, lav,
    cdf=([-0.5, 0.0, 1.0], (la.cdf([-0.5, 0.0, 1.0]) - la.cdf(-1.0)) / zl), batch={"index": 1, "eventRank": 0})

# ordered(Normal(0, 1, size = 3))
K = 3
ox = [[-1.0, 0.2, 0.5], [-0.3, 0.0, 2.0], [0.5, 0.2, 1.0]]  # the last is not increasing: -inf
ol = [sum(stats.norm.logpdf(v)) if all(v[i] < v[i + 1] for i in range(K - 1)) else -np.inf for v in ox]


def order_moment(k, power):
    c = math.factorial(K) / (math.factorial(k - 1) * math.factorial(K - k))
    f = lambda x: x**power * c * stats.norm.cdf(x) ** (k - 1) * stats.norm.sf(x) ** (K - k) * stats.norm.pdf(x)
    return integrate.quad(f, -np.inf, np.inf, epsabs=1e-12)[0]


om = [order_moment(k, 1) for k in range(1, K + 1)]
ov = [order_moment(k, 2) - om[k - 1] ** 2 for k in range(1, K + 1)]
add("ordered(Normal)", "ordered", [{"dist": "Normal", "args": [0.0, 1.0], "kwargs": {"size": [K]}}], ox, ol, om, ov, batch=None)

# ordered(Exponential(2, size = 3)): exponential order statistics (Rényi):
# E X_(k) = sum_{i=K-k+1}^{K} 1/(i*rate), Var X_(k) = sum 1/(i*rate)^2.
rate = 2.0
eo = stats.expon(scale=1 / rate)
oex = [[0.1, 0.3, 1.0], [0.05, 0.06, 2.5]]
oem = [sum(1 / (i * rate) for i in range(K - k + 1, K + 1)) for k in range(1, K + 1)]
oev = [sum(1 / (i * rate) ** 2 for i in range(K - k + 1, K + 1)) for k in range(1, K + 1)]
add("ordered(Exponential)", "ordered", [{"dist": "Exponential", "args": [rate], "kwargs": {"size": [K]}}], oex,
    [sum(eo.logpdf(v)) for v in oex], oem, oev, batch=None)

# A discrete mixture (zero-inflation style): 0.4 Poisson(1) + 0.6 Poisson(5).
pw = np.array([0.4, 0.6])
pk = np.array([0.0, 1.0, 4.0, 9.0])
pm = 0.4 * 1 + 0.6 * 5
pv = 0.4 * (1 + 1) + 0.6 * (5 + 25) - pm**2
add("Mixture(Poisson)", "Mixture", [pw.tolist(), [{"dist": "Poisson", "args": [1.0]}, {"dist": "Poisson", "args": [5.0]}]], pk.tolist(),
    np.logaddexp(np.log(0.4) + stats.poisson(1.0).logpmf(pk), np.log(0.6) + stats.poisson(5.0).logpmf(pk)), pm, pv,
    batch={"index": 0, "eventRank": 1})

# Improper priors: log p = 0 on the support (no reference library needed; -inf off the support).
add("Flat", "Flat", [], [-5.0, 0.0, 100.0], [0.0, 0.0, 0.0], None, None, batch=None)
add("FlatPos", "FlatPos", [], [-1.0, 0.5, 100.0], [-np.inf, 0.0, 0.0], None, None, batch=None)


def clean(o):
    if isinstance(o, float):
        if math.isnan(o):
            return "NaN"
        if math.isinf(o):
            return "Infinity" if o > 0 else "-Infinity"
        return o
    if isinstance(o, dict):
        return {k: clean(v) for k, v in o.items()}
    if isinstance(o, list):
        return [clean(v) for v in o]
    if isinstance(o, (np.floating,)):
        return clean(float(o))
    if isinstance(o, (np.integer,)):
        return int(o)
    return o


json.dump({"generator": "distributions/testdata/make_reference.py (scipy " + __import__("scipy").__version__ + ")", "cases": clean(cases)}, sys.stdout, indent=1)
