/**
 * Progress of an MCMC run on stderr. On a terminal: one cli-progress bar per chain over
 * warm-up and sampling together, with the phase, divergences so far and the ETA. Elsewhere
 * (a pipe, a log file, CI): plain lines in the style of CmdStan's `Iteration: 200 / 2000 [ 10%]
 * (Warmup)`, about every 10% of the run. `quiet` prints nothing.
 *
 * The bars are redrawn in place by moving the cursor up over them, so nothing else may write
 * to the stream while they are up: notes go through the reporter's `log`, which prints them
 * above the bars at once, broken into lines that fit (the terminal does not wrap lines while
 * the bars are up). Each bar is cut to the terminal's width, so that a terminal that
 * wraps long lines anyway (cli-progress asks it not to) does not push the bars down on every
 * redraw. ETAs are written by `formatEta`.
 */
import cliProgress from "cli-progress";

/**
 * A duration in whole seconds for a progress bar: `42s`, `16m05s`, `2h07m`, or `?` while it is
 * unknown. Rounded before it is split into units, so a unit never reads 60.
 */
export function formatEta(seconds: unknown): string {
  const t = typeof seconds === "number" ? seconds : Number(seconds);
  if (!Number.isFinite(t) || t < 0) return "?";
  const s = Math.round(t);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  const m = Math.round(t / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/**
 * `line` broken at spaces into lines shorter than `width` (a word longer than that is cut): the
 * terminal does not wrap while cli-progress's bars are up, so a long note would be cut off.
 */
export function wrapLine(line: string, width: number): string[] {
  const max = Math.max(10, width - 1);
  const out: string[] = [];
  let rest = line;
  while (rest.length > max) {
    const space = rest.lastIndexOf(" ", max);
    const at = space > 0 ? space : max;
    out.push(rest.slice(0, at));
    rest = rest.slice(space > 0 ? at + 1 : at);
  }
  out.push(rest);
  return out;
}

/** cli-progress's formatter for `format`, each line cut to one column less than the terminal's width. */
function fitted(format: string, stream: NodeJS.WriteStream): cliProgress.GenericFormatter {
  return (options, params, payload) => {
    const line = cliProgress.Format.Formatter({ ...options, format }, params, payload);
    const width = stream.columns || 80;
    return line.length >= width ? line.slice(0, Math.max(1, width - 1)) : line;
  };
}

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

/**
 * Whether `plainLine` is due: the first iteration, each 10% of the run, the phase change and
 * the end. `last` is the overall iteration of the previous report: reports may skip
 * iterations (worker threads send one about every 100 ms), so a mark counts as reached when a
 * report passes it.
 */
export function plainDue(info: ProgressEvent, warmup: number, draws: number, last: number): boolean {
  const total = warmup + draws;
  const it = overallIteration(info, warmup);
  const step = Math.max(1, Math.floor(total / 10));
  const sampling = info.phase === "sampling" && last < warmup + 1;
  return last === 0 || Math.floor(it / step) > Math.floor(last / step) || it === total || sampling;
}

/** A reporter for one run (see the module comment for the three modes). */
export function progressReporter(options: ProgressOptions): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { update: () => undefined, log: () => undefined, stop: () => undefined };
  const { warmup, draws, chains } = options;
  if (!(options.tty ?? stream.isTTY === true)) {
    let last = 0;
    return {
      update(info) {
        if (plainDue(info, warmup, draws, last)) stream.write(plainLine(info, warmup, draws) + "\n");
        last = overallIteration(info, warmup);
      },
      log: (line) => void stream.write(line + "\n"),
      stop: () => undefined,
    };
  }
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: fitted("chain {chain} |{bar}| {value}/{total} {phase} | {divergent} divergent | ETA {eta_formatted}", stream),
      formatTime: formatEta,
      hideCursor: true,
      clearOnComplete: false,
      // Every redraw writes every bar: cli-progress skips a bar whose text has not changed, and
      // after a note above the bars that would leave another bar's old line in its place.
      forceRedraw: true,
      etaBuffer: 50,
      barsize: 24,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = Array.from({ length: chains }, (_, c) =>
    multi.create(warmup + draws, 0, { chain: c + 1, phase: "warm-up ", divergent: 0 }),
  );
  let stopped = false;
  return {
    update(info) {
      const it = overallIteration(info, warmup);
      bars.forEach((bar, c) =>
        bar.update(it, { chain: c + 1, phase: info.phase === "warmup" ? "warm-up " : "sampling", divergent: info.divergences[c] ?? 0 }),
      );
    },
    log: (line) => {
      if (stopped) {
        stream.write(line + "\n");
        return;
      }
      // Drawn now rather than at the next redraw, which never comes when the run stops first;
      // the old bars are cleared first (cli-progress clears one line), then drawn below it.
      multi.log("\x1b[0J" + wrapLine(line, stream.columns || 80).join("\n") + "\n");
      multi.update();
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      multi.stop();
    },
  };
}

/** What the training driver reports after every batch (a type-only import: no tensors load here). */
export type TrainEvent = import("../inference/train.js").TrainProgress;

export interface TrainReporterOptions {
  readonly epochs: number;
  readonly stream?: NodeJS.WriteStream;
  readonly quiet?: boolean;
  readonly tty?: boolean;
}

const metricText = (m: Readonly<Record<string, number>>): string =>
  Object.entries(m).map(([k, v]) => `${k} ${Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toPrecision(4)}`).join("  ");

/**
 * Progress of `train` on stderr. On a terminal: one bar over every batch of the run (epoch,
 * batch, running loss, rows per second, ETA) with each finished epoch's metrics printed above
 * it; elsewhere plain lines, `Epoch  3 / 30  loss 0.1234  val_loss 0.2  (5120 rows/s)`, for every
 * epoch of short runs and about every 5% of long ones (the first and last always).
 */
export function trainReporter(options: TrainReporterOptions): {
  update(p: TrainEvent): void;
  epoch(epoch: number, metrics: Readonly<Record<string, number>>): void;
  log(line: string): void;
  stop(): void;
} {
  const stream = options.stream ?? process.stderr;
  const width = String(options.epochs).length;
  const line = (epoch: number, m: Readonly<Record<string, number>>, rate: number): string =>
    `Epoch ${String(epoch).padStart(width)} / ${options.epochs}  ${metricText(m)}  (${Math.round(rate)} rows/s)`;
  let rate = 0;
  if (options.quiet) return { update: () => undefined, epoch: () => undefined, log: () => undefined, stop: () => undefined };
  if (!(options.tty ?? stream.isTTY === true)) {
    const every = Math.max(1, Math.floor(options.epochs / 20));
    return {
      update: (p) => void (rate = p.rowsPerSecond),
      epoch: (e, m) => {
        if (e === 1 || e % every === 0 || e === options.epochs) stream.write(line(e, m, rate) + "\n");
      },
      log: (l) => void stream.write(l + "\n"),
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream, format: "epoch {epoch} |{bar}| batch {batch} | loss {loss} | {rate} rows/s | ETA {eta_formatted}", formatTime: formatEta, hideCursor: true, etaBuffer: 100, barsize: 24, fps: 5 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      rate = p.rowsPerSecond;
      const done = (p.epoch - 1) * p.batches + p.batch;
      const payload = { epoch: `${p.epoch}/${p.epochs}`, batch: `${p.batch}/${p.batches}`, loss: p.loss.toPrecision(4), rate: Math.round(p.rowsPerSecond) };
      if (!started) {
        bar.start(p.epochs * p.batches, done, payload);
        started = true;
      } else bar.update(done, payload);
    },
    epoch: (e, m) => {
      const text = line(e, m, rate);
      if (started) bar.updateETA();
      stream.write(`\r\x1b[2K${text}\n`);
    },
    log: (l) => void stream.write(`\r\x1b[2K${l}\n`),
    stop: () => {
      if (started) bar.stop();
    },
  };
}
