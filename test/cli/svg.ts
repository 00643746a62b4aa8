/** A small well-formedness check for SVG text: one <svg> root, every element closed in order. */

/** Problems found (empty when the SVG is well formed). */
export function svgProblems(svg: string): string[] {
  const problems: string[] = [];
  if (!/^<svg[\s>]/.test(svg.trimStart())) problems.push("does not start with <svg");
  if (!svg.trimEnd().endsWith("</svg>")) problems.push("does not end with </svg>");
  const stack: string[] = [];
  // Tags, skipping comments and CDATA; attribute values are quoted so '>' inside them is not special.
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g;
  let m: RegExpExecArray | null;
  let roots = 0;
  let last = 0;
  while ((m = tag.exec(svg)) !== null) {
    const between = svg.slice(last, m.index);
    if (between.includes("<")) problems.push(`malformed markup near offset ${last + between.indexOf("<")}`);
    last = tag.lastIndex;
    const [, close, name, , selfClose] = m;
    if (name === undefined) continue;
    if (close) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? "nothing"}>`);
    } else if (!selfClose) {
      if (stack.length === 0) roots += 1;
      stack.push(name);
    } else if (stack.length === 0) roots += 1;
  }
  if (svg.slice(last).includes("<")) problems.push("malformed markup at the end");
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(" > ")}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

/** Number of elements named `name`. */
export function countElements(svg: string, name: string): number {
  return (svg.match(new RegExp(`<${name}[\\s>/]`, "g")) ?? []).length;
}
