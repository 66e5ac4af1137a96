// spec:check's stages, each timed, each stopping the run when it fails: the same functions spec:update
// and `pnpm build` use, pointed at a scratch directory (a copy of the client's sources with the new
// generated code), so nothing in the repository is written.
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { normalize } from "../../build-spec.ts";
import { renderGenerated } from "../../generate.ts";
import type { PipelineConfig } from "../config.ts";
import { SpecPipelineError } from "../errors.ts";
import { toJsonText, type OpenApiDocument } from "../files.ts";
import { lintGate, summarizeFindings } from "../lint-gate.ts";
import { repoRoot } from "../paths.ts";
import { readUpstream } from "../source.ts";

const run = promisify(execFile);
const clientDir = join(repoRoot, "packages", "client");

export interface StageReport {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
  /** What the stage found that did not stop it (lint findings by rule, counts). */
  notes?: string[];
}

export interface CheckReport {
  ok: boolean;
  /** Operations the document has (known once codegen ran). */
  operations: number;
  /** Operations whose smoke call passed. */
  passed: number;
  /**
   * Operations whose request schema no value we could build satisfies (a vendor's defect, listed with
   * the validator's words): the client refused them, typed, sending nothing, as it must.
   */
  refused: { operation: string; reason: string }[];
  stages: StageReport[];
  /** Wall time of the whole check (stages overlap: lint runs beside the type-check). */
  ms: number;
  failures: { operation: string; reason: string }[];
  scratch?: string;
}

type Stage = "read" | "normalize" | "lint" | "codegen" | "typecheck" | "build" | "smoke";
/** A stage's notes for the report, if it has any. */
type Step = () => Promise<string[] | undefined> | Promise<void>;

