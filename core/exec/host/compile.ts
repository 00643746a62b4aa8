/**
 * The host executor: an IR graph (core/ir/graph.ts) compiled to ONE generated JavaScript
 * function in float64 that returns the value of a scalar output node and writes its gradient
 * with respect to θ, by reverse mode in one call: `(theta, grad) => value`.
 *
 * Every buffer (values, adjoints, the families' partials, broadcast offset maps) is allocated
 * once here and closed over, so a call allocates nothing. Nodes of one element live in local
 * variables; larger nodes in Float64Arrays with one loop per op. Nodes that the output does
 * not need are dropped, and adjoints are kept only for nodes that depend on θ.
 *
 * The generated text is built from the op templates (core/ir/ops.ts), node numbers and
 * numeric literals only: nothing from a model's source reaches `new Function`.
 */
import { FAMILIES, type FamilyName } from "../../ir/families.js";
import { inputsOf, liveNodes, sizeOf, type Graph, type Node } from "../../ir/graph.js";
import { broadcastOffsets, broadcastShapesOrThrow } from "../../broadcast.js";
import { linkHost } from "./compile-link.js";
import { BINARY, UNARY } from "../../ir/ops-compile.js";
import { ZERO } from "../../ir/ops.js";
import * as LINALG from "../../ir/linalg.js";

/**
 * log density at θ = theta[at … at + dim); writes ∂/∂θ into grad[at … at + dim) (overwriting
 * it). `at` (default 0) lets one call serve a row of a `[chains, dim]` array without a view.
 */
export type HostValueAndGrad = (theta: ArrayLike<number>, grad: Float64Array, at?: number) => number;

export interface CompiledHost {
  readonly dim: number;
  readonly valueAndGrad: HostValueAndGrad;
  /** The generated body, for tests and debugging. */
  readonly source: string;
  /** The values the body closes over (compile-link.ts links the two, here or in a worker). */
  readonly closed: readonly unknown[];
}

const lit = (x: number): string => (Number.isNaN(x) ? "NaN" : x === Infinity ? "Infinity" : x === -Infinity ? "(-Infinity)" : `(${x})`);

