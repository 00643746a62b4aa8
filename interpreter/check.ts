/**
 * Static checks before anything runs (placeholder, filled in below).
 */
import type { Diagnostic, Program } from "../grammar/index.js";

export function check(_program: Program, _file: string, _source: string): Diagnostic[] {
  return [];
}
