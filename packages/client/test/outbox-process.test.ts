// The outbox across processes (test/support/outbox-child.mts): SIGKILL while recording into a spool
// loses nothing that was accepted, and an outbox never keeps a process alive that is done.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { createPareaClient } from "../src/index.node.ts";
import { createOutbox } from "../src/outbox-entry.node.ts";
import { startFaultServer, type Fault, type FaultServer } from "./support/fault-server.mts";

const CHILD = join(import.meta.dirname, "support", "outbox-child.mts");
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(script: (n: number) => Fault): Promise<FaultServer> {
  const started = await startFaultServer(script);
  cleanups.push(() => started.close());
  return started;
}

interface Child {
  lines: string[];
  /** Resolves with the exit code (or signal) and when the process ended (performance.now()). */
  exited: Promise<{ code: number | null; signal: string | null; at: number }>;
  /** Resolves when a line matching the test has been printed (with how many lines so far). */
  waitFor(test: (line: string, count: number) => boolean): Promise<void>;
  kill(): void;
}

function child(...args: string[]): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  cleanups.push(() => proc.kill("SIGKILL"));
  const lines: string[] = [];
  const watchers: { test: (line: string, count: number) => boolean; resolve: () => void }[] = [];
  let stderr = "";
  proc.stderr.on("data", (chunk) => (stderr += chunk));
  createInterface({ input: proc.stdout }).on("line", (line) => {
    lines.push(line);
    for (const watcher of [...watchers])
      if (watcher.test(line, lines.length)) (watchers.splice(watchers.indexOf(watcher), 1), watcher.resolve());
  });
  const exited = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) =>
    proc.on("exit", (code, signal) => {
      if (code) console.error(stderr);
      resolve({ code, signal, at: performance.now() });
    }),
  );
  return {
    lines,
    exited,
    waitFor: (test) =>
      new Promise<void>((resolve, reject) => {
        watchers.push({ test, resolve });
        void exited.then(() => reject(new Error(`child exited first; stderr: ${stderr}`)));
      }),
    kill: () => proc.kill("SIGKILL"),
  };
}

const delivered = (s: FaultServer) =>
  s.requests.filter((r) => r.status === 200).map((r) => JSON.parse(r.body).trace_id as string);

describe("outbox: crashes", () => {
  it("SIGKILL at random points while recording 5 000 items into a spool: every accepted item delivered, duplicates only among those in flight", async () => {
    // Slow enough that deliveries are in flight when the kill lands.
    const s = await server(() => ({ status: 200, body: {}, delayMs: 2 }));
    const dir = mkdtempSync(join(tmpdir(), "parea-outbox-kill-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const accepted = new Set<string>();
    const points: number[] = [];
    const KILLS = 4;
    const leftOver: number[] = [];
    for (let round = 0; round < KILLS; round++) {
      const left = 5_000 - accepted.size;
      const killAfter = 100 + Math.floor(Math.random() * Math.min(1_000, left - 200));
      points.push(killAfter);
      const proc = child("record", dir, s.url, `r${round}`, String(left));
      await proc.waitFor((line) => line.startsWith("started"));
      leftOver.push(Number(proc.lines[0]!.split(" ")[1]));
      let seen = 0;
      await proc.waitFor((line) => line.startsWith("accepted") && ++seen >= killAfter);
      proc.kill();
      expect((await proc.exited).signal).toBe("SIGKILL");
      for (const line of proc.lines) if (line.startsWith("accepted ")) accepted.add(line.slice(9));
    }
    // The restarted service: a new outbox on the same directory, recording the rest.
    const outbox = createOutbox(createPareaClient({ apiKey: "sk-test", baseUrl: s.url }), {
      spoolDir: dir,
      maxQueued: 100_000,
    });
    leftOver.push(outbox.stats().queued);
    // The kills did land while items were waiting: each restart found some to deliver.
    expect(
      leftOver.slice(1).every((n) => n > 0),
      `left over at each start: ${leftOver.join(", ")}`,
    ).toBe(true);
    for (let i = 0; accepted.size < 5_000; i++) {
      outbox.recordFeedback({ trace_id: `final-${i}`, score: 1 });
      accepted.add(`final-${i}`);
    }
    expect(await outbox.shutdown({ timeoutMs: 60_000 })).toMatchObject({ pending: 0, rejected: 0, dropped: 0 });

    const got = delivered(s);
    const missing = [...accepted].filter((id) => !got.includes(id));
    expect(missing, `kill points ${points.join(", ")}`).toEqual([]);
    const counts = new Map<string, number>();
    for (const id of got) counts.set(id, (counts.get(id) ?? 0) + 1);
    const duplicates = [...counts.values()].filter((n) => n > 1).length;
    // At most `concurrency` (4) deliveries were in flight at each kill.
    expect(duplicates, `kill points ${points.join(", ")}`).toBeLessThanOrEqual(4 * KILLS);
  }, 180_000);
});

describe("outbox: process lifetime", () => {
  it("a process whose work is done exits by itself (spool, Parea up): nothing undelivered", async () => {
    const s = await server(() => ({ status: 200, body: {} }));
    const dir = mkdtempSync(join(tmpdir(), "parea-outbox-idle-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const proc = child("idle", dir, s.url, "20");
    const { code } = await proc.exited;
    expect(code).toBe(0);
    expect(new Set(delivered(s)).size).toBe(20);
  }, 30_000);

  it("retry timers do not keep it alive either (in memory, Parea down)", async () => {
    const s = await server(() => ({ status: 503 }));
    const started = performance.now();
    const proc = child("idle", "-", s.url, "20");
    expect((await proc.exited).code).toBe(0);
    expect(proc.lines).toEqual(["recorded"]);
    // tsx's start-up included; a timer kept alive would hold it for the 30 s backoff.
    expect(performance.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it("after shutdown() it exits at once, even with deliveries stuck in flight", async () => {
    const s = await server(() => ({ status: 200, body: {}, delayMs: 60_000 }));
    const proc = child("shutdown", s.url, "10");
    await proc.waitFor((line) => line.startsWith("{"));
    const printed = performance.now();
    expect(JSON.parse(proc.lines[0]!)).toEqual({ delivered: 0, rejected: 0, dropped: 0, pending: 10 });
    const { code, at } = await proc.exited;
    expect(code).toBe(0);
    expect(at - printed).toBeLessThan(1_000);
  }, 30_000);
});