/** Compile `output` (a node of one element) of `g` for a θ of length `g.dim`. */
export function compileHost(g: Graph, output: number): CompiledHost {
  const nodes = g.nodes;
  if (sizeOf(nodes[output]!.shape) !== 1) throw new RangeError(`the output node has shape [${nodes[output]!.shape.join(", ")}], not one element`);
  const live = liveNodes(nodes, output);
  const grad = needsGrad(nodes, live);
  const masked = underSelect(nodes, live);
  const closed: unknown[] = [];
  const bind = (value: unknown): string => {
    closed.push(value);
    return `B[${closed.length - 1}]`;
  };
  const decls: string[] = [];
  const declare = (name: string, value: unknown): string => {
    decls.push(`const ${name} = ${bind(value)};`);
    return name;
  };

  const isScalar = (k: number): boolean => sizeOf(nodes[k]!.shape) === 1;
  // storage
  for (let k = 0; k < nodes.length; k++) {
    if (!live[k]) continue;
    const n = nodes[k]!;
    if (n.op === "const") {
      if (!isScalar(k)) declare(`c${k}`, n.data);
      continue;
    }
    if (!isScalar(k)) declare(`v${k}`, new Float64Array(sizeOf(n.shape)));
    if (grad[k] && n.op !== "param" && !isScalar(k)) declare(`g${k}`, new Float64Array(sizeOf(n.shape)));
  }
  /** The value of node a at flat index expression `i` (already mapped). */
  const val = (a: number, i: string): string => {
    const n = nodes[a]!;
    if (n.op === "const") return isScalar(a) ? lit(n.data[0]!) : `c${a}[${i}]`;
    return isScalar(a) ? `v${a}` : `v${a}[${i}]`;
  };
  /** The adjoint slot of node a at index `i`. */
  const adj = (a: number, i: string): string => {
    const n = nodes[a]!;
    if (n.op === "param") return `grad[at + ${n.offset} + ${i}]`;
    return isScalar(a) ? `g${a}` : `g${a}[${i}]`;
  };
  /** Index of input `a` broadcast into node k's shape, at the loop index `i`. */
  const inIndex = (k: number, a: number, j: number): string => {
    if (isScalar(a)) return "0";
    const map = broadcastOffsets(nodes[k]!.shape, nodes[a]!.shape);
    return map === undefined ? "i" : `${declare(`o${k}_${j}`, map)}[i]`;
  };
  /** The array holding a node's values (a node of more than one element). */
  const arr = (a: number): string => (nodes[a]!.op === "const" ? `c${a}` : `v${a}`);
  /** The array and offset where a node's adjoint accumulates (θ's gradient itself for a parameter). */
  const adjAt = (a: number): string => {
    const n = nodes[a]!;
    return n.op === "param" ? `grad, at + ${n.offset}` : `g${a}, 0`;
  };
  let linalg: string | undefined;
  const la = (): string => (linalg ??= declare("LA", LINALG));
  /**
   * The backward step `body(adjoint)` of elementwise node k; where k feeds a select's branch,
   * skipped for a zero adjoint, so that the side a select did not choose (whose value may be
   * NaN or infinite there, `ifelse(x > 0, sqrt(x), 0)` at x < 0) adds 0, not 0 × NaN.
   */
  const unless0 = (k: number, body: (adjoint: string) => string): string =>
    masked[k] ? `{ const gi = ${adj(k, "i")}; if (gi !== 0) { ${body("gi")} } }` : body(adj(k, "i"));
  const loop = (n: number, body: string): string => (n === 1 ? `{ const i = 0; ${body} }` : `for (let i = 0; i < ${n}; i++) { ${body} }`);

  const fwd: string[] = [];
  const bwd: string[] = [];
  const families = new Map<string, string>();
  const familyFn = (name: FamilyName, field: "lpg" | "norm"): string => {
    let v = families.get(`${name}.${field}`);
    if (v === undefined) {
      v = declare(`F_${name}_${field}`, FAMILIES[name][field]);
      families.set(`${name}.${field}`, v);
    }
    return v;
  };

  for (let k = 0; k < nodes.length; k++) {
    if (!live[k]) continue;
    const n = nodes[k]!;
    const size = sizeOf(n.shape);
    const out = (i: string): string => (isScalar(k) ? `v${k}` : `v${k}[${i}]`);
    const gk = grad[k];
    switch (n.op) {
      case "const": break;
      case "param":
        fwd.push(loop(size, `${out("i")} = theta[at + ${n.offset} + i];`));
        break;
      case "unary": {
        const t = UNARY[n.fn];
        const ai = inIndex(k, n.a, 0);
        fwd.push(loop(size, `${out("i")} = ${t.fwd(val(n.a, ai))};`));
        // a step (derivative ZERO) has gk false (needsGrad): nothing flows back through it
        if (gk && grad[n.a]) bwd.push(loop(size, unless0(k, (gi) => `${adj(n.a, ai)} += ${gi} * ${t.d(val(n.a, ai), out("i"))};`)));
        break;
      }
      case "binary": {
        const t = BINARY[n.fn];
        const ai = inIndex(k, n.a, 0);
        const bi = inIndex(k, n.b, 1);
        const [x, y] = [val(n.a, ai), val(n.b, bi)];
        fwd.push(loop(size, `${out("i")} = ${t.fwd(x, y)};`));
        if (gk) {
          const [da, db] = [t.da(x, y, out("i")), t.db(x, y, out("i"))];
          const parts = (gi: string): string => [
            ...(grad[n.a] && da !== ZERO ? [`${adj(n.a, ai)} += ${gi} * ${da};`] : []),
            ...(grad[n.b] && db !== ZERO ? [`${adj(n.b, bi)} += ${gi} * ${db};`] : []),
          ].join(" ");
          if (parts("g") !== "") bwd.push(loop(size, unless0(k, parts)));
        }
        break;
      }
      case "select": {
        const ci = inIndex(k, n.cond, 0);
        const ai = inIndex(k, n.a, 1);
        const bi = inIndex(k, n.b, 2);
        const c = val(n.cond, ci);
        fwd.push(loop(size, `${out("i")} = ${c} !== 0 ? ${val(n.a, ai)} : ${val(n.b, bi)};`));
        if (gk) {
          // the adjoint goes to the chosen side only (never 0 × the other side's adjoint)
          const toA = grad[n.a] ? `${adj(n.a, ai)} += ${adj(k, "i")};` : "";
          const toB = grad[n.b] ? `${adj(n.b, bi)} += ${adj(k, "i")};` : "";
          bwd.push(loop(size, `if (${c} !== 0) { ${toA} } else { ${toB} }`));
        }
        break;
      }
      case "sum": {
        const m = sizeOf(nodes[n.a]!.shape);
        fwd.push(`{ let s = 0; ${loop(m, `s += ${val(n.a, "i")};`)} v${k} = s; }`);
        if (gk && grad[n.a]) bwd.push(loop(m, `${adj(n.a, "i")} += g${k};`));
        break;
      }
      case "reduce": {
        const m = sizeOf(nodes[n.a]!.shape);
        const grp = declare(`r${k}`, n.group);
        const o = (i: string): string => (isScalar(k) ? `v${k}` : `v${k}[${i}]`);
        const init = (x: string): string => (isScalar(k) ? `v${k} = ${x};` : `v${k}.fill(${x});`);
        if (n.kind === "sum") {
          fwd.push(`${init("0")} for (let i = 0; i < ${m}; i++) { ${o(`${grp}[i]`)} += ${val(n.a, "i")}; }`);
          if (gk && grad[n.a]) bwd.push(`for (let i = 0; i < ${m}; i++) { ${adj(n.a, "i")} += ${adj(k, `${grp}[i]`)}; }`);
        } else if (n.kind === "max" || n.kind === "min") {
          // NaN propagates (as tfjs's kernels); every element equal to the result gets its adjoint (tfjs's gradient)
          const [start, cmp] = n.kind === "max" ? ["(-Infinity)", ">"] : ["Infinity", "<"];
          fwd.push(`${init(start)} for (let i = 0; i < ${m}; i++) { const j = ${grp}[i]; const x = ${val(n.a, "i")}; if (x ${cmp} ${o("j")} || x !== x) ${o("j")} = x; }`);
          if (gk && grad[n.a]) bwd.push(`for (let i = 0; i < ${m}; i++) { const j = ${grp}[i]; if (${val(n.a, "i")} === ${o("j")}) ${adj(n.a, "i")} += ${adj(k, "j")}; }`);
        } else if (n.kind === "prod") {
          fwd.push(`${init("1")} for (let i = 0; i < ${m}; i++) { ${o(`${grp}[i]`)} *= ${val(n.a, "i")}; }`);
          if (gk && grad[n.a]) {
            // ∂/∂a_i = the product of the group's other elements: the running product before i
            // (forward) times the one after i (backward), exact where elements are 0
            const before = declare(`q${k}`, new Float64Array(m));
            const run = declare(`u${k}`, new Float64Array(size));
            bwd.push(
              `${run}.fill(1); for (let i = 0; i < ${m}; i++) { const j = ${grp}[i]; ${before}[i] = ${run}[j]; ${run}[j] *= ${val(n.a, "i")}; } ` +
              `${run}.fill(1); for (let i = ${m - 1}; i >= 0; i--) { const j = ${grp}[i]; ${adj(n.a, "i")} += ${adj(k, "j")} * ${before}[i] * ${run}[j]; ${run}[j] *= ${val(n.a, "i")}; }`,
            );
          }
        } else {
          // max per group, then log Σ exp(a − max); the gradient is the softmax within each group
          const mx = declare(`m${k}`, new Float64Array(size));
          fwd.push(`${mx}.fill(-Infinity); for (let i = 0; i < ${m}; i++) { const j = ${grp}[i]; const x = ${val(n.a, "i")}; if (x > ${mx}[j]) ${mx}[j] = x; }`);
          fwd.push(`${isScalar(k) ? `v${k} = 0;` : `v${k}.fill(0);`} for (let i = 0; i < ${m}; i++) { const j = ${grp}[i]; if (${mx}[j] !== -Infinity) ${o("j")} += Math.exp(${val(n.a, "i")} - ${mx}[j]); }`);
          fwd.push(`for (let j = 0; j < ${size}; j++) { ${o("j")} = ${mx}[j] === -Infinity || ${mx}[j] === Infinity ? ${mx}[j] : ${mx}[j] + Math.log(${o("j")}); }`);
          if (gk && grad[n.a]) bwd.push(`for (let i = 0; i < ${m}; i++) { const j = ${grp}[i]; const y = ${o("j")}; if (y > -Infinity) ${adj(n.a, "i")} += ${adj(k, "j")} * Math.exp(${val(n.a, "i")} - y); }`);
        }
        break;
      }
      case "cumsum": {
        // the adjoint of a running sum is the running sum of the adjoint from the other end
        const { outer, len, inner } = n;
        const at = (j: string): string => `(o * ${len} + ${j}) * ${inner} + i`;
        fwd.push(`for (let o = 0; o < ${outer}; o++) for (let i = 0; i < ${inner}; i++) { let s = 0; for (let j = 0; j < ${len}; j++) { s += ${val(n.a, at("j"))}; ${out(at("j"))} = s; } }`);
        if (gk && grad[n.a]) bwd.push(`for (let o = 0; o < ${outer}; o++) for (let i = 0; i < ${inner}; i++) { let s = 0; for (let j = ${len - 1}; j >= 0; j--) { s += ${adj(k, at("j"))}; ${adj(n.a, at("j"))} += s; } }`);
        break;
      }
      case "take": {
        const idx = declare(`x${k}`, n.index);
        fwd.push(loop(size, `${out("i")} = ${val(n.a, isScalar(n.a) ? "0" : `${idx}[i]`)};`));
        if (gk && grad[n.a]) bwd.push(loop(size, `${adj(n.a, isScalar(n.a) ? "0" : `${idx}[i]`)} += ${adj(k, "i")};`));
        break;
      }
      case "concat": {
        let at = 0;
        for (const p of n.parts) {
          const m = sizeOf(nodes[p]!.shape);
          const o = at;
          fwd.push(loop(m, `${out(`${o} + i`)} = ${val(p, "i")};`));
          if (gk && grad[p]) bwd.push(loop(m, `${adj(p, "i")} += ${adj(k, `${o} + i`)};`));
          at += m;
        }
        break;
      }
      case "matmul": {
        const { a, b, m, k: kk, n: nn } = n;
        // C[i, j] = Σ_p A[i, p] B[p, j], row-major; vectors are [1, k] or [k, 1]
        const A = (i: string, p: string): string => val(a, isScalar(a) ? "0" : `${i} * ${kk} + ${p}`);
        const Bv = (p: string, j: string): string => val(b, isScalar(b) ? "0" : `${p} * ${nn} + ${j}`);
        const C = (i: string, j: string): string => out(`${i} * ${nn} + ${j}`);
        fwd.push(dotProducts(m, nn, kk, (r, p) => A(r, p), (p, c) => Bv(p, c), (r, c, s) => `${C(r, c)} = ${s};`));
        if (gk) {
          const gC = (i: string, j: string): string => adj(k, `${i} * ${nn} + ${j}`);
          // Ā[r, p] += Σ_c C̄[r, c] B[p, c];  B̄[p, c] += Σ_r A[r, p] C̄[r, c]
          if (grad[a]) bwd.push(dotProducts(m, kk, nn, (r, c) => gC(r, c), (c, p) => Bv(p, c), (r, p, s) => `${adj(a, `${r} * ${kk} + ${p}`)} += ${s};`));
          if (grad[b]) bwd.push(dotProducts(kk, nn, m, (p, r) => A(r, p), (r, c) => gC(r, c), (p, c, s) => `${adj(b, `${p} * ${nn} + ${c}`)} += ${s};`));
        }
        break;
      }
      case "cholesky": {
        fwd.push(`${la()}.cholesky(${arr(n.a)}, v${k}, ${n.n});`);
        if (gk && grad[n.a]) bwd.push(`${la()}.choleskyBackward(v${k}, g${k}, ${adjAt(n.a)}, ${n.n}, ${declare(`s${k}`, new Float64Array(size))});`);
        break;
      }
      case "trisolve": {
        fwd.push(`${la()}.solveLower(${arr(n.l)}, ${arr(n.b)}, v${k}, ${n.n}, ${n.m}, ${n.transpose});`);
        if (gk) {
          const scratch = declare(`s${k}`, new Float64Array(size));
          const lOut = grad[n.l] ? adjAt(n.l) : "null, 0";
          const bOut = grad[n.b] ? adjAt(n.b) : "null, 0";
          bwd.push(`${la()}.solveLowerBackward(${arr(n.l)}, v${k}, g${k}, ${n.n}, ${n.m}, ${n.transpose}, ${lOut}, ${bOut}, ${scratch});`);
        }
        break;
      }
      case "lpdf": {
        const f = FAMILIES[n.family];
        const shape = broadcastShapesOrThrow(n.args.map((a) => nodes[a]!.shape));
        const m = sizeOf(shape);
        const lpg = familyFn(n.family, "lpg");
        // each argument's flat index for element i of the arguments' broadcast shape
        const maps = n.args.map((a) => (isScalar(a) ? undefined : broadcastOffsets(shape, nodes[a]!.shape)));
        const idx = n.args.map((a, j) => (isScalar(a) ? "0" : maps[j] === undefined ? "i" : `${declare(`o${k}_${j}`, maps[j])}[i]`));
        const argv = n.args.map((a, j) => val(a, idx[j]!));
        while (argv.length < 4) argv.push("0");
        const partial = n.args.map((a, j) => (grad[a] ? (m === 1 ? `p${k}_${j}` : declare(`p${k}_${j}`, new Float64Array(m))) : undefined));
        for (const p of partial) if (p !== undefined && m === 1) decls.push(`let ${p} = 0;`);
        // the parameters' own terms (norm: −log σ, −lgamma(α), …): once before the loop where
        // every parameter they read is a single value, else once per element
        let normBefore = "";
        let normEach = "";
        let normTotal = "";
        let normAdd = "";
        if (f.norm !== undefined) {
          const normArgs = f.normArgs ?? [];
          const nd = declare(`nd${k}`, new Float64Array(4));
          const call = `${familyFn(n.family, "norm")}(${[1, 2, 3].map((j) => (normArgs.includes(j) ? argv[j]! : "0")).join(", ")}, ${nd})`;
          normAdd = normArgs.filter((j) => partial[j] !== undefined).map((j) => `d[${j}] += ${nd}[${j}];`).join(" ");
          if (normArgs.every((j) => isScalar(n.args[j]!))) {
            normBefore = `const nv${k} = ${call};`;
            normTotal = n.each === true ? "" : `s += ${m} * nv${k};`;
            normEach = n.each === true ? `s += nv${k};` : "";
          } else normEach = `s += ${call};`;
        }
        const store = partial.map((p, j) => (p === undefined ? "" : m === 1 ? `${p} = d[${j}];` : `${p}[i] = d[${j}];`)).join(" ");
        // the value-only terms (lgamma of counts): summed here once when their arguments are data
        let constant = 0;
        let inLoop = "";
        if (f.constTerm !== undefined) {
          const ct = f.constTerm;
          const cargs = f.constArgs ?? [];
          if (cargs.every((j) => nodes[n.args[j]!]!.op === "const")) {
            const at = (j: number, i: number): number => {
              const a = n.args[j];
              if (a === undefined || !cargs.includes(j)) return 0;
              const data = (nodes[a] as Node & { op: "const" }).data;
              return data[isScalar(a) ? 0 : maps[j]?.[i] ?? i]!;
            };
            for (let i = 0; i < m; i++) constant += ct(at(0, i), at(1, i));
          } else {
            inLoop = `s += ${declare(`K${k}`, ct)}(${argv[0]}, ${argv[1]});`;
          }
        }
        if (n.each === true) {
          // one log density per element: the constant terms per element too
          const ct = f.constTerm !== undefined ? `s += ${declare(`E${k}`, f.constTerm)}(${argv[0]}, ${argv[1]});` : "";
          fwd.push(`{ ${normBefore} ${loop(m, `let s = ${lpg}(${argv.join(", ")}, d); ${normEach} ${normAdd} ${store} ${ct} ${out("i")} = s;`)} }`);
        } else {
          fwd.push(`{ ${normBefore} let s = ${lit(constant)}; ${loop(m, `s += ${lpg}(${argv.join(", ")}, d); ${normEach} ${normAdd} ${store} ${inLoop}`)} ${normTotal} v${k} = s; }`);
        }
        if (gk) {
          n.args.forEach((a, j) => {
            const p = partial[j];
            if (p !== undefined) bwd.push(loop(m, `${adj(a, idx[j]!)} += ${n.each === true ? adj(k, "i") : `g${k}`} * ${m === 1 ? p : `${p}[i]`};`));
          });
        }
        break;
      }
    }
  }

  // adjoints: zeroed before the backward pass; θ's go straight into `grad`
  const zero: string[] = [`grad.fill(0, at, at + ${g.dim});`];
  const locals: string[] = [];
  for (let k = 0; k < nodes.length; k++) {
    if (!live[k] || nodes[k]!.op === "const") continue;
    if (isScalar(k)) locals.push(`let v${k} = 0;`);
    if (!grad[k] || nodes[k]!.op === "param") continue;
    if (isScalar(k)) locals.push(`let g${k} = 0;`);
    else zero.push(`g${k}.fill(0);`);
  }
  // a scalar parameter's adjoint is grad[offset] itself (adj() above), so nothing to copy back
  const seed = grad[output] && nodes[output]!.op !== "const" ? `${adj(output, "0")} = 1;` : "";
  const body = [
    ...decls,
    "const d = new Float64Array(4);",
    "return function hostValueAndGrad(theta, grad, at = 0) {",
    ...locals,
    ...fwd,
    ...zero,
    seed,
    ...bwd.reverse(),
    `return ${val(output, "0")};`,
    "};",
  ].join("\n");
  return { dim: g.dim, valueAndGrad: linkHost(body, closed), source: body, closed };
}

