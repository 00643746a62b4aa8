/**
 * Stan-style scalar names for arrays: `beta[1]`, `Sigma[2,1]`, in column-major order (the
 * first index varies fastest), as CmdStan orders its CSV columns.
 */

/** Names of every scalar of a value of `shape` called `base`, column-major. */
export function scalarNames(base: string, shape: readonly number[]): string[] {
  if (shape.length === 0) return [base];
  const total = shape.reduce((a, b) => a * b, 1);
  const out: string[] = [];
  for (let k = 0; k < total; k++) {
    const idx: number[] = [];
    let r = k;
    for (const d of shape) {
      idx.push((r % d) + 1);
      r = Math.floor(r / d);
    }
    out.push(`${base}[${idx.join(",")}]`);
  }
  return out;
}

/** Positions (row-major, as tensors store them) of the scalars in column-major order. */
export function columnMajorOrder(shape: readonly number[]): number[] {
  const total = shape.reduce((a, b) => a * b, 1);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out: number[] = [];
  for (let k = 0; k < total; k++) {
    let r = k;
    let pos = 0;
    shape.forEach((d, i) => {
      pos += (r % d) * strides[i]!;
      r = Math.floor(r / d);
    });
    out.push(pos);
  }
  return out;
}
