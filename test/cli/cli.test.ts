/**
 * End-to-end tests of the `dlm` command (no sampling here; see sample.test.ts): every command's
 * --help, the exit codes (0 success, 1 user error, 2 usage error), and bad input, each reported
 * as one clean message without a stack trace.
 */
import { mkdtempSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dlm, FIXTURES, hasStackTrace, type CliResult } from "./run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "dlm-cli-"));
const file = (name: string, text: string): string => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};
const NORMAL = join(FIXTURES, "normal.dlm");
const NORMAL_DATA = join(FIXTURES, "normal.json");

/** One clean failure: the exit code, a first line matching `pattern`, no stack trace, nothing on stdout. */
function expectFailure(r: CliResult, code: number, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr.split("\n")[0]).toMatch(pattern);
  expect(hasStackTrace(r.stderr)).toBe(false);
  expect(r.stdout).toBe("");
}

describe.concurrent("dlm: usage and help", () => {
  it("--version prints the version and the active backend, and DLM_BACKEND chooses it", async () => {
    const r = await dlm(["--version"], { env: { DLM_BACKEND: "cpu" } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dlm \d+\.\d+\.\d+ \(tfjs [\d.]+, backend cpu; available: wasm, cpu/);
    expect(r.stdout).toMatch(/\nengine: auto \(a recorded model on the cheaper of the float64 host executor and tfjs, else the interpreter on tfjs\)/);
    expect((await dlm(["--version"], { env: { DLM_WORKERS: "0" } })).stdout).toMatch(/chains on this thread/);
    const w = await dlm(["--version", "--backend", "wasm"], { env: { DLM_BACKEND: "cpu" } });
    expect(w.stdout).toMatch(/backend wasm;/);
  });

  it("an unknown backend is a user error naming the available ones", async () => {
    expectFailure(await dlm(["--version", "--backend", "cuda"]), 1, /^error: backend 'cuda' is not a known backend; available: wasm, cpu/);
  });

  it("--help works on the program and on every command", async () => {
    const top = await dlm(["--help"]);
    expect(top.code).toBe(0);
    for (const c of ["run", "check", "sample", "vi", "train", "summary", "repl"]) expect(top.stdout).toContain(`  ${c} `);
    const results = await Promise.all(["run", "check", "sample", "vi", "train", "summary", "repl"].map((c) => dlm([c, "--help"])));
    results.forEach((r) => {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: dlm \w+/);
    });
    const sample = results[2]!.stdout;
    for (const o of ["--model", "--data", "--chains", "--warmup", "--draws", "--seed", "--algorithm", "--adapt-delta", "--max-depth", "--metric", "--output", "--json", "--plot", "--backend"]) {
      expect(sample).toContain(o);
    }
    for (const o of ["--method", "--iterations", "--draws", "--output", "--json"]) expect(results[3]!.stdout).toContain(o);
    for (const o of ["--optimizer", "--lr", "--epochs", "--batchsize", "--output", "--resume"]) expect(results[4]!.stdout).toContain(o);
  });

  it("usage errors exit 2 with one line: unknown option, unknown command, missing argument, bad values", async () => {
    const cases: [string[], RegExp][] = [
      [["--bogus"], /^error: unknown option '--bogus'/],
      [["sampel"], /^error: unknown command 'sampel' \(did you mean 'sample'\?\)/],
      [["check"], /^error: missing required argument 'files'/],
      [["sample", NORMAL, "--data", NORMAL_DATA], /^error: required option '--model <name>' not specified/],
      [["sample", NORMAL, "--model", "normal", "--data", NORMAL_DATA, "--chains", "0"], /^error: option '--chains <n>' argument '0' is invalid/],
      [["sample", NORMAL, "--model", "normal", "--data", NORMAL_DATA, "--adapt-delta", "1.5"], /argument '1\.5' is invalid/],
      [["sample", NORMAL, "--model", "normal", "--data", NORMAL_DATA, "--algorithm", "gibbs"], /argument 'gibbs' is invalid. Allowed choices are nuts, hmc/],
      [["summary", "a.csv", "--frobnicate"], /^error: unknown option '--frobnicate'/],
    ];
    const results = await Promise.all(cases.map(([args]) => dlm(args)));
    results.forEach((r, i) => {
      expect(r.code, cases[i]![0].join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(cases[i]![1]);
    });
  });

  it("--debug adds the stack trace to an error; without it there is none", async () => {
    const [plain, debug] = await Promise.all([dlm(["summary", "/nonexistent/a.csv"]), dlm(["summary", "/nonexistent/a.csv", "--debug"])]);
    expect(plain.code).toBe(1);
    expect(debug.code).toBe(1);
    expect(hasStackTrace(plain.stderr)).toBe(false);
    expect(debug.stderr.split("\n")[0]).toBe(plain.stderr.split("\n")[0]);
    expect(hasStackTrace(debug.stderr)).toBe(true);
  });

  it("train: an unknown optimiser or schedule is a usage error (exit 2)", async () => {
    const [opt, sched] = await Promise.all([
      dlm(["train", NORMAL, "--model", "normal", "--data", NORMAL_DATA, "--optimizer", "adamax"]),
      dlm(["train", NORMAL, "--model", "normal", "--data", NORMAL_DATA, "--schedule", "sawtooth"]),
    ]);
    expectFailure(opt, 2, /^error: unknown optimiser 'adamax' \(choose from descent, sgd, momentum, nesterov, adam, adamw, rmsprop, adagrad\)/);
    expectFailure(sched, 2, /^error: unknown schedule 'sawtooth'/);
  });
});

describe.concurrent("dlm check", () => {
  it("a clean file: exit 0, FILE: ok", async () => {
    const r = await dlm(["check", NORMAL]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${NORMAL}: ok\n`);
  });

  it("syntax errors: exit 1 with every diagnostic, located, with the source line and caret", async () => {
    const bad = file("bad.dlm", "model m(y) {\n  mu ~ Normal(0 2)\n  y ~ Normal(mu 1)\n}\n");
    const r = await dlm(["check", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${bad}:2:\\d+: error:`));
    expect(r.stderr).toMatch(new RegExp(`${bad}:3:\\d+: error:`));
    expect(r.stderr).toContain(" 2 |   mu ~ Normal(0 2)");
    expect(r.stderr).toMatch(/\^/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it("static errors (an unknown distribution) with a suggestion", async () => {
    const bad = file("typo.dlm", "model m(y) {\n  mu ~ Normall(0, 1)\n  y ~ Normal(mu, 1)\n}\n");
    const r = await dlm(["check", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${bad}:2:\\d+: error: .*Normall`));
    expect(r.stderr).toMatch(/Normal/);
  });

  it("several files: each reported, one summary line, exit 1", async () => {
    const bad = file("bad2.dlm", "x = (1 + \n");
    const r = await dlm(["check", NORMAL, bad, join(tmp, "absent.dlm")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${NORMAL}: ok\n`);
    expect(r.stderr).toContain(`cannot read '${join(tmp, "absent.dlm")}': no such file`);
    expect(r.stderr.trim().split("\n").at(-1)).toMatch(/^error: 2 errors in 2 of 3 files$/);
  });

  it("missing, unreadable and non-.dlm files: one line each, exit 1", async () => {
    const locked = file("locked.dlm", "x = 1\n");
    chmodSync(locked, 0o000);
    const results = await Promise.all([dlm(["check", join(tmp, "nope.dlm")]), dlm(["check", join(FIXTURES, "normal.json")]), dlm(["check", tmp + "/"])]);
    expectFailure(results[0]!, 1, /^error: cannot read '.*nope\.dlm': no such file$/);
    expectFailure(results[1]!, 1, /^error: '.*normal\.json' is not a \.dlm file$/);
    expectFailure(results[2]!, 1, /is not a \.dlm file|is a directory/);
    if (process.getuid?.() !== 0) expectFailure(await dlm(["check", locked]), 1, /permission denied/);
  });
});

describe.concurrent("dlm sample: bad input fails before sampling", () => {
  const sample = (dlmFile: string, data: string, model = "normal"): Promise<CliResult> =>
    dlm(["sample", dlmFile, "--model", model, "--data", data, "--warmup", "5", "--draws", "5", "--output", join(tmp, "never"), "--quiet"]);

  it("missing .dlm file, non-.dlm file, missing data file", async () => {
    const r = await Promise.all([sample(join(tmp, "no.dlm"), NORMAL_DATA), sample(NORMAL_DATA, NORMAL_DATA), sample(NORMAL, join(tmp, "no.json"))]);
    expectFailure(r[0]!, 1, /^error: cannot read '.*no\.dlm': no such file$/);
    expectFailure(r[1]!, 1, /^error: '.*normal\.json' is not a \.dlm file$/);
    expectFailure(r[2]!, 1, /^error: cannot read '.*no\.json': no such file$/);
  });

  it("malformed JSON is located; a string where a number belongs is refused (the rest: cli/data.test.ts)", async () => {
    const r = await Promise.all([
      sample(NORMAL, file("malformed.json", '{"y": [1, 2\n')),
      sample(NORMAL, file("string.json", '{"y": [1, "two", 3]}')),
    ]);
    expectFailure(r[0]!, 1, /malformed\.json:2:1: malformed JSON/);
    expectFailure(r[1]!, 1, /string\.json: 'y\[2\]' is the string "two", expected a number/);
  });

  it("data missing a model argument; an unknown model name (with a suggestion)", async () => {
    const r = await Promise.all([sample(NORMAL, NORMAL_DATA, "linreg"), sample(NORMAL, NORMAL_DATA, "nromal")]);
    expectFailure(r[0]!, 1, /normal\.json: no value for the argument 'x' of model linreg\(x, y\)/);
    expectFailure(r[1]!, 1, /no model named 'nromal'; did you mean 'normal'\?/);
  });

  it("wrong shapes in the data: located at the model statement", async () => {
    const r = await sample(NORMAL, file("shape.json", '{"x": [[1, 2], [3, 4], [5, 6]], "y": [1, 2]}'), "linreg");
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toMatch(/normal\.dlm:12:3: error: `y` has shape \[2\] but its distribution .* has shape \[3\]/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it("an output folder that does not exist", async () => {
    const r = await dlm(["sample", NORMAL, "--model", "normal", "--data", NORMAL_DATA, "--output", join(tmp, "no", "such", "run")]);
    expectFailure(r, 1, /^error: cannot write '.*run-1\.csv': the folder '.*such' does not exist$/);
  });

  it("a CSV data file: columns by header; a bad cell is located", async () => {
    const bad = await sample(NORMAL, file("bad.csv", "y\n1.5\nabc\n"));
    expectFailure(bad, 1, /bad\.csv:3: column 'y' mixes numbers \("1\.5" on line 2\) and text \("abc"\)/);
  });
});

describe.concurrent("dlm summary: bad input", () => {
  it("a missing file and a file that is not CmdStan CSV", async () => {
    const r = await Promise.all([dlm(["summary", join(tmp, "none.csv")]), dlm(["summary", file("junk.csv", "hello,world\n1,2,3\n")])]);
    expectFailure(r[0]!, 1, /^error: cannot read '.*none\.csv': no such file$/);
    expectFailure(r[1]!, 1, /^error: .*junk\.csv: /);
  });
});

describe.concurrent("dlm run", () => {
  it("print goes to stdout; exit 0", async () => {
    const r = await dlm(["run", file("ok.dlm", "x = [1, 2, 3]\nfn double(v) = 2 * v\nprint(double(x))\nprint(sum(x))\n"), "--seed", "4", "--quiet"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("[2, 4, 6]\n6\n");
    expect(r.stderr).toBe("");
  });

  it("a syntax error and a run-time error: located, exit 1, output before the error kept", async () => {
    const [syntax, runtime] = await Promise.all([
      dlm(["run", file("script.dlm", "x = [1, 2\nprint(x)\n")]),
      dlm(["run", file("index.dlm", "x = [1, 2, 3]\nprint(x)\ny = x[5]\n")]),
    ]);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr.split("\n")[0]).toMatch(/script\.dlm:\d+:\d+: error:/);
    expect(runtime.code).toBe(1);
    expect(runtime.stdout).toBe("[1, 2, 3]\n");
    expect(runtime.stderr.split("\n")[0]).toMatch(/index\.dlm:3:\d+: error: /);
    for (const r of [syntax, runtime]) expect(hasStackTrace(r.stderr)).toBe(false);
  });
});
