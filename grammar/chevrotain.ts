/**
 * Chevrotain's values (the types come from "chevrotain" itself), loaded from the package's
 * single-file bundle: its entry point imports lodash-es as some three hundred modules, about
 * 450 ms at every start of `dlm`, while the bundle (the same code in one file) loads in about
 * 40. Every value import of chevrotain in grammar/ goes through here, so there is one copy
 * (token types are compared by identity). Where the bundle is not where chevrotain 11 keeps
 * it, the entry point loads instead.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

type Chevrotain = typeof import("chevrotain");

async function load(): Promise<Chevrotain> {
  try {
    // the entry point, …/chevrotain/lib/src/api.js; the bundle is …/chevrotain/lib/chevrotain.mjs
    const bundle = join(dirname(createRequire(import.meta.url).resolve("chevrotain")), "..", "chevrotain.mjs");
    if (existsSync(bundle)) return (await import(pathToFileURL(bundle).href)) as Chevrotain;
  } catch {
    // resolution failed: the entry point below says why if it fails too
  }
  return import("chevrotain");
}

const chevrotain = await load();

export const { createToken, createTokenInstance, tokenMatcher, Lexer, CstParser } = chevrotain;
