/**
 * `OneHot` for tfjs-backend-wasm 4.22.0, wrapping the stock kernel.
 *
 * Defect of the stock kernel (found comparing against the cpu backend; regression test in
 * one-hot.test.ts): it always writes int32 values, whatever `dtype` it is asked for, so
 * `tf.oneHot(labels, k, 1, 0, "float32")` holds the bit pattern of the integer 1
 * (1.4e-45) instead of 1, and fractional on/off values (label smoothing) are truncated.
 *
 * The composition: the stock kernel makes an int32 0/1 mask, cast to float32 and mapped
 * to on·mask + off·(1 − mask) (exact: one of the two terms is 0). int32 requests with integer values go to the stock kernel.
 */
import type { KernelFunc } from "./compose.js";
import { compose } from "./compose.js";

/** The replacement kernel: out[..., d] = on if indices[...] = d else off, of the requested dtype. */
export function oneHotFix(stock: KernelFunc, backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const indices = inputs["indices"]!;
    const depth = attrs["depth"] as number;
    const on = attrs["onValue"] as number;
    const off = attrs["offValue"] as number;
    const dtype = attrs["dtype"] as string;
    const integral = Number.isInteger(on) && Number.isInteger(off);
    return compose(backend, backendName, (c) => {
      if (dtype !== "float32" && integral) return c.call(stock, { indices }, attrs);
      if (dtype !== "float32") throw new Error(`oneHot: dtype '${dtype}' needs integer on/off values, got ${on}, ${off}`);
      const mask01 = c.call(stock, { indices }, { depth, onValue: 1, offValue: 0, dtype: "int32" });
      const mask = c.run("Cast", { x: mask01 }, { dtype: "float32" });
      if (on === 1 && off === 0) return mask;
      const onPart = c.run("Multiply", { a: mask, b: c.fill([], on) });
      const offMask = c.run("Sub", { a: c.fill([], 1), b: mask });
      const offPart = c.run("Multiply", { a: offMask, b: c.fill([], off) });
      return c.run("Add", { a: onPart, b: offPart });
    });
  };
}
