// pnpm test:mutation: StrykerJS over the reliability core (issue 27). Each mutant is run against the
// tests that cover it (perTest); equivalent mutants that survive are listed, with why, in
// test/mutation-equivalents.md. `pnpm --filter @parea-api/client test:mutation --mutate src/redact.ts`
// runs one file.
import { fileURLToPath } from "node:url";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  // By path: pnpm does not put the runner where Stryker's core looks for "@stryker-mutator/*".
  plugins: [fileURLToPath(import.meta.resolve("@stryker-mutator/vitest-runner"))],
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts", related: true },
  coverageAnalysis: "perTest",
  checkers: [],
  mutate: [
    "src/retry.ts",
    "src/redact.ts",
    "src/errors.ts",
    "src/reliability.ts",
    "src/rate-limit.ts",
    "src/options.ts",
    "src/middleware/auth.ts",
    "src/outbox/*.ts",
    "src/send/*.ts",
  ],
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: ".stryker/mutation.json" },
  thresholds: { high: 90, low: 90, break: null },
  concurrency: 2,
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
};
