// pnpm test:stress [--runs 3] [--burners N]: the whole `pnpm test` run several times in a row while
// other processes keep every core busy (issue 27: a suite that holds under load). Each run is forced
// (no turbo cache); a run's failures are listed by test name. Exit 0 only when every run passed.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { reportOf, root, testedByPnpmTest } from "./vitest-reports.mjs";
import { parseArgs } from "node:util";

const usage = "usage: pnpm test:stress [--runs N] [--burners N]   (defaults: 3 runs, one burner per core)";
let values;
try {
  ({ values } = parseArgs({ options: { runs: { type: "string" }, burners: { type: "string" } } }));
} catch (error) {
  console.error(`${error.message}\n${usage}`);
  process.exit(2);
}
const count = (name, fallback) => {
  const n = Number(values[name] ?? fallback);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a whole number >= 1, not ${values[name]}\n${usage}`);
    process.exit(2);
  }
  return n;
};
const runs = count("runs", 3);
const burnerCount = count("burners", availableParallelism());

/** Every failed test of the run just finished, from vitest's JSON reports. */
function failedTests() {
  const failed = [];
  for (const dir of testedByPnpmTest) {
    const report = reportOf(dir);
    if (!existsSync(report)) {
      failed.push(`${dir}: no test report (its tests did not run)`);
      continue;
    }
    for (const file of JSON.parse(readFileSync(report, "utf8")).testResults ?? [])
      for (const test of file.assertionResults ?? [])
        if (test.status === "failed") failed.push(`${dir}: ${test.fullName}`);
  }
  return failed;
}

// A busy loop per core, at the suite's own priority: the suite gets about half the machine. Each one
// also ends itself once this script is gone (its parent changes), however this script ended.
const BURN = `for (let i = 1; ; i++) if (i % 1e8 === 0 && process.ppid !== ${process.pid}) process.exit();`;
const burners = Array.from({ length: burnerCount }, () => spawn(process.execPath, ["-e", BURN], { stdio: "ignore" }));
const stopBurners = () => burners.forEach((burner) => burner.kill("SIGKILL"));
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
  ["SIGHUP", 129],
])
  process.on(signal, () => (stopBurners(), process.exit(code)));

const results = [];
try {
  for (let run = 1; run <= runs; run++) {
    for (const dir of testedByPnpmTest) {
      const report = reportOf(dir);
      if (existsSync(report)) rmSync(report);
    }
    const started = performance.now();
    const code = await new Promise((resolve) =>
      spawn("pnpm", ["test"], {
        cwd: root,
        // Every task runs again: a cached result would prove nothing about this run's load.
        env: { ...process.env, TURBO_FORCE: "true" },
        stdio: ["ignore", "ignore", "inherit"],
      }).on("exit", resolve),
    );
    const failed = failedTests();
    const minutes = ((performance.now() - started) / 60_000).toFixed(1);
    results.push({ run, code, failed });
    console.log(
      `run ${run} of ${runs}: exit ${code}, ${failed.length} failed, ${minutes} min under ${burnerCount} busy loops`,
    );
    for (const name of failed) console.log(`  failed: ${name}`);
  }
} finally {
  stopBurners();
}
const bad = results.filter(({ code, failed }) => code !== 0 || failed.length > 0).length;
console.log(`${runs - bad} of ${runs} loaded runs passed`);
process.exit(bad === 0 ? 0 : 1);
