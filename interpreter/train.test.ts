/**
 * `train`: the mode it finds against closed forms (least squares, a conjugate normal
 * posterior), a digits MLP written in `.dlm` against the issue's accuracy bar, early
 * stopping, checkpoints and resume (the same numbers as an uninterrupted run), Ctrl-C, and
 * no tensors left behind.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sharedPath } from "../bench/paths.js";
import { tf } from "../core/engine.js";
import { adam } from "../nn/optimisers.js";
import { compile, modelInstance } from "./program.js";
import { runScript, type ScriptOptions } from "./script.js";
import { disposeFit, trainInstance } from "./train.js";

const span = { start: 0, end: 0 };

/** Least squares by the normal equations in float64: β = (XᵀX)⁻¹Xᵀy, and the ML σ = √(RSS/N). */
function leastSquares(x: number[][], y: number[]): { beta: number[]; sigma: number } {
  const X = x.map((r) => [1, ...r]);
  const k = X[0]!.length;
  const a = Array.from({ length: k }, (_, i) => [...Array.from({ length: k }, (_, j) => X.reduce((s, r) => s + r[i]! * r[j]!, 0)), X.reduce((s, r, n) => s + r[i]! * y[n]!, 0)]);
  for (let c = 0; c < k; c++) {
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let j = c; j <= k; j++) a[r]![j]! -= f * a[c]![j]!;
    }
  }
  const beta = a.map((row, i) => row[k]! / row[i]!);
  const rss = X.reduce((s, r, n) => s + (y[n]! - r.reduce((t, v, j) => t + v * beta[j]!, 0)) ** 2, 0);
  return { beta, sigma: Math.sqrt(rss / y.length) };
}

async function run(source: string, dir: string, options: ScriptOptions = {}): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runScript(source, { file: join(dir, "s.dlm"), out: (l) => out.push(l), err: (l) => err.push(l), ...options });
  return { code, out, err: err.join("\n") };
}

describe("train finds the mode", () => {
  it("maximum likelihood of a linear regression is least squares, σ̂ = √(RSS/N) (no Jacobian)", async () => {
    const x = [[1, 0.5], [2, -1], [3, 0.2], [4, 1.5], [5, -0.3], [6, 0.9], [7, 0.1], [8, -0.7]];
    const y = [1.1, 2.9, 3.2, 5.1, 5.0, 7.3, 7.0, 8.8];
    const inst = modelInstance(compile("model lin(x, y) {\n  a ~ Flat()\n  b ~ Flat(size = 2)\n  s ~ FlatPos()\n  y ~ Normal(a + x @ b, s)\n}\n"), "lin", { x, y });
    const fit = await trainInstance(inst, adam(0.05), { epochs: 3000, seed: 1 }, span);
    const ls = leastSquares(x, y);
    const got = Object.fromEntries(fit.outputs.map((o) => [o.name, o.value]));
    expect(got["a"]).toBeCloseTo(ls.beta[0]!, 3);
    expect(got["b[1]"]).toBeCloseTo(ls.beta[1]!, 3);
    expect(got["b[2]"]).toBeCloseTo(ls.beta[2]!, 3);
    expect(got["s"]).toBeCloseTo(ls.sigma, 3);
    disposeFit(fit);
  });

  it("MAP of a conjugate normal mean over minibatches, with a cosine schedule", async () => {
    // μ ~ N(0, 1), yᵢ ~ N(μ, 2²): the posterior is normal with mode (Σy/4) / (1 + N/4).
    const y = Array.from({ length: 40 }, (_, i) => 1.5 + Math.sin(i * 1.7) * 2);
    const mode = y.reduce((a, b) => a + b, 0) / 4 / (1 + y.length / 4);
    const dir = mkdtempSync(join(tmpdir(), "dlm-train-"));
    const r = await run(`model m(y) {\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu, 2)\n}\nfit = train(m([${y.join(", ")}]), Adam(0.05), epochs = 200, batchsize = 8, schedule = "cosine", seed = 2)\nsave(fit, "fit.json")\n`, dir);
    expect(r.err).toBe("");
    const saved = JSON.parse(readFileSync(join(dir, "fit.json"), "utf8")) as { latents: { mu: number }; info: { steps: number } };
    expect(saved.info.steps).toBe(200 * 5);
    expect(Math.abs(saved.latents.mu - mode)).toBeLessThan(0.01);
  });
});

