/**
 * `dlm sample` end to end: a short NUTS run of a linear regression writes one CmdStan-layout
 * CSV per chain and a JSON summary; `dlm summary` reads the CSVs back to the same numbers; the
 * layout matches the fixture written from the CmdStan guide; Ctrl-C keeps the finished draws
 * and the CSV header says so; by default the CSVs are named after the model beside the .dlm
 * file; sampler warnings go to stderr (in the JSON object with --json).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { dlm, FIXTURES, hasStackTrace, ROOT } from "./run-cli.js";
import { svgProblems } from "./svg.js";

const tmp = mkdtempSync(join(tmpdir(), "dlm-sample-"));

interface Row { mean: number; sd: number; mcse: number; q5: number; q50: number; q95: number; ess_bulk: number; ess_tail: number; rhat: number }
interface JsonSummary {
  parameters: Record<string, Row>;
  divergences: number;
  warnings: string[];
  seconds: { warmup: number; sampling: number };
  chains: number;
  draws: number;
}

/** `# key = value` comment lines as `indent+key` (values dropped), up to the header row. */
function configKeys(csv: string): string[] {
  const out: string[] = [];
  for (const line of csv.split("\n")) {
    if (!line.startsWith("#")) break;
    const m = /^#(\s*)([^=]+?)(\s*=.*)?$/.exec(line);
    if (m) out.push(`${m[1]}${m[2]}`);
  }
  return out;
}

