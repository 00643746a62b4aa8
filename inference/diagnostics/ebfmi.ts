/**
 * Energy Bayesian fraction of missing information (Betancourt 2016, arXiv:1604.00695, eq. 3.4
 * estimator): E-BFMI = Σ_{n=2}^{N} (E_n − E_{n−1})² / Σ_{n=1}^{N} (E_n − Ē)², per chain, from the
 * sampler's `energy__` column. Values below 0.3 indicate poor exploration of the energy
 * distribution.
 */

/** E-BFMI of one chain's energies; NaN for fewer than 2 draws, constant or non-finite input. */
export function ebfmi(energy: ArrayLike<number>): number {
  const n = energy.length;
  if (n < 2) return NaN;
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(energy[i]!)) return NaN;
    m += energy[i]!;
  }
  m /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    den += (energy[i]! - m) ** 2;
    if (i > 0) num += (energy[i]! - energy[i - 1]!) ** 2;
  }
  return den > 0 ? num / den : NaN;
}

/** E-BFMI per chain: `energies[m]` are the `energy__` values of chain m. */
export function ebfmiPerChain(energies: readonly ArrayLike<number>[]): number[] {
  return energies.map((e) => ebfmi(e));
}
