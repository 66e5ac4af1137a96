// What the outbox's in-process tests share: the fault server on 127.0.0.1 (closed after each test), a
// client of it with the test key, temporary spool directories, and readings of both.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { createPareaClient } from "./client-under-test.ts";
import { startFaultServer, type Fault, type FaultServer, type RecordedRequest } from "./fault-server.mts";

export const KEY = "sk-outbox-SECRET-0123456789";
export const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export async function server(script: Fault[] | ((n: number, request: RecordedRequest) => Fault)): Promise<FaultServer> {
  const started = await startFaultServer(script);
  cleanups.push(() => started.close());
  return started;
}

export function clientOf(url: string, extra: Parameters<typeof createPareaClient>[0] = {}) {
  return createPareaClient({ apiKey: KEY, baseUrl: url, timeoutMs: 2_000, ...extra });
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "parea-outbox-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The spool's data files (the lock's socket and info file are not data). */
export const spoolBytes = (dir: string) =>
  readdirSync(dir)
    .filter((name) => /\.(items|acks)$/.test(name))
    .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);

export const traceIds = (s: FaultServer, status = 200) =>
  s.requests.filter((r) => r.status === status).map((r) => (JSON.parse(r.body) as { trace_id: string }).trace_id);
