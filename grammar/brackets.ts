/**
 * Bracket balance, checked on the token stream before parsing.
 *
 * A missing or extra bracket is the commonest mistake that a parser reports badly: inside
 * `( … )` newlines do not end statements, so one missing `)` swallows the lines after it,
 * and an unclosed `{` is only noticed at the end of the file. This pass matches brackets
 * itself, reports each mistake at the bracket (and says where it was noticed), and repairs
 * the stream so that the parser sees balanced brackets and every statement after the
 * mistake is parsed as usual:
 *
 *  - an unclosed `(`/`[` gets its closers inserted where the statement evidently ended: at a
 *    line that starts a new statement, indented no deeper than the bracket's line (a complete
 *    expression, then a line starting with a name, literal or statement keyword; or an
 *    operator, then a line starting with a statement keyword or `name =`: never valid
 *    inside brackets), at a `{` that cannot belong to an `if` expression, at a `~`
 *    (never inside brackets), at the `}` that ends the enclosing block, or at the end of
 *    the file;
 *  - an unclosed `{` gets its `}` before the first line that is indented no deeper than the
 *    `{`'s own line, when the block's body is indented (or is on the `{`'s line: `{ 2`),
 *    else where it was noticed;
 *  - an extra closer is dropped, and a wrong closer (`[1, 2)`) is read as the right one;
 *    which of these explains a mismatch best is decided by which leaves the rest of the line
 *    balanced.
 *
 * Braces are matched innermost-first, like the parser does. Only when that leaves braces
 * unbalanced is indentation used to pick which `{` lacks its `}` (a `}` that starts a line
 * closes the innermost `{` whose line is indented no deeper), so odd indentation in a valid
 * file never causes an error.
 */
import type { IToken, TokenType } from "chevrotain";
import { createTokenInstance, tokenMatcher } from "./chevrotain.js";
import type { Span } from "./ast.js";
import { diagnostic, Lines, type Diagnostic, type Note } from "./diagnostics.js";
import * as T from "./tokens.js";

/** The repaired token stream (newlines still in) and what was found. */
export interface Balanced {
  readonly tokens: IToken[];
  readonly diagnostics: Diagnostic[];
  /** Inserted or replaced tokens, and tokens right before a dropped one: their statements are left out of the program. */
  readonly damaged: Set<IToken>;
  /** Source ranges whose parser errors follow from a reported bracket (the inside of an unclosed `(`). */
  readonly quiet: Span[];
}

const closerOf: ReadonlyMap<TokenType, TokenType> = new Map([
  [T.LParen, T.RParen],
  [T.LBracket, T.RBracket],
  [T.LBrace, T.RBrace],
]);
const openerOf: ReadonlyMap<TokenType, TokenType> = new Map([...closerOf].map(([o, c]) => [c, o]));

/** Tokens that can end an expression. */
const endsExpression: ReadonlySet<TokenType> = new Set([
  T.Identifier, T.NumberLiteral, T.StringLiteral, T.True, T.False, T.Missing, T.RParen, T.RBracket, T.RBrace,
]);
/** Tokens that can start a statement but cannot continue an expression: after a complete expression inside brackets, never valid. */
const startsStatement: ReadonlySet<TokenType> = new Set([
  T.Identifier, T.NumberLiteral, T.StringLiteral, T.True, T.False, T.Missing, T.Bang,
  T.If, T.For, T.Return, T.Fn, T.Network, T.Model, T.Include,
]);

/** Bracket mistakes beyond which indentation is not consulted (see `balance`). */
const MAX_MISTAKES_FOR_INDENTATION = 100;

/** Keywords that start a statement and nothing else. */
export const statementKeywords: ReadonlySet<TokenType> = new Set([T.For, T.Return, T.Fn, T.Network, T.Model, T.Include]);
/** `=`, `+=` (etc.) or `~`: after a name, the start of a statement. */
export const assigns = (t: IToken): boolean => t.tokenType === T.Tilde || tokenMatcher(t, T.AssignOp);

