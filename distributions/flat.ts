/**
 * The improper priors Flat() (on the reals) and FlatPos() (on the positive reals):
 * logProb = 0 on the support (−∞ off it). They have no normalised density, so `sample` throws
 * a DistributionError; inference initialises such parameters itself, in unconstrained space
 * (Stan's uniform(−2, 2)), never by sampling the prior. Mean and variance are NaN.
 */
import { tf } from "../core/engine.js";
import { positive, real } from "./constraints.js";
import { DistributionError, type Distribution } from "./distribution.js";
import { makeDistribution, type DistributionOptions } from "./util.js";

function improper(name: "Flat" | "FlatPos", options: DistributionOptions): Distribution {
  return makeDistribution({
    name,
    support: name === "Flat" ? real : positive,
    paramShapes: [],
    options,
    logProb: (x) => tf.zerosLike(x),
    sample: () => {
      throw new DistributionError(`${name}() is an improper prior and cannot be sampled; give the parameter an initial value or a proper prior`);
    },
    mean: () => tf.scalar(NaN),
    variance: () => tf.scalar(NaN),
  });
}

/** Flat(): the improper uniform prior on the real line. */
export function flat(options: DistributionOptions = {}): Distribution {
  return improper("Flat", options);
}

/** FlatPos(): the improper uniform prior on the positive reals. */
export function flatPos(options: DistributionOptions = {}): Distribution {
  return improper("FlatPos", options);
}
