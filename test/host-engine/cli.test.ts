/**
 * `dlm sample --engine`: the stderr line says which engine ran and, on a fallback, why; the
 * draws of both executors of the recorded graph describe the same posterior.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dlm, FIXTURES } from "../cli/run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "dlm-engine-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (args: readonly string[], env: Readonly<Record<string, string>> = {}) =>
  dlm(["sample", ...args, "--chains", "2", "--warmup", "200", "--draws", "200", "--json"], { timeoutMs: 120_000, env });

describe("dlm sample --engine", () => {
  it("host and tfjs say so on stderr and agree on the posterior; a model outside the recorded set falls back with the reason", async () => {
    const base = [join(FIXTURES, "normal.dlm"), "--model", "normal", "--data", join(FIXTURES, "normal.json")];
    // two worker threads asked for (a run this small would otherwise stay in one thread)
    const host = await run([...base, "--engine", "host", "--output", join(tmp, "h")], { DLM_WORKERS: "2" });
    const tfjs = await run([...base, "--engine", "tfjs", "--output", join(tmp, "t")]);
    expect(host.code, host.stderr).toBe(0);
    expect(tfjs.code, tfjs.stderr).toBe(0);
    expect(host.stderr).toMatch(/^engine: host \(float64, compiled\)$/m);
    // the same recorded graph, on the tfjs executor
    expect(tfjs.stderr).toMatch(/^engine: tfjs \(float32, recorded\)$/m);
    // the summary says where the run went: the engine, and the threads its chains used
    const place = (r: { stdout: string }): unknown => {
      const j = JSON.parse(r.stdout) as { engine: string; threads: number };
      return [j.engine, j.threads];
    };
    expect(place(host)).toEqual(["host", Math.min(2, availableParallelism())]);
    expect(place(tfjs)).toEqual(["tfjs", 1]);
    const mean = (r: { stdout: string }, name: string): { mean: number; mcse: number } =>
      (JSON.parse(r.stdout) as { parameters: Record<string, { mean: number; mcse: number }> }).parameters[name]!;
    for (const name of ["mu", "sigma"]) {
      const [a, b] = [mean(host, name), mean(tfjs, name)];
      expect(Math.abs(a.mean - b.mean)).toBeLessThan(5 * Math.hypot(a.mcse, b.mcse));
    }
    const net = join(tmp, "net.dlm");
    writeFileSync(net, "model m(x, y) {\n  net = Chain(Dense(1 => 2, tanh), BatchNorm(2), Dense(2 => 1))\n  params(net) ~ Normal(0, 1)\n  y ~ Normal(net(x)[:, 1], 1)\n}\n");
    writeFileSync(join(tmp, "net.json"), JSON.stringify({ x: [[0.1], [0.5], [0.9]], y: [0.2, 0.4, 0.1] }));
    const fallback = await dlm(["sample", net, "--model", "m", "--data", join(tmp, "net.json"), "--chains", "1", "--warmup", "20", "--draws", "20", "--output", join(tmp, "n")], { timeoutMs: 120_000 });
    expect(fallback.code, fallback.stderr).toBe(0);
    expect(fallback.stderr).toMatch(/^engine: tfjs \(cannot record: the layer BatchNorm\(2\) is not in the recorded set yet\)$/m);
    expect(fallback.stdout).toMatch(/s sampling \(tfjs\)$/m);
  }, 240_000);
});