/** Copy the client's sources (not their generated code) and give them the new generated files. */
async function scratchClient(scratch: string, files: Map<string, string>): Promise<string> {
  const client = join(scratch, "client");
  await cp(join(clientDir, "src"), join(client, "src"), {
    recursive: true,
    filter: (source) => !source.startsWith(join(clientDir, "src", "generated")),
  });
  await cp(join(clientDir, "package.json"), join(client, "package.json"));
  await symlink(join(clientDir, "node_modules"), join(client, "node_modules"), "dir");
  for (const [name, content] of files) {
    const path = join(client, "src", "generated", name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
  // The client's own compiler options (its tsconfig.json), over its sources only.
  const tsconfig = { extends: join(clientDir, "tsconfig.json"), include: ["src"], exclude: [] };
  await writeFile(join(client, "tsconfig.json"), toJsonText(tsconfig));
  return client;
}

/** The output a failed child process left, trimmed to what a report can hold. */
function outputOf(error: unknown): string {
  const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
  const text = `${stdout}\n${stderr}`.trim() || (error as Error).message;
  return text.split("\n").slice(0, 30).join("\n");
}

/** Run every stage on a document (a path or URL, or one already read: spec:update's), in a scratch directory. */
export async function checkDocument(
  source: string | OpenApiDocument,
  config: PipelineConfig,
  { timeoutMs, keep = false }: { timeoutMs?: number; keep?: boolean } = {},
): Promise<CheckReport> {
  const report: CheckReport = { ok: false, operations: 0, passed: 0, refused: [], stages: [], ms: 0, failures: [] };
  const scratch = await mkdtemp(join(tmpdir(), "spec-check-"));
  const specPath = join(scratch, "openapi.json");
  let upstream: OpenApiDocument | undefined;
  let files = new Map<string, string>();
  let client = "";
  const steps: Record<Stage, Step> = {
    read: async () =>
      void (upstream = typeof source === "string" ? (await readUpstream(source, { timeoutMs })).doc : source),
    normalize: async () => writeFile(specPath, toJsonText(await normalize(upstream!, config))),
    lint: async () => summarizeFindings(await lintGate(specPath)),
    codegen: async () => {
      files = await renderGenerated(specPath, config);
      // One module per operation beside the three tables (an operation may be named indexThings).
      report.operations = [...files.keys()].filter((name) =>
        /^operations\/(?!(?:index|fields|replies)\.ts$)[^/.]+\.ts$/.test(name),
      ).length;
      client = await scratchClient(scratch, files);
      return [`${report.operations} operations, ${files.size} files`];
    },
    typecheck: async () => {
      const tsc = join(clientDir, "node_modules", "typescript", "bin", "tsc");
      await run(process.execPath, [tsc, "--noEmit", "-p", client], { maxBuffer: 64 * 1024 * 1024 });
    },
    // The client and its fake bundled as a service would bundle them (esbuild, one module graph): the
    // smoke test then loads four files, not the 1 500 sources of a GitHub-sized document.
    build: async () => {
      await build({
        entryPoints: {
          client: join(client, "src", "index.node.ts"),
          testing: join(client, "src", "testing.node.ts"),
          operations: join(client, "src", "generated", "operations", "index.ts"),
          replies: join(client, "src", "generated", "operations", "replies.ts"),
        },
        outdir: join(client, "dist"),
        bundle: true,
        splitting: true,
        format: "esm",
        platform: "node",
        target: "node20",
        logLevel: "silent",
      });
    },
    smoke: async () => {
      const smoke = join(repoRoot, "scripts", "lib", "check", "smoke.ts");
      const { stdout } = await run(process.execPath, ["--import", "tsx", smoke, client, specPath], {
        cwd: join(repoRoot, "scripts"),
        maxBuffer: 64 * 1024 * 1024,
      });
      const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as Pick<
        CheckReport,
        "passed" | "refused" | "failures"
      >;
      report.passed = result.passed;
      report.refused = result.refused;
      report.failures = result.failures;
      if (result.failures.length > 0)
        throw new SpecPipelineError(`${result.failures.length} of ${report.operations} operations failed`);
      const refused = result.refused.length;
      return [
        `${result.passed} of ${report.operations} operations answered as the spec says`,
        ...(refused ? [`${refused} refused by the client: their request schema admits no value we could build`] : []),
      ];
    },
  };
  const stage = async (name: Stage): Promise<StageReport> => {
    const started = performance.now();
    try {
      const notes = await steps[name]();
      return { name, ok: true, ms: Math.round(performance.now() - started), ...(notes && { notes }) };
    } catch (error) {
      const message = error instanceof SpecPipelineError ? error.message : outputOf(error);
      return { name, ok: false, ms: Math.round(performance.now() - started), error: message };
    }
  };
  const started = performance.now();
  try {
    // Reported in order, each stopping the run. Lint (Redocly, in its own process) runs beside the
    // type-check, which needs none of its result: codegen keeps both cores (openapi-typescript on one
    // thread, the rest on another). A document lint refuses is reported at lint even when codegen
    // failed on it first.
    const ordered = async function* () {
      yield stage("read");
      yield stage("normalize");
      const codegen = await stage("codegen");
      const lint = stage("lint");
      const typecheck = codegen.ok ? await stage("typecheck") : undefined;
      yield lint;
      yield codegen;
      if (typecheck) yield typecheck;
      yield stage("build");
      yield stage("smoke");
    };
    for await (const result of ordered()) {
      report.stages.push(result);
      if (!result.ok) return report;
    }
    report.ok = true;
    return report;
  } finally {
    report.ms = Math.round(performance.now() - started);
    if (keep) report.scratch = scratch;
    else await rm(scratch, { recursive: true, force: true });
  }
}

/** The report as text: one line per stage with its time, then what failed. */
export function renderReport(report: CheckReport): string {
  const lines = report.stages.map(
    (stage) =>
      `${stage.ok ? "ok  " : "FAIL"} ${stage.name.padEnd(10)} ${String(stage.ms).padStart(7)} ms${stage.notes ? `  ${stage.notes.slice(0, 3).join(", ")}${stage.notes.length > 3 ? ", ..." : ""}` : ""}`,
  );
  const failed = report.stages.find((stage) => !stage.ok);
  if (failed?.error) lines.push("", `${failed.name}: ${failed.error}`);
  for (const failure of report.failures.slice(0, 20)) lines.push(`  ${failure.operation}: ${failure.reason}`);
  if (report.failures.length > 20) lines.push(`  ... and ${report.failures.length - 20} more`);
  if (report.refused.length > 0)
    lines.push("", "refused (the document's request schema admits no value we could build):");
  for (const refused of report.refused.slice(0, 20)) lines.push(`  ${refused.operation}: ${refused.reason}`);
  const refusedNote = report.refused.length > 0 ? `, ${report.refused.length} refused as the spec requires` : "";
  const verdict = report.ok ? "passed" : "failed";
  lines.push(
    "",
    `${verdict}: ${report.passed} of ${report.operations} operations smoke-tested${refusedNote} (${report.ms} ms)`,
  );
  if (report.scratch) lines.push(`scratch directory kept: ${report.scratch}`);
  return lines.join("\n");
}
