// pnpm test:mutation (the CLI's part): StrykerJS over the import's checkpoint and row readers (issue 27).
// Only the in-process tests can see a mutant; the import tests run the built command in a child
// process. Equivalent mutants that survive are listed, with why, in test/mutation-equivalents.md.
// `pnpm --filter @parea-api/cli test:mutation --mutate src/import/rows.ts` runs one file.
import { fileURLToPath } from "node:url";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  // By path: pnpm does not put the runner where Stryker's core looks for "@stryker-mutator/*".
  plugins: [fileURLToPath(import.meta.resolve("@stryker-mutator/vitest-runner"))],
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts", related: true },
  coverageAnalysis: "perTest",
  checkers: [],
  mutate: ["src/import/checkpoint.ts", "src/import/rows.ts"],
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: ".stryker/mutation.json" },
  thresholds: { high: 90, low: 90, break: null },
  concurrency: 2,
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
};