describe("dlm sample", () => {
  const prefix = join(tmp, "linreg");
  const plots = join(tmp, "plots");
  let json: JsonSummary;

  it("runs NUTS on linreg: CSVs, JSON summary, plots; posterior means near least squares", async () => {
    const r = await dlm([
      "sample", join(FIXTURES, "normal.dlm"), "--model", "linreg", "--data", join(FIXTURES, "linreg.json"),
      "--chains", "2", "--warmup", "100", "--draws", "100", "--seed", "3", "--output", prefix, "--json", "--plot", plots, "--quiet",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(""); // --quiet: no progress, no notes
    json = JSON.parse(r.stdout) as JsonSummary;
    expect(Object.keys(json).sort()).toEqual(["chains", "divergences", "draws", "engine", "parameters", "seconds", "threads", "warnings"]);
    expect(json.chains).toBe(2);
    expect(json.draws).toBe(100);
    expect(Object.keys(json.parameters)).toEqual(["alpha", "beta[1]", "beta[2]", "sigma"]);
    for (const row of Object.values(json.parameters)) {
      expect(Object.keys(row)).toEqual(["mean", "sd", "mcse", "q5", "q50", "q95", "ess_bulk", "ess_tail", "rhat"]);
    }
    expect(json.seconds.warmup).toBeGreaterThan(0);
    // Least squares on fixtures/linreg.json (numpy.linalg.lstsq, offline): 0.49480402, 1.11099781,
    // -2.14300822, standard errors 0.1146, 0.1460, 0.1440. With N(0, 10) priors the posterior
    // means sit within a small fraction of a standard error of them; allow 4 MCSE + 0.2 sd.
    const ols: Record<string, number> = { alpha: 0.49480402, "beta[1]": 1.11099781, "beta[2]": -2.14300822 };
    for (const [name, value] of Object.entries(ols)) {
      const p = json.parameters[name]!;
      expect(Math.abs(p.mean - value)).toBeLessThan(4 * p.mcse + 0.2 * p.sd);
    }
    // Residual sd 0.4948 (17 degrees of freedom); the posterior of sigma is centred near it.
    expect(json.parameters["sigma"]!.q5).toBeLessThan(0.4948);
    expect(json.parameters["sigma"]!.q95).toBeGreaterThan(0.4948);
    for (const f of ["trace.svg", "density.svg", "pairs.svg"]) expect(svgProblems(readFileSync(join(plots, f), "utf8"))).toEqual([]);
  });

  it("writes PREFIX-1.csv, PREFIX-2.csv in CmdStan's layout (checked against the documented fixture)", () => {
    const files = readdirSync(tmp).filter((f) => f.startsWith("linreg-")).sort();
    expect(files).toEqual(["linreg-1.csv", "linreg-2.csv"]);
    const csv = readFileSync(`${prefix}-1.csv`, "utf8");
    const fixture = readFileSync(join(ROOT, "inference/draws/testdata/layout.csv"), "utf8");
    // Same configuration comments, in the same order and nesting (ours adds the start time and dlm_ lines).
    const ours = configKeys(csv).filter((k) => !/^ (start_datetime|dlm_file|dlm_algorithm)$/.test(k));
    expect(ours).toEqual(configKeys(fixture));
    const lines = csv.split("\n");
    const header = lines.find((l) => !l.startsWith("#"))!;
    expect(header).toBe("lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,alpha,beta.1,beta.2,sigma");
    const h = lines.indexOf(header);
    expect(lines.slice(h + 1, h + 3)).toEqual(["# Adaptation terminated", expect.stringMatching(/^# Step size = \d/)]);
    expect(lines[h + 3]).toBe("# Diagonal elements of inverse mass matrix:");
    expect(lines[h + 4]!.split(", ")).toHaveLength(4);
    const rows = lines.filter((l) => l !== "" && !l.startsWith("#")).slice(1);
    expect(rows).toHaveLength(100);
    rows.forEach((row) => expect(row.split(",")).toHaveLength(11));
    expect(csv).toMatch(/#  Elapsed Time: [\d.e-]+ seconds \(Warm-up\)\n#\s+[\d.e-]+ seconds \(Sampling\)\n#\s+[\d.e-]+ seconds \(Total\)/);
  });

  it("dlm summary reads the CSVs back to the same numbers", async () => {
    const r = await dlm(["summary", `${prefix}-1.csv`, `${prefix}-2.csv`, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const back = JSON.parse(r.stdout) as JsonSummary;
    expect(back.chains).toBe(2);
    expect(back.draws).toBe(100);
    expect(back.divergences).toBe(json.divergences);
    expect(Object.keys(back.parameters)).toEqual(Object.keys(json.parameters));
    for (const [name, row] of Object.entries(json.parameters)) {
      for (const [k, v] of Object.entries(row)) expect(back.parameters[name]![k as keyof Row], `${name}.${k}`).toBeCloseTo(v, 9);
    }
    const table = await dlm(["summary", `${prefix}-1.csv`, `${prefix}-2.csv`]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^2 chains × 100 draws; \d+ divergent transitions?/);
    expect(table.stdout).toMatch(/\nname\s+mean\s+sd\s+mcse\s+q5\s+q50\s+q95\s+ess_bulk\s+ess_tail\s+rhat\n/);
    expect(table.stdout).toMatch(/\nbeta\[2\]\s+-2\.\d/);
  });

  it("dlm summary on Stan's own CSV files agrees with stansummary", async () => {
    const dir = join(ROOT, "inference/diagnostics/testdata");
    const r = await dlm(["summary", ...[1, 2, 3, 4].map((k) => join(dir, `bern${k}.csv`)), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as JsonSummary;
    expect(s.chains).toBe(4);
    expect(s.draws).toBe(1000);
    // cmdstan-2-35-0-stansummary.csv (CmdStan 2.35.0 stansummary of the same files): theta Mean
    // 0.251297410482, StdDev 0.121546686658.
    expect(s.parameters["theta"]!.mean).toBeCloseTo(0.251297410482, 9);
    expect(s.parameters["theta"]!.sd).toBeCloseTo(0.121546686658, 9);
  });

  it("Ctrl-C stops after the current iteration, writes the completed draws and exits 130", async () => {
    const out = join(tmp, "stopped");
    let sent = false;
    const r = await dlm(
      ["sample", join(FIXTURES, "normal.dlm"), "--model", "normal", "--data", join(FIXTURES, "normal.json"), "--chains", "1", "--warmup", "20", "--draws", "1000000", "--output", out],
      {
        onStderr: (child, stderr) => {
          if (!sent && stderr.includes("(Sampling)")) {
            sent = true;
            child.kill("SIGINT");
          }
        },
      },
    );
    expect(sent).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/Iteration:\s+1 \/ 1000020 \[\s*0%\]\s+\(Warmup\)/); // plain progress lines off a terminal
    expect(r.stderr).toMatch(/interrupted: kept the \d+ completed draws per chain \(of 1000000\); exit code 130/);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(existsSync(`${out}-1.csv`)).toBe(true);
    const kept = Number(/kept the (\d+) completed/.exec(r.stderr)![1]);
    const rows = readFileSync(`${out}-1.csv`, "utf8").split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    expect(rows.length - 1).toBe(kept);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(1000000);
    expect(r.stdout).toMatch(/^1 chain × \d+ draws/);
    // the configuration comments say what was run: the draws kept, and that it was stopped
    const csv = readFileSync(`${out}-1.csv`, "utf8");
    expect(csv).toMatch(new RegExp(`\\n#\\s+num_samples = ${kept}\\n`));
    expect(csv).toMatch(/\n# dlm_interrupted = true\n/);
    expect(csv).toMatch(/\n# dlm_draws_requested = 1000000\n/);
  });

  it("by default writes MODEL-1.csv, ... beside the .dlm file; sampler warnings go to stderr, --json keeps them in its object; --quiet on cpu prints nothing", async () => {
    const project = join(tmp, "project");
    mkdirSync(project);
    copyFileSync(join(FIXTURES, "normal.dlm"), join(project, "normal.dlm"));
    // the .dlm file as a path relative to the working folder (the repository root), as typed
    const model = relative(ROOT, join(project, "normal.dlm"));
    // 2 chains × 20 draws: too few for the ESS thresholds, so there are warnings to place
    const args = ["sample", model, "--model", "normal", "--data", join(FIXTURES, "normal.json"), "--chains", "2", "--warmup", "20", "--draws", "20", "--seed", "2"];
    const [table, quiet] = await Promise.all([
      dlm(args),
      dlm([...args, "--output", join(tmp, "quiet"), "--json", "--quiet", "--backend", "cpu"]),
    ]);
    expect(table.code, table.stderr).toBe(0);
    expect(readdirSync(project).sort()).toEqual(["normal-1.csv", "normal-2.csv", "normal.dlm"]);
    expect(existsSync(join(ROOT, "output-1.csv"))).toBe(false);
    const prefix = model.replace(/\.dlm$/, "");
    expect(table.stderr).toContain(`wrote ${prefix}-1.csv, ${prefix}-2.csv`);
    expect(table.stdout).toMatch(/^2 chains × 20 draws/);
    expect(table.stdout).not.toMatch(/warning/);
    expect(table.stderr).toMatch(/\nwarning: .*(ESS|R-hat)/);
    // --json: the same object as before, its warnings inside; --quiet on the cpu backend: not even tfjs's greeting
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe("");
    const json = JSON.parse(quiet.stdout) as JsonSummary;
    expect(Object.keys(json).sort()).toEqual(["chains", "divergences", "draws", "engine", "parameters", "seconds", "threads", "warnings"]);
    expect(json.warnings.length).toBeGreaterThan(0);
    // dlm summary alike: the table on stdout, the warnings on stderr
    const again = await dlm(["summary", join(project, "normal-1.csv"), join(project, "normal-2.csv")]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/warning/);
    expect(again.stderr).toMatch(/^warning: /);
  });
});