/** How far ahead a mismatched closer looks to decide what it is (keeps garbage input linear). */
const LOOKAHEAD = 200;

interface Frame {
  readonly open: IToken;
  /** Indentation of the opener's line. */
  readonly indent: number;
  /** `(`: the parameter list of an `fn`, `network` or `model` definition. */
  readonly parameters: boolean;
  /** `(`/`[`: an `if` or `else` appeared directly inside, so a `{` here belongs to an `if` expression. */
  ifSeen: boolean;
  /** `{`: whether the block's first body line is indented deeper than the `{`'s line (undefined until seen). */
  bodyIndented: boolean | undefined;
  /** `{`: the newline before the first later line indented no deeper than the `{`'s line, and its index in the output when recorded. */
  dedent: IToken | undefined;
  dedentAt: number;
}

/** Where a missing closer was noticed. */
type Notice =
  | { readonly kind: "line"; readonly at: IToken }
  | { readonly kind: "brace"; readonly at: IToken }
  | { readonly kind: "closer"; readonly at: IToken }
  | { readonly kind: "tilde"; readonly at: IToken }
  | { readonly kind: "end" };

/**
 * Matches the brackets of `tokens` (lexed, newlines included) and repairs the stream.
 * Braces are first matched plainly; if that leaves them unbalanced, indentation decides.
 */
export function balance(tokens: readonly IToken[], source: string, file: string): Balanced {
  const lines = new Lines(source);
  const plain = new Balancer(tokens, source, file, lines, false).run();
  // Indentation is worth a second pass for a few mistakes, not for a file of garbage.
  if (!plain.braceTrouble || plain.result.diagnostics.length > MAX_MISTAKES_FOR_INDENTATION) return plain.result;
  const byIndent = new Balancer(tokens, source, file, lines, true).run();
  return byIndent.result.diagnostics.length <= plain.result.diagnostics.length ? byIndent.result : plain.result;
}

class Balancer {
  private readonly out: IToken[] = [];
  private readonly stack: Frame[] = [];
  /** Stack indices of the `{` frames. */
  private readonly braces: number[] = [];
  private readonly result: Balanced = { tokens: this.out, diagnostics: [], damaged: new Set(), quiet: [] };
  private braceTrouble = false;
  /** Offsets of unterminated strings. */
  private readonly unterminated: number[];

  constructor(
    private readonly tokens: readonly IToken[],
    private readonly source: string,
    private readonly file: string,
    private readonly lines: Lines,
    private readonly byIndent: boolean,
  ) {
    this.unterminated = tokens.filter((t) => t.payload === "unterminated").map((t) => t.startOffset);
  }

  run(): { result: Balanced; braceTrouble: boolean } {
    const { tokens } = this;
    for (let i = 0; i < tokens.length; i++) {
      const tok = tokens[i]!;
      const type = tok.tokenType;
      if (type === T.Newline) i = this.newlines(i) - 1;
      else if (type === T.LParen || type === T.LBracket) this.push(tok);
      else if (type === T.LBrace) {
        const top = this.top();
        if (top !== undefined && top.open.tokenType !== T.LBrace && !top.ifSeen) this.closeParens(this.braceLevel(), { kind: "brace", at: tok });
        this.push(tok);
      } else if (type === T.RParen || type === T.RBracket) this.closeParen(tok, i);
      else if (type === T.RBrace) this.closeBrace(tok, i);
      else if (type === T.Tilde && this.braceLevel() < this.stack.length) {
        // `~` is never inside brackets: `y[i ~ Normal(0, 1)` lacks its `]` before the `~`.
        this.closeParens(this.braceLevel(), { kind: "tilde", at: tok });
        this.out.push(tok);
      } else {
        if (type === T.If || type === T.Else) {
          const top = this.top();
          if (top !== undefined && top.open.tokenType !== T.LBrace) top.ifSeen = true;
        }
        this.out.push(tok);
      }
    }
    while (this.stack.length > 0) this.closeTop({ kind: "end" });
    return { result: this.result, braceTrouble: this.braceTrouble };
  }

