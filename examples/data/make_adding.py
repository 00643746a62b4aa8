"""Writes adding.csv for examples/lstm.dlm (run: python3 make_adding.py; standard library only, seed 17).

The adding problem (Hochreiter & Schmidhuber 1997): each sequence has T = 12 steps of two
features, a value drawn uniformly from [0, 1] and a marker that is 1 at exactly two steps (one
in the first half, one in the second) and 0 elsewhere. The target is the sum of the two marked
values. Predicting it needs memory of a value seen several steps earlier; always answering the
mean (1.0) gives an RMSE of sqrt(1/6) = 0.41.

Columns: v1, m1, v2, m2, ..., v12, m12 (value and marker of each step, interleaved so that a
row reshapes to (T, 2) batch first), then y. 1,000 rows, values with 3 decimals.
"""
import random

T = 12
N = 1000
rng = random.Random(17)
with open("adding.csv", "w") as f:
    f.write(",".join(f"v{t},m{t}" for t in range(1, T + 1)) + ",y\n")
    for _ in range(N):
        v = [round(rng.random(), 3) for _ in range(T)]
        a = rng.randrange(0, T // 2)
        b = rng.randrange(T // 2, T)
        m = [1 if t in (a, b) else 0 for t in range(T)]
        y = round(v[a] + v[b], 3)
        f.write(",".join(f"{v[t]:.3f},{m[t]}" for t in range(T)) + f",{y:.3f}\n")
