/**
 * The global environment of every `.dlm` program: math and array builtins, distributions
 * (from distributions/'s registry) and layers (from nn/'s registry), by the names users write.
 */
import { BindError } from "../core/bind.js";
import type { Span } from "../grammar/ast.js";
import { ACTIVATIONS, LAYERS, pair, ArgumentError, type Layer } from "../nn/index.js";
import { ARRAY_BUILTINS } from "./builtins-array.js";
import { DIST_BUILTINS } from "./builtins-dist.js";
import { LINALG_BUILTINS } from "./builtins-linalg.js";
import { MATH_BUILTINS, builtin } from "./builtins-math.js";
import { DISTRIBUTION_NAMES, distSpec, makeDistValue } from "./dist-value.js";
import { DlmError } from "./errors.js";
import { asNumber, childEnv, describeValue, type Builtin, type Env, type Value } from "./value.js";

/** A `.dlm` value as the nn registry reads arguments: numbers, pairs, activation names, layers. */
export function toHost(v: Value, span: Span): unknown {
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

/** Identities of layer objects, for the cache keys below. */
const layerIds = new WeakMap<object, number>();
let nextLayerId = 0;

/**
 * A key that identifies a layer call by its arguments, or undefined when an argument is not a
 * plain description (a tensor, a user function): numbers, strings, pairs, activation names and
 * (already cached) layers by identity.
 */
function callKey(args: readonly unknown[], kwargs: readonly (readonly [string, unknown])[]): string | undefined {
  const part = (x: unknown): string | undefined => {
    switch (typeof x) {
      case "number": return `n${x}`;
      case "string": return `s${JSON.stringify(x)}`;
      case "boolean": return x ? "T" : "F";
      case "object": {
        if (x === null) return undefined;
        if (Array.isArray(x)) {
          const items = x.map(part);
          return items.includes(undefined) ? undefined : `[${items.join(",")}]`;
        }
        if ("kind" in x && x.kind === "pair" && "from" in x && "to" in x) return `p${String(x.from)}>${String(x.to)}`;
        if ("apply" in x && "paramSpecs" in x) {
          let id = layerIds.get(x);
          if (id === undefined) layerIds.set(x, (id = nextLayerId++));
          return `l${id}`;
        }
        return undefined;
      }
      default: return undefined;
    }
  };
  const parts = [...args.map(part), ...kwargs.map(([k, v]) => { const p = part(v); return p === undefined ? undefined : `${k}=${p}`; })];
  return parts.includes(undefined) ? undefined : parts.join(";");
}

/** Most distinct argument lists cached per layer constructor (a bound, not a working set). */
const LAYER_CACHE_LIMIT = 512;

function layerBuiltin(name: string): Builtin {
  const entry = LAYERS[name]!;
  // Layers are immutable descriptions (parameters and running state live elsewhere), so a call
  // with the same arguments may return the same object. A model body that builds its network
  // on every log-density evaluation then gets the same layer each time, which lets the
  // network code cache what it derives from a layer (parameter leaves, names).
  const cache = new Map<string, Layer>();
  return builtin(name, (args, kwargs, span) => {
    try {
      const positional = args.map((a) => toHost(a, span));
      const keywords = [...kwargs].map(([k, x]) => [k, toHost(x, span)] as const);
      const k = callKey(positional, keywords);
      const hit = k === undefined ? undefined : cache.get(k);
      if (hit !== undefined) return { kind: "layer", layer: hit };
      const layer = entry.make({ positional, keywords: Object.fromEntries(keywords) });
      if (k !== undefined) {
        if (cache.size >= LAYER_CACHE_LIMIT) cache.clear();
        cache.set(k, layer);
      }
      return { kind: "layer", layer };
    } catch (e) {
      // The binder's errors carry their own hint (a near keyword, or the usage line).
      if (e instanceof BindError) throw new DlmError(e.message, span, e.hint);
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
