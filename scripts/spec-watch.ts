// pnpm spec:watch [--url URL] [--timeout-ms N]: what the daily GitHub Actions job runs. Fetches the
// vendor's document (default: `url` in spec/upstream/source.json); if it differs from
// spec/upstream/openapi.yaml, does what `pnpm spec:update` does and describes the change for a pull
// request. Outputs go to $GITHUB_OUTPUT when set: changed, release, title, body-file.
import { appendFile, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseCommandLine, parseMilliseconds, UsageError } from "./lib/cli.ts";
import { loadConfig } from "./lib/config.ts";
import { runCli } from "./lib/errors.ts";
import { repoRoot } from "./lib/paths.ts";
import { DEFAULT_FETCH_TIMEOUT_MS, readUpstream } from "./lib/source.ts";
import { renderReport, type CheckReport } from "./lib/check/pipeline.ts";
import { renderSummary, type SpecDiff } from "./lib/spec-diff.ts";
import { applyUpstream, sourceRecord } from "./spec-update.ts";

const USAGE = `usage: pnpm spec:watch [--url URL] [--timeout-ms N]

  --url URL       the vendor's document (default: "url" in spec/upstream/source.json)
  --timeout-ms N  limit for fetching it (default ${DEFAULT_FETCH_TIMEOUT_MS})

Writes changed=, release=, title= and body-file= to $GITHUB_OUTPUT when that is set.`;

const WHY: Record<string, string> = {
  major:
    "something existing callers rely on changed or went away (a removed operation or field, a newly required or narrowed request field, a loosened response field): typed callers may no longer compile or may break at run time",
  minor:
    "the API only grew (new operations, optional request fields, response fields, wider accepted ranges): existing callers keep working",
  patch: "only documentation changed (descriptions, summaries, examples)",
  none: "the document's text changed but not what it means for callers (formatting, ordering), so no release is needed",
};

export function pullRequestBody(
  url: string,
  diff: SpecDiff,
  changeset: string | undefined,
  check?: CheckReport,
  packages: string[] = [],
): string {
  const released = packages.length ? ` (${packages.map((name) => `\`${name}\``).join(", ")})` : "";
  const release = diff.bump ?? "none";
  return [
    `The vendor's OpenAPI document at ${url} changed. \`pnpm spec:watch\` took it through the overlay, regenerated the client, built it and ran the tests of the build${changeset ? `, and wrote \`${changeset}\`` : ""}.`,
    "",
    `**Release: ${release}.** Why: ${WHY[release]}.`,
    "",
    "## What changed",
    "",
    renderSummary(diff),
    "",
    ...(check ? ["## Preflight (`pnpm spec:check`)", "", "```", renderReport(check), "```", ""] : []),
    "## How to review",
    "",
    `1. Read the changeset: it becomes the release notes of every package it names${released}.`,
    "2. `git diff spec/upstream` shows the vendor's exact change; `spec/upstream/openapi.yaml` is their document byte for byte.",
    "3. If an overlay correction stopped matching, the job failed instead of opening this pull request: the vendor fixed or moved what it corrected; delete that action in `spec/overlay/corrections.overlay.yaml`.",
    '4. CI runs `pnpm test` on this branch. Merging it lets the release workflow open (or update) the "Version packages" pull request.',
    "",
  ].join("\n");
}

async function output(lines: Record<string, string>): Promise<void> {
  const file = process.env.GITHUB_OUTPUT;
  if (file)
    await appendFile(
      file,
      Object.entries(lines)
        .map(([name, value]) => `${name}=${value}\n`)
        .join(""),
    );
}

async function main(): Promise<void> {
  const { positionals, values } = parseCommandLine(USAGE, {
    url: { type: "string" },
    "timeout-ms": { type: "string" },
  });
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`, USAGE);
  const timeoutMs = parseMilliseconds(values["timeout-ms"], "--timeout-ms", DEFAULT_FETCH_TIMEOUT_MS, USAGE);
  const url = values.url ?? (JSON.parse(await readFile(sourceRecord, "utf8")) as { url?: string }).url;
  if (!url) throw new UsageError(`no --url given and ${relative(repoRoot, sourceRecord)} has no "url"`, USAGE);

  // Fetched and checked before anything is written: an unreachable or non-OpenAPI URL changes nothing.
  const source = await readUpstream(url, { timeoutMs });
  const { changed, diff, changesetPath, sha256, check } = await applyUpstream(source, url);
  if (!changed) {
    await output({ changed: "false" });
    console.log(`${url}: no change to the vendor's document.`);
    return;
  }
  const release = diff.bump ?? "none";
  const changeset = changesetPath && relative(repoRoot, changesetPath);
  const bodyFile = join(process.env.RUNNER_TEMP || tmpdir(), `spec-watch-${sha256!.slice(0, 12)}.md`);
  // The packages spec/vendor.yaml releases on a spec change: the pipeline itself names none.
  const { packages } = await loadConfig();
  await writeFile(bodyFile, pullRequestBody(url, diff, changeset, check, packages));
  const title = `Update the vendor's OpenAPI document (${release === "none" ? "no release" : `${release} release`})`;
  await output({ changed: "true", release, title, "body-file": bodyFile });
  console.log(`${title}\n\n${renderSummary(diff)}\n\npull request body: ${bodyFile}`);
}

if (process.argv[1] === import.meta.filename) runCli(main);
