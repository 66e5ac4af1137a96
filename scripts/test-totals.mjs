// Sums vitest's JSON reports into the one plain line CI reads: "N passed, N failed".
// A package whose report is missing (its tests never ran) counts as one failure.
import { existsSync, readFileSync } from "node:fs";
import { reportOf, testedByPnpmTest } from "./vitest-reports.mjs";

// pnpm test's packages, then pnpm test:runtimes,
const reports = [...testedByPnpmTest, "runtimes"].map((dir) => reportOf(dir));
// .ci/run's bounded corpus run (CORPUS=ci pnpm test:corpus) beside the scripts' own tests,
reports.push(reportOf("scripts", "corpus-results.json"));
// ... and its bounded history run (HISTORY=ci pnpm test:history).
reports.push(reportOf("scripts", "history-results.json"));
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
