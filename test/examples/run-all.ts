/**
 * `npm run examples [-- NAME ...]`: runs every examples/*.dlm (or the named ones) at full size,
 * one after another, exactly as `dlm run examples/NAME.dlm` runs it (the CLI from the sources,
 * through tsx), so their plots are written (examples/plots/) and their output shown. At the end
 * a table says how long each took and how many warnings it gave. An example fails if it exits
 * with an error, or if it warns without a line `# warnings expected: ...` in its source saying
 * that the warning is its point (the centred eight schools); then this script exits 1.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../bench/paths.js";

interface Outcome {
  readonly name: string;
  readonly code: number;
  readonly seconds: number;
  readonly warnings: number;
  readonly expected: boolean;
}

function run(name: string): Promise<Outcome> {
  const file = join("examples", `${name}.dlm`);
  const expected = /^#\s*warnings expected:/m.test(readFileSync(join(REPO_ROOT, file), "utf8"));
  const start = performance.now();
  let warnings = 0;
  let pending = "";
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", "run", file], { cwd: REPO_ROOT, stdio: ["ignore", "inherit", "pipe"] });
    child.stderr.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk);
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop()!;
      warnings += lines.filter((l) => l.startsWith("warning:")).length;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (pending.startsWith("warning:")) warnings++;
      resolve({ name, code: code ?? 1, seconds: (performance.now() - start) / 1000, warnings, expected });
    });
  });
}

const all = readdirSync(join(REPO_ROOT, "examples")).filter((f) => f.endsWith(".dlm")).map((f) => f.slice(0, -4)).sort();
const asked = process.argv.slice(2);
const unknown = asked.filter((n) => !all.includes(n));
if (unknown.length > 0) {
  process.stderr.write(`no such example: ${unknown.join(", ")} (there are ${all.join(", ")})\n`);
  process.exit(2);
}
const outcomes: Outcome[] = [];
for (const name of asked.length > 0 ? asked : all) {
  process.stdout.write(`\n=== examples/${name}.dlm\n`);
  outcomes.push(await run(name));
}
const bad = (o: Outcome): boolean => o.code !== 0 || (o.warnings > 0 && !o.expected);
process.stdout.write("\nexample                      seconds  warnings  result\n");
for (const o of outcomes) {
  const result = o.code !== 0 ? `failed (exit ${o.code})` : o.warnings > 0 ? (o.expected ? "ok (warnings expected)" : "unexpected warnings") : "ok";
  process.stdout.write(`${o.name.padEnd(28)} ${o.seconds.toFixed(0).padStart(7)}  ${String(o.warnings).padStart(8)}  ${result}\n`);
}
process.exit(outcomes.some(bad) ? 1 : 0);