  /** Closes the innermost `{`, or all the `(`/`[` inside the innermost block. */
  private closeTop(notice: Notice): void {
    if (this.top()?.open.tokenType === T.LBrace) this.closeBlock(notice);
    else this.closeParens(this.braceLevel(), notice);
  }

  private top(): Frame | undefined {
    return this.stack[this.stack.length - 1];
  }

  /** Index in the stack just above the innermost `{` (0 when there is none): where this block's `(`/`[` start. */
  private braceLevel(): number {
    return (this.braces[this.braces.length - 1] ?? -1) + 1;
  }

  private push(tok: IToken): void {
    if (tok.tokenType === T.LBrace) this.braces.push(this.stack.length);
    const name = this.out[this.out.length - 1];
    const keyword = this.out[this.out.length - 2]?.tokenType;
    const parameters = tok.tokenType === T.LParen && name?.tokenType === T.Identifier && (keyword === T.Fn || keyword === T.Network || keyword === T.Model);
    this.stack.push({ open: tok, indent: this.lines.indent(tok.startOffset), parameters, ifSeen: false, bodyIndented: undefined, dedent: undefined, dedentAt: -1 });
    this.out.push(tok);
  }

  /** Pops the innermost frame, a `{`. */
  private popBrace(): Frame {
    this.braces.pop();
    return this.stack.pop()!;
  }

  /** The last token emitted that is not a newline. */
  private lastReal(): IToken | undefined {
    for (let k = this.out.length - 1; k >= 0; k--) if (this.out[k]!.tokenType !== T.Newline) return this.out[k];
    return undefined;
  }

  /** The newlines from `tokens[i]` on (blank lines included); returns the index after them. */
  private newlines(i: number): number {
    const tok = this.tokens[i]!;
    let j = i + 1;
    while (j < this.tokens.length && this.tokens[j]!.tokenType === T.Newline) j += 1;
    const next = this.tokens[j];
    const top = this.top();
    if (next !== undefined && top !== undefined) {
      const indent = this.lines.indent(next.startOffset);
      if (top.open.tokenType !== T.LBrace) {
        const level = this.braceLevel();
        const last = this.lastReal();
        const outermost = this.stack[level]!;
        const after = this.tokens[j + 1];
        const statement =
          last !== undefined &&
          ((endsExpression.has(last.tokenType) && startsStatement.has(next.tokenType)) ||
            // `(1 +` then `y = 2`: a keyword argument may follow `,` or `(`, never an operator.
            (needsOperand(last) && (statementKeywords.has(next.tokenType) || (next.tokenType === T.Identifier && after !== undefined && assigns(after)))));
        if (statement && indent <= outermost.indent) {
          this.closeParens(level, { kind: "line", at: next });
        }
      } else if (!openerOf.has(next.tokenType) && next.tokenType !== T.Else) {
        if (top.bodyIndented === undefined) {
          // `{ 2` with the next line not indented: a one-line block whose `}` is missing.
          if (this.lastReal() !== top.open && indent <= top.indent) this.setDedent(top, tok);
          top.bodyIndented = indent > top.indent;
        } else if (top.bodyIndented && top.dedent === undefined && indent <= top.indent) this.setDedent(top, tok);
      }
    }
    for (let k = i; k < j; k++) this.out.push(this.tokens[k]!);
    return j;
  }

  private setDedent(frame: Frame, newline: IToken): void {
    frame.dedent = newline;
    frame.dedentAt = this.out.length;
  }

