/**
 * The `.dlm` front end: text → AST, diagnostics as values, AST → text.
 * Public surface of grammar/ (nothing outside imports its internal modules).
 */
export type * from "./ast.js";
export { assertNever } from "./ast.js";
