// The spool tested as storage engines are: one scenario (record, deliver through a flaky API, rotate,
// compact, settle, shut down, restart, record and deliver again) run once to count its file operations,
// then again with a crash at each operation in turn (test/support/sim-fs.ts: nothing after it reaches
// the disk) and with each fault (ENOSPC, EACCES, EIO, a short write, a short write whose rest fails; a disk that stays full) at each
// operation. After every run a new process on the same disk delivers what is left, and the invariants
// are checked: nothing accepted is lost, nothing is delivered twice beyond what was in flight, the spool
// is empty at the end, no error escapes but a PareaError from the call that met it. Fake timers (Date and
// performance included) make retries and backoff instant. PAREA_CRASH_STRIDE=1 (the default) covers every
// operation; the README gives the count this prints.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PareaError } from "../src/errors.ts";
import {
  CONCURRENCY,
  drive,
  newWorld,
  open,
  quietConsole,
  recoverAndCheck,
  restoreTimers,
  type World,
} from "./support/outbox-world.ts";
import type { FaultKind, Plan } from "./support/sim-fs.ts";

/** Records items over time: 300 ms pass after every fifth (a disk that refused a write is tried again after 1 s). */
async function record(world: World, outbox: ReturnType<typeof open>, prefix: string, from: number, to: number) {
  for (let i = from; i < to && outbox && !world.fs.dead; i++) {
    if (i % 5 === 0) await vi.advanceTimersByTimeAsync(300);
    const trace = `${prefix}${i}${i % 9 === 4 ? "-s" : ""}`;
    try {
      outbox.recordFeedback({ trace_id: trace, score: 0.5, comment: "c".repeat(40 + ((i * 37) % 260)) });
      // Accepted: the call returned while the process lived.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the call may have crashed the simulated disk; TypeScript keeps the loop's narrowing
      if (!world.fs.dead) world.accepted.add(trace);
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- as above: the failed call may be the crash
      if (!world.fs.dead && !(error instanceof PareaError)) world.escaped.push(error);
    }
  }
}

/**
 * Two lives of a service: record and deliver; then, the API down, record more and shut down (they stay
 * in the spool); restart, record more, deliver everything, shut down.
 */
async function scenario(world: World): Promise<void> {
  const first = open(world, true);
  await record(world, first, "a", 0, 30);
  if (first) await drive(world, first.flush({ timeoutMs: 20_000 }));
  world.down = true;
  await record(world, first, "a", 30, 45);
  if (first) await drive(world, first.shutdown({ timeoutMs: 200 }));
  world.down = false;
  if (world.fs.dead) return;
  const second = open(world, true);
  await record(world, second, "b", 0, 25);
  if (second) await drive(world, second.shutdown({ timeoutMs: 30_000 }));
}

beforeEach(quietConsole);
afterEach(restoreTimers);

const stride = Number(process.env.PAREA_CRASH_STRIDE ?? 1);

/** The scenario's file operations (the crash and fault points), counted on an undisturbed run. */
async function countOperations(): Promise<number> {
  const world = newWorld();
  await scenario(world);
  const operations = world.fs.ops;
  await recoverAndCheck(world, "no crash", 0);
  expect(operations).toBeGreaterThan(200);
  return operations;
}

describe("outbox spool: every crash point and every fault", () => {
  it("the scenario itself: everything delivered once, the spool empty", async () => {
    const world = newWorld();
    await scenario(world);
    expect(world.accepted.size).toBe(70);
    expect(world.drops).toEqual([]);
    expect(new Set(world.received).size).toBe(70);
    expect(world.received.length).toBe(70);
  });

  it("a crash at each file operation in turn: nothing accepted lost, duplicates only from deliveries in flight", async () => {
    const operations = await countOperations();
    let crashed = 0;
    for (let at = 1; at <= operations; at += stride) {
      const run = newWorld();
      run.fs.arm({ at, kind: "crash" });
      await scenario(run);
      if (run.fs.dead) crashed++;
      await recoverAndCheck(run, `crash at operation ${at} of ${operations}`, CONCURRENCY);
    }
    expect(crashed).toBe(Math.ceil(operations / stride));
    console.info(`outbox crash points covered: ${crashed} of ${operations} file operations`);
  }, 300_000);

  const faults: { kind: FaultKind; persist?: boolean }[] = [
    { kind: "ENOSPC" },
    { kind: "EACCES" },
    { kind: "EIO" },
    { kind: "short" },
    { kind: "torn" },
    { kind: "ENOSPC", persist: true },
  ];
  for (const fault of faults)
    it(`${fault.kind}${fault.persist ? " from then on (a full disk)" : ""} at each file operation in turn: every accepted item delivered or dropped with onDrop`, async () => {
      const operations = await countOperations();
      let faulted = 0;
      for (let at = 1; at <= operations; at += stride) {
        const run = newWorld();
        const plan: Plan = { at, ...fault };
        run.fs.arm(plan);
        await scenario(run);
        expect(run.fs.dead).toBe(false);
        faulted++;
        // One failed ack is one item sent again after the restart; a full disk fails every ack after it.
        await recoverAndCheck(run, `${fault.kind} at operation ${at} of ${operations}`, fault.persist ? 70 : 1);
      }
      expect(faulted).toBe(Math.ceil(operations / stride));
    }, 300_000);
});
