/**
 * Whether REPL input is complete: it continues while brackets are open. Strings ("..." with
 * backslash escapes) and comments (# to end of line) are skipped; a closer without an opener
 * makes the input "complete" so that the parser reports it.
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
