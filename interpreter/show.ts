/**
 * Values as text, for `print` in scripts and the REPL alike: numbers with up to 6 significant
 * digits, arrays NumPy style (format.ts: nested brackets, aligned columns, and arrays of more
 * than 1000 elements cut to their first and last 3 entries along each axis with `...`).
 */
import { formatArray, formatNumber } from "./format.js";
import { describeValue, type Value } from "./value.js";

const fmtNum = (x: number): string => formatNumber(x);

export function show(v: Value): string {
  switch (v.kind) {
    case "num": return fmtNum(v.v);
    case "bool": return String(v.v);
    case "str": return v.v;
    case "missing": return "missing";
    case "list": return `(${v.items.map(show).join(", ")})`;
    case "tensor":
      if (v.batched) return describeValue(v);
      return formatArray(v.t.dataSync(), v.t.shape);
    case "record": {
      if (v.tag === "pair") return `${show(v.fields.get("from")!)} => ${show(v.fields.get("to")!)}`;
      const names = [...v.fields.keys()].filter((k) => !k.startsWith("__"));
      if (v.tag === "table") return `a table with columns ${names.join(", ")}`;
      return `${v.tag} { ${names.map((k) => `${k}: ${summaryOf(v.fields.get(k)!)}`).join(", ")} }`;
    }
    case "opaque": return v.show;
    default: return describeValue(v);
  }
}

function summaryOf(v: Value): string {
  if (v.kind === "tensor" && v.t.size > 6) return `[${v.t.shape.join(", ")}] array`;
  if (v.kind === "record") return v.tag;
  return show(v);
}
