/**
 * Mutation fuzzing of real programs (the examples and the catalogue, sampling lines dropped):
 * identifiers, numbers and operators are swapped at random (seeded), and every outcome must
 * be either a clean run or a located message, never an internal error or a stack trace.
 */
import { expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { runScript } from "../../interpreter/script.js";
import { CATALOGUE } from "./catalogue.js";
it("400 mutated programs: clean runs or located messages, no internal errors", async () => {
  let seed = 12345;
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  const bases = [
    ...["linreg", "eight_schools", "logistic", "bnn"].map((n) => readFileSync(`examples/${n}.dlm`, "utf8").split("\n").filter((l) => !/sample|summary|predict|accuracy/.test(l)).join("\n")),
    ...CATALOGUE.map((c) => c.source + "\n" + `i = ${c.model}(${Object.values(c.data).map((v) => JSON.stringify(v)).join(", ")})\n`),
  ];
  const internal: string[] = [];
  let ok = 0;
  const firsts = new Set<string>();
  for (let it = 0; it < 400; it++) {
    let src = bases[Math.floor(rnd() * bases.length)]!;
    const idents = ["x", "y", "mu", "sigma", "alpha", "beta", "theta", "net", "s", "d", "J", "tau", "a", "b"];
    const ops = [" + ", " - ", " * ", " / ", " @ ", " ^ "];
    for (let k = 0; k < 1 + Math.floor(rnd() * 2); k++) {
      const r = rnd();
      if (r < 0.35) { const m = [...src.matchAll(/\b[a-z_][a-z_0-9]*\b/g)]; const t = m[Math.floor(rnd() * m.length)]; if (t) src = src.slice(0, t.index) + idents[Math.floor(rnd() * idents.length)] + src.slice(t.index! + t[0].length); }
      else if (r < 0.7) { const m = [...src.matchAll(/\b\d+(\.\d+)?\b/g)]; const t = m[Math.floor(rnd() * m.length)]; if (t) src = src.slice(0, t.index) + String(Math.floor(rnd() * 8) - 2) + src.slice(t.index! + t[0].length); }
      else { const m = [...src.matchAll(/ [-+*\/@^] /g)]; const t = m[Math.floor(rnd() * m.length)]; if (t) src = src.slice(0, t.index) + ops[Math.floor(rnd() * ops.length)] + src.slice(t.index! + t[0].length); }
    }
    const err: string[] = [];
    try {
      await runScript(src, { file: "examples/f.dlm", out: () => {}, err: (l) => err.push(l) });
    } catch (e) {
      internal.push(`THROWN ${String(e)}\n${src}`);
    }
    const e = err.join("\n");
    if (e === "") ok++;
    else firsts.add(e.split("\n")[0]!.replace(/^[^:]*:\d+:\d+: /, ""));
    if (/internal error|\n\s+at |\.ts:\d/.test(e)) internal.push(`${e}\n--- source:\n${src}`);
  }
  expect(internal.slice(0, 3)).toEqual([]);
  expect(ok).toBeGreaterThan(100); // the mutations reach the evaluator, not only the parser
  expect(firsts.size).toBeGreaterThan(30);
}, 300000);
