/**
 * Parser throughput on a generated 5,000-line `.dlm` file (models, networks, functions,
 * loops and script lines in the proportions of real files). Reports the median time of
 * `parse` (lex + parse + AST + checks) and of `print`, and lines per second.
 * Run: `npx tsx bench/parse-bench.ts`. Record results under "## Parser" in bench/RESULTS.md.
 */
import { parse, print } from "../grammar/index.js";

/** A deterministic program of at least `lines` lines (whole units), made of a handful of varied units. */
export function generateProgram(lines: number): string {
  const units: ((i: number) => string)[] = [
    (i) => `# unit ${i}\nfn f${i}(x; k = ${i % 7}) = x * k + mean(x, dims = 1) - ${i}.5e-3\n`,
    (i) =>
      `network net${i}(nin, nout) = Chain(\n  Dense(nin => ${16 + (i % 32)}, tanh),\n  Dense(${16 + (i % 32)} => nout)\n)\n`,
    (i) =>
      [
        `model m${i}(x, y; K = ${2 + (i % 5)}) {`,
        `  alpha ~ Normal(0, 10)`,
        `  beta ~ Normal(0, 10, size = ncols(x))`,
        `  sigma ~ HalfNormal(5)`,
        `  net = net${i}(ncols(x), K)`,
        `  params(net) ~ Normal(0, sigma)`,
        `  for i in 1:nrows(x) {`,
        `    y[i] ~ Normal(alpha + x[i, :] @ beta + net(x[i, :])[1], sigma)`,
        `  }`,
        `}`,
        ``,
      ].join("\n"),
    (i) =>
      [
        `d${i} = read_csv("data${i}.csv")`,
        `x${i} = standardize(d${i}[:, 1:4])`,
        `post${i} = sample(m${i}(x${i}, d${i}.y), NUTS(target_accept = 0.8), draws = 1000, chains = 4, seed = ${i})`,
        `if nrows(x${i}) > 100 && !quick {`,
        `  summary(post${i})`,
        `} else {`,
        `  print("small", -x${i}^2, [[1, 2], [3, 4]])`,
        `}`,
        ``,
      ].join("\n"),
  ];
  const parts: string[] = [];
  let count = 0;
  for (let i = 0; count < lines; i++) {
    const unit = units[i % units.length]!(i);
    parts.push(unit);
    count += unit.split("\n").length - 1;
  }
  return parts.join("");
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Median wall-clock and CPU milliseconds of `f` (CPU time is steadier on a shared machine). */
function time(f: () => void, repeats: number): { wall: number; cpu: number } {
  f(); // warm-up (JIT, Chevrotain's lookahead caches)
  f();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const c0 = cpuMs();
    f();
    cpu.push(cpuMs() - c0);
    wall.push(performance.now() - t0);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const LINES = 5000;
const source = generateProgram(LINES);
const lineCount = source.split("\n").length - 1;
const check = parse(source, "bench.dlm");
if (check.diagnostics.length > 0) throw new Error(`generated program has ${check.diagnostics.length} diagnostics`);

const parseMs = time(() => parse(source, "bench.dlm"), 15);
const printMs = time(() => print(check.program), 15);
console.log(`parse: ${lineCount} lines, ${(source.length / 1024).toFixed(0)} KiB, ${check.program.body.length} top-level statements`);
const perSecond = (ms: number): string => Math.round(lineCount / (ms / 1000)).toLocaleString("en-US");
console.log(`parse: ${parseMs.wall.toFixed(1)} ms median wall (${perSecond(parseMs.wall)} lines/s), ${parseMs.cpu.toFixed(1)} ms CPU (${perSecond(parseMs.cpu)} lines/s)`);
console.log(`print: ${printMs.wall.toFixed(1)} ms median wall, ${printMs.cpu.toFixed(1)} ms CPU`);
