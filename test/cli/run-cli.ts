/**
 * Spawns the real `dlm` command as a child process: `node --import tsx cli/main.ts ...` from the
 * repository root, so the tests need no build step and always run the current sources (the
 * published `bin/dlm.js` runs the same module from dist/ after `npm run build`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Killed (SIGKILL) because it ran past `timeoutMs`. */
  readonly timedOut: boolean;
}

/** The command line that runs the CLI (for the pty driver too). */
export const DLM = [process.execPath, "--import", "tsx", "cli/main.ts"] as const;

export interface SpawnOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Called with the child and its stderr so far whenever stderr grows (for sending signals). */
  readonly onStderr?: (child: ChildProcess, stderr: string) => void;
  /** Kill the command after this many milliseconds (then `timedOut`): a hang fails instead of waiting forever. */
  readonly timeoutMs?: number;
}

/** Runs `dlm ...args` and collects its exit code and output. */
export function dlm(args: readonly string[], options: SpawnOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(DLM[0], [...DLM.slice(1), ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, DLM_HISTORY: "/dev/null", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      options.onStderr?.(child, stderr);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** No JavaScript stack trace in `text`. */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+(\(|:\d+:\d+)/.test(text) || /node:internal/.test(text);
}