/**
 * Code for store(i, j, Σ_t x(i, t) · y(t, j)) over i < I, j < J, each sum over t in order.
 * Four values of i at a time share each y(t, j) and keep four independent running sums: one
 * sum alone waits on each addition's latency (measured 2× faster on a [5000, 24] matrix times
 * a vector, both ways), and every sum keeps its order of terms, so results are unchanged.
 */
function dotProducts(I: number, J: number, T: number, x: (i: string, t: string) => string, y: (t: string, j: string) => string, store: (i: string, j: string, s: string) => string): string {
  const rows = ["i", "(i + 1)", "(i + 2)", "(i + 3)"];
  const blocked = I < 4 ? "" :
    `for (; i + 3 < ${I}; i += 4) for (let j = 0; j < ${J}; j++) { let s0 = 0, s1 = 0, s2 = 0, s3 = 0; ` +
    `for (let t = 0; t < ${T}; t++) { const y = ${y("t", "j")}; ${rows.map((r, q) => `s${q} += ${x(r, "t")} * y;`).join(" ")} } ` +
    `${rows.map((r, q) => store(r, "j", `s${q}`)).join(" ")} } `;
  const rest = `for (; i < ${I}; i++) for (let j = 0; j < ${J}; j++) { let s = 0; for (let t = 0; t < ${T}; t++) s += ${x("i", "t")} * ${y("t", "j")}; ${store("i", "j", "s")} }`;
  return `{ let i = 0; ${blocked}${rest} }`;
}

