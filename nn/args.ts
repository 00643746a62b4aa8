/**
 * Arguments of user-facing constructors (`Dense(2 => 16, tanh)`, `Adam(0.01)`), as the
 * interpreter hands them over: positional values and keyword values, already evaluated.
 * The readers below check each value's kind and say precisely what was expected.
 */
import { toActivation, type Activation } from "./activations.js";
import { INITIALISERS, type Initialiser } from "./init.js";
import type { Layer } from "./layer.js";
import { isPadding, type Padding } from "./padding.js";

/** `a => b`, as in `Dense(2 => 16)`. */
export interface Pair {
  readonly kind: "pair";
  readonly from: number;
  readonly to: number;
}

export const pair = (from: number, to: number): Pair => ({ kind: "pair", from, to });

export interface CallArgs {
  readonly positional: readonly unknown[];
  readonly keywords: Readonly<Record<string, unknown>>;
}

export const callArgs = (positional: readonly unknown[] = [], keywords: Readonly<Record<string, unknown>> = {}): CallArgs => ({
  positional,
  keywords,
});

/** A constructor called with arguments of the wrong number or kind. */
export class ArgumentError extends Error {
  override readonly name = "ArgumentError";
}

const show = (v: unknown): string => {
  if (typeof v === "string") return `"${v}"`;
  if (typeof v === "object" && v !== null) {
    const o = v as { kind?: unknown; describe?: unknown; name?: unknown };
    if (typeof o.describe === "function") return (o.describe as () => string)();
    if (o.kind === "pair") return `${(v as Pair).from} => ${(v as Pair).to}`;
    if (o.kind === "activation") return String(o.name);
    if (Array.isArray(v)) return `(${v.map(show).join(", ")})`;
  }
  return String(v);
};

function fail(where: string, expected: string, got: unknown): never {
  throw new ArgumentError(`${where}: expected ${expected}, got ${show(got)}`);
}

export function readPair(v: unknown, where: string): Pair {
  const p = v as Partial<Pair> | null;
  if (typeof p === "object" && p !== null && p.kind === "pair" && isPositiveInt(p.from) && isPositiveInt(p.to)) return p as Pair;
  return fail(where, "a pair of sizes like 2 => 16", v);
}

const isPositiveInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v > 0;

export function readSize(v: unknown, where: string): number {
  return isPositiveInt(v) ? v : fail(where, "a positive integer", v);
}

export function readNumber(v: unknown, where: string): number {
  return typeof v === "number" && Number.isFinite(v) ? v : fail(where, "a number", v);
}

export function readBool(v: unknown, where: string): boolean {
  return typeof v === "boolean" ? v : fail(where, "true or false", v);
}

/** A window or kernel size: `(3, 3)`, or `3` for a square. */
export function readWindow(v: unknown, where: string): [number, number] {
  if (isPositiveInt(v)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every(isPositiveInt)) return [v[0] as number, v[1] as number];
  return fail(where, "a size like (3, 3)", v);
}

export function readActivation(v: unknown, where: string): Activation {
  const a = v as Partial<Activation> | null;
  if (typeof a === "object" && a !== null && a.kind === "activation" && typeof a.fn === "function") return a as Activation;
  if (typeof v === "string") {
    try {
      return toActivation(v);
    } catch (e) {
      return fail(where, "an activation function", (e as Error).message);
    }
  }
  return fail(where, "an activation function such as relu or tanh", v);
}

export function readLayer(v: unknown, where: string): Layer {
  const l = v as Partial<Layer> | null;
  if (typeof l === "object" && l !== null && typeof l.kind === "string" && typeof l.apply === "function") return l as Layer;
  return fail(where, "a layer such as Dense(2 => 16)", v);
}

export function readPadding(v: unknown, where: string): Padding {
  return isPadding(v) ? v : fail(where, `"same", "valid" or a non-negative integer`, v);
}

export function readInit(v: unknown, where: string): Initialiser {
  if (typeof v === "function") return v as Initialiser;
  if (typeof v === "string" && INITIALISERS[v]) return INITIALISERS[v];
  return fail(where, `an initialiser (${Object.keys(INITIALISERS).join(", ")})`, v);
}
