# Summer temperature at Kilpisjärvi on the year (uncentred, so alpha and beta are almost
# perfectly correlated). posteriordb: kilpisjarvi_mod-kilpisjarvi. sigma has no prior (flat, > 0);
# xpred is part of the data but not of the density.
model kilpisjarvi(N, x, y, xpred, pmualpha, psalpha, pmubeta, psbeta) {
  alpha ~ Normal(pmualpha, psalpha)
  beta ~ Normal(pmubeta, psbeta)
  sigma ~ FlatPos()
  y ~ Normal(alpha + beta * x, sigma)
}
