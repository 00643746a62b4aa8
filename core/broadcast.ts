/**
 * NumPy broadcasting of shapes (aligned at the right; a 1 stretches): the one implementation
 * that distributions, kernels, linear algebra and the interpreter's shape checks share.
 */

/** The broadcast of `shapes`, or undefined when two of them disagree on an axis. */
export function broadcastShape(...shapes: readonly (readonly number[])[]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const k = s.length - rank + i;
      const e = k >= 0 ? s[k]! : 1;
      if (e === 1) continue;
      if (d !== 1 && d !== e) return undefined;
      d = e;
    }
    out.push(d);
  }
  return out;
}

/** The broadcast of `shapes`; on a mismatch throws the error `fail` makes from a message naming them (a RangeError by default). */
export function broadcastShapesOrThrow(shapes: readonly (readonly number[])[], fail: (message: string) => Error = (m) => new RangeError(m)): number[] {
  const out = broadcastShape(...shapes);
  if (out === undefined) throw fail(`shapes ${shapes.map((x) => `[${x.join(", ")}]`).join(" and ")} do not broadcast`);
  return out;
}
