# network: `= expression` form and block form with forward(x)
network mlp(nin, nhidden, nout) = Chain(
  Dense(nin => nhidden, tanh),
  Dense(nhidden => nhidden, tanh),
  Dense(nhidden => nout)
)

network residual(d) {
  norm = LayerNorm(d)
  ff   = Chain(Dense(d => 4 * d, gelu), Dense(4 * d => d))
  forward(x) = x + ff(norm(x))
}

network gated(d; p = 0.1) {
  drop = Dropout(p)
  gate = Dense(d => d, sigmoid)
  forward(x) {
    h = drop(x)
    return gate(h) * h
  }
}
