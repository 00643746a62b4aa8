/**
 * The UCI regression protocol of Hernández-Lobato & Adams (2015), as ../shared/data/README.md
 * describes it, with Bayes by Backprop: for each of the 20 fixed splits of a data set, fit on
 * the training rows (inputs and targets standardised with the training split's means and sds,
 * a zero sd replaced by 1), predict the test rows, and report the test RMSE and the mean test
 * log-likelihood log p(y*|x*) in the original units of the target; over the splits, the mean and
 * its standard error (sd / √splits). Our table is printed beside the published VI (Graves
 * 2011, as reported by Hernández-Lobato & Adams), PBP and MC-dropout rows of
 * ../shared/data/uci/published_results.csv.
 *
 * The model is the protocol's network, one hidden layer of 50 ReLU units, written in the
 * language and fitted by `vi(..., BayesByBackprop())` through the script interpreter (so this
 * measures what users run): N(0, 1) priors on every weight and bias, a HalfNormal(1) prior on
 * the noise sd of the standardised target. Every setting is fixed in advance and the same for
 * every data set and split (nothing is tuned, on test rows or otherwise).
 *
 *   npx tsx bench/uci.ts                       the five data sets, 20 splits each
 *   npx tsx bench/uci.ts --splits 5 yacht      the first 5 splits of yacht
 *   npx tsx bench/uci.ts --epochs 200          fewer epochs (default: DEFAULT_EPOCHS)
 *
 * The test suite runs one split of one data set through `runSplit` (test/bench/uci.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { initEngine } from "../core/engine.js";
import { runScript } from "../interpreter/index.js";
import { sharedPath } from "./paths.js";

export const DATASETS = ["bostonHousing", "concrete", "energy", "yacht", "wine-quality-red"] as const;

/** Epochs of Bayes by Backprop per split (the protocol's PBP ran 40; VI needs more steps to converge). */
export const DEFAULT_EPOCHS = 200;
/** Rows per minibatch. */
export const BATCH = 32;

export interface SplitResult {
  readonly rmse: number;
  readonly testLL: number;
  readonly seconds: number;
}

export interface UciData {
  /** Rows of the whole data set, features then target. */
  readonly x: number[][];
  readonly y: number[];
}

/** The whitespace-separated `data.txt` of a data set, its feature and target columns. */
export function readUci(name: string): UciData {
  const dir = sharedPath("data", "uci", name);
  const rows = readFileSync(join(dir, "data.txt"), "utf8").split("\n").map((l) => l.trim()).filter((l) => l !== "").map((l) => l.split(/\s+/).map(Number));
  const features = readFileSync(join(dir, "index_features.txt"), "utf8").split(/\s+/).filter((s) => s !== "").map(Number);
  const target = Number(readFileSync(join(dir, "index_target.txt"), "utf8").trim());
  return { x: rows.map((r) => features.map((j) => r[j]!)), y: rows.map((r) => r[target]!) };
}

/** The 0-based training and test rows of split `i`. */
export function splitRows(name: string, i: number): { train: number[]; test: number[] } {
  const read = (kind: string): number[] =>
    readFileSync(sharedPath("data", "uci", name, `index_${kind}_${i}.txt`), "utf8").split(/\s+/).filter((s) => s !== "").map(Number);
  return { train: read("train"), test: read("test") };
}

const csv = (d: UciData, rows: readonly number[]): string => {
  const k = d.x[0]!.length;
  const header = [...Array.from({ length: k }, (_, j) => `x${j + 1}`), "y"].join(",");
  return `${header}\n${rows.map((r) => [...d.x[r]!, d.y[r]!].join(",")).join("\n")}\n`;
};

/** The script that fits one split (its data in `train.csv` and `test.csv` beside it) and prints RMSE and test LL in original units. */
export function splitScript(epochs: number, seed: number): string {
  return `model uci(x, y) {
  net = Chain(Dense(ncols(x) => 50, relu), Dense(50 => 1))
  params(net) ~ Normal(0, 1)
  sigma ~ HalfNormal(1)
  y ~ Normal(net(x)[:, 1], sigma)
}
tr = read_csv("train.csv")
te = read_csv("test.csv")
k = ncols(tr) - 1
xtr = standardize(tr[:, 1:k])
xte = standardize(te[:, 1:k], like = tr[:, 1:k])
my = mean(tr.y)
sy = std(tr.y)
q = vi(uci(xtr, (tr.y - my) / sy), BayesByBackprop(), epochs = ${epochs}, batchsize = ${BATCH}, seed = ${seed}, draws = 500)
p = predict(q, uci(xte, missing))
print(rmse(p.y, (te.y - my) / sy) * sy, loglik(p.y, (te.y - my) / sy) - log(sy))
`;
}

