/**
 * Float64 host transcriptions of the likelihood and `target +=` parts of the posteriordb Stan
 * programs (posterior_database/models/stan/<model>.stan in stan-dev/posteriordb), written as
 * literal loops in the programs' own order, with no use of the interpreter or distributions/.
 * They take the constrained parameter values by Stan name and return the log density up to a
 * data-only constant; the latent priors written as `~` statements in the translations are
 * left out (those are distributions/' business).
 */

/** Parameter values by Stan name (`theta[1]`, `mu`). */
export type Values = (name: string) => number;
type Data = Readonly<Record<string, unknown>>;

const LOG_2PI = Math.log(2 * Math.PI);
const normalLp = (x: number, mu: number, s: number): number => -0.5 * ((x - mu) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI;
const exponentialLp = (x: number, rate: number): number => Math.log(rate) - rate * x;
const logSumExp = (xs: readonly number[]): number => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
};
const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const vec = (v: Values, name: string, n: number): number[] => Array.from({ length: n }, (_, i) => v(`${name}[${i + 1}]`));
const num = (d: Data, k: string): number => d[k] as number;
const arr = (d: Data, k: string): number[] => d[k] as number[];
const mat = (d: Data, k: string): number[][] => d[k] as number[][];

/** HMM forward algorithm as in hmm_example.stan / hmm_drive_0.stan: gamma[1, k] = emission only. */
function forward(theta: readonly (readonly number[])[], emission: (t: number, k: number) => number, n: number, K: number): number {
  let gamma = Array.from({ length: K }, (_, k) => emission(0, k));
  for (let t = 1; t < n; t++) {
    gamma = Array.from({ length: K }, (_, k) => logSumExp(Array.from({ length: K }, (_, j) => gamma[j]! + Math.log(theta[j]![k]!) + emission(t, k))));
  }
  return logSumExp(gamma);
}

/**
 * gp_pois_regr.stan: f = cholesky(gp_exp_quad_cov(x, alpha, rho) + jitter I) * f_tilde, then
 * k ~ poisson_log(f), with the jitter as a function of alpha.
 */
function gpPoisRegr(jitterOf: (alpha: number) => number): (v: Values, d: Data) => number {
  return (v, d) => {
    const [x, k] = [arr(d, "x"), arr(d, "k")];
    const n = x.length;
    const jitter = jitterOf(v("alpha"));
    const cov = x.map((xi, i) => x.map((xj, j) => v("alpha") ** 2 * Math.exp(-((xi - xj) ** 2) / (2 * v("rho") ** 2)) + (i === j ? jitter : 0)));
    const L = cov.map(() => new Array<number>(n).fill(0));
    for (let j = 0; j < n; j++) {
      let s = cov[j]![j]!;
      for (let m = 0; m < j; m++) s -= L[j]![m]! ** 2;
      L[j]![j] = Math.sqrt(s);
      for (let i = j + 1; i < n; i++) {
        let t = cov[i]![j]!;
        for (let m = 0; m < j; m++) t -= L[i]![m]! * L[j]![m]!;
        L[i]![j] = t / L[j]![j]!;
      }
    }
    const z = vec(v, "f_tilde", n);
    const f = L.map((row) => row.reduce((s, l, j) => s + l * z[j]!, 0));
    return k.reduce((s, ki, i) => s + ki * f[i]! - Math.exp(f[i]!), 0);
  };
}

