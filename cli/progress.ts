/**
 * Progress of an MCMC run on stderr. On a terminal: one cli-progress bar per chain over
 * warm-up and sampling together, with the phase, divergences so far and the ETA. Elsewhere
 * (a pipe, a log file, CI): plain lines in the style of CmdStan's `Iteration: 200 / 2000 [ 10%]
 * (Warmup)`, about every 10% of the run. `quiet` prints nothing.
 */
import cliProgress from "cli-progress";

/** What the sampler reports after every iteration (a subset of inference/mcmc's ProgressInfo). */
export interface ProgressEvent {
  readonly phase: "warmup" | "sampling";
  readonly iteration: number;
  readonly total: number;
  readonly divergences: readonly number[];
}

export interface ProgressReporter {
  update(info: ProgressEvent): void;
  /** Print a line (above the bars on a terminal). */
  log(line: string): void;
  stop(): void;
}

export interface ProgressOptions {
  readonly chains: number;
  readonly warmup: number;
  readonly draws: number;
  readonly stream?: NodeJS.WriteStream;
  readonly quiet?: boolean;
  /** Force bars (true) or plain lines (false); default: bars when the stream is a TTY. */
  readonly tty?: boolean;
}

/** Overall iteration (1-based, warm-up first) of an event. */
export function overallIteration(info: ProgressEvent, warmup: number): number {
  return info.phase === "warmup" ? info.iteration : warmup + info.iteration;
}

/** One plain progress line: `Iteration:  200 / 2000 [ 10%]  (Warmup)  divergences: 0 0 0 0`. */
export function plainLine(info: ProgressEvent, warmup: number, draws: number): string {
  const total = warmup + draws;
  const it = overallIteration(info, warmup);
  const pct = total > 0 ? Math.floor((100 * it) / total) : 100;
  const width = String(total).length;
  const phase = info.phase === "warmup" ? "(Warmup)" : "(Sampling)";
  return `Iteration: ${String(it).padStart(width)} / ${total} [${String(pct).padStart(3)}%]  ${phase}  divergences: ${info.divergences.join(" ")}`;
}

/** Whether `plainLine` is due: the first iteration, every 10% of the run, the phase change and the end. */
export function plainDue(info: ProgressEvent, warmup: number, draws: number): boolean {
  const total = warmup + draws;
  const it = overallIteration(info, warmup);
  const step = Math.max(1, Math.floor(total / 10));
  return it === 1 || it % step === 0 || it === total || (info.phase === "sampling" && info.iteration === 1);
}

/** A reporter for one run (see the module comment for the three modes). */
export function progressReporter(options: ProgressOptions): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { update: () => undefined, log: () => undefined, stop: () => undefined };
  const { warmup, draws, chains } = options;
  if (!(options.tty ?? stream.isTTY === true)) {
    return {
      update(info) {
        if (plainDue(info, warmup, draws)) stream.write(plainLine(info, warmup, draws) + "\n");
      },
      log: (line) => void stream.write(line + "\n"),
      stop: () => undefined,
    };
  }
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: "chain {chain} |{bar}| {value}/{total} {phase} | {divergent} divergent | ETA {eta_formatted}",
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
      barsize: 24,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = Array.from({ length: chains }, (_, c) =>
    multi.create(warmup + draws, 0, { chain: c + 1, phase: "warm-up ", divergent: 0 }),
  );
  return {
    update(info) {
      const it = overallIteration(info, warmup);
      bars.forEach((bar, c) =>
        bar.update(it, { chain: c + 1, phase: info.phase === "warmup" ? "warm-up " : "sampling", divergent: info.divergences[c] ?? 0 }),
      );
    },
    log: (line) => multi.log(line + "\n"),
    stop: () => multi.stop(),
  };
}
