/**
 * Assignment targets: `x = e`, and the functional element update `x[i] = e` (x keeps its
 * shape; a latent-dependent e makes x latent-dependent, batched).
 */
import type { AssignTarget } from "../grammar/ast.js";
import { fail } from "./errors.js";
import type { EvalContext } from "./evaluate.js";
import { evaluate, indexSpecs } from "./evaluate.js";
import { assignIndex } from "./indexing.js";
import { asTensorValue, assignVar, describeValue, lookup, type Env, type Value } from "./value.js";

export function assignTo(target: AssignTarget, v: Value, env: Env, ctx: EvalContext): void {
  switch (target.kind) {
    case "Name":
      assignVar(env, target.name, v);
      return;
    case "Index": {
      if (target.target.kind !== "Name") fail(target.span, "assign into a named array: `x[i] = e`");
      const name = target.target.name;
      const cur = lookup(env, name);
      if (cur === undefined) fail(target.target.span, `\`${name}\` must exist before its elements are assigned`, `create it first, e.g. \`${name} = zeros(n)\``);
      if (cur.kind !== "tensor") fail(target.target.span, `cannot assign elements of ${describeValue(cur)}`);
      const specs = indexSpecs(target.indices, env, ctx);
      assignVar(env, name, assignIndex(cur, specs, asTensorValue(v, target.span, "the assigned value"), target.span));
      return;
    }
    case "Field":
      fail(target.span, "fields cannot be assigned");
  }
}

export { evaluate };
