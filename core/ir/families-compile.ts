/**
 * The families of families.ts as elementwise loops over broadcast arguments, for executors that
 * score a family outside generated code of their own (the tfjs executor's log-density op). Like
 * ops-compile.ts it builds functions from text: only argument counts and fixed names reach it;
 * the family's functions are passed in.
 */
import { FAMILIES, type FamilyName } from "./families.js";

/**
 * out[i] = log p at element i of the broadcast; partials[j][i] = its derivative by argument j,
 * for the arguments the loop was made to differentiate (the others' entries are not read).
 */
export type FamilyLoop = (n: number, data: readonly ArrayLike<number>[], maps: readonly (Int32Array | undefined)[], partials: readonly (Float64Array | undefined)[], out: Float32Array) => void;

const loops = new Map<string, FamilyLoop>();

/**
 * The loop of one family, generated once so that its call of the family's `lpg` is
 * monomorphic (a loop shared by every family calls ~20 different functions from one site,
 * and V8 then stops inlining: several times slower per element).
 */
export function familyLoop(family: FamilyName, wanted: readonly boolean[]): FamilyLoop {
  const key = `${family}:${wanted.map((w) => (w ? 1 : 0)).join("")}`;
  let loop = loops.get(key);
  if (loop !== undefined) return loop;
  const f = FAMILIES[family];
  const js = Array.from({ length: f.arity }, (_, j) => j);
  const arg = (j: number): string => `(x${j}.length === 1 ? x${j}[0] : m${j} === undefined ? x${j}[i] : x${j}[m${j}[i]])`;
  const body = [
    ...js.map((j) => `const x${j} = data[${j}], m${j} = maps[${j}], p${j} = partials[${j}];`),
    "const d = new Float64Array(4);",
    "for (let i = 0; i < n; i++) {",
    ...js.map((j) => `  const a${j} = ${arg(j)};`),
    `  let v = lpg(${[0, 1, 2, 3].map((j) => (j < f.arity ? `a${j}` : "0")).join(", ")}, d);`,
    f.constTerm !== undefined ? "  v += ct(a0, a1);" : "",
    "  out[i] = v;",
    ...js.filter((j) => wanted[j] === true).map((j) => `  p${j}[i] = d[${j}];`),
    "}",
  ].join("\n");
  const make = new Function("lpg", "ct", `return function familyLoop(n, data, maps, partials, out) {\n${body}\n};`) as (lpg: unknown, ct: unknown) => FamilyLoop;
  loop = make(f.lpg, f.constTerm);
  loops.set(key, loop);
  return loop;
}