describe.skipIf(!existsSync(sharedPath("data", "classic", "digits.csv")))("train on the 8×8 digits", () => {
  it("a 64-64-10 MLP written in .dlm reaches ≥ 95% test accuracy on a seeded 80/20 split", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dlm-digits-"));
    const r = await run(`d = read_csv(${JSON.stringify(sharedPath("data", "classic", "digits.csv"))})
x = d[:, 1:64] / 16
y = d.target + 1
split = train_test_split(nrows(x), 0.8, seed = 1)
model mlp(x, y) {
  net = Chain(Dense(64 => 64, relu), Dense(64 => 10))
  y ~ Categorical(logits = net(x))
}
fit = train(mlp(x[split.train, :], y[split.train]), Adam(0.003), epochs = 30, batchsize = 32, seed = 1, validation = 0.1)
pred = predict(fit, mlp(x[split.test, :], missing))
print(accuracy(pred.y, y[split.test]))
plot_history(fit, "history.svg")
`, dir);
    expect(r.err).toBe("");
    expect(Number(r.out[0])).toBeGreaterThanOrEqual(0.95);
    expect(readFileSync(join(dir, "history.svg"), "utf8")).toContain("val_accuracy");
  }, 120_000);

  it("a small CNN written in .dlm reaches ≥ 97% test accuracy on the same split", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dlm-digits-cnn-"));
    const r = await run(`d = read_csv(${JSON.stringify(sharedPath("data", "classic", "digits.csv"))})
x = reshape(d[:, 1:64] / 16, nrows(d), 8, 8, 1)
y = d.target + 1
split = train_test_split(nrows(d), 0.8, seed = 1)
model cnn(x, y) {
  net = Chain(Conv((3, 3), 1 => 16, relu, pad = "same"), MaxPool((2, 2)), Conv((3, 3), 16 => 32, relu, pad = "same"), MaxPool((2, 2)), Flatten(), Dense(128 => 10))
  y ~ Categorical(logits = net(x))
}
fit = train(cnn(x[split.train, :, :, :], y[split.train]), Adam(0.003), epochs = 15, batchsize = 32, seed = 1)
pred = predict(fit, cnn(x[split.test, :, :, :], missing))
print(accuracy(pred.y, y[split.test]))
`, dir);
    expect(r.err).toBe("");
    expect(Number(r.out[0])).toBeGreaterThanOrEqual(0.97);
  }, 120_000);
});

const BOSTON = sharedPath("data", "uci", "bostonHousing");

