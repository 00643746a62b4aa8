/**
 * Replacement kernels for known defects of a backend, installed by `initEngine` right after
 * the backend starts. See the individual files for each defect and its regression test.
 */
import type { BackendName } from "../engine.js";

/** Install every fix that applies to `backend` (idempotent). */
export function installKernelFixes(backend: BackendName): void {
  void backend;
}
