/**
 * The script side of the interpreter end to end, in process: save/load_draws round trips
 * (summary and predict agree on the loaded draws), plots written next to the script, grid,
 * NumPy-style printing, REPL-session redefinitions, and a `sample` stopped through the
 * session's signal that keeps its completed draws and lets the script go on.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCmdStanCsv } from "../../inference/draws/index.js";
import { createSession, runScript } from "../../interpreter/index.js";
import { svgProblems } from "./svg.js";

const dir = mkdtempSync(join(tmpdir(), "dlm-script-"));
const file = join(dir, "script.dlm");

async function run(source: string): Promise<{ status: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runScript(source, { file, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { status, out, err };
}

// Normal-normal conjugate model: mu ~ N(0, 10²), y_i ~ N(mu, 1), y = (0.5, 1.5, 1.0): the posterior
// is N(3/3.01, 1/3.01) = N(0.996678, 0.576390²) (precision 1/100 + 3).
const MODEL = "model m(y) {\n  mu ~ Normal(0, 10)\n  y ~ Normal(mu, 1)\n}\n";

describe("scripts", () => {
  it("save writes one CmdStan CSV per chain; load_draws gives a posterior that summary and predict accept", async () => {
    const r = await run(`${MODEL}
post = sample(m([0.5, 1.5, 1.0]), draws = 150, warmup = 150, chains = 2, seed = 4)
save(post, "draws.csv")
back = load_draws("draws.csv")
print(back)
summary(post)
summary(back)
a = predict(post, m(missing))
b = predict(back, m(missing))
print(a.y.mean, b.y.mean, a.y.sd, b.y.sd)
both = load_draws(("draws-1.csv", "draws-2.csv"))
print(both)
`);
    expect(r.err.join("\n")).not.toMatch(/error/);
    expect(r.status).toBe(0);
    for (const c of [1, 2]) {
      const csv = readCmdStanCsv(readFileSync(join(dir, `draws-${c}.csv`), "utf8"));
      expect(csv.names).toEqual(["mu"]);
      expect(csv.chain.values[0]!.length).toBe(150);
    }
    expect(r.out[0]).toBe("loaded draws: 2 chains × 150 draws of 1 quantities");
    // The two summary tables (header, lp__, mu) are identical: the CSV keeps 6 significant digits.
    const muLines = r.out.filter((l) => l.startsWith("mu "));
    expect(muLines).toHaveLength(2);
    expect(muLines[0]).toBe(muLines[1]);
    const mean = Number(muLines[0]!.trim().split(/\s+/)[1]);
    expect(Math.abs(mean - 0.996678)).toBeLessThan(0.3);
    const [am, bm, as, bs] = r.out.find((l) => /^-?\d/.test(l))!.split(" ").map(Number);
    expect(bm).toBeCloseTo(am!, 4);
    expect(bs).toBeCloseTo(as!, 4);
    // predictive sd of a new y: sqrt(1 + posterior variance) = sqrt(1 + 1/3.01) ≈ 1.1541 (loose: 300 draws)
    expect(Math.abs(as! - 1.1541)).toBeLessThan(0.2);
    expect(r.out.at(-1)).toBe("loaded draws: 2 chains × 150 draws of 1 quantities");
  }, 60_000);

  it("load_draws of a missing file and predict with a model whose latents are not in the draws fail cleanly", async () => {
    const r = await run(`load_draws("nowhere.csv")\n`);
    expect(r.status).toBe(1);
    expect(r.err.join("\n")).toMatch(/script\.dlm:1:1: error: cannot find .*nowhere\.csv nor .*nowhere-1\.csv/);
  });

  it("plots: trace, density, band over grid(x, n), uncertainty over a 2-D grid; plot_history refuses a posterior that is not a fit", async () => {
    const r = await run(`model reg(x, y) {
  a ~ Normal(0, 5)
  b ~ Normal(0, 5)
  y ~ Normal(a + b * x, 0.5)
}
x = [0.0, 1.0, 2.0, 3.0]
post = sample(reg(x, [0.1, 1.1, 1.9, 3.2]), draws = 60, warmup = 60, chains = 2, seed = 1)
plot_trace(post, "trace.svg")
plot_density(post, "density.svg")
plot_pairs(post, "pairs.svg")
xs = grid(x, 5)
print(xs)
pred = predict(post, reg(xs, missing))
plot_band(pred.y, xs, "band.svg")
g = grid([[0.0, 0.0], [2.0, 4.0]], 3)
print(g)
pred2 = predict(post, reg(g[:, 1], missing))
plot_uncertainty(pred2.y, "map.svg")
`);
    expect(r.err.join("\n")).not.toMatch(/error/);
    expect(r.status).toBe(0);
    // grid pads each range by 5%: [0, 3] → [-0.15, 3.15] in 5 points; [0, 2] × [0, 4] in 3 × 3.
    expect(r.out[0]).toBe("[-0.15, 0.675,   1.5, 2.325,  3.15]");
    expect(r.out[1]!.replace(/\s+/g, " ")).toBe("[[-0.1, -0.2], [ 1, -0.2], [ 2.1, -0.2], [-0.1, 2], [ 1, 2], [ 2.1, 2], [-0.1, 4.2], [ 1, 4.2], [ 2.1, 4.2]]");
    for (const f of ["trace.svg", "density.svg", "pairs.svg", "band.svg", "map.svg"]) {
      const svg = readFileSync(join(dir, f), "utf8");
      expect(svgProblems(svg), f).toEqual([]);
    }
    const band = readFileSync(join(dir, "band.svg"), "utf8");
    // outer (90%) and inner (50%) intervals as areas, the mean as a line, over the 5 grid points
    expect((band.match(/class="mark-area role-mark/g) ?? []).length).toBe(2);
    expect((band.match(/class="mark-line role-mark/g) ?? []).length).toBe(1);
    expect(band).toMatch(/aria-label="x: −0\.15000000596; mean: /);
    expect(readFileSync(join(dir, "map.svg"), "utf8")).toContain("predictive sd");
    const h = await run(`plot_history(1, "h.svg")\n`);
    expect(h.status).toBe(1);
    expect(h.err.join("\n")).toMatch(/plot_history needs a fit from `train`/);
    expect(existsSync(join(dir, "h.svg"))).toBe(false);
  }, 60_000);

  it("sample in a loop runs once per iteration, and each line the loop prints appears once", async () => {
    // Each k has data (10k, 10k): the posterior mean of mu is 20k / (2 + 1/100) = 9.950k, sd 0.705.
    const r = await run(`${MODEL}
for k in 1:3 {
  print("k", k)
  post = sample(m([k * 10.0, k * 10.0]), draws = 150, warmup = 150, chains = 1, seed = 2)
  summary(post)
}
`);
    expect(r.status).toBe(0);
    expect(r.out.filter((l) => l.startsWith("k "))).toEqual(["k 1", "k 2", "k 3"]);
    const means = r.out.filter((l) => /^mu\s/.test(l)).map((l) => Number(l.trim().split(/\s+/)[1]));
    expect(means).toHaveLength(3);
    means.forEach((m, i) => expect(Math.abs(m - 9.95 * (i + 1))).toBeLessThan(0.5));
  }, 60000);

  it("paths in an included file's statements are relative to that file's folder", async () => {
    mkdirSync(join(dir, "lib"), { recursive: true });
    writeFileSync(join(dir, "lib", "rows.csv"), "a\n1\n2\n3\n");
    writeFileSync(join(dir, "rows.csv"), "a\n1\n");
    writeFileSync(join(dir, "lib", "load.dlm"), 'inner = read_csv("rows.csv")\n');
    const r = await run('include "lib/load.dlm"\nouter = read_csv("rows.csv")\nprint(nrows(inner), nrows(outer))\n');
    expect(r.err).toEqual([]);
    expect(r.out).toEqual(["3 1"]);
  });

  it("print uses the NumPy-style formatter: aligned columns, long arrays cut with ...", async () => {
    const r = await run(`print([1.5, 2, 30])\nprint(zeros(2000))\nprint(ones(2, 2))\n`);
    expect(r.status).toBe(0);
    // numpy.set_printoptions defaults: threshold 1000, edgeitems 3
    expect(r.out).toEqual(["[1.5,   2,  30]", "[0, 0, 0, ..., 0, 0, 0]", "[[1, 1],\n [1, 1]]"]);
  });

  it("a REPL session redefines models, fns and variables; a script refuses a second definition", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const s = createSession({ out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(await s.run("fn f(x) = x + 1\nv = f(1)")).toBe(true);
    expect(await s.run("fn f(x) = 10 * x\nv = f(v)\nv")).toBe(true);
    expect(out.at(-1)).toBe("20");
    expect(await s.run(MODEL)).toBe(true);
    expect(await s.run("model m(y) {\n  mu ~ Normal(0, 1)\n  z ~ Normal(0, 1)\n  y ~ Normal(mu + z, 1)\n}\nm([1.0])")).toBe(true);
    expect(out.at(-1)).toMatch(/an instance of the model m \(2 latent variables/);
    expect(await s.run("fn exp(x) = x")).toBe(false);
    expect(err.join("\n")).toMatch(/`exp` is the name of a builtin/);
    const r = await run("fn f(x) = x\nfn f(x) = 2 * x\n");
    expect(r.status).toBe(1);
    expect(r.err.join("\n")).toMatch(/`f` is defined twice/);
  });

  it("sample's engine keyword: auto, host or tfjs; a fallback from host says why; another name is an error", async () => {
    const ok = await run(`${MODEL}a = sample(m([0.5, 1.5, 1.0]), draws = 50, warmup = 50, chains = 1, engine = "host")\nb = sample(m([0.5, 1.5, 1.0]), draws = 50, warmup = 50, chains = 1, engine = "tfjs")\nprint(a)\nprint(b)`);
    expect(ok.status, ok.err.join("\n")).toBe(0);
    expect(ok.err).toEqual([]);
    const net = "model n(x, y) {\n  net = Chain(Dense(1 => 2, tanh), BatchNorm(2), Dense(2 => 1))\n  params(net) ~ Normal(0, 1)\n  y ~ Normal(net(x)[:, 1], 1)\n}\n";
    const fallback = await run(`${net}p = sample(n([[0.1], [0.5]], [0.2, 0.4]), draws = 5, warmup = 5, chains = 1, engine = "host")\nprint(p)`);
    expect(fallback.status, fallback.err.join("\n")).toBe(0);
    expect(fallback.err.join("\n")).toMatch(/warning: engine: tfjs \(cannot record: the layer BatchNorm\(2\) is not in the recorded set yet\)/);
    const bad = await run(`${MODEL}a = sample(m([0.5]), engine = "gpu")`);
    expect(bad.status).not.toBe(0);
    expect(bad.err.join("\n")).toMatch(/`engine` should be one of "auto", "host", "tfjs", but it is "gpu"/);
  }, 60_000);

  it("an aborted signal stops sample after the current iteration; the script goes on with the completed draws", async () => {
    const abort = new AbortController();
    const out: string[] = [];
    const err: string[] = [];
    const events: string[] = [];
    const s = createSession({
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      get signal() {
        return abort.signal;
      },
      progress: (run) => {
        events.push(`start ${run.chains} ${run.warmup} ${run.draws}`);
        return {
          update: (info) => {
            if (info.phase === "sampling" && info.iteration === 7) abort.abort();
          },
          stop: (end) => events.push(`stop ${end.interrupted} ${end.kept}`),
        };
      },
    });
    // in this thread (tfjs here; the host engine's worker threads stop a few iterations later)
    expect(await s.run(`${MODEL}post = sample(m([0.5, 1.5, 1.0]), draws = 100000, warmup = 10, chains = 2, seed = 1, engine = "tfjs")\npost\nprint("went on")`)).toBe(true);
    expect(events).toEqual(["start 2 10 100000", "stop true 7"]);
    expect(out).toEqual(["a posterior: 2 chains × 7 draws of 1 quantities", "went on"]);
    expect(err.join("\n")).toMatch(/interrupted: `sample` kept the 7 completed draws per chain \(of 100000\)/);
    // `save` says what was run: 7 draws kept of the 100000 asked for, interrupted
    expect(await s.run(`save(post, "${join(dir, "stopped.csv")}")`)).toBe(true);
    const csv = readFileSync(join(dir, "stopped-1.csv"), "utf8");
    expect(csv).toMatch(/\n#\s+num_samples = 7\n/);
    expect(csv).toMatch(/\n# dlm_interrupted = true\n/);
    expect(csv).toMatch(/\n# dlm_draws_requested = 100000\n/);
  }, 60_000);
});
