/**
 * Scripts: top-level statements run in order (`dlm run`), or one input at a time (the REPL's
 * Session). Script builtins: print, read_csv, read_json, names, standardize, onehot,
 * train_test_split, NUTS/HMC, sample, summary, predict, prior_predictive, save, load_draws,
 * grid and the plots (script-plots.ts), `train` (script-train.ts) and `vi` (script-vi.ts).
 * Model calls create instances.
 *
 * `sample` stops after the current iteration when `options.signal` is aborted (Ctrl-C in the
 * REPL and in `dlm run`) and the script goes on with the completed draws; `options.progress`
 * is told about every iteration. A REPL session may redefine models, fns, networks and
 * variables of earlier inputs; within one input (and a script) a name is defined once.
 *
 * `sample` is asynchronous while the evaluator is not: an async builtin throws a Pending
 * signal carrying its promise; the runner awaits it, memoises the result by call position
 * and visit (the k-th time a loop reaches the call is its own call) and runs the statement
 * again, so statements stay ordinary expressions.
 */
import { tf } from "../core/engine.js";
import { key as makeKey, fold } from "../core/random.js";
import { standardize, onehot, trainTestSplit } from "../nn/index.js";
import { basename } from "node:path";
import { parse, type Program, type Span, type Stmt } from "../grammar/index.js";
import { builtin } from "./builtins-math.js";
import { builtinValues, globalEnv } from "./builtins.js";
import { predictiveBuiltins } from "./metrics.js";
import { readCsv, readJson, resolvePath } from "./data-readers.js";
import { DlmError } from "./errors.js";
import type { ProgressInfo } from "../inference/mcmc/index.js";
import { includedNames, readIncludedSource } from "./includes.js";
import { drawFiles, loadPosterior, savePosterior } from "./script-io.js";
import { plotBuiltins } from "./script-plots.js";
import { asFit, fitSummaryLines, fitValue, loadFit, runTrain, saveFit, trainBuiltins, type TrainReporter, type TrainRun } from "./script-train.js";
import { predictFit } from "./train.js";
import { runVi, viBuiltins, type ViReporter, type ViRun } from "./script-vi.js";
import { looBuiltins } from "./script-loo.js";
import { evaluate, runStmt, type EvalContext } from "./evaluate.js";
import { instantiate, type ModelInstance } from "./instance.js";
import { ENGINES, engineNamed } from "./record-model.js";
import { predict, samplePosterior, summaryLines, type Posterior, type SampleSettings } from "./posterior.js";
import { DlmProgramError, parseChecked, renderError, scriptHandler } from "./program.js";
import { show } from "./show.js";
import { disposeSimulated, priorPredictive } from "./simulate.js";
import { asInt, asNumber, asString, asTensorValue, describeValue, num, tensor, type Env, type Value } from "./value.js";

export interface ScriptOptions {
  readonly file?: string;
  readonly seed?: number;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
  /** Print the value of each expression statement (the REPL); default true for sessions, false for runScript. */
  readonly echo?: boolean;
  /** Read when a `sample` starts: aborting it stops that run after the current iteration. */
  readonly signal?: AbortSignal | undefined;
  /** Called when a `sample` starts; its `update` hears every iteration, `stop` the end. */
  readonly progress?: (run: SampleRun) => SampleProgress;
  /** Called when a `train` starts; its reporter hears every batch and epoch. */
  readonly trainProgress?: (run: TrainRun) => TrainReporter;
  /** Called when a `vi` starts; its reporter hears every iteration. */
  readonly viProgress?: (run: ViRun) => ViReporter;
}

/** The size of a `sample` run, for progress bars. */
export interface SampleRun {
  readonly chains: number;
  readonly warmup: number;
  readonly draws: number;
}

export interface SampleProgress {
  update(info: ProgressInfo): void;
  /** The run ended; `interrupted` when it was stopped early (`kept` completed draws per chain). */
  stop(end: { readonly interrupted: boolean; readonly kept: number }): void;
}

class Pending {
  constructor(readonly at: string, readonly promise: Promise<Value>) {}
}