/** The Stan programs' non-prior terms, by posterior name. */
export const STAN_LIKELIHOODS: Readonly<Record<string, (v: Values, d: Data) => number>> = {
  "garch-garch11": (v, d) => {
    const y = arr(d, "y");
    const T = num(d, "T");
    const [mu, alpha0, alpha1, beta1] = [v("mu"), v("alpha0"), v("alpha1"), v("beta1")];
    const sigma = [num(d, "sigma1")];
    for (let t = 1; t < T; t++) sigma.push(Math.sqrt(alpha0 + alpha1 * (y[t - 1]! - mu) ** 2 + beta1 * sigma[t - 1]! ** 2));
    // + log(1 − alpha1): Stan's flat density on beta1 ∈ (0, 1 − alpha1), against Uniform's 1/(1 − alpha1)
    return y.reduce((s, yt, t) => s + normalLp(yt, mu, sigma[t]!), 0) + Math.log(1 - alpha1);
  },
  "arK-arK": (v, d) => {
    const [K, T, y] = [num(d, "K"), num(d, "T"), arr(d, "y")];
    const beta = vec(v, "beta", K);
    let lp = 0;
    for (let t = K; t < T; t++) {
      let mu = v("alpha");
      for (let k = 1; k <= K; k++) mu += beta[k - 1]! * y[t - k]!;
      lp += normalLp(y[t]!, mu, v("sigma"));
    }
    return lp;
  },
  "hmm_example-hmm_example": (v, d) => {
    const [N, K, y] = [num(d, "N"), num(d, "K"), arr(d, "y")];
    const mu = vec(v, "mu", K);
    const theta = [vec(v, "theta1", K), vec(v, "theta2", K)];
    return normalLp(mu[0]!, 3, 1) + normalLp(mu[1]!, 10, 1) + forward(theta, (t, k) => normalLp(y[t]!, mu[k]!, 1), N, K);
  },
  "bball_drive_event_0-hmm_drive_0": (v, d) => {
    const [N, K, u, w] = [num(d, "N"), num(d, "K"), arr(d, "u"), arr(d, "v")];
    const phi = vec(v, "phi", K);
    const lambda = vec(v, "lambda", K);
    const theta = [vec(v, "theta1", K), vec(v, "theta2", K)];
    const priors = normalLp(phi[0]!, 0, 1) + normalLp(phi[1]!, 3, 1) + normalLp(lambda[0]!, 0, 1) + normalLp(lambda[1]!, 3, 1);
    return priors + forward(theta, (t, k) => exponentialLp(u[t]!, phi[k]!) + exponentialLp(w[t]!, lambda[k]!), N, K);
  },
  "low_dim_gauss_mix-low_dim_gauss_mix": (v, d) => {
    const th = v("theta");
    return arr(d, "y").reduce((s, y) => s + logSumExp([Math.log(th) + normalLp(y, v("mu[1]"), v("sigma[1]")), Math.log1p(-th) + normalLp(y, v("mu[2]"), v("sigma[2]"))]), 0);
  },
  "mcycle_gp-accel_gp": (v, d) => {
    const Y = arr(d, "Y");
    const gp = (X: number[][], sl: number[][], sdgp: number, lscale: number, z: number[]): number[] => {
      // spd_cov_exp_quad with D = 1, then gpa: X * (sqrt(spd) .* z)
      const spd = sl.map((s) => sdgp ** 2 * (Math.sqrt(2 * Math.PI) * lscale) * Math.exp(-0.5 * lscale ** 2 * s[0]! ** 2));
      return X.map((row) => row.reduce((acc, x, m) => acc + x * Math.sqrt(spd[m]!) * z[m]!, 0));
    };
    const f = gp(mat(d, "Xgp_1"), mat(d, "slambda_1"), v("sdgp_1"), v("lscale_1"), vec(v, "zgp_1", num(d, "NBgp_1")));
    const g = gp(mat(d, "Xgp_sigma_1"), mat(d, "slambda_sigma_1"), v("sdgp_sigma_1"), v("lscale_sigma_1"), vec(v, "zgp_sigma_1", num(d, "NBgp_sigma_1")));
    return Y.reduce((s, y, n) => s + normalLp(y, v("Intercept") + f[n]!, Math.exp(v("Intercept_sigma") + g[n]!)), 0);
  },
  "irt_2pl-irt_2pl": (v, d) => {
    const y = mat(d, "y");
    let lp = 0;
    y.forEach((yi, i) => yi.forEach((yij, j) => {
      const eta = v(`a[${i + 1}]`) * (v(`theta[${j + 1}]`) - v(`b[${i + 1}]`));
      lp += yij === 1 ? -softplus(-eta) : -softplus(eta);
    }));
    return lp;
  },
  "nes2000-nes": (v, d) => {
    const col = (k: string): number[] => arr(d, k);
    const age = col("age_discrete");
    const b = vec(v, "beta", 9);
    return col("partyid7").reduce((s, y, n) => {
      const mu = b[0]! + b[1]! * col("real_ideo")[n]! + b[2]! * col("race_adj")[n]! + b[3]! * (age[n] === 2 ? 1 : 0) + b[4]! * (age[n] === 3 ? 1 : 0) +
        b[5]! * (age[n] === 4 ? 1 : 0) + b[6]! * col("educ1")[n]! + b[7]! * col("gender")[n]! + b[8]! * col("income")[n]!;
      return s + normalLp(y, mu, v("sigma"));
    }, 0);
  },
  "earnings-logearn_interaction": (v, d) => {
    const [earn, height, male] = [arr(d, "earn"), arr(d, "height"), arr(d, "male")];
    const b = vec(v, "beta", 4);
    return earn.reduce((s, e, n) => s + normalLp(Math.log(e), b[0]! + b[1]! * height[n]! + b[2]! * male[n]! + b[3]! * height[n]! * male[n]!, v("sigma")), 0);
  },
  // posteriordb's jitter, 1e-10 on the diagonal (the translation the host engine runs)
  "gp_pois_regr-gp_pois_regr": gpPoisRegr(() => 1e-10),
  "GLM_Poisson_Data-GLM_Poisson_model": (v, d) => {
    const [year, C] = [arr(d, "year"), arr(d, "C")];
    return C.reduce((s, c, i) => {
      const ll = v("alpha") + v("beta1") * year[i]! + v("beta2") * year[i]! ** 2 + v("beta3") * year[i]! ** 3;
      return s + c * ll - Math.exp(ll);
    }, 0);
  },
  "eight_schools-eight_schools_centered": (v, d) => {
    const [y, sigma] = [arr(d, "y"), arr(d, "sigma")];
    return y.reduce((s, yj, j) => s + normalLp(yj, v(`theta[${j + 1}]`), sigma[j]!), 0);
  },
  "eight_schools-eight_schools_noncentered": (v, d) => {
    // theta = theta_trans * tau + mu, from the latents themselves
    const [y, sigma] = [arr(d, "y"), arr(d, "sigma")];
    return y.reduce((s, yj, j) => s + normalLp(yj, v(`theta_trans[${j + 1}]`) * v("tau") + v("mu"), sigma[j]!), 0);
  },
  "kidiq-kidscore_interaction": (v, d) => {
    const [score, iq, hs] = [arr(d, "kid_score"), arr(d, "mom_iq"), arr(d, "mom_hs")];
    const b = vec(v, "beta", 4);
    return score.reduce((s, k, n) => s + normalLp(k, b[0]! + b[1]! * hs[n]! + b[2]! * iq[n]! + b[3]! * (hs[n]! * iq[n]!), v("sigma")), 0);
  },
  "kilpisjarvi_mod-kilpisjarvi": (v, d) => {
    const [x, y] = [arr(d, "x"), arr(d, "y")];
    return y.reduce((s, yn, n) => s + normalLp(yn, v("alpha") + v("beta") * x[n]!, v("sigma")), 0);
  },
  "mesquite-logmesquite": (v, d) => {
    // log(weight) ~ normal(...): the translation's LogNormal differs by −Σ log weight, data only
    const c = (k: string): number[] => arr(d, k);
    const b = vec(v, "beta", 7);
    return c("weight").reduce((s, w, n) => {
      const mu = b[0]! + b[1]! * Math.log(c("diam1")[n]!) + b[2]! * Math.log(c("diam2")[n]!) + b[3]! * Math.log(c("canopy_height")[n]!) +
        b[4]! * Math.log(c("total_height")[n]!) + b[5]! * Math.log(c("density")[n]!) + b[6]! * c("group")[n]!;
      return s + normalLp(Math.log(w), mu, v("sigma"));
    }, 0);
  },
  "radon_mn-radon_hierarchical_intercept_noncentered": (v, d) => {
    // alpha = mu_alpha + sigma_alpha * alpha_raw, from the latents themselves
    const [county, uppm, floor, y] = [arr(d, "county_idx"), arr(d, "log_uppm"), arr(d, "floor_measure"), arr(d, "log_radon")];
    const alpha = (j: number): number => v("mu_alpha") + v("sigma_alpha") * v(`alpha_raw[${j}]`);
    return y.reduce((s, yn, n) => s + normalLp(yn, alpha(county[n]!) + v("beta[1]") * uppm[n]! + v("beta[2]") * floor[n]!, v("sigma_y")), 0);
  },
  "sblrc-blr": (v, d) => {
    const [X, y] = [mat(d, "X"), arr(d, "y")];
    const b = vec(v, "beta", num(d, "D"));
    return y.reduce((s, yn, n) => s + normalLp(yn, X[n]!.reduce((m, x, i) => m + x * b[i]!, 0), v("sigma")), 0);
  },
  "wells_data-wells_dist": (v, d) => {
    // bernoulli_logit: y·η − log(1 + e^η)
    const [sw, dist] = [arr(d, "switched"), arr(d, "dist")];
    return sw.reduce((s, y, n) => {
      const eta = v("beta[1]") + v("beta[2]") * dist[n]!;
      return s + y * eta - softplus(eta);
    }, 0);
  },
  "diamonds-diamonds": (v, d) => {
    // normal_id_glm(Y | Xc, Intercept, b, sigma) with Xc the columns 2..K of X, each centred
    const [X, Y, K] = [mat(d, "X"), arr(d, "Y"), num(d, "K")];
    const means = Array.from({ length: K - 1 }, (_, j) => X.reduce((s, row) => s + row[j + 1]!, 0) / X.length);
    const b = vec(v, "b", K - 1);
    return Y.reduce((s, y, n) => s + normalLp(y, v("Intercept") + b.reduce((m, bj, j) => m + (X[n]![j + 1]! - means[j]!) * bj, 0), v("sigma")), 0);
  },
};

/**
 * The transcriptions of the float32 variants of translations (bench/posteriordb/models/float32/,
 * what tfjs runs take), where they differ from the Stan program: gp_pois_regr with a jitter of
 * 1e-5·alpha² (the reason is in its .dlm file).
 */
export const FLOAT32_STAN_LIKELIHOODS: Readonly<Record<string, (v: Values, d: Data) => number>> = {
  "gp_pois_regr-gp_pois_regr": gpPoisRegr((alpha) => 1e-5 * alpha ** 2),
};
