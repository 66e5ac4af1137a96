// pnpm spec:check <document> [--generic] [--json]: the whole pipeline on a document, in a scratch
// directory, never writing into the repository: read, overlay (unless --generic), normalize, lint,
// codegen, type-check the client against it, then call every operation through the generated client
// against the generated fake over loopback. A per-stage report with times; exit 0 only if all passed.
import { resolve } from "node:path";
import { runCli, SpecPipelineError } from "./lib/errors.ts";
import { parseCommandLine, parseMilliseconds, UsageError } from "./lib/cli.ts";
import { checkDocument, renderReport } from "./lib/check/pipeline.ts";
import { GENERIC_CONFIG, loadConfig } from "./lib/config.ts";
import { DEFAULT_FETCH_TIMEOUT_MS } from "./lib/source.ts";

const USAGE = `usage: pnpm spec:check <file-or-url> [--generic] [--json] [--timeout-ms N]

  <file-or-url>   an OpenAPI 3.0/3.1 document (YAML/JSON), or a docs page with it in a fenced block
  --generic       no vendor configuration: no overlay, no helpers, names from operationIds
  --json          print one object: { ok, operations, passed, stages: [{ name, ok, ms, error? }], failures }
  --keep          keep the scratch directory and print where it is
  --timeout-ms N  limit for fetching a URL (default ${DEFAULT_FETCH_TIMEOUT_MS})`;

async function main(): Promise<void> {
  const { positionals, values } = parseCommandLine(USAGE, {
    generic: { type: "boolean" },
    json: { type: "boolean" },
    keep: { type: "boolean" },
    "timeout-ms": { type: "string" },
  });
  if (positionals.length !== 1) throw new UsageError(`expected 1 document, got ${positionals.length}`, USAGE);
  const timeoutMs = parseMilliseconds(values["timeout-ms"], "--timeout-ms", DEFAULT_FETCH_TIMEOUT_MS, USAGE);
  const location = /^https?:/i.test(positionals[0]!)
    ? positionals[0]!
    : resolve(process.env.INIT_CWD ?? process.cwd(), positionals[0]!);
  const config = values.generic ? GENERIC_CONFIG : await loadConfig();
  const report = await checkDocument(location, config, { timeoutMs, keep: values.keep ?? false });
  console.log(values.json ? JSON.stringify(report) : renderReport(report));
  if (!report.ok) {
    if (values.json) process.exitCode = 1;
    else throw new SpecPipelineError(`spec:check failed at ${report.stages.find((stage) => !stage.ok)?.name}`);
  }
}

if (process.argv[1] === import.meta.filename) runCli(main);
