/**
 * A readable, span-free S-expression dump of any AST node, for golden files:
 *
 *     (Tilde
 *       target: (Name name="y")
 *       dist: (Call
 *         callee: (Name name="Normal")
 *         args: [(Number value=0) (Number value=1)]
 *         kwargs: []))
 *
 * Fields appear in declaration order; spans are left out (tests check them separately).
 */
import type { Node } from "./ast.js";

const spanKeys = new Set(["span", "nameSpan", "variableSpan"]);

const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && "kind" in v;

/** The dump of `node`, nested lines indented by two spaces per level. */
export function dump(node: Node, indent = ""): string {
  const scalars: string[] = [];
  const children: string[] = [];
  const inner = `${indent}  `;
  for (const [key, value] of Object.entries(node)) {
    if (key === "kind" || spanKeys.has(key)) continue;
    if (isNode(value)) {
      children.push(`\n${inner}${key}: ${dump(value, inner)}`);
    } else if (Array.isArray(value)) {
      children.push(`\n${inner}${key}: ${dumpList(value as readonly Node[], inner)}`);
    } else {
      scalars.push(` ${key}=${JSON.stringify(value)}`);
    }
  }
  return `(${node.kind}${scalars.join("")}${children.join("")})`;
}

function dumpList(items: readonly Node[], indent: string): string {
  if (items.length === 0) return "[]";
  const parts = items.map((item) => dump(item, `${indent}  `));
  if (parts.every((p) => !p.includes("\n")) && parts.join(" ").length < 80) return `[${parts.join(" ")}]`;
  return `[${parts.map((p) => `\n${indent}  ${p}`).join("")}]`;
}
