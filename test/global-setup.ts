/**
 * Before any test file: the shared test data (../shared beside the repository, or $DLM_SHARED)
 * must be there when CI runs, since the tests that read it skip without it and a skipped test
 * guards nothing. Under CI=true a missing folder fails the whole run with one line; elsewhere a
 * note says which tests will skip.
 */
import { existsSync } from "node:fs";
import { POSTERIORDB_DIR, sharedPath } from "../bench/paths.js";

export default function checkSharedData(): void {
  const needed = [POSTERIORDB_DIR, sharedPath("data")];
  const absent = needed.filter((p) => !existsSync(p));
  if (absent.length === 0) return;
  const what = `test data not found: ${absent.join(", ")} (the shared folder lies beside the repository; DLM_SHARED or POSTERIORDB_DIR name another place)`;
  if (process.env["CI"] === "true") throw new Error(`${what}; CI runs every test, so this run fails`);
  process.stderr.write(`note: ${what}; the tests that read it are skipped\n`);
}
