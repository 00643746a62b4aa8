/**
 * From a call `Normal(mu, sigma, size = K)` to a DistValue: arguments are checked against
 * the registry of distributions/ (arity, keywords, "did you mean"), and batched parameters
 * are aligned on the chain axis when the distribution is built.
 *
 * A batched parameter `[C, ...p]` whose non-chain batch rank is below the target rank R
 * gets singleton axes after the chain axis, so `Normal(mu, 1, size = K)` with a latent
 * scalar `mu` has batch shape `[C, K]`, and a batched `Normal(mu, sigma)` scoring data `[N]`
 * is rebuilt with R = 1 (batch `[C, 1]` against `[N]` gives `[C, N]`). Event axes
 * (Dirichlet's alpha, Categorical's probabilities) are never padded: the registry's
 * `paramEventRanks` says which.
 */
import type { Span } from "../grammar/ast.js";
import { DISTRIBUTIONS, type DistArg, type DistributionSpec } from "../distributions/index.js";
import type { Distribution } from "../distributions/distribution.js";
import { checkArgsAt } from "./bind-call.js";
import { padBatched } from "./align.js";
import { DlmError, locate } from "./errors.js";
import { asInt, describeValue, shapeOf, type DistValue, type TensorValue, type Value } from "./value.js";

/** An argument before building: a plain number, an array, an inner distribution, or a list. */
type Raw = number | TensorValue | DistValue | readonly Raw[];

function toRaw(v: Value, dist: string, pname: string, span: Span): Raw {
  switch (v.kind) {
    case "num": return v.v;
    case "bool": return v.v ? 1 : 0;
    case "tensor": return v;
    case "dist": return v;
    case "list": return v.items.map((x) => toRaw(x, dist, pname, span));
    default: throw new DlmError(`${dist}'s argument \`${pname}\` should be a number, an array or a distribution, but it is ${describeValue(v)}`, span);
  }
}

const isBatched = (r: Raw): boolean =>
  typeof r === "number" ? false : Array.isArray(r) ? (r as readonly Raw[]).some(isBatched) : (r as TensorValue | DistValue).batched;

function batchRank(r: Raw, eventRank: number): number {
  if (typeof r === "number" || Array.isArray(r)) return 0;
  const x = r as TensorValue | DistValue;
  return x.kind === "tensor" ? Math.max(0, shapeOf(x).length - eventRank) : 0;
}

function chainsOf(r: Raw): number {
  if (typeof r === "number") return 1;
  if (Array.isArray(r)) return Math.max(1, ...(r as readonly Raw[]).map(chainsOf));
  const x = r as TensorValue | DistValue;
  return x.kind === "tensor" && x.batched ? x.t.shape[0]! : 1;
}

function sizeOf(v: Value | undefined, span: Span): number[] {
  if (v === undefined) return [];
  if (v.kind === "list") return v.items.map((x) => asInt(x, span, "size"));
  if (v.kind === "tensor" && !v.batched && v.t.rank === 1) return Array.from(v.t.dataSync());
  return [asInt(v, span, "size")];
}

/** Names users may write for distributions. */
export const DISTRIBUTION_NAMES: readonly string[] = Object.keys(DISTRIBUTIONS);

export function distSpec(name: string): DistributionSpec | undefined {
  return DISTRIBUTIONS[name];
}

/** Keyword alternatives by keyword (`logit` → `p`), per distribution. */
const alternatives = new WeakMap<DistributionSpec, Map<string, string>>();

/** Build a DistValue from evaluated call arguments; `text` is the call's source (for messages). */
export function makeDistValue(
  spec: DistributionSpec,
  args: readonly Value[],
  kwargs: ReadonlyMap<string, Value>,
  span: Span,
  text: string,
): DistValue {
  const name = spec.name;
  // Arity and keyword names first: errors point at the call.
  checkArgsAt(spec.signature, args, kwargs, span);
  let alt = alternatives.get(spec);
  if (alt === undefined) alternatives.set(spec, (alt = new Map(spec.alternatives.map((a) => [a.keyword, a.replaces]))));
  const positional = args.map((v, i) => ({ pname: spec.params[i]!, raw: toRaw(v, name, spec.params[i]!, span) }));
  const keywords = [...kwargs].filter(([k]) => k !== "size").map(([k, v]) => ({ key: k, pname: alt.get(k) ?? k, raw: toRaw(v, name, k, span) }));
  return distValue(spec, positional, keywords, sizeOf(kwargs.get("size"), span), span, text);
}

interface Bound { readonly pname: string; readonly raw: Raw }

function distValue(
  spec: DistributionSpec,
  positional: readonly Bound[],
  keywords: readonly (Bound & { key: string })[],
  size: readonly number[],
  span: Span,
  text: string,
): DistValue {
  const ranks = spec.paramEventRanks;
  const all = [...positional, ...keywords];
  const batched = all.some((b) => isBatched(b.raw));
  const paramRank = Math.max(0, ...all.map((b) => batchRank(b.raw, ranks[b.pname] ?? 0)));
  const chains = Math.max(1, ...all.map((b) => chainsOf(b.raw)));
  const build = (rank: number): Distribution => {
    const target = Math.max(rank, paramRank, size.length);
    const lower = (r: Raw, eventRank: number): DistArg => {
      if (typeof r === "number") return r;
      if (Array.isArray(r)) return (r as readonly Raw[]).map((x) => lower(x, eventRank));
      const x = r as TensorValue | DistValue;
      if (x.kind === "dist") return x.build(target);
      return x.batched ? padBatched(x.t, target + eventRank) : x.t;
    };
    const pos = positional.map((b) => lower(b.raw, ranks[b.pname] ?? 0));
    const kw = Object.fromEntries(keywords.map((b) => [b.key, lower(b.raw, ranks[b.pname] ?? 0)]));
    // `size` grows by the chain axis (and the padding) when a parameter carries it.
    const sz = size.length === 0 ? undefined : batched ? [chains, ...new Array<number>(target - size.length).fill(1), ...size] : size;
    try {
      return spec.make({ positional: pos, keywords: kw, ...(sz === undefined ? {} : { size: sz }), validate: !batched });
    } catch (e) {
      throw locate(e, span);
    }
  };
  return {
    kind: "dist",
    name: spec.name,
    batched,
    build,
    text,
    resized: (s) => distValue(spec, positional, keywords, s, span, text),
  };
}
