// The outbox's state machine against a simple model, on random sequences (fast-check): items recorded
// in bursts of random sizes, time passing, the API going down, up or picky (failing every third item,
// so segments are left sparse), the disk filling and freeing,
// clean restarts and crashes, at a random maxSpoolBytes. The model is three sets: accepted, received by
// the API, dropped (with onDrop). Checked at every step: the spool's files never pass the cap, and an
// item is refused as "full" only while at least half the cap is pending (the size follows what is
// pending, not what was sent). At a crash, the items lost are exactly those kept in memory because the
// disk refused them (accepted while it was full, or in the second before it is tried again). Checked at
// the end, after a healthy restart: every other accepted item was received or dropped, duplicates only
// from deliveries in flight at a crash (or whose acks a full disk refused), the spool empty.
// A fixed seed runs in `pnpm test`; PAREA_PROPERTY_RUNS and PAREA_PROPERTY_SEED run it longer or anew.
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PareaError } from "../src/errors.ts";
import { propertyRuns } from "./support/property.ts";
import { CONCURRENCY, drive, newWorld, open, quietConsole, restoreTimers, type World } from "./support/outbox-world.ts";

type Action =
  | { kind: "record"; count: number; size: number }
  | { kind: "time"; ms: number }
  | { kind: "api"; mode: "up" | "down" | "picky" }
  | { kind: "disk"; full: boolean }
  | { kind: "flush"; timeoutMs: number }
  | { kind: "restart" }
  | { kind: "crash" };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("record"),
      count: fc.integer({ min: 1, max: 40 }),
      size: fc.integer({ min: 0, max: 900 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("time"), ms: fc.integer({ min: 0, max: 5_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("api"), mode: fc.constantFrom("up", "down", "picky") }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("disk"), full: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("flush"), timeoutMs: fc.integer({ min: 0, max: 3_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("restart") }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("crash") }) },
);

/** Bytes of the spool's data files. */
const spooled = (world: World) => world.fs.size(/\.(items|acks)$/);

/** A record's bytes on disk, near enough: the body plus the line's frame. */
const recordBytes = (comment: string) => comment.length + 100;

/** The spool retries a disk that refused a write after this long (spool.ts's DISK_RETRY_MS). */
const DISK_RETRY_MS = 1_000;

/** trace ids in the spool's .items files. */
const onDisk = (world: World) =>
  new Set(
    [...world.fs.files]
      .filter(([path]) => path.endsWith(".items"))
      .flatMap(([, data]) => [...data.toString().matchAll(/"trace_id":"(t\d+)"/g)].map((match) => match[1]!)),
  );

async function run(cap: number, actions: Action[]): Promise<void> {
  vi.clearAllTimers();
  const world = newWorld();
  const comments = new Map<string, string>();
  const acceptedAt = new Map<string, number>();
  /** When the disk was full: [from, to) in fake time; `to` is Infinity while it still is. */
  const fullSpells: [number, number][] = [];
  const unsavedMayBe = (trace: string) =>
    fullSpells.some(([from, to]) => acceptedAt.get(trace)! >= from && acceptedAt.get(trace)! <= to + DISK_RETRY_MS);
  const lostAtCrash: string[] = [];
  const refusals: string[] = [];
  let crashes = 0;
  let serial = 0;
  let outbox = open(world, false, cap);
  const pendingBytes = () =>
    [...world.accepted]
      .filter((trace) => !world.received.includes(trace))
      .reduce((sum, trace) => sum + recordBytes(comments.get(trace)!), 0);
  for (const step of actions) {
    switch (step.kind) {
      case "record":
        for (let i = 0; i < step.count && outbox; i++) {
          const trace = `t${serial++}`;
          const comment = "x".repeat(step.size);
          comments.set(trace, comment);
          const before = world.drops.length;
          const pending = pendingBytes();
          try {
            outbox.recordFeedback({ trace_id: trace, score: 0.5, comment });
          } catch (error) {
            if (!(error instanceof PareaError)) world.escaped.push(error);
            continue;
          }
          if (world.drops.length === before) {
            world.accepted.add(trace);
            acceptedAt.set(trace, Date.now());
          } else if (!world.fs.full && pending < cap / 2)
            refusals.push(`${trace} refused as full with ${pending} bytes pending under a ${cap}-byte cap`);
        }
        break;
      case "time":
        await vi.advanceTimersByTimeAsync(step.ms);
        break;
      case "api":
        world.down = step.mode === "down";
        // Picky: every third item fails (retryable) while the rest go through: segments left sparse.
        world.refuses = step.mode === "picky" ? (trace) => Number(trace.slice(1)) % 3 === 0 : undefined;
        break;
      case "disk":
        if (step.full && !world.fs.full) fullSpells.push([Date.now(), Infinity]);
        if (!step.full && world.fs.full) fullSpells.at(-1)![1] = Date.now();
        world.fs.full = step.full;
        break;
      case "flush":
        if (outbox) await drive(world, outbox.flush({ timeoutMs: step.timeoutMs }));
        break;
      case "restart":
        if (outbox) await drive(world, outbox.shutdown({ timeoutMs: 500 }));
        world.fs.revive();
        outbox = open(world, false, cap);
        break;
      case "crash": {
        // What the dead process held in memory only is gone; it may only be what the disk refused.
        const kept = onDisk(world);
        const dropped = new Set(world.drops.map((drop) => (drop.body as { trace_id: string }).trace_id));
        for (const trace of world.accepted)
          if (!world.received.includes(trace) && !dropped.has(trace) && !kept.has(trace)) {
            world.accepted.delete(trace);
            if (!unsavedMayBe(trace)) lostAtCrash.push(trace);
          }
        const full = world.fs.full;
        world.fs.revive();
        world.fs.full = full;
        crashes++;
        outbox = open(world, false, cap);
        break;
      }
    }
    expect(spooled(world), "the spool's files within the cap").toBeLessThanOrEqual(cap);
  }
  // Healthy from here: deliver everything, restart once more to pick up what the spool kept.
  world.down = false;
  world.refuses = undefined;
  if (world.fs.full) fullSpells.at(-1)![1] = Date.now();
  world.fs.full = false;
  if (outbox) await drive(world, outbox.shutdown({ timeoutMs: 60_000 }));
  world.fs.revive();
  const last = open(world, false, cap);
  expect(last).toBeDefined();
  await drive(world, last!.shutdown({ timeoutMs: 60_000 }));

  expect(lostAtCrash, "lost at a crash though the disk took writes").toEqual([]);
  expect(refusals).toEqual([]);
  expect(world.escaped).toEqual([]);
  const received = new Set(world.received);
  const dropped = new Set(world.drops.map((drop) => (drop.body as { trace_id: string }).trace_id));
  expect([...world.accepted].filter((trace) => !received.has(trace) && !dropped.has(trace))).toEqual([]);
  // A full disk refuses acks too: an item settled then may be sent again after a restart.
  if (fullSpells.length === 0) expect(world.received.length - received.size).toBeLessThanOrEqual(CONCURRENCY * crashes);
  expect([...world.fs.files.keys()]).toEqual([]);
}

beforeEach(quietConsole);
afterEach(restoreTimers);

describe("outbox: random sequences against the model", () => {
  it("holds the invariants at random caps", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(16 * 1024, 24 * 1024, 64 * 1024),
        fc.array(action, { minLength: 1, maxLength: 40 }),
        (cap, actions) => run(cap, actions),
      ),
      propertyRuns(60, 20_261_204),
    );
  }, 300_000);
});
