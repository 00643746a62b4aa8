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

/** What the training driver reports after every batch (inference/train's TrainProgress). */
export interface TrainEvent {
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batches: number;
  readonly loss: number;
  readonly rowsPerSecond: number;
}

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
    { stream, format: "epoch {epoch} |{bar}| batch {batch} | loss {loss} | {rate} rows/s | ETA {eta_formatted}", hideCursor: true, etaBuffer: 100, barsize: 24, fps: 5 },
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
