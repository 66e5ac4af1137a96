// pnpm bench: every figure in BENCHMARKS.md, measured in one run on this machine. Ratios are taken
// within a round (contenders alternate), so machine speed and noise cancel out; medians and ranges
// are over rounds. `--quick` is the smoke run CI does: tiny counts, no pipeline timings.
import { writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openapiFetchAlone, serviceBundle, type BundleSize } from "./bundle.ts";
import { BARE_OPENAPI_FETCH, FETCH_STACKS, httpContenders, inProcessContenders, WITH_TIMEOUT } from "./contenders.ts";
import { loadHeyApi } from "./hey-api.ts";
import { startLoopbackServer } from "./loopback.ts";
import { measureImport, type ImportResult } from "./import.ts";
import { measureOutboxDrain, measureOutboxMemory, measureOutboxPerCall } from "./outbox.ts";
import { faultSection, measureFlakyDrain, measureOutage } from "./outbox-faults.ts";
import { measurePipeline, type PipelineResult } from "./pipeline.ts";
import { measureSpecCheck, type SpecCheckRow } from "./spec-check.ts";
import { measureSpecDiff, specDiffSection, type SpecDiffResult } from "./spec-diff.ts";
import { formatRatio, median, runRounds, type RoundsResult } from "./rounds.ts";
import { coldImportMs } from "./startup.ts";

const repoRoot = join(import.meta.dirname, "..", "..");
const clientDir = join(repoRoot, "packages", "client");

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string", default: join(repoRoot, "BENCHMARKS.md") },
  },
});
const quick = values.quick;
const ROUNDS = quick ? 2 : 7;

function ratioTable(result: RoundsResult, unit: string): string[] {
  const lines = ["| contender | per call, relative to the baseline |", "| --- | --- |"];
  for (const [name, ratios] of result.ratios) lines.push(`| ${name} | ${formatRatio(ratios)} |`);
  const base = result.baselineMicros;
  lines.push(
    "",
    `Baseline: ${median(base).toFixed(1)} ${unit} per call (median; ${Math.min(...base).toFixed(1)}-${Math.max(...base).toFixed(1)}).`,
  );
  return lines;
}

const kb = (bytes: number) => `${bytes.toLocaleString("en")} B`;

