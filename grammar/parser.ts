/**
 * The `.dlm` grammar as a Chevrotain CstParser: syntax only (no AST building; see
 * to-ast.ts). One instance is created at module load and reused for every parse.
 *
 * Precedence, loosest first (applied by to-ast.ts over the flat `expression` rule):
 *   pair `=>` (right) < `||` < `&&` < comparisons < range `a:b`, `a:s:b`
 *   < `+ -` < `* / @ %` < unary `- !` < `^` (right; its right operand may be unary: `2^-1`)
 *   < postfix call/index/field < primary.
 * So `1:N+1` is `1:(N+1)` and `-x^2` is `-(x^2)`.
 */
import type { CstNode, IOrAlt, IParserErrorMessageProvider, IRecognitionException, IToken, TokenType } from "chevrotain";
import { CstParser } from "./chevrotain.js";
import * as T from "./tokens.js";

/** Parser error messages are JSON payloads that diagnostics.ts turns into expected/found text. */
export interface ErrorPayload {
  readonly kind: "mismatch" | "noViableAlt" | "earlyExit" | "notAllInput";
  readonly rule: string;
  readonly expected: readonly string[];
}

const label = (t: TokenType): string => (t.LABEL ?? t.name);
const firsts = (paths: readonly (readonly TokenType[])[]): string[] =>
  paths.map((p) => p[0]).filter((t): t is TokenType => t !== undefined).map(label);

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, ruleName }) =>
    JSON.stringify({ kind: "mismatch", rule: ruleName, expected: [label(expected)] } satisfies ErrorPayload),
  buildNotAllInputParsedMessage: ({ ruleName }) =>
    JSON.stringify({ kind: "notAllInput", rule: ruleName, expected: [] } satisfies ErrorPayload),
  buildNoViableAltMessage: ({ expectedPathsPerAlt, ruleName }) =>
    JSON.stringify({ kind: "noViableAlt", rule: ruleName, expected: expectedPathsPerAlt.flatMap(firsts) } satisfies ErrorPayload),
  buildEarlyExitMessage: ({ expectedIterationPaths, ruleName }) =>
    JSON.stringify({ kind: "earlyExit", rule: ruleName, expected: firsts(expectedIterationPaths) } satisfies ErrorPayload),
};

class DlmParser extends CstParser {
  // Alternatives built once per OR site and reused: a fresh array of closures per call was
  // a measurable share of parsing time (Chevrotain's performance guide suggests this).
  private readonly alternatives = new Map<number, IOrAlt<unknown>[]>();

  private cached(site: number, make: () => IOrAlt<unknown>[]): IOrAlt<unknown>[] {
    let alts = this.alternatives.get(site);
    if (alts === undefined) {
      alts = make();
      this.alternatives.set(site, alts);
    }
    return alts;
  }

  constructor() {
    super([...T.allTokens], { recoveryEnabled: true, maxLookahead: 2, nodeLocationTracking: "onlyOffset", errorMessageProvider: messages });
    this.performSelfAnalysis();
  }

  public program = this.RULE("program", () => {
    this.SUBRULE(this.statements);
  });

  /** Statements separated by newlines or `;` (the layout pass removed redundant newlines). */
  public statements = this.RULE("statements", () => {
    this.OPTION(() => {
      this.SUBRULE(this.statementLine);
      this.MANY(() => {
        this.SUBRULE(this.separator);
        this.OPTION2(() => this.SUBRULE2(this.statementLine));
      });
    });
  });

  /**
   * A statement, possibly followed by tokens that cannot continue it, or a line of such
   * tokens alone. The stray tokens are parsed only to be reported (to-ast.ts), so that
   * recovery resumes at the next line instead of abandoning the enclosing block.
   */
  public statementLine = this.RULE("statementLine", () => {
    this.OR(this.cached(0, () => [
      {
        ALT: () => {
          this.SUBRULE(this.statement);
          this.OPTION(() => this.SUBRULE(this.strayTokens));
        },
        IGNORE_AMBIGUITIES: true,
      },
      { ALT: () => this.SUBRULE2(this.strayTokens) },
    ]));
  });

  public strayTokens = this.RULE("strayTokens", () => {
    this.AT_LEAST_ONE(() => {
      this.OR(this.cached(1, () => [{ ALT: () => this.CONSUME(T.Stray) }, { ALT: () => this.SUBRULE(this.block) }]));
    });
  });

  public separator = this.RULE("separator", () => {
    this.OR(this.cached(2, () => [{ ALT: () => this.CONSUME(T.Newline) }, { ALT: () => this.CONSUME(T.Semicolon) }]));
  });

