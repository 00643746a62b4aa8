/** The inputs shared by `sample`, `vi` and `train`: a model from a .dlm file and its data. */
import type { ModelDef, Program } from "../grammar/index.js";
import { suggest } from "../grammar/index.js";
import { loadData, type DataRecord } from "./data.js";
import { UserError } from "./errors.js";
import { modelsOf, parseOrFail, readSource } from "./source.js";

export interface ModelInput {
  readonly file: string;
  readonly source: string;
  readonly program: Program;
  readonly model: ModelDef;
  readonly data: DataRecord;
}

/** The model `name` of `program`, or a UserError listing the models there are. */
export function findModel(program: Program, name: string, file: string): ModelDef {
  const models = modelsOf(program);
  const def = models.get(name);
  if (def) return def;
  if (models.size === 0) throw new UserError(`${file}: there is no model in this file (looked for '${name}')`);
  const near = suggest(name, models.keys());
  const hint = near ? `; did you mean '${near}'?` : `; the models here are: ${[...models.keys()].join(", ")}`;
  throw new UserError(`${file}: no model named '${name}'${hint}`);
}

/** Every positional argument of `model` must have data; keys the model does not use are ignored (as Stan does). */
export function checkArguments(model: ModelDef, data: DataRecord, dataFile: string): void {
  const absent = model.params.map((p) => p.name).filter((n) => !data.has(n));
  if (absent.length === 0) return;
  const signature = `${model.name}(${model.params.map((p) => p.name).join(", ")})`;
  const which = absent.map((n) => `'${n}'`).join(", ");
  throw new UserError(`${dataFile}: no value for ${absent.length === 1 ? "the argument" : "the arguments"} ${which} of model ${signature}`);
}

/** Reads, parses and checks the file and the data. */
export async function readModelInput(file: string, modelName: string, dataFile: string): Promise<ModelInput> {
  const source = await readSource(file);
  const program = parseOrFail(source, file);
  const model = findModel(program, modelName, file);
  const data = await loadData(dataFile);
  checkArguments(model, data, dataFile);
  return { file, source, program, model, data };
}
