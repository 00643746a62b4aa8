// Builds the optional native accelerator (native/build/Release/dlm_native.node) with node-gyp
// against this machine's Node headers. Run by `npm install`/`npm ci` (the package's install
// script) and by `npm run build:native`. It never fails the install: without a compiler, Node
// headers or node-gyp it prints one line and dlm uses tfjs's own kernels. DLM_NATIVE=0 skips it;
// DLM_NATIVE_VERBOSE=1 shows the compiler's output.
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const say = (line) => process.stderr.write(`dlm: ${line}\n`);

/** node-gyp as npm ships it: npm names it for its scripts, else it sits beside npm's own files. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), "../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"),
    join(dirname(process.execPath), "node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"),
  ];
  return candidates.find((p) => p && existsSync(p));
}

/** Node's headers on this machine (npm's nodedir, else beside the node binary): never downloaded. */
function nodeDir() {
  const candidates = [process.env.npm_config_nodedir, join(dirname(process.execPath), "..")];
  return candidates.find((d) => d && existsSync(join(d, "include/node/node_api.h")));
}

function main() {
  if (process.env.DLM_NATIVE === "0") return say("native accelerator not built (DLM_NATIVE=0)");
  const gyp = nodeGyp();
  if (!gyp) return say("native accelerator not built (node-gyp not found); using tfjs's kernels");
  const headers = nodeDir();
  if (!headers) return say("native accelerator not built (no Node headers on this machine); using tfjs's kernels");
  const verbose = process.env.DLM_NATIVE_VERBOSE === "1";
  const r = spawnSync(process.execPath, [gyp, "rebuild", `--directory=${here}`, `--nodedir=${headers}`], { stdio: verbose ? "inherit" : "pipe", encoding: "utf8" });
  const built = join(here, "build/Release/dlm_native.node");
  if (r.status !== 0 || !existsSync(built)) {
    const why = `${r.stderr ?? ""}`.split("\n").find((l) => /error/i.test(l))?.trim() ?? `node-gyp exited with ${r.status ?? r.signal}`;
    rmSync(join(here, "build"), { recursive: true, force: true });
    return say(`native accelerator not built (${why.slice(0, 160)}); using tfjs's kernels`);
  }
  try {
    const info = createRequire(import.meta.url)(built).info();
    say(`native accelerator built (GEMM: ${info.blas === "openblas" ? `OpenBLAS at ${info.openblas}` : "built-in"})`);
  } catch (e) {
    rmSync(join(here, "build"), { recursive: true, force: true });
    say(`native accelerator built but does not load (${String(e).split("\n")[0]}); using tfjs's kernels`);
  }
}

main();
