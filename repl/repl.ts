/**
 * `dlm repl`: a node:readline loop over a `ReplSession`. Input continues while brackets are
 * open and after a trailing operator (brackets.ts); history is kept in ~/.dlm_history (or
 * $DLM_HISTORY); Tab completes names, builtins, distributions, layers and `:commands`. An error
 * never ends the session; Ctrl-C cancels the current input or stops a running inference
 * (keeping its completed draws, its note printed above the progress bars); Ctrl-D exits.
 *
 * The prompt appears at once: the interpreter and tfjs load in the background and the first
 * input waits for them. Inputs run in the interpreter's incremental `Session` (interpreter/
 * script.ts), which prints values and `print` output through the callbacks given here. A file
 * (`dlm repl FILE`, `:load`, `:reload`) runs as that file: its paths are relative to its folder
 * and its errors name it; what is typed at the prompt is relative to the working folder.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import * as readline from "node:readline";
import { inputContinues } from "./brackets.js";
import { complete } from "./complete.js";
import type { Session } from "../interpreter/index.js";

export interface ReplOptions {
  readonly file?: string;
  readonly backend?: string;
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
  readonly historyFile?: string;
}

const PROMPT = "dlm> ";
const CONTINUE = "...> ";

function historyPath(options: ReplOptions): string {
  return options.historyFile ?? process.env["DLM_HISTORY"] ?? join(homedir(), ".dlm_history");
}

function loadHistory(path: string): string[] {
  try {
    // readline keeps the newest entry first.
    return readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "").slice(-1000).reverse();
  } catch {
    return [];
  }
}

/** Runs the REPL until :quit or Ctrl-D. */
export async function startRepl(options: ReplOptions = {}): Promise<void> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const say = (text: string): void => void output.write(text.endsWith("\n") ? text : text + "\n");
  const histFile = historyPath(options);

  // Where a running input can be stopped: passed to the session, which hands it to the sampler.
  let running: AbortController | undefined;
  // The progress bars of the running `sample`: notes must go above them, not through them.
  let bars: { log(line: string): void } | undefined;
  // Load the interpreter and start the engine while the user types.
  const newSession = async (): Promise<Session> => {
    const { initEngine } = await import("../core/engine.js");
    await initEngine(options.backend);
    // small models sample in about a second: the float64 host engine wherever the model records
    const { setDefaultEngine } = await import("../interpreter/record-model.js");
    setDefaultEngine("auto");
    const { createSession } = await import("../interpreter/index.js");
    // `signal` is read by sessions that can stop a running inference (see the module comment).
    const { progressReporter, trainReporter } = await import("../cli/progress.js");
    const { viReporter } = await import("../cli/vi-progress.js");
    const tty = (output as NodeJS.WriteStream).isTTY === true;
    const sessionOptions = {
      file: "<repl>",
      out: (line: string) => say(line),
      err: (line: string) => say(line),
      get signal(): AbortSignal | undefined {
        return running?.signal;
      },
      // Progress bars (one per chain) on a terminal, as `dlm sample` shows them; nothing otherwise.
      progress: (run: { chains: number; warmup: number; draws: number }) => {
        const reporter = progressReporter({ ...run, quiet: !tty, stream: output as NodeJS.WriteStream, tty: true });
        bars = reporter;
        return {
          update: (info: import("../cli/progress.js").ProgressEvent) => reporter.update(info),
          stop: () => {
            reporter.stop();
            bars = undefined;
          },
        };
      },
      trainProgress: (run: { epochs: number }) => {
        const bar = trainReporter({ ...run, quiet: !tty, stream: output as NodeJS.WriteStream, tty: true });
        bars = bar;
        const stop = (): void => {
          bar.stop();
          bars = undefined;
        };
        return { update: (p: import("../cli/progress.js").TrainEvent) => bar.update(p), epoch: (e: number, m: Readonly<Record<string, number>>) => bar.epoch(e, m), stop };
      },
      // ADVI's progress lines (the search, then ELBO estimates), on a terminal only.
      viProgress: (run: { iterations: number }) => {
        const lines = viReporter({ ...run, quiet: !tty, stream: output as NodeJS.WriteStream });
        bars = lines;
        return { update: (p: import("../inference/vi/advi.js").AdviProgress) => lines.update(p), stop: () => void (bars = undefined) };
      },
    };
    return createSession(sessionOptions);
  };
  let session: Session | undefined;
  const ready: Promise<Session> = newSession();
  ready.catch(() => undefined);
  void ready.then((s) => (session = s), () => undefined);

  // The grammar (Chevrotain builds its parser on import) loads after the prompt is shown.
  let staticNames: string[] = [];
  void import("../grammar/index.js").then((g) => (staticNames = [...g.BUILTINS, ...g.DISTRIBUTIONS, ...g.LAYERS, ...g.KEYWORDS]));
  const rl = readline.createInterface({
    input,
    output,
    prompt: PROMPT,
    terminal: (output as NodeJS.WriteStream).isTTY === true,
    history: loadHistory(histFile),
    historySize: 1000,
    completer: (line: string) => complete(line, [...staticNames, ...(session?.variables().map((v) => v.name) ?? [])]),
  });

  let buffer = "";
  let lastLoaded: string | undefined;
  let busy = Promise.resolve();

  const showError = (e: unknown): void => {
    const msg = e instanceof Error ? e.message : String(e);
    say(msg.startsWith("<") || /^[^\s:]+:\d+:\d+:/.test(msg) ? msg : `error: ${msg}`);
  };

  /** Runs one input (from `file` when it is a file's text); false when it failed (the session has already printed the error). */
  const evaluate = async (source: string, file?: string): Promise<boolean> => {
    const s = await ready;
    running = new AbortController();
    try {
      return await s.run(source, file);
    } finally {
      running = undefined;
    }
  };

  const loadFile = async (path: string): Promise<void> => {
    const { readSource } = await import("../cli/source.js");
    const source = await readSource(path);
    lastLoaded = path;
    if (await evaluate(source, path)) say(`loaded ${path}`);
  };

  const command = async (line: string): Promise<boolean> => {
    const [cmd = "", ...rest] = line.trim().split(/\s+/);
    const arg = line.trim().slice(cmd.length).trim();
    switch (cmd) {
      case ":quit":
      case ":q":
        return false;
      case ":help": {
        const { GENERAL_HELP, helpFor } = await import("./help.js");
        say(rest.length === 0 ? GENERAL_HELP : await helpFor(rest[0]!));
        return true;
      }
      case ":load":
        if (arg === "") say("usage: :load FILE.dlm");
        else await loadFile(arg);
        return true;
      case ":reload": {
        // The session redefines models, fns and variables, so the file runs again in place:
        // variables made at the prompt survive a reload.
        const target = arg !== "" ? arg : lastLoaded;
        if (target === undefined) say("nothing loaded yet: :load FILE.dlm");
        else await loadFile(target);
        return true;
      }
      case ":vars": {
        const vars = (await ready).variables();
        say(vars.length === 0 ? "no variables yet" : vars.map((v) => `${v.name}: ${v.description}`).join("\n"));
        return true;
      }
      case ":type":
        say(await (await ready).typeOf(arg));
        return true;
      case ":time": {
        const t0 = performance.now();
        await evaluate(arg);
        say(`time: ${((performance.now() - t0) / 1000).toFixed(3)} s`);
        return true;
      }
      case ":backend": {
        const { initEngine, engineInfo } = await import("../core/engine.js");
        await ready;
        const info = arg === "" ? engineInfo() : await initEngine(arg);
        say(info ? `backend ${info.backend} (available: ${info.available.join(", ")})` : "no backend started");
        return true;
      }
      case ":engine": {
        const { ENGINES, getDefaultEngine, setDefaultEngine } = await import("../interpreter/record-model.js");
        const choice = ENGINES.find((e) => e === arg);
        if (arg !== "" && choice === undefined) say(`usage: :engine [${ENGINES.join("|")}]`);
        else {
          if (choice !== undefined) setDefaultEngine(choice);
          const e = getDefaultEngine();
          say(`engine ${e}: ${e === "tfjs" ? "the recorded model on tfjs (float32, chains batched)" : e === "host" ? "the recorded model compiled to float64 JavaScript" : "the cheaper of the host and tfjs executors"}; a model that does not record runs on the interpreter's tfjs path`);
        }
        return true;
      }
      default:
        say(`unknown command '${cmd}'; :help lists the commands`);
        return true;
    }
  };

  const handle = async (line: string): Promise<boolean> => {
    if (buffer === "" && line.trim().startsWith(":")) return command(line);
    buffer = buffer === "" ? line : `${buffer}\n${line}`;
    if (inputContinues(buffer)) {
      rl.setPrompt(CONTINUE);
      return true;
    }
    const source = buffer;
    buffer = "";
    rl.setPrompt(PROMPT);
    if (source.trim() !== "") await evaluate(source);
    return true;
  };

  return new Promise<void>((resolve) => {
    let closing = false;
    rl.on("line", (line) => {
      if (line.trim() !== "") {
        try {
          appendFileSync(histFile, line + "\n");
        } catch {
          // history is a convenience: an unwritable file must not break the session
        }
      }
      busy = busy.then(async () => {
        try {
          if (!(await handle(line))) {
            closing = true;
            rl.close();
            return;
          }
        } catch (e) {
          showError(e);
          buffer = "";
          rl.setPrompt(PROMPT);
        }
        if (!closing) rl.prompt();
      });
    });
    rl.on("SIGINT", () => {
      if (running) {
        running.abort();
        const note = "interrupt: a running `sample` stops after the current iteration, keeping its completed draws";
        if (bars !== undefined) bars.log(note);
        else say("\n" + note);
        return;
      }
      const had = buffer !== "" || rl.line !== "";
      buffer = "";
      rl.setPrompt(PROMPT);
      // Clear the line being typed.
      (rl as unknown as { line: string }).line = "";
      say(had ? "^C" : "\n(Ctrl-D or :quit to leave)");
      rl.prompt();
    });
    rl.on("close", () => {
      void busy.then(() => {
        say("");
        resolve();
      });
    });
    say("dlm REPL: :help for help, Ctrl-D to leave");
    const start = options.file !== undefined ? loadFile(options.file).catch(showError) : Promise.resolve();
    busy = start.then(() => rl.prompt());
  });
}
