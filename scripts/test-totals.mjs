// Sums vitest's JSON reports into the one plain line CI reads: "N passed, N failed".
// A package whose report is missing (its tests never ran) counts as one failure.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const reports = [
  "spec",
  "scripts",
  "packages/client",
  "packages/cli",
  "examples/internal-service",
  "bench",
  "runtimes",
].map((dir) => join(root, dir, ".vitest", "results.json"));
// .ci/run's bounded corpus run (CORPUS=ci pnpm test:corpus) reports beside the scripts' own tests,
reports.push(join(root, "scripts", ".vitest", "corpus-results.json"));
// ... and its bounded history run (HISTORY=ci pnpm test:history).
reports.push(join(root, "scripts", ".vitest", "history-results.json"));
let passed = 0;
let failed = 0;
for (const report of reports) {
  if (!existsSync(report)) {
    console.log(`missing test report ${report}: counted as 1 failed`);
    failed += 1;
    continue;
  }
  const { numPassedTests, numFailedTests, numTotalTests } = JSON.parse(readFileSync(report, "utf8"));
  // vitest writes an empty report when its global setup fails (a mock server that never started).
  if (numTotalTests === 0) {
    console.log(`test report ${report} lists no tests (its setup failed; see above): counted as 1 failed`);
    failed += 1;
    continue;
  }
  passed += numPassedTests;
  failed += numFailedTests;
}
const otherChecksFailed = process.argv[2] !== undefined && process.argv[2] !== "0";
if (otherChecksFailed && failed === 0) {
  console.log("a check outside vitest failed (format, lint, typecheck or build; see above): counted as 1 failed");
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