describe.skipIf(!existsSync(BOSTON))("train on the UCI Boston housing splits", () => {
  it("a 13-50-1 ReLU MLP (MAP, N(0, 1) weights) reaches mean test RMSE ≤ 3.6 over splits 0–4", async () => {
    // The Hernández-Lobato & Adams protocol: the shipped splits, one hidden layer of 50, 40 epochs.
    const read = (f: string): number[][] => readFileSync(join(BOSTON, f), "utf8").trim().split("\n").map((l) => l.trim().split(/\s+/).map(Number));
    const data = read("data.txt");
    const features = read("index_features.txt").map((r) => r[0]!);
    const target = read("index_target.txt")[0]![0]!;
    const dir = mkdtempSync(join(tmpdir(), "dlm-boston-"));
    const csv = (rows: number[]): string =>
      `${[...features.map((j) => `x${j}`), "y"].join(",")}\n${rows.map((i) => [...features.map((j) => data[i]![j]!), data[i]![target]!].join(",")).join("\n")}\n`;
    const splits = [0, 1, 2, 3, 4];
    for (const k of splits) {
      writeFileSync(join(dir, `train_${k}.csv`), csv(read(`index_train_${k}.txt`).map((r) => r[0]!)));
      writeFileSync(join(dir, `test_${k}.csv`), csv(read(`index_test_${k}.txt`).map((r) => r[0]!)));
    }
    const fitSplit = (k: number): string => `tr = read_csv("train_${k}.csv")
te = read_csv("test_${k}.csv")
xtr = standardize(tr[:, 1:13])
xte = standardize(te[:, 1:13], like = tr[:, 1:13])
m = mean(tr.y)
s = sd(tr.y)
fit = train(reg(xtr, (tr.y - m) / s), Adam(0.01), epochs = 40, batchsize = 32, seed = 1)
print(rmse(predict(fit, reg(xte, missing)).y.mean * s + m, te.y))
`;
    const r = await run(`model reg(x, y) {
  net = Chain(Dense(13 => 50, relu), Dense(50 => 1))
  params(net) ~ Normal(0, 1)
  sigma ~ HalfNormal(1)
  y ~ Normal(net(x)[:, 1], sigma)
}
${splits.map(fitSplit).join("")}`, dir);
    expect(r.err).toBe("");
    const rmses = r.out.map(Number);
    expect(rmses).toHaveLength(5);
    expect(rmses.reduce((a, b) => a + b, 0) / rmses.length).toBeLessThanOrEqual(3.6);
  }, 120_000);
});

// 120 rows of a noisy line, in a CSV beside the script.
function regressionData(dir: string): void {
  const rows = Array.from({ length: 120 }, (_, i) => {
    const x = (i % 24) / 4 - 3;
    return `${x},${(2 * x - 1 + 0.3 * Math.sin(i * 12.9898)).toFixed(6)}`;
  });
  writeFileSync(join(dir, "d.csv"), `x,y\n${rows.join("\n")}\n`);
}

// BatchNorm and Dropout make the resume test cover the running statistics in the checkpoint
// and the per-step dropout keys.
const NET = `d = read_csv("d.csv")
model reg(x, y) {
  net = Chain(Dense(1 => 16, tanh), BatchNorm(16), Dropout(0.1), Dense(16 => 1))
  s ~ HalfNormal(1)
  y ~ Normal(net(x)[:, 1], s)
}
inst = reg(d[:, 1:1], d.y)
`;

