/**
 * Typed access to Chevrotain CST nodes for the AST builder, plus the conversion context.
 *
 * A node or token that error recovery left incomplete (a recovered node, an inserted
 * token, a missing child) throws `Incomplete`; the statement builder catches it and drops
 * that statement, whose syntax error is already reported. So every AST the front end
 * returns is well formed, even when diagnostics are present.
 */
import type { CstElement, CstNode, IToken } from "chevrotain";
import type { Span } from "./ast.js";
import { diagnostic, type Diagnostic } from "./diagnostics.js";

/** Internal signal: this part of the CST is incomplete (its error is already reported). */
export class Incomplete extends Error {
  constructor() {
    super("incomplete syntax tree");
  }
}

/** Where a statement stands, for checks such as "`return` outside a function". */
export type Place = "top" | "model" | "fn" | "network" | "forward";

/** Mutable state of one conversion: the file name, the diagnostics it adds, and how to word a stray token. */
export interface Context {
  readonly file: string;
  readonly diagnostics: Diagnostic[];
  /** Whether the parser reported errors or brackets were repaired (so the CST may hold made-up tokens). */
  readonly recovered: boolean;
  /** Tokens whose statement is left out of the program (bracket repairs, see brackets.ts). */
  readonly damaged: ReadonlySet<IToken>;
  /** The diagnostic for `token`, which cannot continue or start a statement (`inBlock`: inside braces); none if already explained. */
  readonly stray: (token: IToken, inBlock: boolean, startsLine: boolean) => Diagnostic | undefined;
}

const isToken = (e: CstElement): e is IToken => "image" in e;

/** The CST nodes under `key` (all complete), in source order. */
export function nodes(c: CstNode, key: string): CstNode[] {
  const list = c.children[key] ?? [];
  return list.map((e) => {
    if (isToken(e) || e.recoveredNode === true) throw new Incomplete();
    return e;
  });
}

/** The first CST node under `key`, or undefined. */
export function optNode(c: CstNode, key: string): CstNode | undefined {
  return nodes(c, key)[0];
}

/** The first CST node under `key`; Incomplete when absent. */
export function node(c: CstNode, key: string): CstNode {
  const n = optNode(c, key);
  if (n === undefined) throw new Incomplete();
  return n;
}

/** The tokens under `key` (none inserted by recovery), in source order. */
export function tokens(c: CstNode, key: string): IToken[] {
  const list = c.children[key] ?? [];
  return list.map((e) => {
    if (!isToken(e) || e.isInsertedInRecovery === true || Number.isNaN(e.startOffset)) throw new Incomplete();
    return e;
  });
}

/** The first token under `key`, or undefined. */
export function optToken(c: CstNode, key: string): IToken | undefined {
  return tokens(c, key)[0];
}

/** The first token under `key`; Incomplete when absent. */
export function token(c: CstNode, key: string): IToken {
  const t = optToken(c, key);
  if (t === undefined) throw new Incomplete();
  return t;
}

/** The first token under a CST node, in source order, if any. */
export function firstToken(c: CstNode): IToken | undefined {
  let best: IToken | undefined;
  for (const list of Object.values(c.children)) {
    for (const e of list) {
      const t = isToken(e) ? e : firstToken(e);
      if (t !== undefined && !Number.isNaN(t.startOffset) && (best === undefined || t.startOffset < best.startOffset)) best = t;
    }
  }
  return best;
}

/** Source span of a token. */
export function tokenSpan(t: IToken): Span {
  return { start: t.startOffset, end: t.startOffset + t.image.length };
}

/** Source span of a CST node (parser built with nodeLocationTracking "onlyOffset"). */
export function nodeSpan(c: CstNode): Span {
  const loc = c.location;
  if (loc === undefined || Number.isNaN(loc.startOffset) || loc.endOffset === undefined || Number.isNaN(loc.endOffset)) {
    throw new Incomplete();
  }
  return { start: loc.startOffset, end: loc.endOffset + 1 };
}

/** Span from the start of `a` to the end of `b`. */
export function join(a: Span, b: Span): Span {
  return { start: a.start, end: b.end };
}

/** Reports an error that invalidates the current statement, then drops the statement. */
export function fail(ctx: Context, span: Span, message: string, extra: Parameters<typeof diagnostic>[3] = {}): never {
  ctx.diagnostics.push(diagnostic(ctx.file, span, message, extra));
  throw new Incomplete();
}

/** Reports an error and carries on building (the AST stays well formed). */
export function report(ctx: Context, span: Span, message: string, extra: Parameters<typeof diagnostic>[3] = {}): void {
  ctx.diagnostics.push(diagnostic(ctx.file, span, message, extra));
}