interface Host {
  /** The script, or the file the REPL loads (a REPL input's own statements belong to it). */
  file: string;
  /** The file whose statement runs now: the script or a file it includes; paths are relative to its folder. */
  here: string;
  readonly seed: number;
  readonly out: (line: string) => void;
  source: string;
  /**
   * Results of asynchronous calls by `callKey`: the call's position and how many times this
   * run of the statement has reached it, so `sample` in a loop runs once per iteration.
   */
  readonly memo: Map<string, Value>;
  /** How many times each call position has been reached in this run of the statement. */
  readonly visits: Map<number, number>;
  calls: number;
  readonly options: ScriptOptions;
  readonly err: (line: string) => void;
}

/** The value of the asynchronous call at `span` once it has run, else a Pending signal for the runner. */
function wait(host: Host, span: Span, make: () => Promise<Value>): Value {
  const at = callKey(host, span);
  const memo = host.memo.get(at);
  if (memo !== undefined) return memo;
  throw new Pending(at, make());
}

/** The memo key of the asynchronous call at `span`: its position and its visit number in this run. */
function callKey(host: Host, span: Span): string {
  const n = host.visits.get(span.start) ?? 0;
  host.visits.set(span.start, n + 1);
  return `${span.start}#${n}`;
}

const opaque = (tag: string, payload: unknown, showText: string): Value => ({ kind: "opaque", tag, payload, show: showText });

function instanceOf(v: Value, span: Span, what: string): ModelInstance {
  if (v.kind === "opaque" && v.tag === "model instance") return v.payload as ModelInstance;
  throw new DlmError(`${what} should be a model instance such as \`linreg(x, y)\`, but it is ${describeValue(v)}`, span);
}

function posteriorOf(v: Value, span: Span): Posterior {
  if (v.kind === "opaque" && v.tag === "posterior") return v.payload as Posterior;
  throw new DlmError(`expected a posterior (the result of \`sample\`), but this is ${describeValue(v)}`, span);
}

function posteriorValue(p: Posterior): Value {
  if (p.vi !== undefined) return opaque("posterior", p, `${p.vi.method === "bbb" ? "a Bayes-by-Backprop approximation" : `an ADVI approximation (${p.vi.method})`}: ${p.result.nDraws} draws of ${p.names.length} quantities`);
  const from = p.loaded !== undefined ? "loaded draws" : "a posterior";
  return opaque("posterior", p, `${from}: ${p.result.chains} chain${p.result.chains === 1 ? "" : "s"} × ${p.result.nDraws} draws of ${p.names.length} quantities`);
}

function optInt(kwargs: ReadonlyMap<string, Value>, k: string, dflt: number, span: Span): number {
  const v = kwargs.get(k);
  return v === undefined ? dflt : asInt(v, span, k);
}

