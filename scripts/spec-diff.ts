// pnpm spec:diff <old> <new>: classify and list the changes between two OpenAPI documents. Writes
// nothing. Both sides go through the same overlay + 3.1 normalization as a real update (normalize), unless
// --raw, so the comparison is of what the client would be generated from.
import { normalize } from "./build-spec.ts";
import { parseCommandLine, parseMilliseconds, UsageError } from "./lib/cli.ts";
import { runCli } from "./lib/errors.ts";
import { toOpenApi31 } from "./lib/normalize.ts";
import { DEFAULT_FETCH_TIMEOUT_MS, readUpstream } from "./lib/source.ts";
import { diffSpecs, renderSummary } from "./lib/spec-diff.ts";

/** A location as the client would see it: overlay applied and normalized (or just normalized if raw). */
export async function normalizedFrom(location: string, raw: boolean, timeoutMs?: number) {
  const { doc } = await readUpstream(location, { timeoutMs });
  return raw ? toOpenApi31(doc) : normalize(doc);
}

const USAGE = `usage: pnpm spec:diff <old-file-or-url> <new-file-or-url> [--raw] [--timeout-ms N]

  --raw           compare the documents as given, without the overlay
  --timeout-ms N  limit for fetching a URL (default ${DEFAULT_FETCH_TIMEOUT_MS})`;

async function main(): Promise<void> {
  const { positionals, values } = parseCommandLine(USAGE, {
    raw: { type: "boolean" },
    "timeout-ms": { type: "string" },
  });
  if (positionals.length !== 2) throw new UsageError(`expected 2 documents, got ${positionals.length}`, USAGE);
  const timeoutMs = parseMilliseconds(values["timeout-ms"], "--timeout-ms", DEFAULT_FETCH_TIMEOUT_MS, USAGE);
  const raw = values.raw ?? false;
  const [before, after] = await Promise.all(positionals.map((location) => normalizedFrom(location, raw, timeoutMs)));
  console.log(renderSummary(diffSpecs(before!, after!)));
}

if (process.argv[1] === import.meta.filename) runCli(main);
