/**
 * The interpreter's side of the one argument binder (core/bind.ts): bind a call's evaluated
 * arguments, or fail at the call with the binder's message and hint.
 */
import { bind, BindError, type Bound, type Param, type Signature } from "../core/bind.js";
import type { Span } from "../grammar/ast.js";
import { DlmError } from "./errors.js";

export function bindAt<T>(sig: Signature, args: readonly T[], kwargs: ReadonlyMap<string, T> | Readonly<Record<string, T>>, span: Span | undefined): Bound<T> {
  try {
    return bind(sig, args, kwargs);
  } catch (e) {
    if (e instanceof BindError) throw new DlmError(e.message, span, e.hint);
    throw e;
  }
}

/** Call shapes (arity and keyword names) that bound once, per signature. */
const fitting = new WeakMap<Signature, Set<string>>();

/**
 * Check a call's arity and keyword names. Whether they fit does not depend on the values, so
 * each call shape is bound once: a builtin or distribution inside a log density, evaluated at
 * every leapfrog step, pays for a lookup only.
 */
export function checkArgsAt(sig: Signature, args: readonly unknown[], kwargs: ReadonlyMap<string, unknown>, span: Span | undefined): void {
  let shapes = fitting.get(sig);
  if (shapes === undefined) fitting.set(sig, (shapes = new Set()));
  const shape = kwargs.size === 0 ? `${args.length}` : `${args.length}/${[...kwargs.keys()].join(",")}`;
  if (shapes.has(shape)) return;
  bindAt(sig, args, kwargs, span);
  shapes.add(shape);
}

const userSignatures = new WeakMap<object, Signature>();

/**
 * The signature of a function, network or model the program defines: its parameters by
 * position (all of them, except a model's, whose data may be left out and become missing),
 * its keyword parameters by name (their defaults are expressions, evaluated by the caller).
 * One object per definition, so call shapes are checked once.
 */
export function userSignature(name: string, params: readonly { readonly name: string }[], keywords: readonly { readonly name: string }[], what?: "model"): Signature {
  let sig = userSignatures.get(params);
  if (sig === undefined) {
    sig = {
      name,
      ...(what === undefined ? {} : { what: "the model" }),
      params: [
        ...params.map((p): Param => ({ name: p.name, kind: "positional-only", required: what !== "model" })),
        ...keywords.map((k): Param => ({ name: k.name, kind: "keyword" })),
      ],
    };
    userSignatures.set(params, sig);
  }
  return sig;
}
