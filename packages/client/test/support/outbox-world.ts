// One simulated service for the outbox's crash, fault and model tests: the spool on a simulated disk
// (sim-fs.ts), an API stub that records what it received and can be down or flaky, fake time (Date and
// performance included, so retries and backoff take no real time) and seeded jitter, so that a run is
// the same run every time. `open` is one process; `recoverAndCheck` the next, checking the invariants.
import { expect, vi } from "vitest";
import { PareaError } from "../../src/errors.ts";
import type { OutboxDrop } from "../../src/outbox/contract.ts";
import { outboxFactory } from "../../src/outbox/outbox.ts";
import { Spool } from "../../src/outbox/spool.ts";
import { SimFs } from "./sim-fs.ts";

export const DIR = "/srv/spool";
export const CONCURRENCY = 2;

export interface World {
  fs: SimFs;
  /** trace ids the API received (only while the process lived). */
  received: string[];
  accepted: Set<string>;
  drops: OutboxDrop[];
  /** Errors other than a PareaError that reached the scenario. */
  escaped: unknown[];
  tries: Map<string, number>;
  /** The API refuses everything (an outage) while set. */
  down: boolean;
  /** The API refuses the items this picks (they stay pending while their neighbours are delivered). */
  refuses?: ((trace: string) => boolean) | undefined;
}

/** Each scenario draws the same backoff jitter, so operation N is the same operation in every run. */
function seedRandom(): void {
  let state = 42;
  vi.spyOn(Math, "random").mockImplementation(() => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

export const newWorld = (): World => (
  seedRandom(),
  {
    fs: new SimFs(),
    received: [],
    accepted: new Set(),
    drops: [],
    escaped: [],
    tries: new Map(),
    down: false,
  }
);

/** createOutbox for one process whose spool is on the simulated disk (its view dies with the process). */
export function onSimulatedDisk(fs: SimFs) {
  const disk = fs.view();
  return {
    disk,
    createOutbox: outboxFactory((dir, options) => new Spool(dir, { ...options, fs: disk, lock: disk.lock })),
  };
}

/** One process: an outbox on the simulated disk, over an API that fails now and then when `flaky`. */
export function open(world: World, flaky: boolean, maxSpoolBytes = 16 * 1024) {
  const { disk, createOutbox } = onSimulatedDisk(world.fs);
  let calls = 0;
  const api = {
    recordFeedback(body: { trace_id: string }): Promise<unknown> {
      if (!disk.alive()) return new Promise(() => {}); // the process is gone: nothing more is sent
      const tries = (world.tries.get(body.trace_id) ?? 0) + 1;
      world.tries.set(body.trace_id, tries);
      // "-s" items fail three times (their segment goes sparse and is compacted); every 5th call fails.
      if (
        world.down ||
        world.refuses?.(body.trace_id) ||
        (flaky && ((body.trace_id.endsWith("-s") && tries <= 3) || ++calls % 5 === 0))
      )
        return Promise.reject(new Error("503 from a flaky API"));
      world.received.push(body.trace_id);
      return Promise.resolve({});
    },
  };
  try {
    return createOutbox(api, {
      spoolDir: DIR,
      maxSpoolBytes,
      concurrency: CONCURRENCY,
      onDrop: (drop) => world.drops.push(drop),
    });
  } catch (error) {
    if (!world.fs.dead && !(error instanceof PareaError)) world.escaped.push(error);
    return undefined;
  }
}

/** Advances fake time until the promise settles or the process has died. */
export async function drive<T>(world: World, promise: Promise<T>): Promise<void> {
  let done = false;
  promise.then(
    () => (done = true),
    (error: unknown) => {
      done = true;
      if (!world.fs.dead) world.escaped.push(error);
    },
  );
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- done and dead change in callbacks the timers run
  for (let i = 0; i < 600 && !done && !world.fs.dead; i++) await vi.advanceTimersByTimeAsync(250);
}

/** The next process on a healthy disk and API: delivers whatever is left, then the invariants. */
export async function recoverAndCheck(world: World, label: string, maxDuplicates: number): Promise<void> {
  world.fs.revive();
  const last = open(world, false);
  expect(last, `${label}: the spool opens after it`).toBeDefined();
  await drive(world, last!.shutdown({ timeoutMs: 60_000 }));
  const received = new Set(world.received);
  const dropped = new Set(world.drops.map((drop) => (drop.body as { trace_id: string }).trace_id));
  const lost = [...world.accepted].filter((trace) => !received.has(trace) && !dropped.has(trace));
  expect(lost, `${label}: accepted and neither delivered nor dropped`).toEqual([]);
  expect(world.escaped, `${label}: errors that escaped`).toEqual([]);
  const duplicates = world.received.length - received.size;
  expect(duplicates, `${label}: delivered twice`).toBeLessThanOrEqual(maxDuplicates);
  expect([...world.fs.files.keys()], `${label}: left on disk`).toEqual([]);
}

/** A stub client logs through console: the spool's warn lines are expected here. Fake time from now. */
export function quietConsole(): void {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.useFakeTimers({
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "Date", "performance"],
  });
}

export function restoreTimers(): void {
  vi.useRealTimers();
  vi.restoreAllMocks();
}
