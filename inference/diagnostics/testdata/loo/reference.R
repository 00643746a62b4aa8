# Reference values for inference/diagnostics/loo.test.ts, from R's loo package (Debian's
# r-cran-loo 2.5.1): the pointwise log-likelihood of the regression in model.dlm, computed here
# with dnorm from the draws in draws-*.csv and the data in data.json, then loo() and waic()
# with r_eff = 1. Run: Rscript reference.R > reference.json
suppressMessages(library(loo))
read_draws <- function(f) read.csv(f, comment.char = "#")
d <- do.call(rbind, lapply(sprintf("draws-%d.csv", 1:4), read_draws))
txt <- paste(readLines("data.json"), collapse = "")
num <- function(key) as.numeric(strsplit(sub(".*\\[", "", sub(sprintf('.*"%s": *\\[([^]]*)\\].*', key), "[\\1", txt)), ", *")[[1]])
x <- num("x"); y <- num("y")
ll <- sapply(seq_along(y), function(i) dnorm(y[i], d$a + d$b * x[i], d$s, log = TRUE))
l <- suppressWarnings(loo(ll, r_eff = rep(1, length(y))))
w <- suppressWarnings(waic(ll))
f <- function(v) paste(sprintf("%.17g", v), collapse = ", ")
e <- l$estimates; we <- w$estimates
# gpdfit on the deterministic sample x_j = Q_GPD((j - 0.5)/100; k = 0.5, σ = 1), j = 1..100
gx <- 1 * expm1(-0.5 * log1p(-(seq_len(100) - 0.5) / 100)) / 0.5
g <- loo::gpdfit(gx)
cat(sprintf('{"gpdfit_k": %s, "gpdfit_sigma": %s,\n', f(g$k), f(g$sigma)))
cat(sprintf(' "S": %d, "N": %d,\n "elpd_loo": %s, "se_elpd_loo": %s, "p_loo": %s, "looic": %s,\n "pareto_k": [%s],\n "elpd_loo_pointwise": [%s],\n "elpd_waic": %s, "se_elpd_waic": %s, "p_waic": %s}\n',
  nrow(ll), ncol(ll), f(e["elpd_loo", 1]), f(e["elpd_loo", 2]), f(e["p_loo", 1]), f(e["looic", 1]),
  f(l$diagnostics$pareto_k), f(l$pointwise[, "elpd_loo"]), f(we["elpd_waic", 1]), f(we["elpd_waic", 2]), f(we["p_waic", 1])))
