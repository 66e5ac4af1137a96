// Where vitest's JSON reports are: one home for test-totals.mjs (CI's one line) and test-stress.mjs.
import { join } from "node:path";

export const root = join(import.meta.dirname, "..");

/** The packages whose suites `pnpm test` runs; each writes <dir>/.vitest/results.json. */
export const testedByPnpmTest = [
  "spec",
  "scripts",
  "packages/client",
  "packages/cli",
  "examples/internal-service",
  "bench",
];

export const reportOf = (dir, file = "results.json") => join(root, dir, ".vitest", file);
