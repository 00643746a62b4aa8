import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type Draws, type SamplerSettings, CsvFormatError, cmdstanOrder, combineChains, loadDrawsCsv, readCmdStanCsv,
  saveDrawsCsv, settingsFromConfig, summarizeDraws, toCsvName, toStanName, writeCmdStanCsv,
} from "./index.js";

const f64 = (xs: readonly number[]): Float64Array => Float64Array.from(xs);

const settings: SamplerSettings = {
  model: "matrix_model", numSamples: 3, numWarmup: 10, adaptDelta: 0.9, maxDepth: 8, metric: "diag_e", seed: 42,
  numChains: 2, dataFile: "data.json", outputFile: "out.csv",
};

// The draws of testdata/layout.csv (chain 2), with the matrix A given row-major as our flat
// layouts order it; the writer must put it in CmdStan's column-major order.
const chain2 = {
  values: [
    f64([0.1, -0.3, 1e-300]), // mu
    f64([1, 1.5, 2]), // A[1,1]
    f64([0.7, 0.4, -0.6]), // A[1,2]
    f64([0.2, -0.1, 0.3]), // A[2,1]
    f64([2, 0.5, 3]), // A[2,2]
    f64([-1, NaN, -Infinity]), // z[1]
    f64([1, Infinity, 0.125]), // z[2]
  ],
  stats: {
    lp__: f64([-1.5, -2.25, -1]), accept_stat__: f64([0.9, 0.75, 1]), stepsize__: f64([0.5, 0.5, 0.5]),
    treedepth__: f64([2, 3, 1]), n_leapfrog__: f64([3, 7, 1]), divergent__: f64([0, 0, 1]), energy__: f64([2.5, 3, 1.125]),
  },
  adaptation: { stepSize: 0.5, inverseMetric: { kind: "diag" as const, diagonal: [1, 0.25, 2, 0.5, 4] } },
  elapsed: { warmup: 0.5, sampling: 1.25 },
};
const names = ["mu", "A[1,1]", "A[1,2]", "A[2,1]", "A[2,2]", "z[1]", "z[2]"];
const chain1 = { values: chain2.values.map((v) => v.map((x) => x / 3)), stats: chain2.stats };
const draws: Draws = { names, chains: [chain1, chain2], settings };

const bern = [1, 2, 3, 4].map((i) => readFileSync(new URL(`../diagnostics/testdata/bern${i}.csv`, import.meta.url), "utf8"));

describe("names", () => {
  it("convert between Stan and CmdStan CSV style", () => {
    expect(toCsvName("Sigma[2,1]")).toBe("Sigma.2.1");
    expect(toCsvName("beta[10]")).toBe("beta.10");
    expect(toCsvName("alpha")).toBe("alpha");
    expect(toStanName("Sigma.2.1")).toBe("Sigma[2,1]");
    expect(toStanName("lp__")).toBe("lp__");
    expect(toStanName("x:1")).toBe("x:1");
  });
  it("order containers column-major, variables in order of first appearance", () => {
    const rowMajor = ["b", "m[1,1]", "m[1,2]", "m[1,3]", "m[2,1]", "m[2,2]", "m[2,3]", "a[1,1,1]", "a[1,1,2]", "a[2,1,1]", "a[2,1,2]", "c"];
    expect(cmdstanOrder(rowMajor).map((i) => rowMajor[i])).toEqual([
      "b", "m[1,1]", "m[2,1]", "m[1,2]", "m[2,2]", "m[1,3]", "m[2,3]", "a[1,1,1]", "a[2,1,1]", "a[1,1,2]", "a[2,1,2]", "c",
    ]);
    expect(cmdstanOrder(["v[10]", "v[2]", "v[1]"])).toEqual([2, 1, 0]);
  });
});

describe("writeCmdStanCsv", () => {
  it("reproduces the hand-written CmdStan-layout fixture byte for byte", () => {
    const fixture = readFileSync(new URL("./testdata/layout.csv", import.meta.url), "utf8");
    expect(writeCmdStanCsv(draws, 1)).toBe(fixture);
  });
  it("has the configuration block, header and draw rows where CmdStan has them", () => {
    const text = writeCmdStanCsv(draws, 0);
    const lines = text.trimEnd().split("\n");
    const header = lines.findIndex((l) => !l.startsWith("#"));
    expect(lines.slice(0, header).every((l) => l.startsWith("#"))).toBe(true);
    expect(lines[header]).toBe("lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,mu,A.1.1,A.2.1,A.1.2,A.2.2,z.1,z.2");
    expect(lines.slice(header + 1)).toHaveLength(3); // chain 1 has no adaptation or timing block
    expect(lines).toContain("# id = 1");
  });
  it("rejects a missing chain and mismatched columns", () => {
    expect(() => writeCmdStanCsv(draws, 2)).toThrow(RangeError);
    expect(() => writeCmdStanCsv({ ...draws, names: ["mu"] }, 0)).toThrow(RangeError);
  });
});

