/**
 * Where the benchmarks' own files are, whether a benchmark runs from its TypeScript source
 * (tsx) or compiled into dist-bench/ (bench/run.ts): the folder that holds package.json,
 * found by walking up from this module. The shared test data (posteriordb, datasets) lie in
 * ../shared beside the repository, as CI lays them out, unless $DLM_SHARED names another folder.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("bench: cannot find the repository root (no package.json above this file)");
    dir = up;
  }
  return dir;
}

/** The repository root. */
export const REPO_ROOT = findRoot();

/** A path inside the source tree's bench/ folder. */
export const benchPath = (...parts: string[]): string => join(REPO_ROOT, "bench", ...parts);

/** The folder of shared test data: $DLM_SHARED, else ../shared beside the repository. */
export const SHARED_DIR = process.env["DLM_SHARED"] ?? join(REPO_ROOT, "..", "shared");

/** A path inside the shared test data. */
export const sharedPath = (...parts: string[]): string => join(SHARED_DIR, ...parts);

/** The posteriordb data and reference posteriors: $POSTERIORDB_DIR, else in the shared folder. */
export const POSTERIORDB_DIR = process.env["POSTERIORDB_DIR"] ?? sharedPath("benchmarks", "posteriordb");
