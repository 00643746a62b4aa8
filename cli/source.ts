/** Reading `.dlm` source files and turning parse diagnostics into one clean failure. */
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import type { Diagnostic, ModelDef, Program } from "../grammar/index.js";
import { parse, renderDiagnostic } from "../grammar/index.js";
import { fileErrorMessage, UserError } from "./errors.js";

/** Reads a `.dlm` file; anything else (another extension, a missing file) is a UserError. */
export async function readSource(path: string): Promise<string> {
  if (extname(path).toLowerCase() !== ".dlm") throw new UserError(`'${path}' is not a .dlm file`);
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    throw new UserError(fileErrorMessage(path, e));
  }
}

/** Every diagnostic, rendered with its source line and caret, one block after another. */
export function renderAll(diagnostics: readonly Diagnostic[], source: string): string {
  return diagnostics.map((d) => renderDiagnostic(d, source)).join("\n");
}

/**
 * Parses `source`; on any error-severity diagnostic throws a UserError whose message is the
 * first diagnostic's `file:line:col: message` line and whose detail holds the full rendering.
 */
export function parseOrFail(source: string, file: string): Program {
  const { program, diagnostics } = parse(source, file);
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length === 0) return program;
  throw diagnosticsError(errors, source);
}

/** A UserError for located diagnostics (message: the first; detail: all, rendered). */
export function diagnosticsError(errors: readonly Diagnostic[], source: string): UserError {
  const rendered = renderAll(errors, source);
  const [first, ...rest] = rendered.split("\n");
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? "s" : ""})` : "";
  return new UserError(`${first ?? "error"}${more}`, rest.join("\n"));
}

/** The top-level model definitions of a program, by name. */
export function modelsOf(program: Program): Map<string, ModelDef> {
  const out = new Map<string, ModelDef>();
  for (const s of program.body) if (s.kind === "Model") out.set(s.name, s);
  return out;
}