  /** `)` or `]`: matches, closes inner brackets left open, is extra, or is the wrong closer. */
  private closeParen(tok: IToken, i: number): void {
    const level = this.braceLevel();
    const top = this.top();
    if (top === undefined || level === this.stack.length) {
      this.extra(tok, i, `no \`${this.image(openerOf.get(tok.tokenType)!)}\` is open here for it to close`);
      return;
    }
    if (closerOf.get(top.open.tokenType) === tok.tokenType) {
      this.stack.pop();
      this.out.push(tok);
      return;
    }
    // A mismatch: choose the reading that leaves the rest of the line best balanced.
    const open = this.stack.slice(level).map((f) => f.open.tokenType);
    const match = open.lastIndexOf(openerOf.get(tok.tokenType)!);
    const replace = this.cost(open.slice(0, -1), i + 1);
    const closeDown = match === -1 ? Infinity : this.cost(open.slice(0, match), i + 1);
    const drop = this.cost(open, i + 1);
    if (replace <= closeDown && replace <= drop) this.replace(tok, top);
    else if (closeDown <= drop) {
      this.closeParens(level + match + 1, { kind: "closer", at: tok });
      this.stack.pop();
      this.out.push(tok);
    } else {
      this.extra(tok, i, `the \`${top.open.image}\` at ${this.place(top.open, tok)} is still open and needs \`${this.image(closerOf.get(top.open.tokenType)!)}\` first`);
    }
  }

  /**
   * Follow-on trouble if the rest of the physical line is read with `open` (the `(`/`[`
   * stack of the current block): two per closer that still mismatches, one per bracket of
   * `open` left unclosed at the end of the line.
   */
  private cost(open: TokenType[], from: number): number {
    const stack = [...open];
    let low = stack.length;
    let cost = 0;
    for (let j = from; j < this.tokens.length && j < from + LOOKAHEAD; j++) {
      const type = this.tokens[j]!.tokenType;
      if (type === T.Newline || type === T.LBrace || type === T.RBrace) break;
      if (type === T.LParen || type === T.LBracket) stack.push(type);
      else if (type === T.RParen || type === T.RBracket) {
        if (stack.length > 0 && closerOf.get(stack[stack.length - 1]!) === type) {
          stack.pop();
          low = Math.min(low, stack.length);
        } else cost += 2;
      }
    }
    return cost + low;
  }

  /** `}`: closes the `(`/`[` left open in its block, and (by indentation) inner blocks left open. */
  private closeBrace(tok: IToken, i: number): void {
    const { braces } = this;
    const level = this.braceLevel();
    const top = this.top();
    if (top !== undefined && level < this.stack.length) {
      // `f(x})`: a `}` inside brackets that are closed later on the line is the extra one.
      const open = this.stack.slice(level).map((f) => f.open.tokenType);
      const drop = this.cost(open, i + 1);
      if (braces.length === 0) {
        if (this.cost(open.slice(0, -1), i + 1) <= drop) this.replace(tok, top);
        else this.extra(tok, i, "no `{` is open here for it to close");
        return;
      }
      if (drop < this.cost([], i + 1)) {
        this.extra(tok, i, "no `{` is open inside these brackets for it to close");
        return;
      }
      this.closeParens(level, { kind: "brace", at: tok });
    } else if (braces.length === 0) {
      this.extra(tok, i, "no `{` is open here for it to close");
      return;
    }
    if (this.byIndent && this.startsLine(i)) {
      // A `}` closes the block whose `{` line it lines up with; one indented deeper than
      // every open block's `{` line lines up with none and is the extra one.
      const indent = this.lines.indent(tok.startOffset);
      if (braces.every((k) => this.stack[k]!.indent < indent)) {
        this.extra(tok, i, `it lines up with no open block: the \`{\` at ${this.place(this.stack[braces[braces.length - 1]!]!.open, tok)} is on a less indented line`);
        return;
      }
      const target = braces.filter((k) => this.stack[k]!.indent === indent).pop() ?? braces.filter((k) => this.stack[k]!.indent <= indent).pop();
      if (target !== undefined) while (this.stack.length - 1 > target) this.closeTop({ kind: "closer", at: tok });
    }
    this.popBrace();
    this.out.push(tok);
  }

  /** "column 8" when `t` is on the line of `from`, else "line 3, column 8". */
  private place(t: IToken, from: IToken): string {
    const { line, col } = this.lines.position(t.startOffset);
    return line === this.lines.line(from.startOffset) ? `column ${col}` : `line ${line}, column ${col}`;
  }

