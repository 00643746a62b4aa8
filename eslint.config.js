// Lint: typescript-eslint's recommended rules plus the import boundaries of the layered
// design (docs/architecture.md): grammar/ and core/ are leaves, inference/ never sees syntax.
import tseslint from "typescript-eslint";

const restrict = (patterns) => ({ "no-restricted-imports": ["error", { patterns }] });

export default tseslint.config(
  { ignores: ["dist/**", "dist-bench/**", "node_modules/**", "coverage/**", "bench/out/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  // grammar/ may import core/suggest.ts, the one edit distance, which imports nothing.
  { files: ["grammar/**/*.ts"], rules: restrict(["@tensorflow/*", "**/core/**", "!**/core/suggest.js", "**/interpreter/**", "**/inference/**", "**/nn/**", "**/distributions/**"]) },
  { files: ["core/**/*.ts"], rules: restrict(["chevrotain", "**/grammar/**", "**/interpreter/**", "**/inference/**", "**/nn/**", "**/distributions/**", "**/cli/**"]) },
  { files: ["distributions/**/*.ts"], rules: restrict(["chevrotain", "**/grammar/**", "**/interpreter/**", "**/inference/**", "**/nn/**", "**/cli/**"]) },
  { files: ["nn/**/*.ts"], rules: restrict(["chevrotain", "**/grammar/**", "**/interpreter/**", "**/inference/**", "**/cli/**"]) },
  // inference/ may use nn/'s optimisers, minibatches and parameter trees (training, VI), not its layers.
  { files: ["inference/**/*.ts"], rules: restrict(["chevrotain", "**/grammar/**", "**/interpreter/**", "**/cli/**", "**/nn/layer*", "**/nn/registry*", "**/nn/chain*", "**/nn/dense*", "**/nn/conv*"]) },
  // plots/ draws plain arrays: the interpreter and the CLI use it, never the other way round.
  { files: ["plots/**/*.ts"], rules: restrict(["chevrotain", "**/grammar/**", "**/interpreter/**", "**/cli/**", "**/repl/**", "**/nn/**"]) },
);
