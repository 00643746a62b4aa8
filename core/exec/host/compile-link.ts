/**
 * Linking a generated host function: the body that compile.ts generates becomes a function
 * (`new Function`) closed over its values `B` and the op helpers `H`. Kept apart from
 * compile.ts and free of tfjs so that a worker thread can link a model that the main thread
 * compiled: `portableProgram` turns the closed values into structured-clone data (typed
 * arrays and numbers as they are, the families' functions and the linear algebra module as
 * references by name) and `linkProgram` undoes it on the other side.
 *
 * The body is the one compile.ts generated from our op set and numbers, never text from a
 * model's source.
 */
import { FAMILIES } from "../../ir/families.js";
import * as LINALG from "../../ir/linalg.js";
import { HELPERS, type Helpers } from "../../ir/ops.js";
import type { HostValueAndGrad } from "./compile.js";

/** A closed value a worker can receive: data, or a reference to one of our modules' functions. */
export type PortableValue =
  | Float64Array
  | Int32Array
  | number
  | { readonly ref: "linalg" }
  | { readonly ref: "family"; readonly family: string; readonly field: string };

/** A compiled model as data: what `linkProgram` needs to rebuild its value-and-gradient. */
export interface HostProgram {
  readonly dim: number;
  readonly source: string;
  readonly closed: readonly PortableValue[];
}

/** The function of a generated body closed over `closed`. */
export function linkHost(source: string, closed: readonly unknown[]): HostValueAndGrad {
  const factory = new Function("H", "B", source) as (h: Helpers, b: readonly unknown[]) => HostValueAndGrad;
  return factory(HELPERS, closed);
}

/** References of every function-bearing value the generated code may close over. */
function references(): Map<unknown, PortableValue> {
  const refs = new Map<unknown, PortableValue>([[LINALG, { ref: "linalg" }]]);
  for (const [family, f] of Object.entries(FAMILIES)) {
    for (const [field, v] of Object.entries(f)) if (typeof v === "function") refs.set(v, { ref: "family", family, field });
  }
  return refs;
}

/** The program as structured-clone data, or undefined where it closes over a value that has no reference. */
export function portableProgram(dim: number, source: string, closed: readonly unknown[]): HostProgram | undefined {
  const refs = references();
  const out: PortableValue[] = [];
  for (const v of closed) {
    if (v instanceof Float64Array || v instanceof Int32Array || typeof v === "number") out.push(v);
    else {
      const r = refs.get(v);
      if (r === undefined) return undefined;
      out.push(r);
    }
  }
  return { dim, source, closed: out };
}

/** The value-and-gradient of a portable program. */
export function linkProgram(p: HostProgram): HostValueAndGrad {
  const closed = p.closed.map((v): unknown => {
    if (typeof v === "number" || ArrayBuffer.isView(v)) return v;
    if (v.ref === "linalg") return LINALG;
    const family = (FAMILIES as Readonly<Record<string, object>>)[v.family] as Readonly<Record<string, unknown>> | undefined;
    const f = family?.[v.field];
    if (typeof f !== "function") throw new Error(`no function ${v.family}.${v.field} to link`);
    return f;
  });
  return linkHost(p.source, closed);
}
