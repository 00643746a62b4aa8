/**
 * The scipy reference table (reference.json, written by make_reference.py from scipy.stats in
 * float64), parsed once for the tests that read it: distributions/distributions.test.ts and the
 * executors' run of it (test/host-engine/scipy-table.test.ts).
 */
import { readFileSync } from "node:fs";

export type Json = number | string | boolean | null | Json[] | { [k: string]: Json };

export interface RefCase {
  readonly id: string;
  readonly dist: string;
  readonly args: Json[];
  readonly kwargs: Record<string, Json>;
  readonly x: Json[];
  readonly logp: number[];
  readonly mean: Json | null;
  readonly var: Json | null;
  readonly cdf?: { x: number[]; p: number[] };
  readonly logcdf?: { x: number[]; logcdf: number[]; logsf: number[] };
  readonly batch: { index: number | string; eventRank: number } | null;
}

const SPECIAL: Record<string, number> = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };
const raw = readFileSync(new URL("./reference.json", import.meta.url), "utf8");

/** Every case, with "NaN" and "±Infinity" strings read as numbers. */
export const REFERENCE_CASES: readonly RefCase[] = (JSON.parse(raw, (_k, v: unknown) => (typeof v === "string" && v in SPECIAL ? SPECIAL[v] : v)) as { cases: RefCase[] }).cases;
