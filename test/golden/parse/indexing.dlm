# indexing is 1-based; `:` alone selects a whole axis
a = x[i]
b = x[i, :]
c = x[:, 2:4]
d = mu[group]
e = data.target
f = net[1].weight
g = x[i][j]
h = data[:, 1:4].mean
k = f(x)[2]
l = x[end_index - 1, 1:2:9]
