// What the import tests share: a scratch directory, fault servers closed after each test, and
// readers for what an import leaves behind (deliveries seen by the server, checkpoint, rejects).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { serverPerTest, type FaultServer, type RecordedRequest } from "../../../client/test/support/fault-server.mts";

/** Registers the hooks; `dir()` is the test file's scratch directory, `serve` a fault server. */
export function importFixtures(prefix: string) {
  let dir = "";
  beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), prefix))));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return { dir: () => dir, serve: serverPerTest() };
}

/** trace_id -> how many times the server answered 200 for it. */
export function deliveries(server: FaultServer): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of server.requests.filter((r) => r.status === 200)) {
    const id = (JSON.parse(request.body) as { trace_id: string }).trace_id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** The line numbers a checkpoint records as delivered (its other lines describe the input). */
export async function checkpointedLines(path: string): Promise<number[]> {
  const text = await readFile(path, "utf8");
  return text
    .split("\n")
    .slice(1, -1)
    .filter((line) => /^\d+$/.test(line))
    .map(Number);
}

export async function rejectsOf(path: string): Promise<{ line: number; input: string; reason: string }[]> {
  const text = await readFile(path, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { line: number; input: string; reason: string });
}

/** JSON Lines of `count` valid rows, trace ids `${stem}1`...; one per line, no trailing newline. */
export const feedbackLines = (count: number, stem: string) =>
  Array.from({ length: count }, (_, i) => JSON.stringify({ trace_id: `${stem}${i + 1}`, score: 0.5 })).join("\n");

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A server answering 200 for the trace ids `deliver` accepts and 422 for the rest. */
export const only = (deliver: (traceId: string) => boolean) => (_: number, request: RecordedRequest) =>
  deliver((JSON.parse(request.body) as { trace_id: string }).trace_id)
    ? { status: 200, body: {} }
    : { status: 422, body: { detail: [] } };
