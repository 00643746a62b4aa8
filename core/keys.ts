/**
 * Explicit, reproducible randomness.
 *
 * A `Key` is an immutable pair of 32-bit words. Keys are derived, never mutated: `split`
 * gives independent children, `fold` derives a key from an integer (a chain index, an
 * iteration). Numbers come from `stream(key)`, a seedrandom (Alea) generator seeded by the
 * key, so every draw in the project is a pure function of one user seed. The same key gives
 * the same numbers on every backend because all draws are made on the host in float64 and
 * only then uploaded. This module is free of tfjs so that sampler worker threads can load it
 * without it; core/random.ts adds the tensor forms.
 */
import seedrandom from "seedrandom";

export type Key = readonly [number, number];

/** murmur3's 32-bit finaliser: a bijective avalanche mix. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A root key from a user seed (any finite number; its integer part and sign are used). */
export function key(seed: number): Key {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const s = Math.trunc(seed);
  const lo = s >>> 0;
  const hi = Math.floor(s / 2 ** 32) >>> 0;
  return [mix32(lo ^ 0x9e3779b9), mix32(hi ^ mix32(lo + 0x7f4a7c15))];
}

/** A key derived from `k` and an integer, e.g. a chain index or an iteration number. */
export function fold(k: Key, data: number): Key {
  const d = data >>> 0;
  const a = mix32(k[0] ^ mix32(d + 0x632be5ab));
  const b = mix32(k[1] + Math.imul(a, 0x2545f491) + d);
  return [a, b];
}

/** `n` independent keys derived from `k`. */
export function split(k: Key, n = 2): Key[] {
  return Array.from({ length: n }, (_, i) => fold(k, 0x51ed270b + i));
}

/** A sequential generator of host-side numbers, fully determined by its key. */
export interface RandomStream {
  /** Uniform on [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
  /** Gamma(shape, rate = 1), shape > 0 (Marsaglia & Tsang 2000, with the shape < 1 boost). */
  gamma(shape: number): number;
}

export function stream(k: Key): RandomStream {
  const next = seedrandom.alea(`${k[0]}:${k[1]}`);
  // Alea can return exactly 0; the open interval keeps logs finite.
  const uniformOpen = (): number => {
    let u = next();
    while (u === 0) u = next();
    return u;
  };
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    // Box–Muller, both values used.
    const r = Math.sqrt(-2 * Math.log(uniformOpen()));
    const t = 2 * Math.PI * next();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
  const gamma = (shape: number): number => {
    if (!(shape > 0)) throw new RangeError(`gamma shape must be positive, got ${shape}`);
    if (shape < 1) return gamma(shape + 1) * Math.pow(uniformOpen(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = uniformOpen();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  };
  return { uniform: next, normal, gamma };
}

/** Float32 array of `n` standard normals. */
export function normalArray(k: Key, n: number): Float32Array {
  const s = stream(k);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = s.normal();
  return out;
}

/** Float32 array of `n` uniforms on [lo, hi). */
export function uniformArray(k: Key, n: number, lo = 0, hi = 1): Float32Array {
  const s = stream(k);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * s.uniform();
  return out;
}

