# positional arguments first, then keyword arguments `name = value`
a = Normal(0, 1)
b = Normal(0, 1, size = K)
c = Categorical(logits = z)
d = Dense(nin => nhidden, tanh)
e = Chain(
  Dense(2 => 16, relu),
  Dense(16 => 1),   # a trailing comma is fine
)
f = Flat()
g = net(x)
h = net[1](x)
i = f(g(h(x)))
j = mean(x, dims = 1)
k = sample(m, NUTS(target_accept = 0.8), draws = 1000, chains = 4, seed = 1)
