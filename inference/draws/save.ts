/**
 * Save and load CmdStan-layout CSV files. Saving is atomic: the text goes to a temporary file in
 * the same folder, which is then renamed over the target (rename within one file system is
 * atomic on POSIX), so an interrupted run never leaves a half-written file behind.
 */
import { readFile, rename, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { type CmdStanCsv, combineChains, readCmdStanCsv } from "./csv-read.js";
import { writeCmdStanCsv } from "./csv-write.js";
import type { Draws, SamplerSettings } from "./draws.js";

let counter = 0;

/** Write `text` to `path` atomically (temporary file in the same folder, then rename). */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  counter += 1;
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${counter}.tmp`);
  try {
    await writeFile(tmp, text, { encoding: "utf8", flag: "wx" });
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** Save chain `chain` (0-based) of `draws` as a CmdStan CSV file at `path`, atomically. */
export async function saveDrawsCsv(path: string, draws: Draws, chain: number, settings: SamplerSettings = draws.settings): Promise<void> {
  await writeFileAtomic(path, writeCmdStanCsv(draws, chain, settings));
}

/** Read one CmdStan CSV file. */
export async function loadCmdStanCsv(path: string): Promise<CmdStanCsv> {
  return readCmdStanCsv(await readFile(path, "utf8"));
}

/** Read several CmdStan CSV files, one chain each, into one `Draws`. */
export async function loadDrawsCsv(paths: readonly string[]): Promise<Draws> {
  return combineChains(await Promise.all(paths.map(loadCmdStanCsv)));
}