describe("checkpoints, resume and Ctrl-C", () => {
  it("resuming from the checkpoint of epoch 3 ends where an uninterrupted 6-epoch run ends", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dlm-resume-"));
    regressionData(dir);
    const args = `Adam(0.01), batchsize = 16, seed = 3`;
    const whole = await run(`${NET}fit = train(inst, ${args}, epochs = 6, checkpoint = "a.ckpt")\nsave(fit, "a.json")\n`, dir);
    expect(whole.err).toBe("");
    const first = await run(`${NET}fit = train(inst, ${args}, epochs = 3, checkpoint = "b.ckpt")\n`, dir);
    expect(first.err).toBe("");
    expect((JSON.parse(readFileSync(join(dir, "b.ckpt"), "utf8")) as { epoch: number }).epoch).toBe(3);
    const rest = await run(`${NET}fit = train(inst, ${args}, epochs = 6, resume = "b.ckpt")\nsave(fit, "b.json")\n`, dir);
    expect(rest.err).toBe("");
    const a = JSON.parse(readFileSync(join(dir, "a.json"), "utf8")) as { params: unknown; latents: unknown; history: unknown[] };
    const b = JSON.parse(readFileSync(join(dir, "b.json"), "utf8")) as typeof a;
    expect(b.params).toEqual(a.params);
    expect(b.latents).toEqual(a.latents);
    expect(b.history).toEqual(a.history);
    expect(b.history).toHaveLength(6);
    expect(Object.keys((JSON.parse(readFileSync(join(dir, "b.ckpt"), "utf8")) as { state: { net: object } }).state.net)).toEqual(["[2].mean", "[2].var"]);
  }, 60_000);

  it("Ctrl-C stops after the current batch: the fit so far is returned and the checkpoint holds the last whole epoch", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dlm-stop-"));
    regressionData(dir);
    const controller = new AbortController();
    let batches = 0;
    const r = await run(`${NET}fit = train(inst, Adam(0.01), batchsize = 16, seed = 3, epochs = 50, checkpoint = "c.ckpt")\nprint(fit)\n`, dir, {
      signal: controller.signal,
      trainProgress: () => ({ update: () => { if (++batches === 20) controller.abort(); }, epoch: () => undefined, stop: () => undefined }),
    });
    expect(batches).toBe(20);
    expect(r.err).toMatch(/interrupted: `train` stopped after 20 steps; .*c\.ckpt holds epoch 2/);
    expect(r.out[0]).toMatch(/interrupted after 2 epochs/);
    expect((JSON.parse(readFileSync(join(dir, "c.ckpt"), "utf8")) as { epoch: number }).epoch).toBe(2);
  }, 60_000);

  it("early stopping returns the best epoch by validation loss", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dlm-early-"));
    // 24 noisy points, a wide network and half of them held out: it overfits within a few hundred epochs.
    const xs = Array.from({ length: 24 }, (_, i) => i / 8 - 1.5);
    const ys = xs.map((x, i) => (x + Math.sin(i * 78.233)).toFixed(4));
    const r = await run(`model reg(x, y) {
  net = Chain(Dense(1 => 64, tanh), Dense(64 => 64, tanh), Dense(64 => 1))
  y ~ Normal(net(x)[:, 1], 0.3)
}
fit = train(reg([${xs.map((x) => `[${x}]`).join(", ")}], [${ys.join(", ")}]), Adam(0.01), epochs = 2000, validation = 0.5, patience = 20, seed = 4)
save(fit, "fit.json")
`, dir);
    expect(r.err).toBe("");
    const fit = JSON.parse(readFileSync(join(dir, "fit.json"), "utf8")) as { history: { val_loss: number }[]; info: { stoppedEarly: boolean; bestEpoch: number; epochs: number } };
    expect(fit.info.stoppedEarly).toBe(true);
    expect(fit.info.epochs).toBe(fit.info.bestEpoch + 20);
    const losses = fit.history.map((h) => h.val_loss);
    expect(losses[fit.info.bestEpoch - 1]).toBe(Math.min(...losses));
  }, 60_000);
});

describe("a recurrent network written in .dlm", () => {
  it("an LSTM predicts the next value of noisy sines: test RMSE within 2× the noise and under half the last-value baseline", async () => {
    // 600 sequences sin(ω t + φ) + N(0, 0.05²), t = 0..10, ω ∈ (0.3, 0.7); x = the first 10 values, y = the 11th.
    let state = 12345;
    const u = (): number => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const gauss = (): number => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
    const rows = Array.from({ length: 600 }, () => {
      const [w, ph] = [0.3 + 0.4 * u(), 2 * Math.PI * u()];
      return Array.from({ length: 11 }, (_, t) => (Math.sin(w * t + ph) + 0.05 * gauss()).toFixed(5));
    });
    const dir = mkdtempSync(join(tmpdir(), "dlm-lstm-"));
    writeFileSync(join(dir, "seq.csv"), `${Array.from({ length: 11 }, (_, t) => `t${t}`).join(",")}\n${rows.map((r) => r.join(",")).join("\n")}\n`);
    const r = await run(`d = read_csv("seq.csv")
x = reshape(d[:, 1:10], nrows(d), 10, 1)
y = d.t10
model next(x, y) {
  net = Chain(LSTM(1 => 16), Dense(16 => 1))
  y ~ Normal(net(x)[:, 1], 0.1)
}
split = train_test_split(nrows(d), 0.8, seed = 1)
fit = train(next(x[split.train, :, :], y[split.train]), Adam(0.01), epochs = 40, batchsize = 32, seed = 1)
pred = predict(fit, next(x[split.test, :, :], missing))
print(rmse(pred.y, y[split.test]))
print(rmse(x[split.test, 10, 1], y[split.test]))
`, dir);
    expect(r.err).toBe("");
    const [model, baseline] = r.out.map(Number);
    expect(model).toBeLessThan(2 * 0.05);
    expect(model).toBeLessThan(0.5 * baseline!);
  }, 120_000);
});

