/**
 * The posteriordb benchmark set as the runner and the tests see it: each posterior's `.dlm`
 * translation (models/<posterior>.dlm, model named after posteriordb's model_name), its data
 * (Stan JSON) and its reference summary (posterior mean and sd per Stan-named scalar, with the
 * reference's own draw count / minimum bulk ESS). A translation that float32 cannot run as
 * posteriordb wrote it (gp_pois_regr's 1e-10 jitter) has a variant in models/float32/ that
 * tfjs runs take (`loadPosterior(name, "tfjs")`). Data live outside the repository, in
 * $POSTERIORDB_DIR (default benchmarks/posteriordb in the shared data folder, bench/paths.ts);
 * see its README.md.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { POSTERIORDB_DIR, benchPath } from "../paths.js";
import { compile, modelInstance, type DataValue } from "../../interpreter/program.js";
import { posteriorModel, type ModelInstance } from "../../interpreter/instance.js";
import type { PosteriorModel } from "../../core/model.js";
import type { Engine } from "../../interpreter/record-model.js";
import { tf } from "../../core/engine.js";
import { valueAndGrad } from "../../core/autodiff.js";

/** Folder of the translations. */
export const MODELS_DIR = benchPath("posteriordb", "models");

/** Folder of the float32 variants of translations (same file names), for tfjs runs. */
export const FLOAT32_MODELS_DIR = join(MODELS_DIR, "float32");

/** Folder of the posteriordb data and references. */
export const DATA_DIR = POSTERIORDB_DIR;

/** One scalar of a reference posterior. */
export interface ReferenceParam {
  readonly mean: number;
  readonly sd: number;
}

/** A reference posterior summary (reference.json). */
export interface Reference {
  readonly nDraws: number;
  /** The reference's minimum bulk ESS over its parameters, where known. */
  readonly essBulkMin?: number;
  readonly params: ReadonlyMap<string, ReferenceParam>;
}

/** One posterior of the set, loaded. */
export interface Posterior {
  /** posteriordb's posterior name, e.g. "eight_schools-eight_schools_noncentered". */
  readonly name: string;
  /** The model's name in the `.dlm` file (posteriordb's model_name). */
  readonly modelName: string;
  readonly file: string;
  readonly source: string;
  /** Every key of data.json (the model takes those of them it declares as arguments). */
  readonly data: Readonly<Record<string, DataValue>>;
  readonly reference: Reference;
  /** info.json's `reference_param_names`: the scalars the check compares. */
  readonly referenceNames: readonly string[];
}

/** The posteriors that have a translation, sorted by name. */
export function posteriorNames(): string[] {
  return readdirSync(MODELS_DIR).filter((f) => f.endsWith(".dlm")).map((f) => f.slice(0, -4)).sort();
}

/** Whether the data folder of the benchmark set is present on this machine. */
export function dataAvailable(): boolean {
  return existsSync(DATA_DIR);
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));

function asRecord(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`${what}: expected a JSON object`);
  return v as Record<string, unknown>;
}

/** Reads reference.json: per-parameter mean and sd, n_draws and reference_ess_bulk_min. */
export function parseReference(json: unknown): Reference {
  const r = asRecord(json, "reference.json");
  const params = new Map<string, ReferenceParam>();
  for (const [k, v] of Object.entries(asRecord(r["params"], "reference.json params"))) {
    const p = asRecord(v, `reference.json ${k}`);
    params.set(k, { mean: Number(p["mean"]), sd: Number(p["sd"]) });
  }
  const ess = r["reference_ess_bulk_min"];
  return {
    nDraws: Number(r["n_draws"]),
    ...(typeof ess === "number" && Number.isFinite(ess) ? { essBulkMin: ess } : {}),
    params,
  };
}

/**
 * Loads one posterior: its translation, data, reference and the names to compare. For the tfjs
 * engine (float32) the translation is the float32 variant where there is one.
 */
export function loadPosterior(name: string, engine?: Engine): Posterior {
  const variant = join(FLOAT32_MODELS_DIR, `${name}.dlm`);
  const file = engine === "tfjs" && existsSync(variant) ? variant : join(MODELS_DIR, `${name}.dlm`);
  const dir = join(DATA_DIR, name);
  const info = asRecord(readJson(join(dir, "info.json")), "info.json");
  const data = asRecord(readJson(join(dir, "data.json")), "data.json") as Record<string, DataValue>;
  const names = info["reference_param_names"];
  return {
    name,
    modelName: String(info["model_name"]),
    file,
    source: readFileSync(file, "utf8"),
    data,
    reference: parseReference(readJson(join(dir, "reference.json"))),
    referenceNames: Array.isArray(names) ? names.map(String) : [],
  };
}

/** Compiles the translation and binds the data keys the model declares as arguments. */
export function instantiatePosterior(p: Posterior): ModelInstance {
  const prog = compile(p.source, p.file);
  const def = prog.program.body.find((s) => s.kind === "Model" && s.name === p.modelName);
  if (def?.kind !== "Model") throw new Error(`${p.file}: no model named ${p.modelName}`);
  const args = Object.fromEntries(def.params.filter((a) => a.name in p.data).map((a) => [a.name, p.data[a.name]!]));
  return modelInstance(prog, p.modelName, args);
}

/** A posterior's batched model at a fixed point, with one value + gradient call as a sampler makes it. */
export interface GradientProbe {
  readonly model: PosteriorModel;
  /** [chains, dim]: a fixed point near the unconstrained origin (no random draws: the same every run). */
  readonly q: tf.Tensor2D;
  /** Value and gradient at q, with the host read of the gradient a sampler does; disposes its results. */
  readonly gradient: () => void;
}

export function gradientProbe(name: string, chains: number): GradientProbe {
  const model = posteriorModel(instantiatePosterior(loadPosterior(name)));
  const q = tf.tidy(() => tf.mul(tf.sin(tf.reshape(tf.range(0, chains * model.dim), [chains, model.dim])), 0.5)) as tf.Tensor2D;
  const gradient = (): void => {
    const r = valueAndGrad((x: tf.Tensor2D) => model.logDensity(x), q);
    r.grad.dataSync();
    tf.dispose([r.value, r.grad]);
  };
  return { model, q, gradient };
}
