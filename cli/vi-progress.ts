/**
 * Progress of `vi` on stderr: plain lines, `Iteration  1000 / 10000  ELBO -123.4`, at each
 * phase change (the step-size search, then the optimisation, which usually stops early at
 * convergence), every 10% of the search, at each of the first 20 ELBO estimates and then every
 * 10% of the maximum; nothing with `quiet`.
 */
import type { AdviProgress } from "../inference/vi/advi.js";

export interface ViReporterOptions {
  readonly iterations: number;
  readonly stream?: NodeJS.WriteStream;
  readonly quiet?: boolean;
}

export function viReporter(options: ViReporterOptions): { update(p: AdviProgress): void; log(line: string): void; stop(): void } {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { update: () => undefined, log: () => undefined, stop: () => undefined };
  let phase: AdviProgress["phase"] | undefined;
  let lastElbo: number | undefined;
  let elboLines = 0;
  return {
    update(p) {
      const step = Math.max(1, Math.floor(p.total / 10));
      if (p.phase !== phase) {
        phase = p.phase;
        stream.write(p.phase === "adaptation" ? "Step-size search (Stan's adaptation)\n" : "Optimisation\n");
      }
      const fresh = p.elbo !== undefined && p.elbo !== lastElbo;
      lastElbo = p.elbo;
      if ((fresh && elboLines++ < 20) || p.iteration % step === 0 || p.iteration === p.total) {
        const width = String(p.total).length;
        stream.write(`Iteration ${String(p.iteration).padStart(width)} / ${p.total}${p.elbo !== undefined ? `  ELBO ${p.elbo.toPrecision(6)}` : ""}\n`);
      }
    },
    log: (line) => void stream.write(line + "\n"),
    stop: () => undefined,
  };
}
