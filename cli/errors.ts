/**
 * Errors and exit codes of the `dlm` command. Every failure reaches the user as one clean
 * message on stderr (`file:line:col: ...` where a file is involved) and one of three exit
 * codes; a stack trace appears only with `--debug`.
 *
 *   0    success
 *   1    user error: bad file, bad data, a model or inference error
 *   2    usage error: unknown option or command, missing or malformed argument
 *   130  `dlm sample` stopped by Ctrl-C (SIGINT) after saving what it had finished
 */

export const EXIT_OK = 0;
export const EXIT_USER = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** A failure caused by the user's input: printed as its message alone, exit code 1. */
export class UserError extends Error {
  override readonly name = "UserError";
  /** Text printed after the message line (rendered diagnostics with source and caret). */
  readonly detail: string | undefined;
  constructor(message: string, detail?: string) {
    super(message);
    this.detail = detail;
  }
}

/** A malformed command line detected after commander accepted it (exit code 2). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A failure whose messages have already been printed: only the exit code remains. */
export class ReportedFailure extends Error {
  override readonly name = "ReportedFailure";
  constructor(readonly exitCode: number = EXIT_USER) {
    super("reported");
  }
}

/** Exit code for an error thrown by a command. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof ReportedFailure) return err.exitCode;
  return err instanceof UsageError ? EXIT_USAGE : EXIT_USER;
}

/** Node's file-system errors, worded for people: `cannot read 'x.dlm': no such file`. */
export function fileErrorMessage(path: string, err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case "ENOENT":
      return `cannot read '${path}': no such file`;
    case "EACCES":
    case "EPERM":
      return `cannot read '${path}': permission denied`;
    case "EISDIR":
      return `cannot read '${path}': it is a directory`;
    default:
      return `cannot read '${path}': ${err instanceof Error ? err.message : String(err)}`;
  }
}

/**
 * The text printed for an error: `error: message` (the message of a located error already
 * starts with `file:line:col:`), then any detail; with `debug`, the stack as well.
 */
export function formatError(err: unknown, debug: boolean): string {
  if (err instanceof ReportedFailure) return "";
  const message = err instanceof Error ? err.message : String(err);
  const located = /^[^\s:]+:\d+:\d+: /.test(message);
  const head = located ? message : `error: ${message}`;
  const detail = err instanceof UserError && err.detail ? `\n${err.detail}` : "";
  const stack = debug && err instanceof Error && err.stack ? `\n${err.stack}` : "";
  return `${head}${detail}${stack}\n`;
}
