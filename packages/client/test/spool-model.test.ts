// The spool alone on random sequences (fast-check): items of random sizes appended and settled in random
// order, time passing (the sync timer, the disk's retry), the disk filling and freeing, one write or
// truncate failing, clean restarts and kills, at random caps. After every step the spool's byte counts
// match the disk, per segment and in all, and stay within the cap (support/spool-harness.ts); an item
// is refused as "full" only when the pending records and it pass the cap less one segment's worth of
// room and an eighth held back from reclaiming; every restart reads back exactly the items pending on
// disk. PAREA_PROPERTY_RUNS and PAREA_PROPERTY_SEED run it longer or anew.
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { propertyRuns } from "./support/property.ts";
import type { FaultKind } from "./support/sim-fs.ts";
import { fakeTime, SpoolHarness } from "./support/spool-harness.ts";

type Step =
  | { kind: "append"; size: number }
  | { kind: "settle"; pick: number }
  | { kind: "time"; ms: number }
  | { kind: "disk"; full: boolean }
  | { kind: "fault"; fault: FaultKind; op: "write" | "open" | "unlink" | "fdatasync" }
  | { kind: "restart"; killed: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("append"), size: fc.integer({ min: 80, max: 4_000 }) }) },
  { weight: 7, arbitrary: fc.record({ kind: fc.constant("settle"), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("time"), ms: fc.integer({ min: 0, max: 1_500 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("disk"), full: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("fault"),
      fault: fc.constantFrom<FaultKind>("ENOSPC", "EIO", "short", "torn"),
      op: fc.constantFrom("write", "open", "unlink", "fdatasync"),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("restart"), killed: fc.boolean() }) },
);

async function run(cap: number, steps: Step[]): Promise<void> {
  const h = new SpoolHarness(cap);
  const segment = Math.min(1 << 20, Math.max(2 << 10, Math.floor(cap / 8)));
  for (const next of steps) {
    switch (next.kind) {
      case "append": {
        const pendingBytes = h.spool.inspect().pendingBytes;
        const { placed } = h.append(next.size);
        if (placed === "full")
          expect(pendingBytes + next.size, "refused with room to spare").toBeGreaterThan(cap - segment - cap / 8);
        break;
      }
      case "settle": {
        const pending = [...h.pending];
        if (pending.length) h.settle(pending[next.pick % pending.length]!);
        break;
      }
      case "time":
        await vi.advanceTimersByTimeAsync(next.ms);
        break;
      case "disk":
        h.fs.full = next.full;
        break;
      case "fault":
        h.fs.arm({ at: 1, kind: next.fault, op: next.op });
        break;
      case "restart":
        h.fs.full = false;
        h.reopen(next.killed);
        break;
    }
    h.check();
  }
  h.fs.full = false;
  h.reopen();
  h.check();
}

beforeEach(fakeTime);
afterEach(() => vi.useRealTimers());

describe("spool: random sequences against the disk", () => {
  it("byte counts match the disk, refusals are justified, restarts read back what is pending", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(16 * 1024, 24 * 1024, 40 * 1024),
        fc.array(step, { minLength: 1, maxLength: 80 }),
        (cap, steps) => run(cap, steps),
      ),
      propertyRuns(300, 20_261_205),
    );
  }, 120_000);
});
