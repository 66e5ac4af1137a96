// pnpm spec:diff <old> <new>: classify and list the changes between two OpenAPI documents. Writes
// nothing. Both sides go through the same overlay + 3.1 normalization as a real update (normalize), unless
// --raw, so the comparison is of what the client would be generated from. Levels follow
// scripts/lib/diff/rules.ts and spec/diff-rules.yaml, as spec:update's and spec:watch's do. Operations
// are named on each side by the names lock (spec/vendor.yaml), or by --before-lock/--after-lock: a
// rename in the lock is a major change.
import { normalize } from "./build-spec.ts";
import { parseCommandLine, parseMilliseconds, UsageError } from "./lib/cli.ts";
import { GENERIC_CONFIG, loadConfig, operationNames, type PipelineConfig } from "./lib/config.ts";
import { runCli } from "./lib/errors.ts";
import { toOpenApi31 } from "./lib/normalize.ts";
import { specFiles } from "./lib/paths.ts";
import { DEFAULT_FETCH_TIMEOUT_MS, readUpstream } from "./lib/source.ts";
import {
  diffSpecs,
  loadRuleOverrides,
  renderSummary,
  toJson,
  type RuleOverrides,
  type SpecDiff,
} from "./lib/spec-diff.ts";

/** A location as the client would see it: overlay applied and normalized (or just normalized if raw). */
export async function normalizedFrom(location: string, raw: boolean, timeoutMs?: number, config?: PipelineConfig) {
  const { doc } = await readUpstream(location, { timeoutMs });
  return raw ? toOpenApi31(doc) : normalize(doc, config);
}

export interface DiffOptions {
  raw?: boolean;
  config: PipelineConfig;
  overrides?: RuleOverrides;
  timeoutMs?: number;
  beforeLock?: string;
  afterLock?: string;
}

/** What `pnpm spec:diff` computes for two locations (the history suite runs it on published pairs). */
export async function diffLocations(
  beforeLocation: string,
  afterLocation: string,
  { raw = false, config, overrides, timeoutMs, beforeLock, afterLock }: DiffOptions,
): Promise<SpecDiff> {
  const before = await normalizedFrom(beforeLocation, raw, timeoutMs, config);
  const after = await normalizedFrom(afterLocation, raw, timeoutMs, config);
  const names = {
    before: await operationNames(before, config, beforeLock),
    after: await operationNames(after, config, afterLock),
  };
  return diffSpecs(before, after, overrides, names);
}

const USAGE = `usage: pnpm spec:diff <old-file-or-url> <new-file-or-url> [options]

  --raw              compare the documents as given, without the overlay
  --generic          no vendor configuration (no overlay, names from operationIds, no lock)
  --before-lock F    the operation names lock of the old side (default: spec/operations.lock.json)
  --after-lock F     the operation names lock of the new side (default: spec/operations.lock.json)
  --json             print {bump, changes: [{rule, side, location, level, message}]}
  --fail-on LEVEL    exit 1 when the release reaches LEVEL (major, or minor: minor or major)
  --timeout-ms N     limit for fetching a URL (default ${DEFAULT_FETCH_TIMEOUT_MS})`;

async function main(): Promise<void> {
  const { positionals, values } = parseCommandLine(USAGE, {
    raw: { type: "boolean" },
    generic: { type: "boolean" },
    "before-lock": { type: "string" },
    "after-lock": { type: "string" },
    json: { type: "boolean" },
    "fail-on": { type: "string" },
    "timeout-ms": { type: "string" },
  });
  if (positionals.length !== 2) throw new UsageError(`expected 2 documents, got ${positionals.length}`, USAGE);
  const failOn = values["fail-on"];
  if (failOn !== undefined && failOn !== "major" && failOn !== "minor")
    throw new UsageError(`--fail-on must be major or minor, not ${JSON.stringify(failOn)}`, USAGE);
  const timeoutMs = parseMilliseconds(values["timeout-ms"], "--timeout-ms", DEFAULT_FETCH_TIMEOUT_MS, USAGE);
  const result = await diffLocations(positionals[0]!, positionals[1]!, {
    raw: values.raw ?? false,
    config: values.generic ? GENERIC_CONFIG : await loadConfig(),
    overrides: await loadRuleOverrides(specFiles.diffRules),
    timeoutMs,
    beforeLock: values["before-lock"],
    afterLock: values["after-lock"],
  });
  console.log(values.json ? JSON.stringify(toJson(result), null, 2) : renderSummary(result));
  if (failOn && (result.bump === "major" || (failOn === "minor" && result.bump === "minor"))) process.exitCode = 1;
}

if (process.argv[1] === import.meta.filename) runCli(main);
