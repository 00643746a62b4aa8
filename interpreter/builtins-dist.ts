/**
 * Builtins on distribution values: `logpdf(D, x)` (alias `logprob`), the elementwise log
 * density (or mass) of x under D, so that `factor(sum(logpdf(Normal(m, s), x)))` is Stan's
 * `target += normal_lpdf(x | m, s)` on computed values.
 */
import type { Span } from "../grammar/ast.js";
import { padBatched } from "./align.js";
import { builtin } from "./builtins-math.js";
import { DlmError } from "./errors.js";
import { asTensorValue, describeValue, shapeOf, tensor, type Builtin, type DistValue, type TensorValue, type Value } from "./value.js";

const fmt = (s: readonly number[]): string => `[${s.join(", ")}]`;

/**
 * log p(x | D) per batch element: shape broadcast(batch(D), x's batch shape), event axes
 * summed by the distribution. Chain alignment as for `x ~ D` (interpreter/align.ts): the
 * result is batched when D's parameters or x are; both are padded after the chain axis to the
 * common batch rank R = max(batch rank of D, rank(x) − event rank of D).
 */
export function logDensityValue(dv: DistValue, x: TensorValue, span: Span): TensorValue {
  const d0 = dv.build(0);
  const er = d0.eventShape.length;
  const xs = shapeOf(x);
  const xb = xs.length - er;
  if (xb < 0) throw new DlmError(`logpdf: ${dv.text} has event shape ${fmt(d0.eventShape)}, but the value has shape ${fmt(xs)}`, span);
  const db = d0.batchShape.length - (dv.batched ? 1 : 0);
  const rank = Math.max(db, xb);
  const d = rank === 0 ? d0 : dv.build(rank);
  const xt = x.batched ? padBatched(x.t, rank + er) : x.t;
  try {
    return tensor(d.logProb(xt), dv.batched || x.batched);
  } catch (e) {
    const dshape = dv.batched ? d.batchShape.slice(1) : d.batchShape;
    throw new DlmError(`logpdf: the value of shape ${fmt(xs)} does not fit ${dv.text} (batch shape ${fmt(dshape)}, event shape ${fmt(d.eventShape)})`, span,
      e instanceof Error ? e.message : undefined);
  }
}

function logpdf(name: string): Builtin {
  return builtin(name, (args: readonly Value[], _kwargs, span) => {
    const dv = args[0]!;
    if (dv.kind !== "dist") throw new DlmError(`the first argument of \`${name}\` should be a distribution, but it is ${describeValue(dv)}`, span, `usage: ${name}(Normal(m, s), x)`);
    return logDensityValue(dv, asTensorValue(args[1]!, span, `the value of \`${name}\``), span);
  });
}

export const DIST_BUILTINS: readonly Builtin[] = [logpdf("logpdf"), logpdf("logprob")];