  public statement = this.RULE("statement", () => {
    this.OR(this.cached(3, () => [
      { ALT: () => this.SUBRULE(this.ifStatement), IGNORE_AMBIGUITIES: true },
      { ALT: () => this.SUBRULE(this.forStatement) },
      { ALT: () => this.SUBRULE(this.returnStatement) },
      { ALT: () => this.SUBRULE(this.fnDefinition) },
      { ALT: () => this.SUBRULE(this.networkDefinition) },
      { ALT: () => this.SUBRULE(this.modelDefinition) },
      { ALT: () => this.SUBRULE(this.includeStatement) },
      { ALT: () => this.SUBRULE(this.simpleStatement) },
    ]));
  });

  /** `e`, `target = e`, `target += e`, `target ~ e`, or `forward(x) { ... }` (checked in to-ast). */
  public simpleStatement = this.RULE("simpleStatement", () => {
    this.SUBRULE(this.expression, { LABEL: "lhs" });
    this.OPTION(() => {
      this.OR(this.cached(4, () => [
        {
          ALT: () => {
            this.CONSUME(T.AssignOp);
            this.SUBRULE2(this.expression, { LABEL: "rhs" });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Tilde);
            this.SUBRULE3(this.expression, { LABEL: "dist" });
          },
        },
        { ALT: () => this.SUBRULE(this.block) },
      ]));
    });
  });

  public block = this.RULE("block", () => {
    this.CONSUME(T.LBrace);
    this.SUBRULE(this.statements);
    this.CONSUME(T.RBrace);
  });

  public ifStatement = this.RULE("ifStatement", () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expression);
    this.SUBRULE(this.block);
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.OR(this.cached(5, () => [{ ALT: () => this.SUBRULE(this.ifStatement) }, { ALT: () => this.SUBRULE2(this.block, { LABEL: "elseBlock" }) }]));
    });
  });

  public forStatement = this.RULE("forStatement", () => {
    this.CONSUME(T.For);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.In);
    this.SUBRULE(this.expression);
    this.SUBRULE(this.block);
  });

  public returnStatement = this.RULE("returnStatement", () => {
    this.CONSUME(T.Return);
    this.OPTION(() => this.SUBRULE(this.expression));
  });

  public fnDefinition = this.RULE("fnDefinition", () => {
    this.CONSUME(T.Fn);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.parameters);
    this.SUBRULE(this.definitionBody);
  });

  public networkDefinition = this.RULE("networkDefinition", () => {
    this.CONSUME(T.Network);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.parameters);
    this.SUBRULE(this.definitionBody);
  });

  public modelDefinition = this.RULE("modelDefinition", () => {
    this.CONSUME(T.Model);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.parameters);
    this.SUBRULE(this.block);
  });

  /** `= expression` or `{ statements }`. */
  public definitionBody = this.RULE("definitionBody", () => {
    this.OR(this.cached(6, () => [
      {
        ALT: () => {
          this.CONSUME(T.Equals);
          this.SUBRULE(this.expression);
        },
      },
      { ALT: () => this.SUBRULE(this.block) },
    ]));
  });

  /** `(a, b; k = 1, m = 2)`: positional names, then keyword parameters with defaults. */
  public parameters = this.RULE("parameters", () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Identifier) });
    this.OPTION(() => {
      this.CONSUME(T.Semicolon);
      this.MANY_SEP2({ SEP: T.Comma, DEF: () => this.SUBRULE(this.keywordParameter) });
    });
    this.CONSUME(T.RParen);
  });

  public keywordParameter = this.RULE("keywordParameter", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  public includeStatement = this.RULE("includeStatement", () => {
    this.CONSUME(T.Include);
    this.CONSUME(T.StringLiteral);
  });

  // ------------------------------------------------------------------------------------------
  // Expressions

  /**
   * `operand (operator operand)*`, flat: the precedence levels (table above) are applied in
   * to-ast.ts by precedence climbing. One rule instead of one per level keeps the parser
   * fast (a rule invocation per level per operand was most of its time).
   */
  public expression = this.RULE("expression", () => {
    this.SUBRULE(this.operand);
    this.MANY(() => {
      this.CONSUME(T.BinaryOperator, { LABEL: "operator" });
      this.SUBRULE2(this.operand);
    });
  });

  /** Prefix operators, then a postfix expression: `-x`, `!ok`, `- -f(x)[1]`. */
  public operand = this.RULE("operand", () => {
    this.MANY(() => this.CONSUME(T.UnaryOp, { LABEL: "prefix" }));
    this.SUBRULE(this.postfix);
  });

  public postfix = this.RULE("postfix", () => {
    this.SUBRULE(this.primary);
    this.MANY(() => this.SUBRULE(this.postfixOperation));
  });

  public postfixOperation = this.RULE("postfixOperation", () => {
    this.OR(this.cached(7, () => [
      { ALT: () => this.SUBRULE(this.callArguments) },
      { ALT: () => this.SUBRULE(this.indexArguments) },
      {
        ALT: () => {
          this.CONSUME(T.Dot);
          this.CONSUME(T.Identifier);
        },
      },
    ]));
  });

  /** `(a, b, k = v)`, trailing comma allowed. */
  public callArguments = this.RULE("callArguments", () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.argument);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.argument);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  public argument = this.RULE("argument", () => {
    this.OPTION(() => {
      this.CONSUME(T.Identifier, { LABEL: "keyword" });
      this.CONSUME(T.Equals);
    });
    this.SUBRULE(this.expression);
  });

  public indexArguments = this.RULE("indexArguments", () => {
    this.CONSUME(T.LBracket);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.indexArgument) });
    this.CONSUME(T.RBracket);
  });

  public indexArgument = this.RULE("indexArgument", () => {
    this.OR(this.cached(8, () => [{ ALT: () => this.CONSUME(T.Colon) }, { ALT: () => this.SUBRULE(this.expression) }]));
  });

  public primary = this.RULE("primary", () => {
    this.OR(this.cached(9, () => [
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.Missing) },
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.SUBRULE(this.arrayLiteral) },
      { ALT: () => this.SUBRULE(this.parenthesized) },
      { ALT: () => this.SUBRULE(this.ifExpression) },
    ]));
  });

  public arrayLiteral = this.RULE("arrayLiteral", () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expression);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.expression);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RBracket);
  });

  /** `(e)` groups; `(e,)` and `(a, b)` are tuples. */
  public parenthesized = this.RULE("parenthesized", () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.expression);
    });
    this.OPTION(() => this.CONSUME2(T.Comma));
    this.CONSUME(T.RParen);
  });

  /** `if c { a } else { b }` (else-if chains allowed). */
  public ifExpression = this.RULE("ifExpression", () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expression, { LABEL: "cond" });
    this.SUBRULE(this.braced, { LABEL: "then" });
    this.CONSUME(T.Else);
    this.OR(this.cached(10, () => [
      { ALT: () => this.SUBRULE(this.ifExpression, { LABEL: "elseIf" }) },
      { ALT: () => this.SUBRULE2(this.braced, { LABEL: "otherwise" }) },
    ]));
  });

  /** `{ expression }`, newlines allowed around it. */
  public braced = this.RULE("braced", () => {
    this.CONSUME(T.LBrace);
    this.SUBRULE(this.expression);
    this.OPTION(() => this.CONSUME(T.Newline));
    this.CONSUME(T.RBrace);
  });
}

