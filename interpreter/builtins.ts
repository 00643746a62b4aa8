/**
 * The global environment of every `.dlm` program: math and array builtins, distributions
 * (from distributions/'s registry) and layers (from nn/'s registry), by the names users write.
 */
import type { Span } from "../grammar/ast.js";
import { ACTIVATIONS, LAYERS, pair, ArgumentError } from "../nn/index.js";
import { ARRAY_BUILTINS } from "./builtins-array.js";
import { DIST_BUILTINS } from "./builtins-dist.js";
import { LINALG_BUILTINS } from "./builtins-linalg.js";
import { MATH_BUILTINS, builtin } from "./builtins-math.js";
import { DISTRIBUTION_NAMES, distSpec, makeDistValue } from "./dist-value.js";
import { DlmError } from "./errors.js";
import { asNumber, childEnv, describeValue, type Builtin, type Env, type Value } from "./value.js";

/** A `.dlm` value as the nn registry reads arguments: numbers, pairs, activation names, layers. */
function toHost(v: Value, span: Span): unknown {
  switch (v.kind) {
    case "num": return v.v;
    case "bool": return v.v;
    case "str": return v.v;
    case "list": return v.items.map((x) => toHost(x, span));
    case "layer": return v.layer;
    case "builtin": return v.name in ACTIVATIONS ? v.name : v;
    case "record":
      if (v.tag === "pair") return pair(asNumber(v.fields.get("from")!, span), asNumber(v.fields.get("to")!, span));
      return v;
    case "tensor": if (!v.batched && v.t.size === 1) return v.t.dataSync()[0]; return v;
    default: throw new DlmError(`a layer argument cannot be ${describeValue(v)}`, span);
  }
}

function layerBuiltin(name: string): Builtin {
  const entry = LAYERS[name]!;
  return builtin(name, (args, kwargs, span) => {
    try {
      const layer = entry.make({
        positional: args.map((a) => toHost(a, span)),
        keywords: Object.fromEntries([...kwargs].map(([k, x]) => [k, toHost(x, span)])),
      });
      return { kind: "layer", layer };
    } catch (e) {
      if (e instanceof ArgumentError || e instanceof Error) throw new DlmError(e.message, span, `usage: ${entry.doc}`);
      throw e;
    }
  });
}

function distBuiltin(name: string): Builtin {
  const spec = distSpec(name)!;
  return builtin(name, (args, kwargs, span) => makeDistValue(spec, args, kwargs, span, name));
}

/** Every builtin value, by name. */
export function builtinValues(): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const b of [...MATH_BUILTINS, ...ARRAY_BUILTINS, ...LINALG_BUILTINS, ...DIST_BUILTINS]) out.set(b.name, b);
  for (const name of DISTRIBUTION_NAMES) out.set(name, distBuiltin(name));
  for (const name of Object.keys(LAYERS)) out.set(name, layerBuiltin(name));
  out.set("pi", { kind: "num", v: Math.PI });
  out.set("Inf", { kind: "num", v: Infinity });
  return out;
}

/** The root scope: builtins, below any program definitions. */
export function globalEnv(extra: ReadonlyMap<string, Value> = new Map()): Env {
  const root = childEnv(undefined, true);
  for (const [k, v] of builtinValues()) root.vars.set(k, v);
  for (const [k, v] of extra) root.vars.set(k, v);
  return childEnv(root, true);
}