describe("dropout and batch normalisation", () => {
  it("MC dropout: the predictive mean and sd of Dropout(0.5) → Dense(1 => 1) are w·x and √(1 + (w·x)²)", async () => {
    // With keep probability 1/2 and inverted scaling, w·x·m/0.5 is 0 or 2w·x with equal odds:
    // mean w·x, variance (w·x)²; the model adds N(0, 1) noise, so the mixture variance is 1 + (w·x)².
    const dir = mkdtempSync(join(tmpdir(), "dlm-mcdrop-"));
    const r = await run(`model m(x, y) {
  net = Chain(Dropout(0.5), Dense(1 => 1, bias = false))
  y ~ Normal(net(x)[:, 1], 1)
}
x = [[0.5], [1.0], [1.5], [2.0]]
fit = train(m(x, [1.0, 2.1, 2.9, 4.2]), Adam(0.05), epochs = 300, seed = 1)
save(fit, "fit.json")
pred = predict(fit, m([[1.0], [3.0]], missing), dropout = true, draws = 4000, seed = 2)
plain = predict(fit, m([[1.0], [3.0]], missing))
print(pred.y.mean)
print(pred.y.sd)
print(plain.y.sd)
`, dir);
    expect(r.err).toBe("");
    const w = (JSON.parse(readFileSync(join(dir, "fit.json"), "utf8")) as { params: { "net[2].weight": number[][] } }).params["net[2].weight"][0]![0]!;
    const parse = (line: string): number[] => line.replace(/[[\],]/g, " ").trim().split(/\s+/).map(Number);
    const [mean, sd, plain] = [parse(r.out[0]!), parse(r.out[1]!), parse(r.out[2]!)];
    [1, 3].forEach((x, i) => {
      expect(Math.abs(mean[i]! - w * x)).toBeLessThan(0.05 * Math.abs(w * x) + 0.05);
      expect(Math.abs(sd[i]! - Math.sqrt(1 + (w * x) ** 2))).toBeLessThan(0.04 * Math.sqrt(1 + (w * x) ** 2));
      expect(plain[i]).toBeCloseTo(1, 5);
    });
  }, 60_000);

  it("BatchNorm predicts with its running statistics: a row's prediction does not depend on the rest of the batch", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dlm-bn-"));
    regressionData(dir);
    const r = await run(`${NET}fit = train(inst, Adam(0.01), batchsize = 16, epochs = 5, seed = 3)
all = predict(fit, reg(d[:, 1:1], missing))
one = predict(fit, reg(d[3:3, 1:1], missing))
print(all.y.mean[3])
print(one.y.mean[1])
`, dir);
    expect(r.err).toBe("");
    expect(Number(r.out[0])).toBeCloseTo(Number(r.out[1]), 5);
  }, 60_000);
});

describe("train's resources", () => {
  it("leaves the number of tensors flat over 1,000 steps", async () => {
    const x = Array.from({ length: 64 }, (_, i) => [i / 32 - 1, Math.cos(i)]);
    const y = x.map(([a, b]) => (a! > b! ? 1 : 0));
    const inst = modelInstance(compile("model clf(x, y) {\n  net = Chain(Dense(2 => 8, relu), Dense(8 => 1))\n  w ~ Normal(0, 1)\n  y ~ Bernoulli(logit = w + net(x)[:, 1])\n}\n"), "clf", { x, y });
    const short = await trainInstance(inst, adam(0.01), { epochs: 1, batchSize: 16, seed: 1 }, span);
    disposeFit(short);
    const before = tf.memory().numTensors;
    const fit = await trainInstance(inst, adam(0.01), { epochs: 250, batchSize: 16, seed: 1 }, span);
    expect(fit.info.steps).toBe(1000);
    disposeFit(fit);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});
