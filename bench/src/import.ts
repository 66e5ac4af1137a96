// parea feedback import measured as a user runs it (the built bin, in its own process): rows/s next
// to the fetch loop a team would otherwise write (alternating rounds), and peak RSS on a big file.
import { execFile } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { promisify } from "node:util";
import { measureNode } from "./child.ts";
import { median } from "./rounds.ts";

const run = promisify(execFile);
const bin = join(import.meta.dirname, "..", "..", "packages", "cli", "dist", "bin.mjs");

export async function writeRows(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 1; i <= rows; i++) {
    if (!out.write(`{"trace_id":"trace-${i}","score":${(i % 100) / 100},"comment":"bulk"}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

export interface ImportResult {
  rows: number;
  concurrency: number;
  rounds: number;
  cliRowsPerSecond: number[];
  fetchRowsPerSecond: number[];
  rssRows: number;
  peakRssMb: number;
  rssMethod: string;
}

export async function cliImport(file: string, baseUrl: string, concurrency: number, dir: string): Promise<number> {
  const checkpoint = join(dir, `${Math.random()}.checkpoint`);
  const started = performance.now();
  await run(
    process.execPath,
    [
      bin,
      "feedback",
      "import",
      file,
      "--base-url",
      baseUrl,
      "--concurrency",
      String(concurrency),
      "--checkpoint",
      checkpoint,
    ],
    { env: { ...process.env, PAREA_API_KEY: "bench-key" } },
  );
  return performance.now() - started;
}

export async function measureImport(
  baseUrl: string,
  { rows, rssRows, concurrency, rounds }: { rows: number; rssRows: number; concurrency: number; rounds: number },
): Promise<ImportResult> {
  const dir = await mkdtemp(join(tmpdir(), "parea-import-bench-"));
  try {
    const file = join(dir, "rows.jsonl");
    await writeRows(file, rows);
    const cliRowsPerSecond: number[] = [];
    const fetchRowsPerSecond: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const fetchLoop = async () => {
        const { stdout } = await run(process.execPath, [
          "--import",
          "tsx",
          join(import.meta.dirname, "fetch-loop.ts"),
          file,
          `${baseUrl}/api/parea/v1/feedback`,
          String(concurrency),
        ]);
        const { rows: sent, seconds } = JSON.parse(stdout) as { rows: number; seconds: number };
        fetchRowsPerSecond.push(sent / seconds);
      };
      const cli = async () => cliRowsPerSecond.push(rows / ((await cliImport(file, baseUrl, concurrency, dir)) / 1000));
      // Alternate which goes first.
      for (const step of round % 2 ? [cli, fetchLoop] : [fetchLoop, cli]) await step();
    }
    const big = join(dir, "big.jsonl");
    await writeRows(big, rssRows);
    const { rssMb } = await measureNode(
      [bin, ...["feedback", "import", big, "--base-url", baseUrl, "--concurrency", String(concurrency)]],
      { env: { ...process.env, PAREA_API_KEY: "bench-key" } },
    );
    return {
      rows,
      concurrency,
      rounds,
      cliRowsPerSecond,
      fetchRowsPerSecond,
      rssRows,
      peakRssMb: rssMb,
      rssMethod: "the process's own peak RSS, reported on exit",
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export { median };
