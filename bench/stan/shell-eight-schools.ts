/**
 * Eight schools (non-centred), 4 chains × (1,000 warm-up + 1,000 draws), from the shell as a user
 * runs it: wall time of `node bin/dlm.js sample ... --engine host --quiet`, start-up, parsing,
 * recording, sampling and the printed summary included, against Stan's (rstan) compile + sample
 * of our Stan program for the same model (bench/stan/eight_schools_noncentered.stan) from a
 * fresh R process with an empty model cache, and again with the compiled model cached.
 *
 *   npx tsx bench/stan/shell-eight-schools.ts [--runs 3] [--engine host] [--no-stan] [--build]
 *
 * `--build` first runs `npm run build` (bin/dlm.js runs dist/cli/main.js when it exists and
 * falls back to the TypeScript sources through tsx otherwise, which starts much slower: the
 * script says which one ran). CPU times (user + system of the child) come from /usr/bin/time
 * where it exists. The per-chain CSVs that `dlm sample` writes go to a temporary folder.
 * Markdown table on stdout.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DATA_DIR, MODELS_DIR } from "../posteriordb/posteriors.js";
import { REPO_ROOT, benchPath } from "../paths.js";

const NAME = "eight_schools-eight_schools_noncentered";

interface Timed {
  readonly wall: number;
  readonly cpu: number | undefined;
  readonly stdout: string;
}

const hasTime = existsSync("/usr/bin/time");

/** Runs a command, wall time around it and the child's CPU time (from /usr/bin/time). */
function timed(cmd: string, args: readonly string[]): Timed {
  const timeFile = join(tmpdir(), `dlm-time-${process.pid}.txt`);
  const [c, a] = hasTime ? ["/usr/bin/time", ["-f", "%U %S", "-o", timeFile, cmd, ...args]] : [cmd, [...args]];
  const t0 = performance.now();
  const r = spawnSync(c, a, { encoding: "utf8", cwd: REPO_ROOT, maxBuffer: 1 << 26 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  let cpu: number | undefined;
  if (hasTime) {
    const [u, s] = readFileSync(timeFile, "utf8").trim().split("\n").at(-1)!.split(" ").map(Number);
    cpu = u! + s!;
    rmSync(timeFile, { force: true });
  }
  return { wall, cpu, stdout: r.stdout };
}

/** The smallest ess_bulk of the summary table `dlm sample` prints (lp__ left out). */
function minEssOf(summary: string): number {
  const lines = summary.split("\n");
  const head = lines.findIndex((l) => /^name\s/.test(l));
  const cols = lines[head]!.trim().split(/\s+/);
  const j = cols.indexOf("ess_bulk");
  let min = Infinity;
  for (const l of lines.slice(head + 1)) {
    const f = l.trim().split(/\s+/);
    if (f.length !== cols.length || f[0] === "lp__") continue;
    min = Math.min(min, Number(f[j]));
  }
  return min;
}

function main(): void {
  const argv = process.argv.slice(2);
  const flag = (f: string): boolean => argv.includes(f);
  const value = (f: string, d: string): string => (argv.includes(f) ? argv[argv.indexOf(f) + 1] ?? d : d);
  const runs = Number(value("--runs", "3"));
  const engine = value("--engine", "host");
  if (flag("--build")) {
    process.stderr.write("npm run build ...\n");
    const b = spawnSync("npm", ["run", "build"], { cwd: REPO_ROOT, stdio: "inherit" });
    if (b.status !== 0) throw new Error("npm run build failed");
  }
  const cliMain = join(REPO_ROOT, "dist", "cli", "main.js");
  const compiled = existsSync(cliMain);
  if (compiled) process.stderr.write(`dist/cli/main.js built ${statSync(cliMain).mtime.toISOString()}\n`);
  const data = join(DATA_DIR, NAME, "data.json");
  const model = join(MODELS_DIR, `${NAME}.dlm`);
  const rows: string[] = [];
  const outDir = mkdtempSync(join(tmpdir(), "dlm-shell-eight-schools-"));
  for (let i = 0; i < runs; i++) {
    process.stderr.write(`dlm sample, run ${i + 1} ...\n`);
    const t = timed("node", ["bin/dlm.js", "sample", model, "--model", "eight_schools_noncentered", "--data", data,
      "--chains", "4", "--warmup", "1000", "--draws", "1000", "--seed", String(4711 + i), "--engine", engine, "--quiet",
      "--output", join(outDir, "eight_schools")]);
    const first = t.stdout.split("\n").find((l) => l.trim() !== "") ?? "";
    rows.push(`| dlm sample --engine ${engine} (${compiled ? "dist/ build" : "tsx, no build"}), run ${i + 1} | ${t.wall.toFixed(2)} | ${t.cpu?.toFixed(2) ?? "–"} | ${minEssOf(t.stdout).toFixed(0)} | ${first.trim()} |`);
    process.stderr.write(`${rows.at(-1)}\n`);
  }
  rmSync(outDir, { recursive: true, force: true });
  if (!flag("--no-stan")) {
    const cache = mkdtempSync(join(tmpdir(), "dlm-stan-fresh-cache-"));
    const stanRun = (label: string): void => {
      const out = join(cache, "out.json");
      process.stderr.write(`rstan, ${label} ...\n`);
      const t = timed("Rscript", [benchPath("stan", "run_stan.R"), benchPath("stan", "eight_schools_noncentered.stan"), data, out, "4", "1000", "1000", "4711", cache, "theta", "mu", "tau"]);
      const j = JSON.parse(readFileSync(out, "utf8")) as { compile_s: number; warmup_s: number; sampling_s: number };
      rows.push(`| rstan 2.21, ${label} | ${t.wall.toFixed(2)} | ${t.cpu?.toFixed(2) ?? "–"} | – | compile (or cache read) ${j.compile_s.toFixed(1)} s, warm-up ${j.warmup_s.toFixed(2)} s, sampling ${j.sampling_s.toFixed(2)} s (summed over chains) |`);
      process.stderr.write(`${rows.at(-1)}\n`);
    };
    stanRun("compile + sample (empty model cache)");
    stanRun("sample, compiled model read from cache");
    rmSync(cache, { recursive: true, force: true });
  }
  process.stdout.write(
    "\nEight schools (non-centred), 4 chains × (1,000 + 1,000), from the shell (wall seconds of the whole command, CPU = user + system of the child):\n\n" +
      "| command | wall s | CPU s | min bulk ESS | notes |\n|---|---:|---:|---:|---|\n" + rows.join("\n") + "\n",
  );
}

main();
