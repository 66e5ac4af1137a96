// pnpm spec:rules: writes spec:diff's rule table (scripts/lib/diff/rules.ts) into the README's
// "Semver policy" section, then prettier formats the README as `pnpm test` expects.
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { withRulesTable } from "./lib/diff/policy.ts";
import { runCli } from "./lib/errors.ts";
import { repoRoot } from "./lib/paths.ts";

async function main(): Promise<void> {
  const readme = join(repoRoot, "README.md");
  await writeFile(readme, withRulesTable(await readFile(readme, "utf8")));
  await promisify(execFile)("pnpm", ["exec", "prettier", "--write", "README.md"], { cwd: repoRoot });
  console.log("README.md: spec:diff rules table written");
}

if (process.argv[1] === import.meta.filename) runCli(main);