/** The one parser instance (Chevrotain parsers are built once and reused). */
export const parser = new DlmParser();

/**
 * Runs the grammar over `tokens`; returns one CST root per parsed stretch and every
 * recognition error. Chevrotain stops at the first token that cannot continue a
 * top-level statement; there we skip to the next top-level line break (stepping over
 * bracketed groups) and parse again, so independent errors further down are reported too.
 */
export function recognize(tokens: readonly IToken[]): { csts: CstNode[]; errors: IRecognitionException[] } {
  const csts: CstNode[] = [];
  const errors: IRecognitionException[] = [];
  let start = 0;
  while (start < tokens.length || csts.length === 0) {
    parser.input = tokens.slice(start);
    csts.push(parser.program());
    errors.push(...parser.errors);
    const last = parser.errors[parser.errors.length - 1];
    if (last?.name !== "NotAllInputParsedException") break;
    start = nextTopLevelLine(tokens, last.token.startOffset);
  }
  return { csts, errors };
}

/** Index just after the first top-level newline or `;` at or after `offset`. */
function nextTopLevelLine(tokens: readonly IToken[], offset: number): number {
  let i = tokens.findIndex((t) => t.startOffset >= offset);
  if (i === -1) return tokens.length;
  let depth = 0;
  for (i += 1; i < tokens.length; i++) {
    const type = tokens[i]!.tokenType;
    if (type === T.LParen || type === T.LBracket || type === T.LBrace) depth += 1;
    else if (type === T.RParen || type === T.RBracket || type === T.RBrace) depth = Math.max(0, depth - 1);
    else if (depth === 0 && (type === T.Newline || type === T.Semicolon)) return i + 1;
  }
  return tokens.length;
}
