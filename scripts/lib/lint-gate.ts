// The lint gate: Redocly's recommended rules over the normalized document, where only findings that
// break generation or the wire stop the pipeline; style (a missing summary, license or 4xx response)
// goes in the report. Which rules stop it is data (FATAL_RULES), with the reason for each.
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { SpecPipelineError } from "./errors.ts";
import { repoRoot } from "./paths.ts";

const run = promisify(execFile);

/** Rule id -> why a finding of it breaks generation or the wire. */
export const FATAL_RULES: Record<string, string> = {
  "no-unresolved-refs": "a $ref that leads nowhere: the types and validators cannot be generated",
  "no-undefined-server-variable": "a server URL with a variable it does not define: no request URL can be built",
  "path-declaration-must-exist": "a path template with an empty {}: no request URL can be built",
};

export interface LintFinding {
  rule: string;
  severity: "error" | "warn";
  message: string;
  /** JSON pointer into the normalized document. */
  where: string;
  fatal: boolean;
}

/** Redocly's findings for a normalized document on disk, each marked fatal or not. */
export async function lintFindings(normalizedPath: string): Promise<LintFinding[]> {
  const redocly = join(repoRoot, "spec", "node_modules", ".bin", "redocly");
  let stdout: string;
  try {
    // A scratch cwd and our own config: no project's redocly.yaml applies, the same rules for every document.
    const config = join(import.meta.dirname, "lint-gate.redocly.yaml");
    ({ stdout } = await run(redocly, ["lint", normalizedPath, "--format", "json", "--config", config], {
      cwd: dirname(normalizedPath),
      maxBuffer: 256 * 1024 * 1024,
    }));
  } catch (error) {
    // Redocly exits 1 when it found errors; its JSON is still on stdout.
    stdout = (error as { stdout?: string }).stdout ?? "";
    if (!stdout.trim().startsWith("{"))
      throw new SpecPipelineError(`Redocly could not lint the document: ${(error as Error).message.split("\n")[0]}`);
  }
  const report = JSON.parse(stdout.slice(stdout.indexOf("{"))) as {
    problems: { ruleId: string; severity: string; message: string; location?: { pointer?: string }[] }[];
  };
  return report.problems.map((problem) => ({
    rule: problem.ruleId,
    severity: problem.severity === "error" ? "error" : "warn",
    message: problem.message,
    where: problem.location?.[0]?.pointer ?? "#",
    fatal: Object.hasOwn(FATAL_RULES, problem.ruleId),
  }));
}

/** Fails, listing the fatal findings, if there are any; returns the rest for the report. */
export async function lintGate(normalizedPath: string): Promise<LintFinding[]> {
  const findings = await lintFindings(normalizedPath);
  const fatal = findings.filter((finding) => finding.fatal);
  if (fatal.length > 0) {
    const lines = fatal.slice(0, 40).map((f) => `  ${f.rule} at ${f.where}: ${f.message} (${FATAL_RULES[f.rule]})`);
    throw new SpecPipelineError(`the document cannot be generated or called:\n${lines.join("\n")}`);
  }
  return findings;
}

/** One line per rule: how many findings, for reports. */
export function summarizeFindings(findings: LintFinding[]): string[] {
  const counts = new Map<string, number>();
  for (const finding of findings) counts.set(finding.rule, (counts.get(finding.rule) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([rule, n]) => `${rule}: ${n}`);
}