/** Fit and evaluate split `i` of data set `name`. */
export async function runSplit(name: string, i: number, options: { readonly epochs?: number; readonly data?: UciData } = {}): Promise<SplitResult> {
  const data = options.data ?? readUci(name);
  const { train, test } = splitRows(name, i);
  const dir = mkdtempSync(join(tmpdir(), "dlm-uci-"));
  try {
    writeFileSync(join(dir, "train.csv"), csv(data, train));
    writeFileSync(join(dir, "test.csv"), csv(data, test));
    const out: string[] = [];
    const err: string[] = [];
    const start = performance.now();
    const code = await runScript(splitScript(options.epochs ?? DEFAULT_EPOCHS, i + 1), { file: join(dir, "uci.dlm"), out: (l) => out.push(l), err: (l) => err.push(l) });
    if (code !== 0) throw new Error(`${name} split ${i}: ${err.join("\n")}`);
    const [rmse, testLL] = out[out.length - 1]!.trim().split(/\s+/).map(Number) as [number, number];
    return { rmse, testLL, seconds: (performance.now() - start) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Published {
  readonly mean: number;
  readonly se: number;
}

/** The published figures: by data set, method and metric (`rmse`, `test_ll`). */
export function published(): Map<string, Published> {
  const lines = readFileSync(sharedPath("data", "uci", "published_results.csv"), "utf8").trim().split("\n").slice(1);
  const out = new Map<string, Published>();
  for (const line of lines) {
    const [dataset, method, metric, mean, se] = line.split(",");
    out.set(`${dataset}|${method}|${metric}`, { mean: Number(mean), se: Number(se) });
  }
  return out;
}

const meanSe = (xs: readonly number[]): Published => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : NaN;
  return { mean: m, se: sd / Math.sqrt(xs.length) };
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, dflt: number): number => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const splits = option("--splits", 20);
  const epochs = option("--epochs", DEFAULT_EPOCHS);
  const named = args.filter((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
  const sets = named.length > 0 ? named : [...DATASETS];
  await initEngine();
  const pub = published();
  const fmt = (p: Published | undefined, digits = 2): string => (p === undefined ? "—" : `${p.mean.toFixed(digits)} ± ${Number.isFinite(p.se) ? p.se.toFixed(digits) : "NA"}`);
  const started = new Date();
  process.stdout.write([
    `Bayes by Backprop on the UCI protocol: ${epochs} epochs, batch ${BATCH}, Adam(0.01), 50 ReLU units, N(0, 1) weight priors; ` +
      `${started.toISOString().slice(0, 16)} UTC, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}. ✓/✗: our mean at least as good as the published VI mean.`,
    "",
    "| data set | splits | BBB RMSE | VI RMSE | PBP RMSE | MC dropout RMSE | BBB test LL | VI test LL | PBP test LL | MC dropout test LL | s/split |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ].join("\n") + "\n");
  for (const name of sets) {
    const data = readUci(name);
    const rmse: number[] = [];
    const ll: number[] = [];
    let seconds = 0;
    for (let i = 0; i < splits; i++) {
      const r = await runSplit(name, i, { epochs, data });
      rmse.push(r.rmse);
      ll.push(r.testLL);
      seconds += r.seconds;
      process.stderr.write(`${name} split ${i}: RMSE ${r.rmse.toFixed(3)}  test LL ${r.testLL.toFixed(3)}  (${r.seconds.toFixed(1)} s)\n`);
    }
    const get = (method: string, metric: string): Published | undefined => pub.get(`${name}|${method}|${metric}`);
    const ours = { rmse: meanSe(rmse), ll: meanSe(ll) };
    const vs = (o: Published, p: Published | undefined, higher: boolean): string => (p === undefined ? "" : (higher ? o.mean >= p.mean : o.mean <= p.mean) ? " ✓" : " ✗");
    process.stdout.write(`| ${name} | ${splits} | ${fmt(ours.rmse)}${vs(ours.rmse, get("VI", "rmse"), false)} | ${fmt(get("VI", "rmse"))} | ${fmt(get("PBP", "rmse"))} | ${fmt(get("MC Dropout", "rmse"))} | ` +
      `${fmt(ours.ll)}${vs(ours.ll, get("VI", "test_ll"), true)} | ${fmt(get("VI", "test_ll"))} | ${fmt(get("PBP", "test_ll"))} | ${fmt(get("MC Dropout", "test_ll"))} | ${(seconds / splits).toFixed(0)} |\n`);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await main();
