/**
 * A .dlm program cannot execute JavaScript or reach the network: strings that look like
 * JavaScript given to every string-taking builtin, JavaScript's special names (`constructor`,
 * `__proto__`, `toString`, `eval`, `Function`, `require`, `process`) used as variables, fields,
 * functions and model names — each gives a clean DlmError or a plain value, and nothing runs
 * (a marker file the payloads would create never appears). And a source scan: no `eval(` in
 * interpreter/, grammar/, cli/, and `new Function` only in core/ code generation.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runScript } from "./script.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(join(tmpdir(), "dlm-sandbox-"));
const MARKER = join(tmp, "PWNED");
const globalsBefore = new Set(Object.getOwnPropertyNames(globalThis));

async function run(source: string): Promise<{ code: number; err: string; out: string }> {
  const err: string[] = [];
  const out: string[] = [];
  const code = await runScript(source, { file: join(tmp, "evil.dlm"), out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, err: err.join("\n"), out: out.join("\n") };
}

function clean(r: { code: number; err: string }, label: string): void {
  expect([0, 1], `${label}\n${r.err}`).toContain(r.code);
  expect(r.err, label).not.toMatch(/\n\s+at |\.ts:\d+|node_modules|internal error|TypeError|ReferenceError|SyntaxError/);
  if (r.code === 1) expect(r.err, label).toMatch(/evil\.dlm:\d+:\d+: error: /);
  expect(existsSync(MARKER), `${label}: the marker file was created`).toBe(false);
}

const m = MARKER.replace(/\\/g, "/");
const PAYLOADS = [
  `require('fs').writeFileSync('${m}', 'x')`,
  `'); require('fs').writeFileSync('${m}', 'x'); ('`,
  `\${require('fs').writeFileSync('${m}', 'x')}`,
  `javascript:require('child_process').execSync('touch ${m}')`,
  `$(touch ${m})`,
  `; touch ${m}`,
  `\`touch ${m}\``,
  `http://127.0.0.1:9/${m}`,
  `file://${m}`,
  `data:text/javascript,require('fs').writeFileSync('${m}','x')`,
  `__proto__`,
  `constructor`,
  `../../../../../../${m}`,
];
/** A DLM string literal (the payloads have no double quotes or backslashes). */
const lit = (s: string): string => {
  expect(s).not.toMatch(/["\\\n]/);
  return `"${s}"`;
};

describe("JavaScript-looking strings given to string-taking builtins", () => {
  const BUILTINS = ["read_csv", "read_json", "load", "load_draws", "include"] as const;
  it.each(BUILTINS)("%s", async (name) => {
    for (const p of PAYLOADS) {
      const src = name === "include" ? `include ${lit(p)}\n` : `x = ${name}(${lit(p)})\nprint(x)\n`;
      const r = await run(src);
      clean(r, src);
      expect(r.code, src).toBe(1);
    }
  }, 60_000);

  it("save and plot files named by payloads, with a real posterior, write plain files or fail cleanly", async () => {
    const setup = "model m(y) {\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu, 1)\n}\npost = sample(m([0.5, 1.0]), NUTS(), draws = 5, warmup = 5, chains = 1, seed = 1)\n";
    const calls = PAYLOADS.flatMap((p) => ["save", "plot_trace", "plot_density"].map((f) => `${f}(post, ${lit(p)})`));
    const r = await run(setup + calls.map((c) => `x = 1\n${c}\n`).join(""));
    clean(r, "save/plot");
    // One run stops at the first failure; each call on its own as well (cheap: no sampling needed for the argument checks).
    for (const c of calls.slice(0, 9)) clean(await run(`${setup}${c}\n`), c);
    for (const f of ["save", "plot_trace", "plot_density", "plot_pairs", "plot_history"]) {
      const r2 = await run(`${f}(${lit(PAYLOADS[0]!)}, ${lit(PAYLOADS[1]!)})\n`);
      clean(r2, f);
      expect(r2.code, f).toBe(1);
    }
  }, 60_000);

  it("strings are values, never code", async () => {
    for (const p of PAYLOADS) {
      const r = await run(`s = ${lit(p)}\nprint(s)\n`);
      clean(r, p);
      expect(r.code).toBe(0);
      expect(r.out).toContain(p.slice(0, 10));
    }
  });
});

const NAMES = ["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty", "prototype", "eval", "Function", "require", "process", "globalThis", "this", "window", "import", "module", "exports", "__dirname"];

describe("JavaScript's special names in programs", () => {
  it.each(NAMES)("%s as a variable, function, model, argument and field", async (n) => {
    const programs = [
      `${n} = 3\nprint(${n} + 1)\n`,
      `print(${n})\n`,
      `${n}(1)\n`,
      `x = ${n}("1 + 1")\n`,
      `fn ${n}(a) = a + 1\nprint(${n}(2))\n`,
      `fn f(${n}) = ${n} * 2\nprint(f(4))\n`,
      `model ${n}(y) {\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu, 1)\n}\ni = ${n}([1.0])\nprint(1)\n`,
      `model m(${n}) {\n  mu ~ Normal(0, 1)\n  ${n} ~ Normal(mu, 1)\n}\ni = m([1.0])\nprint(1)\n`,
      `d = read_csv("${join(ROOT, "examples/data/linreg.csv")}")\nprint(d.${n})\n`,
      `x = [1, 2]\nprint(x.${n})\n`,
      `print(${n}.constructor)\n`,
      `x = "a"\nprint(x.constructor)\n`,
      `for ${n} in 1:2 {\n  print(${n})\n}\n`,
    ];
    for (const src of programs) {
      const r = await run(src);
      clean(r, src);
    }
    // Assigned and read back: a plain value, not JavaScript's.
    const r = await run(`${n} = 3\nprint(${n} + 1)\n`);
    if (r.code === 0) expect(r.out).toBe("4");
    // Never a JavaScript function's text in the output.
    const shown = await run(`print(${n})\n`);
    expect(shown.out).not.toMatch(/native code|function|=>/);
  }, 60_000);

  it("the interpreter's globals are untouched", () => {
    const added = Object.getOwnPropertyNames(globalThis).filter((k) => !globalsBefore.has(k));
    expect(added.filter((k) => NAMES.includes(k) || /pwn/i.test(k))).toEqual([]);
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, "mu")).toBe(false);
    expect(({} as Record<string, unknown>)["y"]).toBeUndefined();
    expect(existsSync(MARKER)).toBe(false);
  });
});

