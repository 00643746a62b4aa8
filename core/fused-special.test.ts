// log Γ and ψ on both paths: the float64 host kernel (fused-special.ts; cpu, and wasm up to
// the host-loop size) and the float32 composition (special-gamma.ts; wasm above that size).
// References: testdata/special.json (mpmath, the tables special.test.ts uses).
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine } from "./engine.js";
import { fusedSpecial, SPECIAL_HOST_MAX_SIZE } from "./fused-special.js";
import { digamma, lgamma } from "./special.js";

afterAll(async () => {
  await initEngine("wasm");
});

type Row = readonly (number | string)[];
const ref = JSON.parse(readFileSync(new URL("./testdata/special.json", import.meta.url), "utf8")) as Record<string, Row[]>;
const num = (v: number | string | undefined): number => (v === "inf" ? Infinity : v === "-inf" ? -Infinity : (v as number));
const column = (name: string, c: number): number[] => ref[name]!.map((r) => num(r[c]));

/** Largest |got − want| / max(floor, |want|) (equal infinities count as exact). */
function worst(got: ArrayLike<number>, want: readonly number[], floor: number): number {
  let w = 0;
  want.forEach((v, i) => {
    const e = got[i] === v ? 0 : Math.abs(got[i]! - v) / Math.max(floor, Math.abs(v));
    if (!(e <= w)) w = e;
  });
  return w;
}

const CASES = [
  { fn: lgamma, name: "lgamma", derivative: "digamma" },
  { fn: digamma, name: "digamma", derivative: "trigamma" },
] as const;

for (const backend of ["wasm", "cpu"] as const) {
  describe(`fused log Γ and ψ on ${backend}`, () => {
    for (const c of CASES) {
      it(`${c.name}: exact to float32 rounding, gradient ${c.derivative} to 1e-6`, async () => {
        await initEngine(backend);
        const xs = column(c.name, 0);
        const x = tf.tensor1d(xs);
        const y = fusedSpecial(c.name, x)!;
        // float64 values rounded once to float32: relative error ≤ 2⁻²⁴ (6e-8) beyond |f| = 1.
        expect(worst(y.dataSync(), column(c.name, 1), 1)).toBeLessThan(1.2e-7);
        const dxs = column(c.derivative, 0);
        const g = tf.grad((v: tf.Tensor) => tf.sum(c.fn(v)))(tf.tensor1d(dxs));
        expect(worst(g.dataSync(), column(c.derivative, 1), c.name === "lgamma" ? 1 : 0)).toBeLessThan(1e-6);
        tf.dispose([x, y, g]);
      });
    }

    it("poles and NaN: log Γ is +∞ at 0, −1, −2; ψ is NaN there; NaN stays NaN", async () => {
      await initEngine(backend);
      const x = tf.tensor1d([0, -1, -2, NaN]);
      const l = Array.from(lgamma(x).dataSync());
      expect(l.slice(0, 3)).toEqual([Infinity, Infinity, Infinity]);
      expect(Number.isNaN(l[3]!)).toBe(true);
      expect(Array.from(digamma(x).dataSync()).every(Number.isNaN)).toBe(true);
      x.dispose();
    });
  });
}

describe("log Γ and ψ composed from ops (wasm, above the host-loop size)", () => {
  for (const c of CASES) {
    it(`${c.name}: error/max(1, |f|) ≤ 1e-5 over the reference table, tiled past ${SPECIAL_HOST_MAX_SIZE} elements; gradient likewise`, async () => {
      await initEngine("wasm");
      const xs = column(c.name, 0);
      const copies = Math.ceil((SPECIAL_HOST_MAX_SIZE + 1) / xs.length);
      const tiled = tf.tile(tf.tensor1d(xs), [copies]);
      expect(fusedSpecial(c.name, tiled)).toBeUndefined();
      const got = c.fn(tiled).dataSync();
      expect(worst(got.slice(0, xs.length), column(c.name, 1), 1)).toBeLessThan(1e-5);
      const dxs = column(c.derivative, 0);
      const dTiled = tf.tile(tf.tensor1d(dxs), [Math.ceil((SPECIAL_HOST_MAX_SIZE + 1) / dxs.length)]);
      const g = tf.grad((v: tf.Tensor) => tf.sum(c.fn(v)))(dTiled).dataSync();
      expect(worst(g.slice(0, dxs.length), column(c.derivative, 1), c.name === "lgamma" ? 1 : 0)).toBeLessThan(1e-5);
      tf.dispose([tiled, dTiled]);
    });
  }
});