function scriptBuiltins(host: Host): Value[] {
  return [
    builtin("print", (args, _kwargs, _span) => {
      host.out(args.map(show).join(" "));
      return { kind: "missing" };
    }),
    builtin("read_csv", (args, _kwargs, span) => readCsv(asString(args[0]!, span, "the path"), host.here, span)),
    builtin("read_json", (args, _kwargs, span) => readJson(asString(args[0]!, span, "the path"), host.here, span)),
    builtin("names", (args, _kwargs, span) => {
      const d = args[0]!;
      if (d.kind !== "record") throw new DlmError(`names needs a table or record, but this is ${describeValue(d)}`, span);
      return d.fields.get("__names") ?? { kind: "list", items: [...d.fields.keys()].filter((k) => !k.startsWith("__")).map((k) => ({ kind: "str", v: k })) };
    }),
    builtin("standardize", (args, kwargs, span) => {
      const x = asTensorValue(args[0]!, span, "the data");
      const like = kwargs.get("like");
      return tensor(standardize(x.t, like === undefined ? x.t : asTensorValue(like, span, "like").t), false);
    }),
    builtin("onehot", (args, _kwargs, span) => {
      return tensor(onehot(asTensorValue(args[0]!, span).t, asInt(args[1]!, span, "the number of classes")), false);
    }),
    builtin("train_test_split", (args, kwargs, span) => {
      const n = asInt(args[0]!, span, "the number of rows");
      const s = trainTestSplit(n, asNumber(args[1]!, span, "the training fraction"), makeKey(optInt(kwargs, "seed", host.seed, span)));
      const oneBased = (a: Int32Array): Value => tensor(tf.tensor1d(Array.from(a, (i) => i + 1), "float32"), false);
      return { kind: "record", tag: "split", fields: new Map([["train", oneBased(s.train)], ["test", oneBased(s.test)]]) };
    }),
    builtin("NUTS", (_args, kwargs, span) => {
      return opaque("algorithm", { algorithm: "nuts", adaptDelta: kwargs.has("target_accept") ? asNumber(kwargs.get("target_accept")!, span) : undefined, maxDepth: kwargs.has("max_depth") ? asInt(kwargs.get("max_depth")!, span) : undefined }, "NUTS()");
    }),
    builtin("HMC", (_args, kwargs, span) => {
      return opaque("algorithm", { algorithm: "hmc", stepSize: kwargs.has("step") ? asNumber(kwargs.get("step")!, span) : undefined, steps: kwargs.has("steps") ? asInt(kwargs.get("steps")!, span) : undefined }, "HMC()");
    }),
    builtin("sample", (args, kwargs, span) => {
      const at = callKey(host, span);
      const memo = host.memo.get(at);
      if (memo !== undefined) return memo;
      const inst = instanceOf(args[0]!, span, "the first argument of `sample`");
      const alg = args[1];
      if (alg !== undefined && !(alg.kind === "opaque" && alg.tag === "algorithm")) throw new DlmError(`the second argument of \`sample\` should be NUTS(...) or HMC(...), but it is ${describeValue(alg)}`, span);
      const a = (alg?.payload ?? { algorithm: "nuts" }) as { algorithm: "nuts" | "hmc"; adaptDelta?: number; maxDepth?: number; stepSize?: number; steps?: number };
      const draws = optInt(kwargs, "draws", 1000, span);
      const engineName = kwargs.has("engine") ? asString(kwargs.get("engine")!, span, "`engine`") : undefined;
      const engine = engineNamed(engineName);
      if (engineName !== undefined && engine === undefined) {
        throw new DlmError(`\`engine\` should be one of ${ENGINES.map((e) => `"${e}"`).join(", ")}, but it is "${engineName}"`, span, "\"host\" compiles the model to float64 JavaScript, \"tfjs\" runs it on TensorFlow.js, \"auto\" takes host where the model records");
      }
      const settings: SampleSettings = {
        algorithm: a.algorithm, draws, chains: optInt(kwargs, "chains", 4, span), warmup: optInt(kwargs, "warmup", draws, span), seed: optInt(kwargs, "seed", host.seed, span),
        ...(a.adaptDelta !== undefined ? { adaptDelta: a.adaptDelta } : {}), ...(a.maxDepth !== undefined ? { maxDepth: a.maxDepth } : {}),
        ...(a.stepSize !== undefined ? { stepSize: a.stepSize } : {}), ...(a.steps !== undefined ? { steps: a.steps } : {}),
        // a fallback from an engine asked for by name is worth a line; under auto it is the plan
        ...(engine !== undefined ? { engine, ...(engine === "host" ? { note: (line: string) => { if (!line.startsWith("engine: host")) host.err(`warning: ${line}`); } } : {}) } : {}),
      };
      const signal = host.options.signal;
      const progress = host.options.progress?.({ chains: settings.chains, warmup: settings.warmup, draws: settings.draws });
      const run = samplePosterior(inst, { ...settings, ...(signal !== undefined ? { signal } : {}), ...(progress !== undefined ? { onProgress: (i: ProgressInfo) => progress.update(i) } : {}) }, span);
      throw new Pending(at, run.then(
        (p) => {
          progress?.stop({ interrupted: p.result.interrupted, kept: p.result.nDraws });
          if (p.result.interrupted) host.err(`interrupted: \`sample\` kept the ${p.result.nDraws} completed draws per chain (of ${draws})`);
          return posteriorValue(p);
        },
        (e: unknown) => {
          progress?.stop({ interrupted: signal?.aborted ?? false, kept: 0 });
          throw e;
        },
      ));
    }),
    builtin("summary", (args, _kwargs, span) => {
      const fit = asFit(args[0]!);
      // The table goes to the output, its warnings with the other warnings (stderr in `dlm run`).
      for (const line of fit !== undefined ? fitSummaryLines(fit) : summaryLines(posteriorOf(args[0]!, span))) (line.startsWith("warning: ") ? host.err : host.out)(line);
      return { kind: "missing" };
    }),
    builtin("predict", (args, kwargs, span) => {
      try {
        const fit = asFit(args[0]!);
        const inst = instanceOf(args[1]!, span, "the second argument of `predict`");
        const seed = optInt(kwargs, "seed", host.seed, span);
        if (fit === undefined && (kwargs.has("dropout") || kwargs.has("draws"))) throw new DlmError("`dropout` and `draws` apply to a fit from `train` (MC dropout)", span);
        const dropout = kwargs.get("dropout");
        if (dropout !== undefined && dropout.kind !== "bool") throw new DlmError(`dropout should be true or false, but it is ${describeValue(dropout)}`, span);
        const draws = optInt(kwargs, "draws", 100, span);
        if (draws < 1) throw new DlmError(`draws must be at least 1, got ${draws}`, span);
        return fit !== undefined ? predictFit(fit, inst, seed, { dropout: dropout?.v ?? false, draws }) : predict(posteriorOf(args[0]!, span), inst, seed);
      } catch (e) {
        if (e instanceof DlmError && e.span === undefined) throw new DlmError(e.message, span, e.hint);
        throw e;
      }
    }),
    builtin("prior_predictive", (args, kwargs, span) => {
      const sims = priorPredictive(instanceOf(args[0]!, span, "the argument"), optInt(kwargs, "draws", 1000, span), makeKey(optInt(kwargs, "seed", host.seed, span)));
      const fields = new Map<string, Value>([...sims].map(([k, s]) => [k, tensor(tf.clone(s.draws), false)]));
      disposeSimulated(sims);
      return { kind: "record", tag: "prior predictive draws", fields };
    }),
    builtin("save", (args, _kwargs, span) => {
      const fit = asFit(args[0]!);
      const path = asString(args[1]!, span, "the file name");
      if (fit !== undefined) return wait(host, span, () => saveFit(fit, path, host.here, span).then(() => ({ kind: "missing" })));
      savePosterior(posteriorOf(args[0]!, span), path, host.here, span);
      return { kind: "missing" };
    }),
    builtin("load", (args, _kwargs, span) => {
      const path = asString(args[0]!, span, "the file name");
      return /\.json$/i.test(path) ? fitValue(loadFit(path, host.here, span)) : posteriorValue(loadPosterior(drawFiles(args[0]!, host.here, span), span));
    }),
    builtin("load_draws", (args, _kwargs, span) => {
      return posteriorValue(loadPosterior(drawFiles(args[0]!, host.here, span), span));
    }),
    ...plotBuiltins({ get file() { return host.here; }, wait: (span, make) => wait(host, span, make), posteriorOf, fitOf: asFit }),
    ...trainBuiltins(),
    builtin("train", (args, kwargs, span) => {
      const at = callKey(host, span);
      const memo = host.memo.get(at);
      if (memo !== undefined) return memo;
      throw new Pending(at, runTrain({
        file: host.here, seed: host.seed, signal: host.options.signal, progress: host.options.trainProgress, err: host.err, instanceOf,
      }, args, kwargs, span));
    }),
    ...viBuiltins(),
    ...looBuiltins({ out: host.out, err: host.err, posteriorOf, instanceOf }),
    builtin("vi", (args, kwargs, span) => {
      const at = callKey(host, span);
      const memo = host.memo.get(at);
      if (memo !== undefined) return memo;
      throw new Pending(at, runVi({ seed: host.seed, signal: host.options.signal, progress: host.options.viProgress, trainProgress: host.options.trainProgress, err: host.err, instanceOf }, args, kwargs, span).then(posteriorValue));
    }),
    builtin("argmax", (args, _kwargs, span) => {
      const x = asTensorValue(args[0]!, span);
      return tensor(tf.add(tf.cast(tf.argMax(x.t, -1), "float32"), 1), x.batched);
    }),
    builtin("accuracy", (args, _kwargs, span) => {
      const p = args[0]!;
      const truth = asTensorValue(args[1]!, span, "the true labels").t;
      if (p.kind === "record" && p.fields.has("probs")) {
        const probs = asTensorValue(p.fields.get("probs")!, span).t;
        // Bernoulli probabilities are over classes 0, 1; Categorical over 1..K.
        const first = p.fields.get("family")?.kind === "str" && (p.fields.get("family") as { v: string }).v === "Bernoulli" ? 0 : 1;
        const pred = tf.add(tf.argMax(probs, -1), first);
        return num(tf.mean(tf.cast(tf.equal(tf.cast(pred, "float32"), truth), "float32")).dataSync()[0]!);
      }
      throw new DlmError("accuracy needs a classifier's prediction (`pred.y` of a Bernoulli or Categorical variable)", span);
    }),
    builtin("rmse", (args, _kwargs, span) => {
      const p = args[0]!;
      const m = p.kind === "record" && p.fields.has("mean") ? p.fields.get("mean")! : p;
      const d = tf.sub(asTensorValue(m, span).t, asTensorValue(args[1]!, span).t);
      return num(Math.sqrt(tf.mean(tf.square(d)).dataSync()[0]!));
    }),
  ];
}