describe("source scan", () => {
  function files(dir: string): string[] {
    const out: string[] = [];
    for (const e of readdirSync(dir)) {
      if (e === "node_modules" || e === "dist" || e === "dist-bench" || e.startsWith(".")) continue;
      const p = join(dir, e);
      if (statSync(p).isDirectory()) out.push(...files(p));
      else if (/\.(ts|js|mjs|cjs)$/.test(e) && !/\.test\.ts$/.test(e)) out.push(p);
    }
    return out;
  }
  const all = files(ROOT);
  // Code only: comments and string literals stripped (roughly) so that prose may mention them.
  const code = (p: string): string =>
    readFileSync(p, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1").replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""');

  it("scans the project's sources", () => {
    expect(all.length).toBeGreaterThan(50);
    for (const d of ["interpreter", "grammar", "cli", "core"]) expect(all.some((p) => relative(ROOT, p).startsWith(`${d}/`))).toBe(true);
  });

  it("no eval( in interpreter/, grammar/ or cli/", () => {
    const bad = all.filter((p) => /^(interpreter|grammar|cli)\//.test(relative(ROOT, p)) && /(^|[^\w.$])eval\s*\(/.test(code(p)));
    expect(bad.map((p) => relative(ROOT, p))).toEqual([]);
  });

  it("new Function only in core/ code-generation files", () => {
    const users = all.filter((p) => /\bnew\s+Function\s*\(|(^|[^\w.$])Function\s*\(\s*["'`]/.test(code(p))).map((p) => relative(ROOT, p));
    for (const p of users) expect(p, `${p} builds functions from text`).toMatch(/^core\/.*(codegen|code-gen|compile|jit)/i);
  });

  it("interpreter/ and grammar/ load no process, network or vm modules", () => {
    const bad = all
      .filter((p) => /^(interpreter|grammar)\//.test(relative(ROOT, p)))
      .filter((p) => /from\s+["'](node:)?(child_process|vm|net|http|https|dgram|worker_threads|cluster)["']|import\(\s*["'](node:)?(child_process|vm|net|http|https)["']|\bfetch\s*\(|\bWebSocket\b|\bXMLHttpRequest\b/.test(readFileSync(p, "utf8")));
    expect(bad.map((p) => relative(ROOT, p))).toEqual([]);
  });
});
