// The outbox measured against what a service would otherwise do, side by side in one run:
// - per call: outbox.recordFeedback (in memory; with a spoolDir) next to an awaited
//   client.recordFeedback over the same loopback server, in the same rounds;
// - drain: items/s of an outbox emptying its queue (its own process, the packed build) next to
//   `parea feedback import` at the same concurrency (its own process), alternating;
// - memory: RSS of 100 000 items queued while Parea is down, over the same process idle.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createPareaClient } from "@parea-api/client";
import { createOutbox } from "@parea-api/client/outbox";
import { API_KEY, BODY } from "./contenders.ts";
import { cliImport, writeRows } from "./import.ts";

const run = promisify(execFile);
const CHILD = join(import.meta.dirname, "outbox-child.mjs");

export interface OutboxPerCall {
  /** Per round: an awaited client.recordFeedback, µs. */
  awaitedMicros: number[];
  /** Per round: outbox.recordFeedback / awaited call. */
  memoryRatio: number[];
  spoolRatio: number[];
}

export async function measureOutboxPerCall(
  baseUrl: string,
  { calls, rounds }: { calls: number; rounds: number },
): Promise<OutboxPerCall> {
  const dir = await mkdtemp(join(tmpdir(), "parea-outbox-bench-"));
  const parea = createPareaClient({ apiKey: API_KEY, baseUrl, logLevel: "off" });
  const memory = createOutbox(parea, { maxQueued: calls * 2 });
  const spooled = createOutbox(parea, { maxQueued: calls * 2, spoolDir: dir });
  const result: OutboxPerCall = { awaitedMicros: [], memoryRatio: [], spoolRatio: [] };
  const timeAwaited = async (n: number) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await parea.recordFeedback(BODY);
    return ((performance.now() - t0) * 1000) / n;
  };
  const timeOutbox = async (outbox: typeof memory) => {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) outbox.recordFeedback(BODY);
    const micros = ((performance.now() - t0) * 1000) / calls;
    await outbox.flush(); // untimed: the background work, between measurements
    return micros;
  };
  try {
    await timeAwaited(200);
    await timeOutbox(memory);
    await timeOutbox(spooled);
    for (let round = 0; round < rounds; round++) {
      const awaited = await timeAwaited(Math.max(50, calls / 10));
      const times = new Map<typeof memory, number>();
      for (const outbox of round % 2 ? [memory, spooled] : [spooled, memory])
        times.set(outbox, await timeOutbox(outbox));
      result.awaitedMicros.push(awaited);
      result.memoryRatio.push(times.get(memory)! / awaited);
      result.spoolRatio.push(times.get(spooled)! / awaited);
    }
    return result;
  } finally {
    await memory.shutdown();
    await spooled.shutdown();
    await rm(dir, { recursive: true, force: true });
  }
}

export interface OutboxDrain {
  items: number;
  rounds: number;
  /** concurrency -> rows/s per round for the CLI, the outbox in memory and with a spool. */
  byConcurrency: Map<number, { cli: number[]; memory: number[]; spool: number[] }>;
}

export async function measureOutboxDrain(
  baseUrl: string,
  { items, rounds, concurrencies }: { items: number; rounds: number; concurrencies: number[] },
): Promise<OutboxDrain> {
  const dir = await mkdtemp(join(tmpdir(), "parea-outbox-drain-"));
  const byConcurrency = new Map<number, { cli: number[]; memory: number[]; spool: number[] }>();
  try {
    const file = join(dir, "rows.jsonl");
    await writeRows(file, items);
    for (const concurrency of concurrencies) {
      const rates = { cli: [] as number[], memory: [] as number[], spool: [] as number[] };
      const outbox = async (spoolDir: string) => {
        const started = performance.now();
        await run(process.execPath, [CHILD, "drain", baseUrl, String(concurrency), String(items), spoolDir]);
        return items / ((performance.now() - started) / 1000);
      };
      const steps = [
        async () => rates.cli.push(items / ((await cliImport(file, baseUrl, concurrency, dir)) / 1000)),
        async () => rates.memory.push(await outbox("-")),
        async () => rates.spool.push(await outbox(join(dir, `spool-${Math.random()}`))),
      ];
      for (let round = 0; round < rounds; round++)
        for (let i = 0; i < steps.length; i++) await steps[(i + round) % steps.length]!();
      byConcurrency.set(concurrency, rates);
    }
    return { items, rounds, byConcurrency };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface OutboxMemory {
  items: number;
  memory: { idleMb: number; deltaMb: number };
  spool: { idleMb: number; deltaMb: number };
}

/** 100 000 items queued with nothing listening (Parea down), in a process of its own. */
export async function measureOutboxMemory(items: number): Promise<OutboxMemory> {
  const dir = await mkdtemp(join(tmpdir(), "parea-outbox-rss-"));
  const down = "http://127.0.0.1:9";
  const measure = async (spoolDir: string) => {
    const { stdout } = await run(process.execPath, ["--expose-gc", CHILD, "memory", down, String(items), spoolDir]);
    const { idleMb, deltaMb, queued } = JSON.parse(stdout) as { idleMb: number; deltaMb: number; queued: number };
    if (queued !== items) throw new Error(`queued ${queued} of ${items}`);
    return { idleMb, deltaMb };
  };
  try {
    return { items, memory: await measure("-"), spool: await measure(join(dir, "spool")) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
