// The spool at its cap (src/outbox/spool.ts's reclaim): what a refusal costs, which segments are
// compacted and in what order (the sparsest first, only until the item fits), the segment being written
// sealed (synced) before anything is copied, and a compaction the disk stops halfway. Records of exact
// sizes on a simulated disk; the spool's counts are held to the disk after each step.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { segmentPath } from "../src/outbox/spool-files.ts";
import { DIR, fakeTime, SpoolHarness } from "./support/spool-harness.ts";

beforeEach(fakeTime);
afterEach(() => vi.useRealTimers());

const KiB = 1024;

describe("spool: the cap", () => {
  it("items fill the cap less one segment; then refused, and refusing again costs no file operation", () => {
    const h = new SpoolHarness(16 * KiB); // 2 KiB segments: room for 14 KiB of items
    const items = h.fill(14, KiB);
    expect(h.append(KiB).placed).toBe("full");
    expect(h.onDisk()).toEqual([1, 2, 3, 4, 5, 6, 7]); // nothing rewritten: every record is pending
    h.check();
    let ops = h.fs.ops;
    expect(h.append(KiB).placed).toBe("full");
    expect(h.fs.ops).toBe(ops);
    // Settled bytes below an eighth of the cap since the refusal: not tried again.
    h.settle(items[0]!);
    ops = h.fs.ops;
    expect(h.append(KiB).placed).toBe("full");
    expect(h.fs.ops).toBe(ops);
    // An eighth: reclaimed (the sparsest segment compacted), and it fits.
    h.settle(items[2]!);
    expect(h.append(KiB).placed).toBe("spooled");
    expect(h.onDisk()).not.toContain(1);
    h.check();
    h.reopen();
    h.check();
  });

  it("at the cap, fully settled segments are deleted first, the one being written included", () => {
    const h = new SpoolHarness(16 * KiB);
    const items = h.fill(14, KiB);
    for (const item of items.slice(12)) h.settle(item); // the segment being written
    h.settle(items[0]!); // segment 1's .acks: written, not yet synced
    h.fs.trace = [];
    expect(h.append(KiB).placed).toBe("spooled");
    expect(h.onDisk()).not.toContain(7);
    // Deleted outright, not compacted: nothing else is synced for it.
    expect(h.fs.trace.filter((line) => line.endsWith(segmentPath(DIR, 1, "acks")))).toEqual([]);
    h.check();
  });
});

describe("spool: reclaiming", () => {
  it("compacts the sparsest segment first, and only until the item fits; the one being written is sealed, synced", () => {
    const h = new SpoolHarness(64 * KiB); // 8 KiB segments: room for 56 KiB of items
    h.fill(2, 700);
    h.reopen(); // segment 1 sealed: 2 records, small
    const wide = h.fill(8, KiB); // segment 2: 8 records
    h.settle([...h.pending][0]!); // segment 1: half pending
    for (const item of wide.slice(0, 6)) h.settle(item); // segment 2: a quarter pending
    while (h.spool.inspect().bytes + KiB <= 56 * KiB) h.fill(1, KiB);
    const writing = h.spool.inspect().active!;
    h.fs.trace = [];
    h.fs.arm({ at: 1, kind: "EIO", op: "fdatasync" });
    expect(h.append(KiB).placed).toBe("spooled");
    expect(h.onDisk()).toContain(1);
    expect(h.onDisk()).not.toContain(2);
    expect(h.onDisk()).toContain(writing);
    const sealed = segmentPath(DIR, writing, "items");
    expect(h.operations().slice(0, 2)).toEqual([`fdatasync ${sealed}`, `close ${sealed}`]);
    expect(h.warnings).toEqual(["outbox spool /s: fdatasync failed: input/output error (EIO)"]);
    h.check();
    h.reopen();
  });

  it("stops at an exact fit, and an item that fits exactly is spooled", () => {
    const h = new SpoolHarness(16 * KiB); // 2 KiB segments: room for 14 KiB
    const items = h.fill(14, KiB); // segments 1-7, two records each
    h.settle(items[0]!); // segment 1: half pending
    h.settle(items[2]!); // segment 2: as sparse, so second in line
    const before = h.spool.inspect();
    const first = before.segments.find((segment) => segment.seq === 1)!;
    // Once segment 1 is compacted (its pending record copied forward, the segment deleted), exactly this fits.
    const size = 14 * KiB - (before.bytes - first.bytes + first.liveBytes);
    expect(h.append(size).placed).toBe("spooled");
    expect(h.spool.inspect().bytes).toBe(14 * KiB);
    expect(h.onDisk()).not.toContain(1);
    expect(h.onDisk()).toContain(2);
    h.check();
  });

  it("the segment being written is sealed before it is compacted: its pending items go to a new one", () => {
    const h = new SpoolHarness(16 * KiB); // 2 KiB segments: room for 14 KiB
    h.fill(12, KiB); // segments 1-6, full
    const [settled] = h.fill(2, 500); // segment 7, being written, with room left
    h.settle(settled!);
    expect(h.append(1_100).placed).toBe("spooled");
    expect(h.onDisk()).toEqual([1, 2, 3, 4, 5, 6, 8]);
    h.check();
    h.reopen();
  });

  it("with warn off, a failed fdatasync as the segment being written is sealed is not a throw", () => {
    const h = new SpoolHarness(16 * KiB, true);
    h.fill(12, KiB);
    const [settled] = h.fill(2, 500);
    h.settle(settled!);
    h.fs.trace = [];
    h.fs.arm({ at: 1, kind: "EIO", op: "fdatasync" });
    expect(h.append(1_100).placed).toBe("spooled");
    expect(h.operations()[0]).toBe(`fdatasync ${segmentPath(DIR, 7, "items")}`); // the one that failed
    h.check();
  });

  it("a compaction the disk stops halfway keeps the segment, and its counts say what is still in it", async () => {
    const h = new SpoolHarness(64 * KiB); // 8 KiB segments: 16 records of 512
    const items = h.fill(16, 512);
    h.fill(1, 512);
    for (const item of items.slice(0, 13)) h.settle(item);
    h.fs.arm({ at: 3, kind: "EIO", op: "write" }); // its ack, the first copy, then the second copy
    h.settle(items[13]!); // 2 of 16 pending: compacted
    expect(h.onDisk()).toEqual([1, 2]);
    h.check();
    await vi.advanceTimersByTimeAsync(1_000);
    h.reopen();
    expect(h.spool.left.map((item) => item.id)).toEqual([15, 16, 17]);
  });
});
