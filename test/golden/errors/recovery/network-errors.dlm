# `)` missing on lines 3 and 5 of the network; an extra `)` in the model
network mlp(d_in, d_out) {
  hidden = Dense(d_in => 32
  out = Dense(32 => d_out)
  forward(x) = out(relu(hidden(x))
}

model classify(x, y) {
  params(net) ~ Normal(0, 1)
  y ~ Categorical(logits = net(x)))
}