async function main(): Promise<void> {
  const log = (line: string) => console.log(`bench: ${line}`);
  const heyApi = await loadHeyApi(join(repoRoot, "spec", "dist", "openapi.json"));
  const { url, child } = await startLoopbackServer();
  const sections: string[] = [];
  const http: Record<number, RoundsResult> = {};
  let imported: ImportResult | undefined;
  let outboxPerCall: Awaited<ReturnType<typeof measureOutboxPerCall>> | undefined;
  let outboxDrain: Awaited<ReturnType<typeof measureOutboxDrain>> | undefined;
  try {
    for (const concurrency of [1, 32]) {
      log(`loopback HTTP, concurrency ${concurrency}`);
      http[concurrency] = await runRounds(httpContenders(url, heyApi), {
        calls: quick ? 20 : concurrency === 1 ? 2_000 : 8_000,
        concurrency,
        rounds: ROUNDS,
        warmup: quick ? 10 : 1_000,
      });
    }
    log("parea feedback import: throughput and peak memory (a few minutes at full size)");
    imported = await measureImport(url, {
      rows: quick ? 200 : 50_000,
      rssRows: quick ? 2_000 : 1_000_000,
      concurrency: 8,
      rounds: quick ? 1 : 3,
    });
    log("outbox: per call next to an awaited call, and drain next to the import");
    outboxPerCall = await measureOutboxPerCall(url, { calls: quick ? 50 : 5_000, rounds: ROUNDS });
    outboxDrain = await measureOutboxDrain(url, {
      items: quick ? 200 : 20_000,
      rounds: quick ? 1 : 3,
      concurrencies: [4, 16],
    });
  } finally {
    child.kill();
  }
  log("outbox: drain with 5 % 503s next to a fault-free drain, and an outage's probes");
  const flakyDrain = await measureFlakyDrain({ items: quick ? 500 : 20_000, rounds: quick ? 1 : 3, concurrency: 4 });
  const outage = await measureOutage({ concurrency: 16, seconds: quick ? 4 : 10 });
  log("outbox: memory with 100 000 items queued while Parea is down");
  const outboxMemory = await measureOutboxMemory(quick ? 2_000 : 100_000);
  log("in-process, stubbed fetch");
  const inProcess = await runRounds(inProcessContenders(heyApi), {
    calls: quick ? 50 : 20_000,
    concurrency: 1,
    rounds: ROUNDS,
    warmup: quick ? 10 : 5_000,
    collectFirst: true,
  });

  log("bundle size and cold import");
  const seedBundle = await serviceBundle(join(clientDir, "dist", "index.mjs"));
  const floor = await openapiFetchAlone(clientDir);
  const imports = await coldImportMs(["@parea-api/client", "openapi-fetch", "openai"], quick ? 2 : 15);
  let pipeline: PipelineResult | undefined;
  if (!quick) {
    log("pipeline timings in a scratch copy of the repository (a minute or two)");
    pipeline = await measurePipeline(join(repoRoot, "scripts", "test", "fixtures", "parea-openapi-full.yml"), 3);
  }
  let specDiff: SpecDiffResult | undefined;
  if (!quick) {
    log("spec:diff on GitHub's document against parsing it (a minute)");
    specDiff = await measureSpecDiff("api.github.com 22.0.0..23.0.0", 5);
  }
  let specCheck: SpecCheckRow[] | undefined;
  if (!quick) {
    log("spec:check against plain openapi-typescript on real documents (a few minutes)");
    specCheck = await measureSpecCheck(["openai.com", "stripe.com", "kubernetes.io", "api.github.com"]);
  }

  const opsPerSecond = (ratios: number[]) => 1e6 / (median(inProcess.baselineMicros) * median(ratios));
  sections.push(
    "# Benchmarks",
    "",
    `Written by \`pnpm bench\` (bench/) on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model.trim()}, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}.${quick ? " **Smoke run (--quick): the figures mean nothing.**" : ""}`,
    "",
    `Every ratio is measured side by side: each round runs every contender once, in a rotated order, and divides by the baseline of the same round. ${ROUNDS} rounds; shown as median (min-max over rounds). Lower is better.`,
    "",
    "## Per call over loopback HTTP",
    "",
    "A Record Feedback POST (`x-api-key`, a small JSON body) to a `node:http` server in another process answering `{}`; each call resolves with the parsed JSON. `@parea-api/client` as Node resolves it (the `node` export condition: node:http with keep-alive).",
    "",
  );
  for (const concurrency of [1, 32]) {
    sections.push(`### Concurrency ${concurrency}`, "", ...ratioTable(http[concurrency]!, "µs"), "");
  }
  sections.push(
    "### The fetch path",
    "",
    "`recordFeedback` over `fetch` divided, round by round, by bare openapi-fetch with the same auth middleware, and by the same with the per-attempt timeout the client always has (an `AbortController`, its signal on the `Request`, and a timer). The platform fetch (the entry without the `node` condition, as browsers and Workers resolve it) is given the URL and init and makes the one `Request`; a `fetch` option receives a `Request` the client makes, which fetch copies. The last row is that exchange with no client at all: the floor a `fetch` option stands on, and what is left for the client's layers (openapi-fetch, validation, retries, errors).",
    "",
    "| concurrency | client over | over bare openapi-fetch + auth | over the same + a per-call timeout |",
    "| --- | --- | --- | --- |",
    ...[1, 32].flatMap((concurrency) => {
      const { ratios } = http[concurrency]!;
      const over = (client: string, name: string) =>
        formatRatio(ratios.get(client)!.map((r, i) => r / ratios.get(name)![i]!));
      return FETCH_STACKS.map(
        ([client, label]) =>
          `| ${concurrency} | ${label} | ${over(client, BARE_OPENAPI_FETCH)} | ${over(client, WITH_TIMEOUT)} |`,
      );
    }),
    "",
  );
  const cliRate = median(imported.cliRowsPerSecond);
  const fetchRate = median(imported.fetchRowsPerSecond);
  const rates = (values: number[]) =>
    `${Math.round(median(values)).toLocaleString("en")} (${values.map((v) => Math.round(v).toLocaleString("en")).join(", ")})`;
  sections.push(
    "## Bulk import (`parea feedback import`)",
    "",
    `${imported.rows.toLocaleString("en")} JSON Lines rows to the same loopback server at concurrency ${imported.concurrency}, each tool in its own process, whole runs timed (startup included); ${imported.rounds} rounds, alternating which goes first.`,
    "",
    "| tool | rows/s, median (each round) |",
    "| --- | --- |",
    `| a bare \`fetch\` loop (bench/src/fetch-loop.ts) | ${rates(imported.fetchRowsPerSecond)} |`,
    `| **parea feedback import** (validation, checkpoint, rejects, shared rate limit) | ${rates(imported.cliRowsPerSecond)}: **${(cliRate / fetchRate).toFixed(2)}x** the fetch loop |`,
    "",
    `Peak RSS importing ${imported.rssRows.toLocaleString("en")} rows: **${imported.peakRssMb.toFixed(0)} MB** (${imported.rssMethod}).`,
    "",
    "## Outbox (`@parea-api/client/outbox`)",
    "",
    `Per call: \`outbox.recordFeedback(body)\` (validate, copy, queue; with a spool also one write) timed over ${outboxPerCall.memoryRatio.length} rounds of ${quick ? 50 : 5_000} calls, next to an awaited \`client.recordFeedback\` to the same loopback server in the same round; the queue is drained (untimed) between measurements. Targets (issue 18): at most 1/100 in memory, 1/20 with a spool.`,
    "",
    "| call | per call, relative to an awaited client.recordFeedback |",
    "| --- | --- |",
    `| awaited \`client.recordFeedback\` (node:http, loopback) | 1.00x: ${median(outboxPerCall.awaitedMicros).toFixed(1)} µs median |`,
    `| **outbox.recordFeedback**, in memory | ${fraction(outboxPerCall.memoryRatio, outboxPerCall.awaitedMicros)} |`,
    `| **outbox.recordFeedback**, with a spoolDir | ${fraction(outboxPerCall.spoolRatio, outboxPerCall.awaitedMicros)} |`,
    "",
    `Drain: ${outboxDrain.items.toLocaleString("en")} items recorded at once by a service process (bench/src/outbox-child.mjs, the built package), timed until \`shutdown()\` has delivered them all, next to \`parea feedback import\` of as many rows at the same concurrency; whole processes timed, ${outboxDrain.rounds} rounds in rotated order; the ratio is each round's over the import's in the same round. Target: at least 0.9x the import.`,
    "",
    "| concurrency | parea feedback import, rows/s | outbox in memory, items/s | outbox with a spool, items/s |",
    "| --- | --- | --- | --- |",
    ...[...outboxDrain.byConcurrency].map(([concurrency, { cli, memory, spool }]) => {
      // Each round's figure over the import's in the same round, as every ratio here.
      const vs = (values: number[]) =>
        `${rates(values)}: **${formatRatio(values.map((value, i) => value / cli[i]!))}**`;
      return `| ${concurrency} | ${rates(cli)} | ${vs(memory)} | ${vs(spool)} |`;
    }),
    "",
    `Memory: ${outboxMemory.items.toLocaleString("en")} items queued while Parea is down (nothing listening), RSS after a full GC over the same process idle with its outbox created (\`--expose-gc\`). Target: at most 64 MB.`,
    "",
    "| mode | idle RSS | RSS added by the queued items |",
    "| --- | --- | --- |",
    `| in memory | ${outboxMemory.memory.idleMb.toFixed(0)} MB | **${outboxMemory.memory.deltaMb.toFixed(1)} MB** |`,
    `| with a spoolDir | ${outboxMemory.spool.idleMb.toFixed(0)} MB | **${outboxMemory.spool.deltaMb.toFixed(1)} MB** |`,
    "",
    ...faultSection(flakyDrain, outage, rates),
    "",
    "## In process (stubbed fetch, no network)",
    "",
    "Every stack gets a `fetch` that answers at once, as openapi-fetch's own benchmark measures it: what each costs in JavaScript before the network. The client takes its `fetch` option path here; the row above it is the least that path can cost, the `Request` the option receives with the attempt's timed signal, and no client.",
    "",
    "| contender | relative cost | calls/s |",
    "| --- | --- | --- |",
    ...[...inProcess.ratios].map(
      ([name, ratios]) =>
        `| ${name} | ${formatRatio(ratios)} | ${Math.round(opsPerSecond(ratios)).toLocaleString("en")} |`,
    ),
    "",
    "## Bundle (browser build, minified, gzip -9)",
    "",
    "A service file that imports `createPareaClient` and calls only `recordFeedback`, bundled by esbuild without the `node` condition.",
    "",
    "| spec | initial (entry + static imports, code splitting) | loaded on first raw verb call | one file, no splitting |",
    "| --- | --- | --- | --- |",
    `| seed (1 operation) | ${kb(seedBundle.initial)} | ${kb(seedBundle.lazy)} | ${kb(seedBundle.single)} |`,
    ...(pipeline
      ? [
          `| vendor's full spec (20 operations) | ${kb(pipeline.fullBundle.initial)} (${growth(seedBundle, pipeline.fullBundle, "initial")}) | ${kb(pipeline.fullBundle.lazy)} | ${kb(pipeline.fullBundle.single)} (${growth(seedBundle, pipeline.fullBundle, "single")}) |`,
        ]
      : []),
    "",
    `openapi-fetch's \`createClient\` alone, bundled the same way: ${kb(floor)}.`,
    "",
    "## Cold import (a new Node process)",
    "",
    "| import | median wall time | cost of the import |",
    "| --- | --- | --- |",
    ...[...imports].map(
      ([specifier, ms]) =>
        `| ${specifier === "(nothing)" ? "nothing (node -e '')" : `\`${specifier}\``} | ${ms.toFixed(0)} ms | ${specifier === "(nothing)" ? "" : `${(ms - imports.get("(nothing)")!).toFixed(0)} ms`} |`,
    ),
    "",
  );
  if (pipeline) {
    const row = (t: PipelineResult["seed"]) =>
      `| ${t.spec} | ${secs(t.codegenMs)} | ${secs(t.coldBuildMs)} | ${secs(t.cachedBuildMs)} |`;
    sections.push(
      "## Spec pipeline (scratch copy of the repository; medians of 3)",
      "",
      "| spec | codegen (`scripts/generate.ts`) | `pnpm build`, cold | `pnpm build`, cached (turbo) |",
      "| --- | --- | --- | --- |",
      row(pipeline.seed),
      row(pipeline.full),
      "",
      `No-op \`pnpm spec:update\` (the document already in spec/upstream): ${secs(pipeline.noopUpdateMs)}. Seed -> full spec \`pnpm spec:update\` (normalize, lint, generate, diff, build): ${secs(pipeline.fullUpdateMs)}.`,
      "",
    );
  } else {
    sections.push("## Spec pipeline", "", "Skipped in --quick.", "");
  }
  if (specDiff) sections.push(...specDiffSection(specDiff));
  if (specCheck) {
    const ratio = (ours: number, theirs: number) => `${(ours / theirs).toFixed(2)}x`;
    sections.push(
      "## spec:check --generic against plain openapi-typescript (same documents, one run)",
      "",
      "Plain: openapi-typescript alone, then with `tsc --strict` on its output. Codegen: spec:check's codegen",
      "stage (types, validators, replies, fields, operation table). Whole: every stage, the smoke test of every",
      "operation included.",
      "",
      "| document | operations | plain codegen | our codegen | ratio | plain + tsc | whole spec:check | ratio |",
      "| --- | --- | --- | --- | --- | --- | --- | --- |",
      ...specCheck.map(
        (r) =>
          `| ${r.document} | ${r.operations} | ${secs(r.plainCodegenMs)} | ${secs(r.codegenStageMs)} | ${ratio(r.codegenStageMs, r.plainCodegenMs)} | ${secs(r.plainWithTscMs)} | ${secs(r.specCheckMs)} | ${ratio(r.specCheckMs, r.plainWithTscMs)} |`,
      ),
      "",
    );
  }
  await writeFile(values.out, sections.join("\n"));
  log(`wrote ${values.out}`);
}

/** "1/290 (1/250-1/320): 0.68 µs": a small ratio as the fraction it is, with the time it means. */
const fraction = (ratios: number[], baseMicros: number[]) => {
  const one = (ratio: number) => `1/${Math.round(1 / ratio)}`;
  const micros = median(ratios) * median(baseMicros);
  return `**${one(median(ratios))}** (${one(Math.max(...ratios))}-${one(Math.min(...ratios))}): ${micros.toFixed(2)} µs`;
};

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const growth = (seed: BundleSize, full: BundleSize, key: keyof BundleSize) =>
  `${(((full[key] - seed[key]) / seed[key]) * 100).toFixed(1)} % over the seed`;

await main();
