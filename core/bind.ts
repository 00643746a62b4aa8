/**
 * The one argument binder: distributions, layers, optimisers, builtins and user functions all
 * describe their parameters as a `Signature`, and `bind` matches a call's positional and
 * keyword arguments to it, or throws one `BindError` in one message format. Pure TypeScript
 * (no tensors), so every folder that binds arguments can import it.
 *
 * Parameters come in three kinds: `positional` (by position or by name, as Normal's mu),
 * `positional-only` (by position: builtins' arguments, a user function's parameters, a layer's
 * `in => out`) and `keyword` (by name only: `dims`, `size`, `bias`). One positional parameter may
 * be variadic (it takes the remaining positional arguments). A parameter may have alternatives:
 * other names that stand for it (Bernoulli(logit = η) instead of p); at most one of them is given.
 */
import { suggest } from "./suggest.js";

export type ParamKind = "positional" | "positional-only" | "keyword";

export interface Param {
  readonly name: string;
  /** How it may be given; `positional` (by position or by name) when omitted. */
  readonly kind?: ParamKind;
  /** The call fails without it (for a variadic parameter: without at least one value). */
  readonly required?: boolean;
  /** Takes every remaining positional argument; only the last positional parameter may be. */
  readonly variadic?: boolean;
  /** Its value when not given (bound values' `get` returns it); implies not required. */
  readonly default?: unknown;
  /** Keyword names that stand for this parameter instead of its own name. */
  readonly alternatives?: readonly string[];
}

export interface Signature {
  /** The name users call it by, as messages quote it. */
  readonly name: string;
  /** What it is, when messages should say so: "the model" gives "the model `m` takes …". */
  readonly what?: string;
  readonly params: readonly Param[];
  /** A usage line for hints (a registry's doc line); rendered from the parameters when absent. */
  readonly usage?: string;
}

/** Arguments matched to a signature. */
export interface Bound<T> {
  /** Each given argument by the name it was given under (its parameter's, or an alternative's). */
  readonly given: ReadonlyMap<string, T>;
  /** The variadic parameter's arguments, in order (empty when there is none). */
  readonly rest: readonly T[];
  /** The value of parameter `name`, under its own name or an alternative, else its default. */
  get(name: string): T | undefined;
}

export type BindProblem = "too-many" | "too-few" | "unknown-keyword" | "positional-by-keyword" | "given-twice" | "conflicting-alternatives" | "missing";

/** A call whose arguments do not fit its signature. `keyword` names the offending keyword, if one is. */
export class BindError extends Error {
  override readonly name = "BindError";
  constructor(
    readonly problem: BindProblem,
    message: string,
    readonly hint: string | undefined,
    readonly keyword?: string,
  ) {
    super(message);
  }
}

const kindOf = (p: Param): ParamKind => p.kind ?? "positional";
const code = (s: string): string => `\`${s}\``;
const wasWere = (n: number): string => `${n} ${n === 1 ? "was" : "were"} given`;

/** `Normal(mu, sigma; size)`: positional parameters (optional ones with `?`, variadic with `...`), then keyword-only ones. */
export function renderSignature(sig: Signature): string {
  const show = (p: Param): string => {
    const name = `${p.variadic === true ? `${p.name}...` : p.name}${p.required === true || p.variadic === true ? "" : "?"}`;
    return [name, ...(p.alternatives ?? []).map((a) => `${a} = …`)].join(" or ");
  };
  const positional = sig.params.filter((p) => kindOf(p) !== "keyword").map(show);
  const keywords = sig.params.filter((p) => kindOf(p) === "keyword").map(show);
  return `${sig.name}(${positional.join(", ")}${keywords.length > 0 ? `; ${keywords.join(", ")}` : ""})`;
}

const usageHint = (sig: Signature): string => `usage: ${sig.usage ?? renderSignature(sig)}`;
/** The callee as messages name it: "`Normal`", "the model `m`". */
const callee = (sig: Signature): string => (sig.what === undefined ? code(sig.name) : `${sig.what} ${code(sig.name)}`);

/** "takes 2 positional arguments (mu, sigma)", "takes 1 to 2 …", "takes at most 1 …", "takes at least 1 …", "takes no positional arguments". */
function arityPhrase(sig: Signature): string {
  const positional = sig.params.filter((p) => kindOf(p) !== "keyword");
  const variadic = positional.some((p) => p.variadic === true);
  const fixed = positional.filter((p) => p.variadic !== true);
  const min = positional.filter((p) => p.required === true).length;
  const max = fixed.length;
  const names = positional.map((p) => (p.variadic === true ? `${p.name}...` : p.name)).join(", ");
  if (!variadic && max === 0) return "takes no positional arguments";
  const [want, n] = variadic ? [`at least ${min}`, min] : min === max ? [`${max}`, max] : min === 0 ? [`at most ${max}`, max] : [`${min} to ${max}`, max];
  return `takes ${want} positional argument${n === 1 ? "" : "s"} (${names})`;
}

