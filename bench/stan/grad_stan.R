# Times Stan's log density + gradient of one Stan program on one data set, for bench/stan/run.ts
# (--grad-us): `grad_log_prob` on the stanfit object (log density on the unconstrained space,
# Jacobian included, and its gradient: what the sampler evaluates once per leapfrog step) at a
# few fixed unconstrained points, in batches of calls, CPU time (user + system) per batch.
# R's call into the compiled model costs something of its own; the same loop over
# `get_num_upars` (a call into the same object that computes nothing) measures it, and both
# are written out.
#
#   Rscript bench/stan/grad_stan.R model.stan data.json out.json cache_dir [min_seconds]
suppressPackageStartupMessages({ library(rstan); library(jsonlite) })
source(file.path(dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)[1]))), "compiled_model.R"))
a <- commandArgs(trailingOnly = TRUE)
stan_file <- a[1]; data_file <- a[2]; out_file <- a[3]; cache_dir <- a[4]
min_seconds <- if (length(a) >= 5) as.numeric(a[5]) else 2

sm <- compiled_model(stan_file, cache_dir)

data <- fromJSON(data_file, simplifyVector = TRUE)
# A few iterations only to get a stanfit object that holds the model instance.
fit <- suppressWarnings(sampling(sm, data = data, chains = 1, iter = 2, warmup = 1, seed = 1, refresh = 0))
dim <- get_num_upars(fit)
# Three fixed points near the origin of the unconstrained space (the same rule as run.ts uses for ours).
points <- lapply(0:2, function(k) 0.5 * sin(seq_len(dim) - 1 + k * dim))

cpu <- function() { t <- proc.time(); t[["user.self"]] + t[["sys.self"]] }

# Calls per batch: enough for ~20 ms.
per_batch <- function(f) {
  n <- 1
  repeat {
    t0 <- cpu()
    for (i in seq_len(n)) f(points[[1 + i %% 3]])
    if (cpu() - t0 > 0.02 || n >= 1e6) return(n)
    n <- n * 4
  }
}
# Median over batches of CPU µs per call, batches for at least min_seconds (and at least 9).
time_calls <- function(f, budget) {
  n <- per_batch(f)
  us <- c()
  start <- cpu()
  while (length(us) < 9 || cpu() - start < budget) {
    t0 <- cpu()
    for (i in seq_len(n)) f(points[[1 + i %% 3]])
    us <- c(us, 1e6 * (cpu() - t0) / n)
    if (length(us) >= 1000) break
  }
  list(us = median(us), calls_per_batch = n, batches = length(us))
}

g <- time_calls(function(u) grad_log_prob(fit, u, adjust_transform = TRUE), min_seconds)
o <- time_calls(function(u) get_num_upars(fit), min_seconds / 4)
write_json(list(dim = dim, us_per_grad = g$us, calls_per_batch = g$calls_per_batch, batches = g$batches,
                us_per_empty_call = o$us),
           out_file, auto_unbox = TRUE, digits = NA)
