/**
 * `network name(args) { sub = Layer(...); ...; forward(x) = expr }`: the statements build
 * named sub-layers, `forward` is evaluated by the same evaluator whenever the network runs
 * (nn/block.ts supplies the parameters of each sub-layer). Inside `forward`, each sub-layer
 * name is a function of one array; the input carries the chain axis when the parameters do.
 */
import { tf } from "../core/engine.js";
import type { NetworkDef, Span } from "../grammar/ast.js";
import { block, type BlockCall } from "../nn/index.js";
import type { ApplyContext, Layer } from "../nn/layer.js";
import { DlmError, fail } from "./errors.js";
import { evaluate, runBlock, ReturnSignal, type EvalContext } from "./evaluate.js";
import { asTensorValue, childEnv, describeValue, tensor, type Env, type Value } from "./value.js";

/** Build the layer of a block-form network, given its bound parameter scope. */
export function buildBlockNetwork(def: NetworkDef, env: Env, ctx: EvalContext, span: Span): Layer {
  if (def.body.kind !== "NetworkBlock") return fail(span, "internal: not a network block");
  const body = def.body;
  const plain: EvalContext = { handler: ctx.handler, globals: ctx.globals, source: ctx.source, depth: ctx.depth + 1 };
  runBlock(body.body, env, plain);
  const layers: Record<string, Layer> = {};
  for (const [k, v] of env.vars) if (v.kind === "layer") layers[k] = v.layer;
  const fwd = body.forward;
  if (fwd.params.length !== 1) fail(fwd.span, "`forward` takes one argument: the input array");
  const xname = fwd.params[0]!.name;
  let batched = false;
  const run = (call: BlockCall, x: tf.Tensor): tf.Tensor => {
    const fenv = childEnv(env, true);
    for (const name of Object.keys(layers)) {
      // A plain builtin value, not builtin()'s: a layer may share a builtin's name, not its signature.
      fenv.vars.set(name, { kind: "builtin", name, call: (args, _kw, s) => {
        if (args.length !== 1) fail(s, `the layer \`${name}\` takes one argument`);
        return tensor(call(name, asTensorValue(args[0]!, s).t), batched);
      } });
    }
    fenv.vars.set(xname, tensor(x, batched));
    let out: Value;
    if (fwd.body.kind === "Block") {
      try {
        runBlock(fwd.body.body, fenv, plain);
        throw new DlmError("`forward` must end with `return`", fwd.span);
      } catch (sig) {
        if (!(sig instanceof ReturnSignal)) throw sig;
        out = sig.value;
      }
    } else out = evaluate(fwd.body, fenv, plain);
    if (out.kind !== "tensor") fail(fwd.span, `\`forward\` should return an array, but returns ${describeValue(out)}`);
    return out.t;
  };
  const inner = block(def.name, layers, run);
  // Record whether the activations carry the chain axis for the evaluation of `forward`.
  return {
    ...inner,
    apply: (params, x, actx: ApplyContext) => {
      const saved = batched;
      batched = actx.batched;
      try {
        return inner.apply(params, x, actx);
      } finally {
        batched = saved;
      }
    },
  };
}

