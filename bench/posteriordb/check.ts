/**
 * The posteriordb check (the project's acceptance criterion for NUTS): for every reference
 * scalar θ, with our posterior mean m̂ and its Monte-Carlo standard error mcse, and the
 * reference's mean μ, sd s and effective size n_ref (its minimum bulk ESS where known, else
 * its number of draws),
 *
 *   z = (m̂ − μ) / sqrt(mcse² + s² / n_ref),   pass when |z| ≤ 4,
 *
 * together with R̂ < 1.01 for every scalar and no divergent transitions unless Stan's own runs
 * of the posterior diverge too. The denominator is the standard error of the difference of
 * two independent Monte-Carlo estimates of the same mean (Vehtari et al. 2021, "Rank-
 * normalization, folding, and localization", section 3, for the MCSE of a mean).
 */
import type { SummaryRow } from "../../inference/diagnostics/index.js";
import type { Reference } from "./posteriors.js";

/** Limits of the check. */
export interface CheckLimits {
  /** Largest allowed |z| (default 4). */
  readonly zMax: number;
  /** R̂ must be below this (default 1.01). */
  readonly rhatMax: number;
}

export const DEFAULT_LIMITS: CheckLimits = { zMax: 4, rhatMax: 1.01 };

/** One reference scalar compared. */
export interface ParamCheck {
  readonly name: string;
  readonly mean: number;
  readonly mcse: number;
  readonly refMean: number;
  readonly refSd: number;
  /** sqrt(mcse² + refSd² / refEss). */
  readonly se: number;
  readonly z: number;
  readonly rhat: number;
  readonly essBulk: number;
}

/** The verdict on one posterior. */
export interface PosteriorCheck {
  readonly params: readonly ParamCheck[];
  /** Reference scalars the model does not output. */
  readonly missing: readonly string[];
  readonly worst: ParamCheck | undefined;
  readonly maxRhat: number;
  readonly minEssBulk: number;
  readonly divergences: number;
  readonly divergencesAllowed: boolean;
  readonly failures: readonly string[];
  readonly pass: boolean;
}

/** The reference's effective sample size for its own Monte-Carlo error. */
export function referenceEss(ref: Reference): number {
  return ref.essBulkMin ?? ref.nDraws;
}

/** sqrt(mcse² + refSd² / refEss): the standard error of (our mean − reference mean). */
export function differenceSe(mcse: number, refSd: number, refEss: number): number {
  return Math.sqrt(mcse * mcse + (refSd * refSd) / refEss);
}

/**
 * Compares summary rows with the reference on `names` (info.json's reference_param_names).
 * A non-finite z, R̂ or ESS counts as a failure (NaN never passes).
 */
export function checkPosterior(
  rows: readonly SummaryRow[],
  ref: Reference,
  names: readonly string[],
  divergences: number,
  divergencesAllowed: boolean,
  limits: CheckLimits = DEFAULT_LIMITS,
): PosteriorCheck {
  const byName = new Map(rows.map((r) => [r.name, r]));
  const n = referenceEss(ref);
  const params: ParamCheck[] = [];
  const missing: string[] = [];
  for (const name of names) {
    const row = byName.get(name);
    const rp = ref.params.get(name);
    if (row === undefined || rp === undefined) {
      missing.push(name);
      continue;
    }
    const se = differenceSe(row.mcse, rp.sd, n);
    params.push({ name, mean: row.mean, mcse: row.mcse, refMean: rp.mean, refSd: rp.sd, se, z: (row.mean - rp.mean) / se, rhat: row.rhat, essBulk: row.ess_bulk });
  }
  const absZ = (p: ParamCheck): number => (Number.isFinite(p.z) ? Math.abs(p.z) : Infinity);
  const worst = params.reduce<ParamCheck | undefined>((w, p) => (w === undefined || absZ(p) > absZ(w) ? p : w), undefined);
  const maxRhat = params.reduce((m, p) => Math.max(m, Number.isFinite(p.rhat) ? p.rhat : Infinity), -Infinity);
  const minEssBulk = params.reduce((m, p) => Math.min(m, Number.isFinite(p.essBulk) ? p.essBulk : 0), Infinity);
  const failures: string[] = [];
  if (missing.length > 0) failures.push(`missing outputs: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}`);
  if (params.length === 0) failures.push("nothing to compare");
  const far = params.filter((p) => !(absZ(p) <= limits.zMax));
  if (far.length > 0) failures.push(`${far.length} mean${far.length === 1 ? "" : "s"} beyond ${limits.zMax} SE (worst ${worst!.name}: z = ${worst!.z.toFixed(2)})`);
  const unmixed = params.filter((p) => !(p.rhat < limits.rhatMax));
  if (unmixed.length > 0) failures.push(`${unmixed.length} R-hat ≥ ${limits.rhatMax} (max ${maxRhat.toFixed(3)})`);
  if (divergences > 0 && !divergencesAllowed) failures.push(`${divergences} divergences (Stan has none here)`);
  return { params, missing, worst, maxRhat, minEssBulk, divergences, divergencesAllowed, failures, pass: failures.length === 0 };
}