/** An incremental script session (the REPL): one input at a time, variables kept. */
export interface Session {
  /**
   * Run one input (any number of statements); resolves true if it ran without error. With
   * `file`, the input is that file's text: its paths are relative to the file's folder and its
   * errors name it (else they are relative to the session's file, the working folder in the REPL).
   */
  run(input: string, file?: string): Promise<boolean>;
  /** Names defined by the user so far, with a short description of each value. */
  variables(): { name: string; description: string }[];
  /** Type and shape of an expression, without running any `~`. */
  typeOf(expression: string): Promise<string>;
}

/** Every name a script can use without defining it: builtins, script builtins, constants. */
export function globalNames(): string[] {
  const host: Host = { file: "<names>", here: "<names>", seed: 1, out: () => undefined, source: "", memo: new Map(), visits: new Map(), calls: 0, options: {}, err: () => undefined };
  const extra = new Map<string, Value>();
  for (const b of scriptBuiltins(host)) extra.set((b as { name: string }).name, b);
  for (const b of predictiveBuiltins(builtinValues())) extra.set(b.name, b);
  const names: string[] = [];
  for (let env: Env | undefined = globalEnv(extra); env !== undefined; env = env.parent) names.push(...env.vars.keys());
  return [...new Set(names)];
}

export function createSession(options: ScriptOptions = {}): Session {
  // A statement that waits for `sample` (or `train`, `vi`, a plot) runs again from its start
  // with the result memoised, and prints again what it printed before it waited: those lines
  // are skipped, so a loop that samples prints each line once.
  const replay = { running: false, printed: 0, seen: 0 };
  const once = (write: (l: string) => void) => (line: string): void => {
    if (replay.running && ++replay.seen <= replay.printed) return;
    if (replay.running) replay.printed++;
    write(line);
  };
  const rawErr = options.err ?? ((l: string) => console.error(l));
  const err = once(rawErr);
  const host: Host = { file: options.file ?? "<repl>", here: options.file ?? "<repl>", seed: options.seed ?? 1, out: once(options.out ?? ((l) => console.log(l))), source: "", memo: new Map(), visits: new Map(), calls: 0, options, err };
  const extra = new Map<string, Value>();
  for (const b of scriptBuiltins(host)) extra.set((b as { name: string }).name, b);
  for (const b of predictiveBuiltins(builtinValues())) extra.set(b.name, b);
  const globals = globalEnv(extra);
  const builtinNames = new Set(globals.vars.keys());
  /** Names known to the static check of `program`: everything defined so far except what it redefines. */
  const knownFor = (program: Program, source: string): string[] => {
    const redefined = new Set(program.body.flatMap((s) => (s.kind === "Fn" || s.kind === "Network" || s.kind === "Model") && !builtinNames.has(s.name) ? [s.name] : []));
    return [...globals.vars.keys(), ...includedNames(source, host.file)].filter((n) => !redefined.has(n));
  };

  // Where each definition came from (REPL inputs and included files), to render its errors.
  const origin = new WeakMap<object, { source: string; file: string }>();
  // Warnings already shown, by model definition: a statement that waits for `sample` runs
  // again and makes its instances again, and a model's loops are the same for every instance.
  const warned = new WeakMap<object, Set<string>>();

  /** Errors raised while running code from `file` carry that file (and its source is kept). */
  const inFile = (e: unknown, file: string, source: string): unknown =>
    e instanceof DlmError && e.file === undefined ? new DlmError(e.message, e.span, e.hint, file, source) : e;

  const ctxFor = (source: string): EvalContext => ({
    handler: scriptHandler,
    globals,
    source,
    depth: 0,
    callModel: (m, args, kwargs, span) => {
      const from = origin.get(m.def) ?? { source: host.source, file: host.file };
      let inst: ModelInstance;
      try {
        inst = instantiate(m.def, args, kwargs, span, { globals, source: from.source, file: from.file, seed: fold(makeKey(host.seed), host.calls++) });
      } catch (e) {
        // The argument check points at the call; everything else at the model's own text.
        throw e instanceof DlmError && e.span !== span ? inFile(e, from.file, from.source) : e;
      }
      let shown = warned.get(m.def);
      if (shown === undefined) warned.set(m.def, (shown = new Set()));
      for (const w of inst.warnings) {
        const key = `${w.span.start}:${w.message}`;
        if (shown.has(key)) continue;
        shown.add(key);
        // Shown once per model definition already, so not through the replay gate.
        rawErr(renderError(new DlmError(w.message, w.span), from.source, from.file).replace(": error:", ": warning:"));
      }
      return opaque("model instance", inst, `an instance of the model ${m.def.name} (${inst.latents.length} latent variable${inst.latents.length === 1 ? "" : "s"}, ${inst.layout.dim} unconstrained dimensions)`);
    },
  });

  async function runStatement(s: Stmt, env: Env, source: string, file: string): Promise<void> {
    host.memo.clear();
    if (s.kind === "Fn" || s.kind === "Network" || s.kind === "Model") {
      origin.set(s, { source, file });
      definedNow.add(s.name);
    }
    if (s.kind === "Include") {
      try {
        await include(s.path, s.span, file);
      } catch (e) {
        // An include statement's own error belongs to the file that holds it.
        throw file === host.file ? e : inFile(e, file, source);
      }
      return;
    }
    const outer = host.here;
    host.here = file;
    try {
      await runAttempts(s, env, source, file);
    } finally {
      host.here = outer;
    }
  }

  /** Run `s` until it no longer waits for an asynchronous call. */
  async function runAttempts(s: Stmt, env: Env, source: string, file: string): Promise<void> {
    // Every run of the statement makes the same instances (seeds) and reaches the same calls.
    const calls = host.calls;
    replay.printed = 0;
    for (;;) {
      host.calls = calls;
      host.visits.clear();
      replay.seen = 0;
      replay.running = true;
      try {
        const ctx = ctxFor(source);
        if (s.kind === "ExprStmt" && env === globals && (options.echo ?? true)) {
          const v = evaluate(s.expr, env, ctx);
          if (v.kind !== "missing") host.out(show(v));
        } else runStmt(s, env, ctx);
        return;
      } catch (e) {
        if (!(e instanceof Pending)) throw file === host.file ? e : inFile(e, file, source);
        replay.running = false;
        host.memo.set(e.at, await e.promise);
      } finally {
        replay.running = false;
      }
    }
  }

  async function runProgram(program: Program, source: string, file: string): Promise<void> {
    // Definitions are hoisted: a script may use a model defined further down.
    const isDef = (s: Stmt): boolean => s.kind === "Fn" || s.kind === "Network" || s.kind === "Model";
    for (const s of program.body.filter(isDef)) await runStatement(s, globals, source, file);
    for (const s of program.body.filter((x) => !isDef(x))) await runStatement(s, globals, source, file);
  }

  /** The files being included, outermost first (the script itself is not among them). */
  const including: string[] = [];
  /** The models, fns and networks the running input has defined so far (its own and its includes'). */
  const definedNow = new Set<string>();

  async function include(path: string, span: Span, from: string): Promise<void> {
    const full = resolvePath(path, from);
    if (full === resolvePath(from, from)) throw new DlmError(`\`include "${path}"\` includes the file that contains it`, span);
    // A cycle through the script itself or through files being included: name every file on it.
    const chain = [resolvePath(host.file, host.file), ...including];
    const at = chain.indexOf(full);
    if (at >= 0) {
      const cycle = [...chain.slice(at), full].map((f) => basename(f)).join(" → ");
      throw new DlmError(`include cycle: ${cycle}`, span, "a file may not include, directly or through other files, a file that is including it");
    }
    const text = readIncludedSource(full, path, span);
    // Like an input, an included file may redefine what earlier inputs defined (`:reload` of a
    // file that includes another), but not what this input has defined.
    const redefined = new Set(parse(text, full).program.body.flatMap((t) => (t.kind === "Fn" || t.kind === "Network" || t.kind === "Model") && !builtinNames.has(t.name) && !definedNow.has(t.name) ? [t.name] : []));
    const parsed = parseChecked(text, full, [...globals.vars.keys(), ...includedNames(text, full)].filter((n) => !redefined.has(n)));
    including.push(full);
    try {
      await runProgram(parsed.program, text, full);
    } finally {
      including.pop();
    }
  }

  async function run(input: string, file?: string): Promise<boolean> {
    if (file === undefined || file === host.file) return runInput(input);
    const session = host.file;
    host.file = file;
    try {
      return await runInput(input);
    } finally {
      host.file = session;
    }
  }

  async function runInput(input: string): Promise<boolean> {
    const source = input;
    host.source = source;
    definedNow.clear();
    let program: Program;
    try {
      const parsed = parseChecked(source, host.file, knownFor(parse(source, host.file).program, source));
      for (const w of parsed.warnings) err(w.message);
      program = parsed.program;
    } catch (e) {
      if (e instanceof DlmProgramError) { err(e.message); return false; }
      throw e;
    }
    try {
      await runProgram(program, source, host.file);
      return true;
    } catch (e) {
      if (e instanceof DlmError && e.file !== undefined && e.source !== undefined) err(describeError(e, e.source, e.file));
      else if (e instanceof DlmProgramError) err(e.message);
      else err(describeError(e, source, host.file));
      return false;
    }
  }

  return {
    run,
    variables: () => [...globals.vars].map(([name, v]) => ({ name, description: describeValue(v) })),
    typeOf: async (expression) => {
      const src = expression;
      try {
        const parsed = parseChecked(src, host.file, globals.vars.keys());
        const s = parsed.program.body[0];
        if (s?.kind !== "ExprStmt") return "not an expression";
        return describeValue(evaluate(s.expr, globals, ctxFor(src)));
      } catch (e) {
        return e instanceof DlmProgramError ? e.message : describeError(e, src, host.file);
      }
    },
  };
}

/** A user-facing message for any error: DlmErrors rendered with their location, never a stack. */
export function describeError(e: unknown, source: string, file: string): string {
  if (e instanceof DlmError) return renderError(e, source, file);
  if (e instanceof DlmProgramError) return e.message;
  if (e instanceof Pending) return `${file}: error: an asynchronous call (sample) can only be used in a script statement`;
  const message = e instanceof Error ? e.message : String(e);
  if (process.env["DLM_DEBUG"] && e instanceof Error) return `${file}: internal error: ${e.stack ?? message}`;
  return `${file}: internal error: ${message}`;
}

/** Run a whole script; resolves to the exit status (0 on success, 1 on any error). */
export async function runScript(source: string, options: ScriptOptions = {}): Promise<number> {
  const file = options.file ?? "<script>";
  const session = createSession({ echo: false, ...options, file });
  return (await session.run(source)) ? 0 : 1;
}

export { asInt };