  private startsLine(i: number): boolean {
    return i === 0 || this.tokens[i - 1]!.tokenType === T.Newline;
  }

  private image(type: TokenType): string {
    return (type.LABEL ?? type.name).replace(/`/g, "");
  }

  /** A token made up by the repair, at `offset`, zero width; `damaging`: its statement is left out of the program. */
  private virtual(type: TokenType, offset: number, damaging: boolean): IToken {
    const line = this.lines.line(offset);
    const tok = createTokenInstance(type, this.image(type), offset, offset - 1, line, line, NaN, NaN);
    tok.isInsertedInRecovery = true;
    if (damaging) this.result.damaged.add(tok);
    return tok;
  }

  /** Where a closer for the statement so far goes: right after its last token. */
  private afterLast(): number {
    const last = this.lastReal();
    return last === undefined ? 0 : last.startOffset + last.image.length;
  }

  /** Reports and closes the `(`/`[` frames from stack index `from` up, innermost first. */
  private closeParens(from: number, notice: Notice): void {
    if (from >= this.stack.length) return;
    const frames = this.stack.splice(from);
    const offset = this.afterLast();
    const closers = frames.reverse().map((f) => this.virtual(closerOf.get(f.open.tokenType)!, offset, true));
    // Insert before trailing newlines so the closers end the statement's last line.
    let at = this.out.length;
    while (at > 0 && this.out[at - 1]!.tokenType === T.Newline) at -= 1;
    this.out.splice(at, 0, ...closers);
    const outer = frames[frames.length - 1]!.open;
    const noticed = notice.kind === "end" ? this.source.length : notice.at.startOffset;
    this.result.quiet.push({ start: outer.startOffset, end: notice.kind === "tilde" ? noticed + 1 : noticed });
    // An unterminated string swallows the closers after it: its own error explains this one.
    const after = firstAbove(this.unterminated, outer.startOffset);
    if (after !== undefined && after < noticed) return;
    const text = closers.map((c) => c.image).join("");
    const lastLine = this.lines.line(Math.max(0, offset - 1));
    const sameLine = notice.kind !== "end" && this.lines.line(notice.at.startOffset) === lastLine;
    const where = sameLine && notice.kind !== "line" ? `before the \`${notice.at.image}\`` : `at the end of line ${lastLine}`;
    const open = `\`${outer.image}\``;
    const notes: Note[] = [];
    switch (notice.kind) {
      case "line": notes.push({ message: `the next statement starts here, with the ${open} still open`, span: tokenSpan(notice.at) }); break;
      case "brace": {
        const message = notice.at.image === "{" ? `a block starts here, so the ${open} must be closed before it` : `the block ends here, with the ${open} still open`;
        notes.push({ message, span: tokenSpan(notice.at) });
        break;
      }
      case "closer": notes.push({ message: `this \`${notice.at.image}\` closes an outer bracket, so the ${open} must be closed first`, span: tokenSpan(notice.at) }); break;
      case "tilde": notes.push({ message: `\`~\` cannot be inside brackets, so the ${open} must be closed before it`, span: tokenSpan(notice.at) }); break;
      case "end": notes.push({ message: `the file ends with the ${open} still open` }); break;
    }
    const outerFrame = frames[frames.length - 1]!;
    const hint = outerFrame.parameters && frames.length === 1 ? "close the parameter list with `)`" : `add \`${text}\` ${where}`;
    this.report(tokenSpan(outer), `unclosed ${open}`, { hint, notes });
  }

  /** Closes the innermost frame, a `{`: before its dedent line if it has one, else where it was noticed. */
  private closeBlock(notice: Notice): void {
    this.braceTrouble = true;
    const frame = this.popBrace();
    // Insertions since the dedent line was recorded may have moved it.
    const dedent = frame.dedent === undefined ? -1 : this.out[frame.dedentAt] === frame.dedent ? frame.dedentAt : this.out.lastIndexOf(frame.dedent);
    let first: IToken | undefined;
    for (let k = dedent + 1; dedent !== -1 && k < this.out.length && first === undefined; k++) {
      if (this.out[k]!.tokenType !== T.Newline) first = this.out[k];
    }
    // Before the newlines that end the block's last line.
    let at = first === undefined ? this.out.length : dedent;
    while (at > 0 && this.out[at - 1]!.tokenType === T.Newline) at -= 1;
    const before = this.out[at - 1];
    const offset = before === undefined ? 0 : before.startOffset + before.image.length;
    // The block's statement stays in the program; only the `}` is made up.
    this.out.splice(at, 0, this.virtual(T.RBrace, offset, false));
    const notes: Note[] = [];
    if (first !== undefined) {
      notes.push({ message: "this line is indented no deeper than the `{`'s line, so the block seems to end before it", span: tokenSpan(first) });
    } else if (notice.kind === "end") {
      notes.push({ message: "the file ends with the `{` still open" });
    } else {
      notes.push({ message: `this \`${notice.at.image}\` is indented like an outer \`{\`'s line, so it closes that block`, span: tokenSpan(notice.at) });
    }
    const lastLine = this.lines.line(Math.max(0, offset - 1));
    const where = lastLine === this.lines.line(frame.open.startOffset) ? `at the end of line ${lastLine}` : `after line ${lastLine}`;
    this.report(tokenSpan(frame.open), "unclosed `{`", { hint: `add \`}\` ${where}`, notes });
  }

  /** A closer that matches nothing: reported and dropped; the statement before it is left out. */
  private extra(tok: IToken, i: number, hint: string): void {
    if (tok.tokenType === T.RBrace) this.braceTrouble = true;
    const before = this.lastReal();
    const sameLine = before !== undefined && this.out[this.out.length - 1] === before;
    if (sameLine && before.tokenType !== T.Semicolon) this.result.damaged.add(before);
    // Without it, the tokens on either side meet (`b = )` becomes `b =`): their error is this one.
    const next = this.tokens[i + 1];
    this.result.quiet.push({ start: sameLine ? before.startOffset + before.image.length : tok.startOffset, end: (next?.startOffset ?? this.source.length) + 1 });
    // `b = )`: the closer also stands where a value should be.
    const operand = sameLine && needsOperand(before) ? `, and \`${before.image}\` needs ${before.image === "~" ? "a distribution" : "a value"} on its right` : "";
    this.report(tokenSpan(tok), `unmatched \`${tok.image}\``, { hint: `${hint}${operand}` });
  }

  /** A wrong closer (`[1, 2)`): reported, and read as the right one. */
  private replace(tok: IToken, frame: Frame): void {
    this.stack.pop();
    const type = closerOf.get(frame.open.tokenType)!;
    const line = this.lines.line(tok.startOffset);
    const right = createTokenInstance(type, this.image(type), tok.startOffset, tok.startOffset + tok.image.length - 1, line, line, NaN, NaN);
    this.result.damaged.add(right);
    this.out.push(right);
    this.report(tokenSpan(tok), `\`${tok.image}\` does not match the \`${frame.open.image}\``, {
      expected: `\`${right.image}\``,
      found: `\`${tok.image}\``,
      notes: [{ message: `the \`${frame.open.image}\` it should close`, span: tokenSpan(frame.open) }],
    });
  }

  private report(span: Span, message: string, extra: Parameters<typeof diagnostic>[3]): void {
    this.result.diagnostics.push(diagnostic(this.file, span, message, extra));
  }
}

/** Whether `t` is an operator, `=` or `~`, which cannot end a statement. */
export function needsOperand(t: IToken): boolean {
  return t.tokenType === T.Tilde || tokenMatcher(t, T.BinaryOperator) || tokenMatcher(t, T.AssignOp) || tokenMatcher(t, T.UnaryOp);
}

/** The first of the ascending `offsets` above `offset`. */
function firstAbove(offsets: readonly number[], offset: number): number | undefined {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid]! <= offset) lo = mid + 1;
    else hi = mid;
  }
  return offsets[lo];
}

function tokenSpan(t: IToken): Span {
  return { start: t.startOffset, end: t.startOffset + t.image.length };
}