describe("readCmdStanCsv", () => {
  it("reads back our own files: same names, numbers, statistics, adaptation and timing", () => {
    for (const chain of [0, 1]) {
      const back = readCmdStanCsv(writeCmdStanCsv(draws, chain));
      const src = draws.chains[chain]!;
      expect([...back.names].sort()).toEqual([...names].sort());
      names.forEach((name, j) => expect(back.chain.values[back.names.indexOf(name)]).toEqual(src.values[j]));
      expect(back.chain.stats).toEqual(src.stats);
      expect(back.chain.adaptation).toEqual(src.adaptation);
      expect(back.chain.elapsed).toEqual(src.elapsed);
      expect(settingsFromConfig(back.config)).toEqual({ ...pick(settings), thin: 1 });
    }
  });
  it("reads back full float64 precision", () => {
    const x = f64([1 / 3, Math.PI * 1e-17, -(2 ** 60) / 7, 5e-324, Number.MAX_VALUE]);
    const d: Draws = { names: ["x"], chains: [{ values: [x], stats: {} }], settings };
    expect(readCmdStanCsv(writeCmdStanCsv(d, 0)).chain.values[0]).toEqual(x);
  });
  it("round-trips a dense inverse metric", () => {
    const inverseMetric = { kind: "dense" as const, matrix: [[2, 0.5], [0.5, 1]] };
    const d: Draws = { names: ["x", "y"], chains: [{ values: [f64([1]), f64([2])], stats: {}, adaptation: { stepSize: 0.1, inverseMetric } }], settings };
    const text = writeCmdStanCsv(d, 0);
    expect(text).toContain("# Elements of inverse mass matrix:\n# 2, 0.5\n# 0.5, 1\n");
    expect(readCmdStanCsv(text).chain.adaptation).toEqual({ stepSize: 0.1, inverseMetric });
  });
  it("reads CmdStan's own bern1..4.csv", () => {
    const files = bern.map(readCmdStanCsv);
    for (const f of files) {
      expect(f.names).toEqual(["theta"]);
      expect(Object.keys(f.chain.stats)).toEqual(["lp__", "accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__", "divergent__", "energy__"]);
      expect(f.chain.values[0]).toHaveLength(1000);
      expect(f.config["sample.hmc.nuts.max_depth"]).toBe("10");
      expect(f.config["model"]).toBe("bernoulli_model");
    }
    const first = files[0]!;
    expect(first.chain.values[0]![0]).toBe(0.208532);
    expect(first.chain.stats.lp__![2]).toBe(-11.053);
    expect(first.chain.stats.n_leapfrog__![2]).toBe(7);
    expect(first.chain.values[0]![999]).toBe(0.239427);
    expect(first.chain.adaptation).toEqual({ stepSize: 0.883328, inverseMetric: { kind: "diag", diagonal: [0.512256] } });
    expect(first.chain.elapsed).toEqual({ warmup: 0.003, sampling: 0.009 });
    expect(first.config["random.seed"]).toBe("86520");
    expect(first.config["data.file"]).toMatch(/bernoulli\.data\.json$/);
    expect(first.config["output.file"]).toMatch(/_1\.csv$/);
    expect(settingsFromConfig(first.config)).toEqual({
      model: "bernoulli_model", numSamples: 1000, numWarmup: 1000, thin: 1, adaptDelta: 0.8, maxDepth: 10, metric: "diag_e", seed: 86520,
    });
    const d = combineChains(files);
    expect(d.chains).toHaveLength(4);
    expect(summarizeDraws(d).rows.map((r) => r.name)).toEqual(["lp__", "theta"]);
  });
  it("tolerates comment lines anywhere and CRLF line ends", () => {
    const lines = bern[0]!.split("\n");
    const at = lines.findIndex((l) => l.startsWith("-6.80778"));
    lines.splice(at + 100, 0, "# a comment in the middle", "#", "");
    lines.splice(at + 500, 0, "# another, with, commas");
    const f = readCmdStanCsv(lines.join("\r\n"));
    const ref = readCmdStanCsv(bern[0]!);
    expect(f.chain.values).toEqual(ref.chain.values);
    expect(f.chain.stats).toEqual(ref.chain.stats);
  });
  it("rejects malformed files", () => {
    expect(() => readCmdStanCsv("# only comments\n")).toThrow(CsvFormatError);
    expect(() => readCmdStanCsv("a,b\n1,2\n3\n")).toThrow(CsvFormatError);
    expect(() => readCmdStanCsv("a,b\n1,x\n")).toThrow(CsvFormatError);
  });
});

function pick(s: SamplerSettings): SamplerSettings {
  return { model: s.model, numSamples: s.numSamples, numWarmup: s.numWarmup, adaptDelta: s.adaptDelta, maxDepth: s.maxDepth, metric: s.metric, seed: s.seed };
}

describe("saveDrawsCsv", () => {
  const dirs: string[] = [];
  const tmp = async (): Promise<string> => {
    const d = await mkdtemp(join(tmpdir(), "dlm-draws-"));
    dirs.push(d);
    return d;
  };
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it("writes the file, replaces an existing one and leaves no temporary files", async () => {
    const dir = await tmp();
    const path = join(dir, "chain_2.csv");
    await writeFile(path, "old contents");
    await saveDrawsCsv(path, draws, 1);
    expect(await readFile(path, "utf8")).toBe(writeCmdStanCsv(draws, 1));
    expect(await readdir(dir)).toEqual(["chain_2.csv"]);
    await saveDrawsCsv(join(dir, "chain_1.csv"), draws, 0);
    const back = await loadDrawsCsv([join(dir, "chain_1.csv"), path]);
    expect(back.chains).toHaveLength(2);
    expect(back.chains[1]!.stats).toEqual(draws.chains[1]!.stats);
  });

  it("keeps the old file whole when writing fails", async () => {
    const dir = await tmp();
    const path = join(dir, "out.csv");
    await writeFile(path, "previous complete file");
    await expect(saveDrawsCsv(path, draws, 5)).rejects.toThrow(RangeError);
    await expect(saveDrawsCsv(join(dir, "missing", "out.csv"), draws, 0)).rejects.toThrow();
    expect(await readFile(path, "utf8")).toBe("previous complete file");
    expect(await readdir(dir)).toEqual(["out.csv"]);
  });
});
