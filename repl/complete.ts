/** Tab completion: the word before the cursor against names, builtins, distributions, layers and REPL commands. */

export const REPL_COMMANDS: readonly string[] = [":help", ":load", ":reload", ":vars", ":type", ":backend", ":engine", ":time", ":quit"];

/** The identifier (or `:command`) that ends `line`. */
export function lastWord(line: string): string {
  const m = /(:?[A-Za-z_][A-Za-z0-9_]*|:)$/.exec(line);
  return m ? m[0] : "";
}

/**
 * Candidates for the word ending `line`, sorted and unique, and the word itself (Node readline's
 * completer contract: `[hits, substring]`). A `:` at the start of the line completes commands.
 */
export function complete(line: string, names: Iterable<string>): [string[], string] {
  const word = lastWord(line);
  if (word === "") return [[], ""];
  const pool = word.startsWith(":") ? (line.trimStart() === word ? REPL_COMMANDS : []) : [...names];
  const hits = [...new Set(pool)].filter((n) => n.startsWith(word)).sort();
  return [hits, word];
}
