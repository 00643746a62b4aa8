/**
 * The `.dlm` front end: text → AST, diagnostics as values, AST → text.
 * Public surface of grammar/ (nothing outside imports its internal modules).
 */
export type * from "./ast.js";
export { assertNever } from "./ast.js";
export { parse, type ParseResult } from "./parse.js";
export { lineCol, renderDiagnostic, renderDiagnostics, type Diagnostic, type LineCol, type Note, type Severity } from "./diagnostics.js";
export { suggest, editDistance } from "../core/suggest.js";
export { KNOWN_CALLABLES, DISTRIBUTIONS, LAYERS, ALGORITHMS, BUILTINS } from "./known-names.js";
export { KEYWORDS } from "./tokens.js";
export { print, printExpr, printStmt } from "./print.js";
export { dump } from "./dump.js";
