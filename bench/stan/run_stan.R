# Runs rstan's NUTS on one Stan program and data set and writes what bench/stan/run.ts needs as
# JSON: compile seconds, CPU seconds of the sampling call, warm-up and sampling seconds (rstan's
# elapsed times, summed over chains), leapfrog steps (gradient evaluations) in each phase,
# divergences, and the post-warm-up draws of the requested parameters per chain.
#
#   Rscript bench/stan/run_stan.R model.stan data.json out.json chains warmup draws seed cache_dir param...
suppressPackageStartupMessages({ library(rstan); library(jsonlite) })
source(file.path(dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)[1]))), "compiled_model.R"))
a <- commandArgs(trailingOnly = TRUE)
stan_file <- a[1]; data_file <- a[2]; out_file <- a[3]
chains <- as.integer(a[4]); warmup <- as.integer(a[5]); draws <- as.integer(a[6])
seed <- as.integer(a[7]); cache_dir <- a[8]; params <- a[-(1:8)]

t0 <- proc.time()[["elapsed"]]
sm <- compiled_model(stan_file, cache_dir)
compile_s <- proc.time()[["elapsed"]] - t0

data <- fromJSON(data_file, simplifyVector = TRUE)
cpu <- function() { t <- proc.time(); t[["user.self"]] + t[["sys.self"]] }
cpu0 <- cpu()
fit <- sampling(sm, data = data, chains = chains, iter = warmup + draws, warmup = warmup,
                seed = seed, cores = 1, refresh = 0)
cpu_s <- cpu() - cpu0  # CPU seconds of the whole sampling call (chains run one after another here)
times <- get_elapsed_time(fit)
sp_all <- get_sampler_params(fit, inc_warmup = TRUE)
leap_w <- sum(sapply(sp_all, function(s) sum(s[seq_len(warmup), "n_leapfrog__"])))
leap_s <- sum(sapply(sp_all, function(s) sum(s[warmup + seq_len(draws), "n_leapfrog__"])))
div <- sum(sapply(sp_all, function(s) sum(s[warmup + seq_len(draws), "divergent__"])))
arr <- as.array(fit)
params <- params[params %in% dimnames(arr)[[3]]]  # names the program does not define are skipped
per_chain <- lapply(seq_len(chains), function(c) {
  out <- list()
  for (p in params) out[[p]] <- as.numeric(arr[, c, p])
  out
})
write_json(list(compile_s = compile_s, cpu_s = cpu_s, warmup_s = sum(times[, "warmup"]), sampling_s = sum(times[, "sample"]),
                grad_warmup = leap_w, grad_sampling = leap_s, divergences = div, draws = per_chain),
           out_file, auto_unbox = TRUE, digits = NA)
