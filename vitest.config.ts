import { defineConfig } from "vitest/config";

// One suite, run by `npm test`. Tests sit beside their code (`*.test.ts`) or in test/.
// Forks keep each file's TensorFlow.js backend state apart; two workers match the
// two cores CI has.
export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "dist/**"],
    setupFiles: ["test/setup.ts"],
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
