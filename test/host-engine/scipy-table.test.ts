/**
 * The distributions' scipy reference table (distributions/testdata/reference.json, written by
 * make_reference.py from scipy.stats in float64) run through both executors of the recorded
 * IR: for every case and every value inside its support, `model m(x) { x ~ Dist(args) }` is
 * recorded from its `.dlm` text and the log density computed by the host executor and by the
 * tfjs executor is the reference's. An instance keeps its data as float32 tensors, so even the
 * float64 executor sees x (and array arguments) rounded to float32: where that moves x, the density moves by up to
 * |∂ log p/∂x|·6e-8·|x|, which near an edge of the support (Beta at 0.9999) reaches 1e-5.
 */
import { describe, expect, it } from "vitest";
import { tf } from "../../core/engine.js";
import { compileHost } from "../../core/exec/host/compile.js";
import { compileTfjs } from "../../core/exec/tfjs/execute.js";
import { compile, modelInstance } from "../../interpreter/program.js";
import { CannotRecord, recordInstance } from "../../interpreter/record.js";
import { REFERENCE_CASES, type Json } from "../../distributions/testdata/reference.js";

/** A reference argument as `.dlm` text: numbers, array literals, nested distribution calls. */
function text(v: Json): string {
  if (typeof v === "number") return Number.isInteger(v) ? `${v}` : `${v}`;
  if (Array.isArray(v)) return `[${v.map(text).join(", ")}]`;
  if (typeof v === "object" && v !== null && "dist" in v) return call(v.dist as string, (v.args ?? []) as Json[], (v.kwargs ?? {}) as Record<string, Json>);
  throw new Error(`no .dlm text for ${JSON.stringify(v)}`);
}
const call = (dist: string, args: readonly Json[], kwargs: Record<string, Json>): string =>
  `${dist}(${[...args.map(text), ...Object.entries(kwargs).map(([k, v]) => `${k} = ${text(v)}`)].join(", ")})`;

/** Every number in a JSON value. */
const numbers = (v: Json): number[] => (typeof v === "number" ? [v] : Array.isArray(v) ? v.flatMap(numbers) : typeof v === "object" && v !== null ? Object.values(v).flatMap(numbers) : []);

/** Cases the recorder leaves to the interpreter, with the reason it gives (none now). */
const NOT_RECORDED: Readonly<Record<string, RegExp>> = {};

describe("the scipy reference table through both executors of the recorded IR", () => {
  it.each(REFERENCE_CASES.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    const source = `model m(x) {\n  x ~ ${call(c.dist, c.args, c.kwargs)}\n}\n`;
    const prog = compile(source, "case.dlm");
    let checked = 0;
    c.x.forEach((x, i) => {
      const ref = c.logp[i]!;
      if (!Number.isFinite(ref)) return; // outside the support: data there is refused at instantiation
      const inst = modelInstance(prog, "m", { x: x as never });
      let rec: ReturnType<typeof recordInstance>;
      try {
        rec = recordInstance(inst);
      } catch (e) {
        const why = NOT_RECORDED[c.dist];
        if (why === undefined || !(e instanceof CannotRecord)) throw e;
        expect(e.message).toMatch(why);
        return;
      }
      const host = compileHost(rec.graph, rec.output).valueAndGrad(new Float64Array(rec.graph.dim), new Float64Array(rec.graph.dim));
      // truncated's log Z is a constant of the data, taken from the tfjs distributions (float32)
      const exact = c.dist !== "truncated" && numbers([x, c.args, c.kwargs]).every((v) => Math.fround(v) === v);
      expect(Math.abs(host - ref), `host at x = ${JSON.stringify(x)}`).toBeLessThan((exact ? 1e-9 : 1e-4) * Math.max(1, Math.abs(ref)));
      const q = tf.zeros([2, Math.max(rec.graph.dim, 0)]) as tf.Tensor2D;
      const value = tf.tidy(() => compileTfjs(rec.graph, rec.output)(q).arraySync());
      q.dispose();
      for (const v of value) expect(Math.abs(v - ref), `tfjs at x = ${JSON.stringify(x)}`).toBeLessThan((exact ? 2e-5 : 1e-4) * Math.max(1, Math.abs(ref)));
      checked++;
    });
    if (NOT_RECORDED[c.dist] === undefined) expect(checked).toBeGreaterThan(0);
  });
});
