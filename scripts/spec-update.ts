// pnpm spec:update <file-or-url>: take a new vendor document all the way to a reviewed, versioned
// change. Everything that can fail is checked before the repository is touched; if the final build
// fails, the files it wrote are put back.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { buildSpec, normalize } from "./build-spec.ts";
import { parseCommandLine, parseMilliseconds, UsageError } from "./lib/cli.ts";
import { runCli, SpecPipelineError } from "./lib/errors.ts";
import { toJsonText } from "./lib/files.ts";
import { checkDocument, renderReport, type CheckReport } from "./lib/check/pipeline.ts";
import { loadConfig, lockText, operationNames } from "./lib/config.ts";
import { lockFor } from "./lib/names.ts";
import { repoRoot, specFiles } from "./lib/paths.ts";
import { DEFAULT_FETCH_TIMEOUT_MS, readUpstream, type UpstreamSource } from "./lib/source.ts";
import { diffSpecs, loadRuleOverrides, renderSummary, type SpecDiff } from "./lib/spec-diff.ts";

const run = promisify(execFile);
export const sourceRecord = join(repoRoot, "spec", "upstream", "source.json");

export interface UpdateResult {
  /** False when the document is byte for byte the current one: then nothing was written. */
  changed: boolean;
  diff: SpecDiff;
  changesetPath: string | undefined;
  /** Of the new upstream text (when changed). */
  sha256?: string;
  /** The preflight's report (when changed): every stage with its time. */
  check?: CheckReport;
}

/**
 * What source.json records about where a document came from: a URL as given, a local file by its
 * base name only (a path would be one machine's layout, committed for everyone).
 */
export function sourceLabel(location: string): string {
  return /^https?:/i.test(location) ? location : basename(location);
}

function changesetFor(diff: SpecDiff, source: string, packages: string[]): string {
  const header = packages.map((name) => `"${name}": ${diff.bump}`).join("\n");
  return `---\n${header}\n---\n\nUpdate the vendor's OpenAPI document (from ${source}).\n\n${renderSummary(diff)}\n`;
}

export async function updateSpec(location: string, { timeoutMs }: { timeoutMs?: number } = {}): Promise<UpdateResult> {
  return applyUpstream(await readUpstream(location, { timeoutMs }), sourceLabel(location));
}

/** spec:update from a document already read (spec:watch fetches first, to report unreachable URLs). */
export async function applyUpstream({ bytes, doc }: UpstreamSource, source: string): Promise<UpdateResult> {
  // 1. Everything in memory or in a temp dir: overlay, normalize, lint, generate. Compared as bytes:
  // the stored file is the vendor's bytes, whatever their encoding.
  if (bytes.equals((await readFile(specFiles.upstream).catch(() => undefined)) ?? Buffer.alloc(0)))
    return { changed: false, diff: { bump: null, changes: [] }, changesetPath: undefined };
  const config = await loadConfig();
  const next = await normalize(doc, config);
  const previous = await buildSpec(specFiles.upstream, config);
  // Names: every operation the lock knows keeps its name (a reworded summary renames nothing); new
  // ones are named by the rule and recorded; gone ones leave the lock.
  const names = { before: await operationNames(previous, config), after: await operationNames(next, config) };
  const lock = lockFor(names.after);
  // The preflight (spec:check) on the new document, with the lock as it will be written: normalize,
  // lint, codegen, type-check the client, smoke-test every operation. Nothing is written if it fails.
  const scratch = await mkdtemp(join(tmpdir(), "spec-update-"));
  let check: CheckReport;
  try {
    const lockPath = join(scratch, "operations.lock.json");
    await writeFile(lockPath, lockText(lock));
    check = await checkDocument(doc, { ...config, naming: { ...config.naming, lock: lockPath } });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (!check.ok)
    throw new SpecPipelineError(
      `spec:check failed on the new document, so nothing was changed:\n${renderReport(check)}`,
    );
  const diff = diffSpecs(previous, next, await loadRuleOverrides(specFiles.diffRules), names);

  // 2. Write, build, and put everything back if the build fails.
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const changesetPath = diff.bump ? join(repoRoot, ".changeset", `spec-update-${sha256.slice(0, 12)}.md`) : undefined;
  const originals = new Map<string, Buffer | undefined>();
  const lockPath = config.naming.lock;
  for (const file of [
    specFiles.upstream,
    sourceRecord,
    ...(lockPath ? [lockPath] : []),
    ...(changesetPath ? [changesetPath] : []),
  ]) {
    originals.set(file, await readFile(file).catch(() => undefined));
  }
  try {
    await writeFile(specFiles.upstream, bytes);
    const record = JSON.parse(originals.get(sourceRecord)?.toString("utf8") ?? "{}") as object;
    await writeFile(sourceRecord, toJsonText({ ...record, source, sha256 }));
    if (lockPath) await writeFile(lockPath, lockText(lock));
    if (changesetPath) await writeFile(changesetPath, changesetFor(diff, source, config.packages));
    await run("pnpm", ["build"], {
      cwd: repoRoot,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    for (const [file, content] of originals) {
      if (content === undefined) await rm(file, { force: true });
      else await writeFile(file, content);
    }
    const output = (error as { stdout?: string }).stdout ?? (error as Error).message;
    throw new SpecPipelineError(
      `the client does not build against the new document, so nothing was changed. Build output:\n${output.split("\n").slice(-40).join("\n")}`,
    );
  }
  return { changed: true, diff, changesetPath, sha256, check };
}

const USAGE = `usage: pnpm spec:update <file-or-url> [--timeout-ms N]

  <file-or-url>   the vendor's document: YAML/JSON, or a docs page with it in a fenced block
  --timeout-ms N  limit for fetching a URL (default ${DEFAULT_FETCH_TIMEOUT_MS})`;

async function main(): Promise<void> {
  const { positionals, values } = parseCommandLine(USAGE, { "timeout-ms": { type: "string" } });
  if (positionals.length !== 1) throw new UsageError(`expected 1 document, got ${positionals.length}`, USAGE);
  const timeoutMs = parseMilliseconds(values["timeout-ms"], "--timeout-ms", DEFAULT_FETCH_TIMEOUT_MS, USAGE);
  // pnpm runs root scripts from the repository root; a relative path means the caller's directory.
  const location = /^https?:/i.test(positionals[0]!)
    ? positionals[0]!
    : resolve(process.env.INIT_CWD ?? process.cwd(), positionals[0]!);
  const { changed, diff, changesetPath } = await updateSpec(location, { timeoutMs });
  if (!changed) {
    console.log("The document is the one already in spec/upstream: nothing to do.");
    return;
  }
  console.log(renderSummary(diff));
  console.log(
    changesetPath
      ? `\nwrote ${relative(repoRoot, changesetPath)}; review it, then commit.`
      : "\nno changeset: nothing callers can see changed.",
  );
}

if (process.argv[1] === import.meta.filename) runCli(main);
