# An LSTM on the adding problem (Hochreiter & Schmidhuber 1997): each sequence has 12 steps
# of (value, marker); the target is the sum of the two values whose marker is 1. To answer,
# the network has to remember a value from several steps back until the second marker comes.
# Data: data/adding.csv, written by data/make_adding.py.

network adder(h) = Chain(
  LSTM(2 => h),        # (N, T, 2) → the last hidden state (N, h)
  Dense(h => 1)        # → (N, 1)
)

model regression(x, y; h = 16) {
  net = adder(h)
  sigma ~ HalfNormal(1)                 # the noise sd, fitted with the weights
  y ~ Normal(net(x)[:, 1], sigma)
}

d   = read_csv("data/adding.csv")
T   = 12
x   = reshape(d[:, 1:2 * T], nrows(d), T, 2)   # batch first: (sequences, steps, features)
y   = d.y
split = train_test_split(nrows(d), 0.8, seed = 1)
xtr = x[split.train, :, :]
ytr = y[split.train]
xte = x[split.test, :, :]
yte = y[split.test]

fit = train(regression(xtr, ytr), Adam(0.01), epochs = 40, batchsize = 32, seed = 1, validation = 0.1)
summary(fit)

pred = predict(fit, regression(xte, missing))
baseline = sqrt(mean((yte - mean(ytr))^2))
print("test RMSE of the LSTM:", rmse(pred.y, yte), "  of always answering the training mean:", baseline)
print("first five test sequences, target and prediction:")
print(hcat(yte[1:5], pred.y.mean[1:5]))
plot_history(fit, "plots/lstm_history.svg")
