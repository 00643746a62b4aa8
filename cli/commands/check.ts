/**
 * `dlm check FILE.dlm...`: parse and static checks only (no tensor backend is started).
 * Exit 0 when every file is clean (`FILE: ok` on stdout), 1 with every diagnostic of every
 * file on stderr otherwise. Warnings are printed but do not fail the check. `include`s are
 * followed as `dlm run` follows them: the names they define are known, and problems in an
 * included file (or a missing one) count for the file that includes it, located where they are.
 */
import type { Command } from "commander";
import { ReportedFailure, UserError } from "../errors.js";

/** Checks every file; throws a UserError summarising the count when any has an error. */
export async function checkCommand(files: readonly string[]): Promise<void> {
  // Loaded here, not at start-up, so that `dlm --help` and usage errors stay quick.
  const { parse, renderDiagnostic } = await import("../../grammar/index.js");
  const { readSource } = await import("../source.js");
  const { staticDiagnostics } = await import("../interpreter.js");
  let failed = 0;
  let errors = 0;
  for (const file of files) {
    let source: string;
    try {
      source = await readSource(file);
    } catch (e) {
      process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      failed += 1;
      errors += 1;
      continue;
    }
    const parsed = parse(source, file);
    const syntaxErrors = parsed.diagnostics.some((d) => d.severity === "error");
    const located = [
      ...parsed.diagnostics.map((diagnostic) => ({ diagnostic, source })),
      ...(syntaxErrors ? [] : await staticDiagnostics(parsed.program, source, file)),
    ];
    const fileErrors = located.filter((d) => d.diagnostic.severity === "error").length;
    // The file's own diagnostics in source order, then those of its included files as met.
    const own = located.filter((d) => d.source === source && d.diagnostic.file === file).sort((a, b) => a.diagnostic.span.start - b.diagnostic.span.start);
    const ordered = [...own, ...located.filter((d) => !own.includes(d))];
    if (ordered.length > 0) process.stderr.write(ordered.map((d) => renderDiagnostic(d.diagnostic, d.source)).join("\n\n") + "\n");
    if (fileErrors > 0) {
      failed += 1;
      errors += fileErrors;
    } else {
      process.stdout.write(`${file}: ok\n`);
    }
  }
  if (failed > 0 && files.length > 1) {
    throw new UserError(`${errors} error${errors === 1 ? "" : "s"} in ${failed} of ${files.length} files`);
  }
  if (failed > 0) throw new ReportedFailure();
}

/** Registers `check` on `program`. */
export function registerCheck(program: Command): void {
  program
    .command("check")
    .description("parse and statically check .dlm files; exit 0 when clean, 1 with every diagnostic otherwise")
    .argument("<files...>", ".dlm files")
    .action(checkCommand);
}