/** The inputs whose adjoints a node's rule feeds: not a select's condition, not through a step. */
const differentiableInputsOf = (n: Node): readonly number[] => {
  switch (n.op) {
    case "select": return [n.a, n.b];
    case "unary": return UNARY[n.fn].d("x", "y") === ZERO ? [] : [n.a];
    case "binary": {
      const t = BINARY[n.fn];
      return [...(t.da("a", "b", "y") === ZERO ? [] : [n.a]), ...(t.db("a", "b", "y") === ZERO ? [] : [n.b])];
    }
    default: return inputsOf(n);
  }
};

/** The nodes that feed a select's branch (through elementwise ops): their adjoints may be 0 where their values are not finite. */
function underSelect(nodes: readonly Node[], live: readonly boolean[]): boolean[] {
  const m = new Array<boolean>(nodes.length).fill(false);
  for (let k = nodes.length - 1; k >= 0; k--) {
    const n = nodes[k]!;
    if (!live[k]) continue;
    if (n.op === "select") m[n.a] = m[n.b] = true;
    else if (m[k] && (n.op === "unary" || n.op === "binary")) for (const a of inputsOf(n)) m[a] = true;
  }
  return m;
}

function needsGrad(nodes: readonly Node[], live: readonly boolean[]): boolean[] {
  const g = new Array<boolean>(nodes.length).fill(false);
  nodes.forEach((n, k) => {
    if (!live[k]) return;
    g[k] = n.op === "param" || differentiableInputsOf(n).some((a) => g[a]);
  });
  return g;
}
