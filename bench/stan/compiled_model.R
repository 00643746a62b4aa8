# The compiled model of a Stan program, cached by the program's md5 in cache_dir (compilation
# takes 30-60 s per model): sourced by run_stan.R and grad_stan.R.
compiled_model <- function(stan_file, cache_dir) {
  dir.create(cache_dir, showWarnings = FALSE, recursive = TRUE)
  cache <- file.path(cache_dir, paste0(tools::md5sum(stan_file), ".rds"))
  if (file.exists(cache)) return(readRDS(cache))
  # Debian's r-cran-bh ships no headers of its own (Boost lives in /usr/include), so rstan's
  # default boost_lib does not exist there.
  boost <- rstan_options("boost_lib")
  if (!file.exists(boost) && file.exists("/usr/include/boost/version.hpp")) boost <- "/usr/include"
  sm <- stan_model(stan_file, boost_lib = boost)
  tmp <- paste0(cache, ".", Sys.getpid())  # written whole, then renamed: concurrent runs never read half a file
  saveRDS(sm, tmp)
  file.rename(tmp, cache)
  sm
}
