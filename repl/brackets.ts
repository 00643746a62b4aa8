/**
 * Whether REPL input is complete. It continues, as a file's statement does (docs/language.md,
 * "Newlines end statements"), while brackets are open and after a token that cannot end an
 * expression: a binary operator, `,`, `=`, `+=` (etc.), `~`, `=>`, `:`, `.`, `!`, `in`, `else`.
 * Strings ("..." with backslash escapes) and comments (# to end of line) are skipped; a closer
 * without an opener makes the input "complete" so that the parser reports it.
 */

/** Number of brackets ( [ { still open at the end of `text` (0 when balanced or over-closed). */
export function unclosedBrackets(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "#") {
      const nl = text.indexOf("\n", i);
      if (nl === -1) break;
      i = nl;
    } else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      depth--;
      if (depth < 0) return 0;
    }
  }
  return Math.max(depth, 0);
}

/** `text` without its comments, each string left as `""`. */
function code(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') {
        inString = false;
        out += c;
      }
      continue;
    }
    if (c === "#") {
      const nl = text.indexOf("\n", i);
      if (nl === -1) break;
      i = nl - 1;
      continue;
    }
    if (c === '"') inString = true;
    out += c;
  }
  return out;
}

// The operators the lexer lets a statement continue after (grammar/lex.ts), longest first: `&&`
// and `||` but not a lone `&` or `|`, which are errors to report at once.
const TRAILING_OPERATOR = /(=>|&&|\|\||==|!=|<=|>=|\+=|-=|\*=|\/=|[=<>+\-*/@%^!~,:.])$/;
const TRAILING_KEYWORD = /(^|[^A-Za-z0-9_\u0391-\u03a9\u03b1-\u03c9])(in|else)$/;

/** Whether `text` ends with a token after which the statement goes on (see the module comment). */
export function endsMidStatement(text: string): boolean {
  const tail = code(text).trimEnd();
  return TRAILING_OPERATOR.test(tail) || TRAILING_KEYWORD.test(tail);
}

/** Whether the REPL should wait for another line before running `text`. */
export function inputContinues(text: string): boolean {
  return unclosedBrackets(text) > 0 || endsMidStatement(text);
}
