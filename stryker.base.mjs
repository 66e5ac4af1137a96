// What the packages' StrykerJS configurations share (pnpm test:mutation; issue 27): the vitest runner
// on each mutant's own tests, the report, and the 90 % bar. Each package names its files in scope.
import { fileURLToPath } from "node:url";

/**
 * @param {(specifier: string) => string} resolve the package's import.meta.resolve: pnpm puts the
 *   runner in the package's node_modules, not where Stryker's core looks for "@stryker-mutator/*"
 * @param {string[]} mutate the files in scope
 * @returns {import("@stryker-mutator/api/core").PartialStrykerOptions}
 */
export const strykerConfig = (resolve, mutate) => ({
  plugins: [fileURLToPath(resolve("@stryker-mutator/vitest-runner"))],
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts", related: true },
  coverageAnalysis: "perTest",
  checkers: [],
  mutate,
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: ".stryker/mutation.json" },
  thresholds: { high: 90, low: 90, break: null },
  concurrency: 2,
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
});
