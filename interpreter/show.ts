/**
 * Values as text, for `print` and the REPL: numbers with up to 6 significant digits, small
 * arrays in full (nested brackets), large ones by shape.
 */
import { describeValue, type Value } from "./value.js";

const fmtNum = (x: number): string => (Number.isInteger(x) ? String(x) : Number(x.toPrecision(6)).toString());

function nested(data: ArrayLike<number>, shape: readonly number[], offset = 0): string {
  if (shape.length === 0) return fmtNum(data[offset]!);
  const [n, ...rest] = shape as [number, ...number[]];
  const stride = rest.reduce((a, b) => a * b, 1);
  return `[${Array.from({ length: n }, (_, i) => nested(data, rest, offset + i * stride)).join(", ")}]`;
}

export function show(v: Value): string {
  switch (v.kind) {
    case "num": return fmtNum(v.v);
    case "bool": return String(v.v);
    case "str": return v.v;
    case "missing": return "missing";
    case "list": return `(${v.items.map(show).join(", ")})`;
    case "tensor":
      if (v.batched || v.t.size > 200) return describeValue(v);
      return nested(v.t.dataSync(), v.t.shape);
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
