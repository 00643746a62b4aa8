/**
 * The families of families.ts as generated functions: a family's whole log density with its
 * parameter-only terms memoised (`familyScorer`), and loops over broadcast arguments for code
 * that scores a family outside generated code of its own (the family kernel of core/fused-family.ts, behind the tfjs executor's log-density op and
 * the distributions' densities and sums). Like ops-compile.ts it builds functions from text:
 * only argument counts, indices and fixed names reach it; the family's functions are passed in.
 */
import { FAMILIES, type Family, type FamilyName, type Lpg } from "./families.js";

/**
 * Over `rows` rows of `perRow` elements of the arguments' broadcast: out[i] = log p at element
 * i (`each`), or out[r] = Σ of row r's log densities (float64 accumulation); partials[j][i] =
 * its derivative by argument j, for the arguments the loop was made to differentiate (the
 * others' entries are not read). data[j] holds argument j (a single element broadcasts) and
 * maps[j] its flat index for each element of the broadcast (undefined: the identity).
 */
export type FamilyLoop = (
  rows: number,
  perRow: number,
  data: readonly ArrayLike<number>[],
  maps: readonly (Int32Array | undefined)[],
  partials: readonly (Float32Array | Float64Array | undefined)[],
  out: Float32Array | Float64Array,
) => void;

/** What a loop computes besides the log densities. */
export interface FamilyLoopOptions {
  /** One log density per element (else one sum per row). */
  readonly each: boolean;
  /** Include the family's value-only terms (`constTerm`, e.g. −lgamma(k + 1)); else leave them to the caller. */
  readonly withConst: boolean;
}

/**
 * A family's whole log density (`lpg` + `norm`, less `constTerm`) as one function, its
 * parameter-only terms recomputed only when a parameter they read differs from the previous
 * call's: in a loop over observations with per-chain parameters, once per chain. Each call
 * makes a new function with its own memory, so that each call site stays monomorphic.
 */
export function familyScorer(name: FamilyName): Lpg {
  const { lpg, norm, normArgs = [] } = FAMILIES[name] as Family;
  if (norm === undefined) return lpg;
  if (normArgs.length === 0) throw new Error(`internal: ${name} has a norm without normArgs`);
  // compare and add only the parameters `norm` reads: a mean that varies by observation must
  // not make a normaliser of σ alone be recomputed (the text holds only these indices)
  const names = ["x", "a", "b", "c"];
  const changed = normArgs.map((j) => `${names[j]} !== p${j}`).join(" || ");
  const remember = normArgs.map((j) => `p${j} = ${names[j]};`).join(" ");
  const add = normArgs.map((j) => `d[${j}] += nd[${j}];`).join(" ");
  const make = new Function(
    "lpg",
    "norm",
    `const nd = new Float64Array(4); let p1 = NaN, p2 = NaN, p3 = NaN, nv = 0;
return function scorer(x, a, b, c, d) {
  if (${changed}) { ${remember} nv = norm(a, b, c, nd); }
  const v = lpg(x, a, b, c, d);
  ${add}
  return v + nv;
};`,
  ) as (l: Lpg, n: NonNullable<Family["norm"]>) => Lpg;
  return make(lpg, norm);
}

const loops = new Map<string, FamilyLoop>();

/**
 * The loop of one family for arguments like `data` and `maps` (each read as one value, by
 * element or through its map), generated once per family, differentiated arguments, options
 * and way of reading each argument, so that its call of the family's scorer is monomorphic (a
 * loop shared by every family calls ~20 different functions from one site, and V8 then stops
 * inlining: several times slower per element).
 */
export function familyLoop(family: FamilyName, wanted: readonly boolean[], { each, withConst }: FamilyLoopOptions, data: readonly ArrayLike<number>[], maps: readonly (Int32Array | undefined)[]): FamilyLoop {
  // how each argument is read: one value for every element, element i, or through its map
  const kinds = data.map((x, j) => (x.length === 1 ? "c" : maps[j] === undefined ? "i" : "m"));
  const key = `${family}:${wanted.map((w) => (w ? 1 : 0)).join("")}:${each ? 1 : 0}${withConst ? 1 : 0}:${kinds.join("")}`;
  let loop = loops.get(key);
  if (loop !== undefined) return loop;
  const f = FAMILIES[family];
  const js = Array.from({ length: f.arity }, (_, j) => j);
  const arg = (j: number): string => (kinds[j] === "c" ? `c${j}` : kinds[j] === "i" ? `x${j}[i]` : `x${j}[m${j}[i]]`);
  // where every parameter of `norm` is one value for all elements, it runs once before the loop
  const normArgs = f.norm !== undefined ? (f.normArgs ?? []) : [];
  const hoisted = f.norm !== undefined && normArgs.every((j) => kinds[j] === "c");
  const body = [
    ...js.map((j) => `const x${j} = data[${j}], m${j} = maps[${j}], p${j} = partials[${j}], c${j} = x${j}[0];`),
    hoisted ? `const nv = norm(${[1, 2, 3].map((j) => (normArgs.includes(j) ? `c${j}` : "0")).join(", ")}, nd);` : "",
    "for (let r = 0; r < rows; r++) {",
    "  let acc = 0;",
    "  for (let i = r * perRow, end = i + perRow; i < end; i++) {",
    ...js.map((j) => `    const a${j} = ${arg(j)};`),
    `    let v = ${hoisted ? "lpg" : "scorer"}(${[0, 1, 2, 3].map((j) => (j < f.arity ? `a${j}` : "0")).join(", ")}, d);`,
    hoisted ? `    v += nv; ${normArgs.filter((j) => wanted[j] === true).map((j) => `d[${j}] += nd[${j}];`).join(" ")}` : "",
    f.constTerm !== undefined && withConst ? "    v += ct(a0, a1);" : "",
    each ? "    out[i] = v;" : "    acc += v;",
    ...js.filter((j) => wanted[j] === true).map((j) => `    p${j}[i] = d[${j}];`),
    "  }",
    each ? "" : "  out[r] = acc;",
    "}",
  ].join("\n");
  const make = new Function("lpg", "ct", "norm", "scorer", `const d = new Float64Array(4), nd = new Float64Array(4);\nreturn function familyLoop(rows, perRow, data, maps, partials, out) {\n${body}\n};`) as (lpg: unknown, ct: unknown, norm: unknown, scorer: unknown) => FamilyLoop;
  loop = make(f.lpg, f.constTerm, f.norm, hoisted ? undefined : familyScorer(family));
  loops.set(key, loop);
  return loop;
}