function arityError(sig: Signature, problem: "too-many" | "too-few", given: number): BindError {
  return new BindError(problem, `${callee(sig)} ${arityPhrase(sig)}, but ${wasWere(given)}`, usageHint(sig));
}

/**
 * Match `args` and `kwargs` to `sig`. Throws a BindError for: too many positional arguments, a
 * required positional-only one missing (too few), an unknown keyword (with a "did you mean"), a
 * positional-only parameter given by name, a parameter given twice (by position and by name),
 * two alternatives for one parameter, or a missing required parameter.
 */
export function bind<T>(sig: Signature, args: readonly T[], kwargs: ReadonlyMap<string, T> | Readonly<Record<string, T>>): Bound<T> {
  const positional = sig.params.filter((p) => kindOf(p) !== "keyword");
  const variadicAt = positional.findIndex((p) => p.variadic === true);
  const fixedCount = variadicAt < 0 ? positional.length : variadicAt;
  if (variadicAt < 0 && args.length > positional.length) throw arityError(sig, "too-many", args.length);

  const given = new Map<string, T>();
  /** Parameter name → how it was given: "position" or the keyword used. */
  const how = new Map<string, string>();
  args.slice(0, fixedCount).forEach((v, i) => {
    const p = positional[i]!;
    given.set(p.name, v);
    how.set(p.name, "position");
  });
  const rest = variadicAt < 0 ? [] : args.slice(fixedCount);

  const entries = kwargs instanceof Map ? [...(kwargs as ReadonlyMap<string, T>)] : Object.entries(kwargs as Readonly<Record<string, T>>);
  for (const [k, v] of entries) {
    const p = sig.params.find((q) => (q.name === k && kindOf(q) !== "positional-only") || (q.alternatives ?? []).includes(k));
    if (p === undefined) throw unknownKeyword(sig, k);
    const before = how.get(p.name);
    if (before === "position") {
      throw new BindError("given-twice", `${callee(sig)} is given ${code(p.name)} twice: by position and as ${code(`${k} = …`)}`, usageHint(sig), k);
    }
    if (before !== undefined) {
      throw new BindError("conflicting-alternatives", `${callee(sig)} takes ${code(before)} or ${code(k)}, not both`, `${code(before)} and ${code(k)} are two ways to give ${code(p.name)}`, k);
    }
    given.set(k, v);
    how.set(p.name, k);
  }

  for (const p of sig.params) {
    if (p.required !== true) continue;
    if (p.variadic === true ? rest.length > 0 : how.has(p.name)) continue;
    // Nothing given by name: the call is short of positional arguments, and says so by count.
    if (kindOf(p) === "positional-only" || p.variadic === true || (kindOf(p) === "positional" && entries.length === 0)) {
      throw arityError(sig, "too-few", args.length);
    }
    const names = [p.name, ...(p.alternatives ?? [])].map(code).join(" or ");
    throw new BindError("missing", `${callee(sig)} is missing its argument ${names}`, usageHint(sig));
  }

  const params = new Map(sig.params.map((p) => [p.name, p]));
  return {
    given,
    rest,
    get: (name) => {
      const used = how.get(name);
      if (used !== undefined) return given.get(used === "position" ? name : used);
      return params.get(name)?.default as T | undefined;
    },
  };
}

function unknownKeyword(sig: Signature, k: string): BindError {
  if (sig.params.some((p) => p.name === k && kindOf(p) === "positional-only")) {
    return new BindError("positional-by-keyword", `${callee(sig)} takes ${code(k)} by position, not by name`, usageHint(sig), k);
  }
  const names = sig.params.flatMap((p) => (kindOf(p) === "positional-only" ? [] : [p.name, ...(p.alternatives ?? [])]));
  const near = suggest(k, names);
  const hint = near !== undefined ? `did you mean ${code(near)}?` : names.length > 0 ? `it takes ${names.map(code).join(", ")}` : "it takes no keyword arguments";
  return new BindError("unknown-keyword", `${callee(sig)} has no keyword argument ${code(k)}`, hint, k);
}
