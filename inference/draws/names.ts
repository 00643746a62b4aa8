/**
 * Scalar names: Stan style `Sigma[2,1]` (what the project shows users) and CmdStan CSV style
 * `Sigma.2.1` (what CmdStan writes in the header).
 *
 * CmdStan Guide, "Stan CSV File Format", section "CSV column names and order": the column
 * name is the variable name followed by its 1-based indices delimited by periods, and container
 * variables are serialized in column-major ("Fortran") order — for a matrix all of column 1 in
 * ascending row order, then column 2, …; for arrays the first index likewise varies fastest.
 */

// A variable is an identifier, or a network parameter's path (`net[1].weight`, `net.ff[2].bias`):
// its element indices come last, `net[1].weight[2,1]` ↔ `net[1].weight.2.1`.
const VARIABLE = "[A-Za-z][A-Za-z0-9_]*(?:\\[\\d+\\]|\\.[A-Za-z_][A-Za-z0-9_]*)*";
const STAN_NAME = new RegExp(`^(${VARIABLE})\\[(\\d+(?:,\\d+)*)\\]$`);
const CSV_NAME = new RegExp(`^(${VARIABLE})((?:\\.\\d+)+)$`);

/** A scalar name split into its variable and 1-based indices (`[]` for a scalar variable). */
export interface ScalarName {
  readonly base: string;
  readonly indices: readonly number[];
}

/** Parse `beta[1]`, `Sigma[2,1]`, `Sigma.2.1` or `alpha`; names of another form are kept whole. */
export function parseScalarName(name: string): ScalarName {
  const s = STAN_NAME.exec(name.replace(/\s+/g, ""));
  if (s) return { base: s[1]!, indices: s[2]!.split(",").map(Number) };
  const c = CSV_NAME.exec(name);
  if (c) return { base: c[1]!, indices: c[2]!.slice(1).split(".").map(Number) };
  return { base: name, indices: [] };
}

/** `Sigma[2,1]` → `Sigma.2.1`; scalars and names of other forms are unchanged. */
export function toCsvName(name: string): string {
  const { base, indices } = parseScalarName(name);
  return indices.length === 0 ? name : `${base}.${indices.join(".")}`;
}

/** `Sigma.2.1` → `Sigma[2,1]`; scalars and names of other forms are unchanged. */
export function toStanName(name: string): string {
  const { base, indices } = parseScalarName(name);
  return indices.length === 0 ? name : `${base}[${indices.join(",")}]`;
}

/**
 * The order in which CmdStan writes these scalars: variables in order of first appearance,
 * the elements of each variable in column-major order (last index slowest). Returns the
 * permutation: `order[k]` is the index in `names` of the k-th column to write.
 */
export function cmdstanOrder(names: readonly string[]): number[] {
  const parsed = names.map(parseScalarName);
  const firstSeen = new Map<string, number>();
  parsed.forEach((p, i) => {
    if (!firstSeen.has(p.base)) firstSeen.set(p.base, i);
  });
  const order = names.map((_, i) => i);
  order.sort((i, j) => {
    const a = parsed[i]!;
    const b = parsed[j]!;
    if (a.base !== b.base) return firstSeen.get(a.base)! - firstSeen.get(b.base)!;
    // Column-major: compare from the last index to the first.
    const k = Math.max(a.indices.length, b.indices.length);
    for (let d = k - 1; d >= 0; d--) {
      const x = a.indices[d] ?? 0;
      const y = b.indices[d] ?? 0;
      if (x !== y) return x - y;
    }
    return i - j;
  });
  return order;
}
