/**
 * The autodiff patches of core/kernels (saved-tensors.ts: the tape's saved tensors without an
 * Identity launch; lean-grads.ts: Add/Sub/Multiply gradients without same-dtype Casts and
 * no-op Reshapes) switched off and on in one process: ms per value + gradient of posteriordb
 * posteriors at 4 chains (the baseline, tfjs-core's own behaviour, measured in the same run),
 * and the kernels per gradient. Modes are interleaved over 3 rounds, each after a warm-up
 * call; the minimum per mode is printed.
 *
 * Run: `npm run bench autodiff` (compiled) or `npx tsx bench/autodiff-patches.ts [fragment ...]`.
 */
import { tf, initEngine } from "../core/engine.js";
import { installLeanGradients, uninstallLeanGradients } from "../core/kernels/lean-grads.js";
import { installSavedTensorSharing, uninstallSavedTensorSharing } from "../core/kernels/saved-tensors.js";
import { msPerCall } from "./timing.js";
import { dataAvailable, gradientProbe, posteriorNames } from "./posteriordb/posteriors.js";

const CHAINS = 4;
const MODES: readonly (readonly [string, () => void])[] = [
  ["tfjs-core", () => { uninstallLeanGradients(); uninstallSavedTensorSharing(); }],
  ["lean grads", () => { installLeanGradients(); uninstallSavedTensorSharing(); }],
  ["shared saves", () => { uninstallLeanGradients(); installSavedTensorSharing(); }],
  ["both", () => { installLeanGradients(); installSavedTensorSharing(); }],
];

await initEngine();
if (!dataAvailable()) {
  console.log("posteriordb data not found (set POSTERIORDB_DIR)");
  process.exit(0);
}
const want = process.argv.slice(2);
const names = posteriorNames().filter((n) => want.length === 0 || want.some((w) => n.includes(w)));
console.log(`| posterior | kernels/grad tfjs-core → both | ${MODES.map(([m]) => `${m} ms`).join(" | ")} | both / tfjs-core |`);
console.log(`|---|---:|${MODES.map(() => "---:").join("|")}|---:|`);
for (const name of names) {
  const { q, gradient } = gradientProbe(name, CHAINS);
  const kernels: number[] = [];
  for (const [, set] of [MODES[0]!, MODES[3]!]) {
    set();
    gradient();
    kernels.push((await tf.profile(gradient)).kernels.length);
  }
  const best = new Map<string, number>();
  for (let round = 0; round < 3; round++) {
    for (const [mode, set] of MODES) {
      set();
      gradient();
      best.set(mode, Math.min(best.get(mode) ?? Infinity, msPerCall(gradient, 300, 10)));
    }
  }
  const ms = MODES.map(([mode]) => best.get(mode)!);
  console.log(`| ${name} | ${kernels[0]} → ${kernels[1]} | ${ms.map((v) => v.toFixed(2)).join(" | ")} | ${(ms[3]! / ms[0]!).toFixed(2)} |`);
  q.dispose();
}
installLeanGradients();
installSavedTensorSharing();
