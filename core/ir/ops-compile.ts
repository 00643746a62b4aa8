/**
 * The elementwise ops of ops.ts with `eval` compiled from their own templates, for constant
 * folding while a graph is built and for tests. The text passed to `new Function` is only the
 * templates of ops.ts applied to fixed parameter names: nothing from a model reaches it.
 */
import { BINARY_TEMPLATES, HELPERS, UNARY_TEMPLATES, type BinaryFn, type BinaryOp, type Helpers, type UnaryFn, type UnaryOp } from "./ops.js";

const compile1 = (t: UnaryOp): ((x: number) => number) => {
  const f = new Function("H", "x", `return ${t.fwd("x")};`) as (h: Helpers, x: number) => number;
  return (x) => f(HELPERS, x);
};
const compile2 = (t: BinaryOp): ((a: number, b: number) => number) => {
  const f = new Function("H", "a", "b", `return ${t.fwd("a", "b")};`) as (h: Helpers, a: number, b: number) => number;
  return (a, b) => f(HELPERS, a, b);
};

export const UNARY: Readonly<Record<UnaryFn, UnaryOp & { readonly eval: (x: number) => number }>> = Object.fromEntries(
  Object.entries(UNARY_TEMPLATES).map(([k, t]) => [k, { ...t, eval: compile1(t) }]),
) as never;

export const BINARY: Readonly<Record<BinaryFn, BinaryOp & { readonly eval: (a: number, b: number) => number }>> = Object.fromEntries(
  Object.entries(BINARY_TEMPLATES).map(([k, t]) => [k, { ...t, eval: compile2(t) }]),
) as never;

