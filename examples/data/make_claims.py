"""Simulates claims.csv for examples/poisson.dlm (run: python3 make_claims.py; numpy seed 42).

60 groups of insurance policies: `exposure` policy-years (50 to 2,000), `age` (standardised
driver age), `urban` (0/1). Claims are Poisson with mean exposure * exp(-2.5 - 0.3 age + 0.5 urban),
so the true rate is 8.2 claims per 100 policy-years for a rural group of average age and the
true urban rate ratio exp(0.5) = 1.65.
"""
import numpy as np

rng = np.random.default_rng(42)
n = 60
exposure = np.round(rng.uniform(50, 2000, n))
age = np.round(rng.normal(0, 1, n), 2)
urban = rng.integers(0, 2, n)
rate = np.exp(-2.5 - 0.3 * age + 0.5 * urban)
claims = rng.poisson(exposure * rate)
with open("claims.csv", "w") as f:
    f.write("claims,exposure,age,urban\n")
    for row in zip(claims, exposure, age, urban):
        f.write(f"{row[0]},{row[1]:.0f},{row[2]:.2f},{row[3]}\n")
