/**
 * Linear algebra on symmetric positive-definite matrices (core/linalg, differentiable):
 * `cholesky(A)` (lower factor L, A = L Lᵀ), `solve(A, b)` (A⁻¹ b via the Cholesky factor; b a
 * vector or a matrix), `logdet(A)` (2 Σ log Lᵢᵢ). The chain axis is a batch axis.
 */
import { cholesky, choleskySolve, logDet } from "../core/linalg.js";
import { tf } from "../core/engine.js";
import { builtin } from "./builtins-math.js";
import { DlmError } from "./errors.js";
import { asTensorValue, shapeOf, tensor, type Builtin, type TensorValue } from "./value.js";
import type { Span } from "../grammar/ast.js";

function square(v: TensorValue, name: string, span: Span): number {
  const s = shapeOf(v);
  if (s.length !== 2 || s[0] !== s[1]) throw new DlmError(`${name} needs a square matrix, got shape [${s.join(", ")}]`, span);
  return s[0]!;
}

export const LINALG_BUILTINS: readonly Builtin[] = [
  builtin("cholesky", (args, _kwargs, span) => {
    const a = asTensorValue(args[0]!, span);
    square(a, "cholesky", span);
    return tensor(cholesky(a.t), a.batched);
  }),
  builtin("logdet", (args, _kwargs, span) => {
    const a = asTensorValue(args[0]!, span);
    square(a, "logdet", span);
    return tensor(logDet(a.t), a.batched);
  }),
  builtin("solve", (args, _kwargs, span) => {
    const a = asTensorValue(args[0]!, span);
    const b = asTensorValue(args[1]!, span);
    const n = square(a, "solve", span);
    const sb = shapeOf(b);
    if (sb[0] !== n || sb.length > 2) throw new DlmError(`solve(A, b): A is ${n}×${n} but b has shape [${sb.join(", ")}]`, span);
    const vec = sb.length === 1;
    const batched = a.batched || b.batched;
    let B = vec ? tf.expandDims(b.t, -1) : b.t;
    let A = a.t;
    // Give both operands the chain axis when one has it (core/linalg broadcasts batch axes).
    if (batched && !b.batched) B = tf.expandDims(B, 0);
    if (batched && !a.batched) A = tf.expandDims(A, 0);
    const x = choleskySolve(cholesky(A), B);
    return tensor(vec ? tf.squeeze(x, [x.rank - 1]) : x, batched);
  }),
];
