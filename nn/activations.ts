/**
 * Activation functions (NNlib names), as named values so that layers can print themselves
 * (`Dense(2 => 16, tanh)`) and the interpreter can look them up by name.
 *
 * All act elementwise except `softmax` and `logsoftmax`, which act over the last axis.
 */
import { tf } from "../core/engine.js";
import { logSigmoid, softplus as specialSoftplus } from "../core/special.js";

export interface Activation {
  readonly kind: "activation";
  /** The user-facing name, as printed by `describe()`. */
  readonly name: string;
  readonly fn: (x: tf.Tensor) => tf.Tensor;
}

/** An activation from a name and a function (e.g. a user's `fn` wrapped by the interpreter). */
export function activation(name: string, fn: (x: tf.Tensor) => tf.Tensor): Activation {
  return { kind: "activation", name, fn };
}

const GELU_C = Math.sqrt(2 / Math.PI);

export const identity = activation("identity", (x) => x);
export const relu = activation("relu", (x) => tf.relu(x));
/** leakyrelu(x, a) = max(a·x, x), a = 0.01 (NNlib default). */
export function leakyrelu(a = 0.01): Activation {
  return activation(a === 0.01 ? "leakyrelu" : `leakyrelu(${a})`, (x) => tf.leakyRelu(x, a));
}
/** elu(x) = x for x > 0, α(eˣ − 1) otherwise, α = 1 (Clevert et al. 2016). */
export const elu = activation("elu", (x) => tf.elu(x));
/** selu(x) = λ·elu_α(x), λ ≈ 1.0507, α ≈ 1.6733 (Klambauer et al. 2017). */
export const selu = activation("selu", (x) => tf.selu(x));
/**
 * gelu(x) = x/2 · (1 + tanh(√(2/π)(x + 0.044715x³))): the tanh approximation that NNlib's
 * `gelu` uses (Hendrycks & Gimpel 2016, eq. 2).
 */
export const gelu = activation("gelu", (x) =>
  tf.tidy(() => {
    const inner = tf.mul(GELU_C, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
    return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
  }),
);
/** gelu_erf(x) = x·Φ(x) = x/2 · (1 + erf(x/√2)), the exact form. */
export const geluErf = activation("gelu_erf", (x) =>
  tf.tidy(() => tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.mul(Math.SQRT1_2, x))))),
);
/** swish(x) = silu(x) = x·σ(x) (Ramachandran et al. 2017). */
export const swish = activation("swish", (x) => tf.tidy(() => tf.mul(x, tf.sigmoid(x))));
export const silu = activation("silu", swish.fn);
export const tanh = activation("tanh", (x) => tf.tanh(x));
/** σ(x) = 1 / (1 + e⁻ˣ). */
export const sigmoid = activation("sigmoid", (x) => tf.sigmoid(x));
/** softplus(x) = log(1 + eˣ), computed stably (core/special.ts). */
export const softplus = activation("softplus", (x) => specialSoftplus(x));
/** logsigmoid(x) = log σ(x) = −softplus(−x). */
export const logsigmoid = activation("logsigmoid", (x) => logSigmoid(x));
/** softmax over the last axis: exp(xᵢ − logsumexp(x)). */
export const softmax = activation("softmax", (x) => tf.softmax(x, -1));
/** logsoftmax over the last axis: xᵢ − logsumexp(x). */
export const logsoftmax = activation("logsoftmax", (x) => tf.logSoftmax(x, -1));

/** Activations by user-facing name (NNlib's, with `σ` and the `silu`/`swish` aliases). */
export const ACTIVATIONS: Readonly<Record<string, Activation>> = {
  identity,
  relu,
  leakyrelu: leakyrelu(),
  elu,
  selu,
  gelu,
  gelu_erf: geluErf,
  swish,
  silu,
  tanh,
  sigmoid,
  σ: sigmoid,
  softplus,
  logsigmoid,
  softmax,
  logsoftmax,
};

/** Look up an activation by name, or pass one through. Throws with the known names. */
export function toActivation(a: Activation | string): Activation {
  if (typeof a !== "string") return a;
  const found = ACTIVATIONS[a];
  if (!found) throw new Error(`unknown activation '${a}'; known: ${Object.keys(ACTIVATIONS).join(", ")}`);
  return found;
}
