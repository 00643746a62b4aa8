/**
 * Nearest-name suggestions for "did you mean …?" hints: the grammar's (misspelt keywords and
 * callables), the argument binder's (core/bind.ts: unknown keywords) and the interpreter's
 * (unknown names). It imports nothing, so grammar/, whose only other import is chevrotain, may
 * import it too: one edit distance for the whole project.
 */

/**
 * Optimal-string-alignment edit distance (Damerau–Levenshtein without repeated edits on a
 * substring): insertions, deletions, substitutions and adjacent transpositions cost 1.
 * `editDistance("Normall", "Normal") = 1`, `editDistance("fro", "for") = 1`.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

/**
 * The candidate nearest to `name`, or undefined when none is close enough.
 * Close enough: distance ≤ max(1, ⌊len/3⌋) (at most 3; 0 for names shorter than 3),
 * compared case-insensitively (a case-only difference counts 0.5) so `normal` → `Normal`. Ties go to the earlier candidate. An exact match
 * returns undefined (there is nothing to suggest).
 */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  // Names of one or two letters are too short for a typo to be told from a different name.
  const limit = name.length < 3 ? 0 : Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === name) return undefined;
    const distance = candidate.toLowerCase() === lower ? 0.5 : editDistance(lower, candidate.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
