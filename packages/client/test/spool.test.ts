// The spool alone, one behaviour each, on a simulated disk with records of exact sizes, so each of its
// thresholds is tried on both sides: segment size (an eighth of the cap, 2 KiB to 1 MiB), the room kept
// for compaction, compaction at an eighth pending, reclaiming at the cap and not again until settled
// bytes grow, the disk's refusals and what is cut back after them, fdatasync, close, and reading a spool
// back. After each step the spool's byte counts are held to the disk (support/spool-harness.ts).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { segmentPath } from "../src/outbox/spool-files.ts";
import { DIR, fakeTime, SpoolHarness } from "./support/spool-harness.ts";

beforeEach(fakeTime);
afterEach(() => vi.useRealTimers());

const KiB = 1024;
/** Trace lines for one operation on one segment's file ("fdatasync", 2, "items"). */
const traced = (trace: string[], op: string, seq: number, kind: "items" | "acks") =>
  trace.filter((line) => line.endsWith(` ${op} ${segmentPath(DIR, seq, kind)}`));

describe("spool: segments", () => {
  it.each([
    // [cap, record size, records that fill the first segment]
    [64 * KiB, KiB, 8], // an eighth of the cap: 8 KiB, filled exactly
    [8 * KiB, KiB, 2], // an eighth is 1 KiB: 2 KiB at least
    [32 * KiB * KiB, 300_000, 3], // an eighth is 4 MiB: 1 MiB at most
  ])("a %d-byte cap: records of %d bytes, %d to the first segment", (cap, size, first) => {
    const h = new SpoolHarness(cap);
    h.fill(first, size);
    expect(h.onDisk()).toEqual([1]);
    h.fill(1, size);
    expect(h.onDisk()).toEqual([1, 2]);
    expect(h.file(1, "items")!.split("\n")).toHaveLength(first + 1);
    h.check();
  });

  it("a segment whose first write the disk refused takes the next record, however large", async () => {
    const h = new SpoolHarness(64 * KiB);
    h.fill(8, KiB);
    h.fs.full = true;
    expect(h.append(KiB).placed).toBe("memory"); // segment 2 begun, its file refused
    h.fs.full = false;
    await vi.advanceTimersByTimeAsync(1_000);
    h.fill(1, 10_000);
    expect(h.onDisk()).toEqual([1, 2]);
    h.check();
  });

  it("a record larger than a segment has one to itself", () => {
    const h = new SpoolHarness(64 * KiB);
    h.fill(1, 10_000);
    h.fill(1, 100);
    expect(h.onDisk()).toEqual([1, 2]);
    h.check();
  });

  it("a settled id goes to its own segment's .acks; a segment with nothing pending goes once another is written", () => {
    const h = new SpoolHarness(16 * KiB); // 2 KiB segments
    const [a, b] = h.fill(2, 1_000);
    h.settle(a!);
    h.settle(b!);
    expect(h.file(1, "acks")).toBe(`${a!.id}\n${b!.id}\n`);
    expect(h.onDisk()).toEqual([1]); // still being written
    h.check();
    const [c, d] = h.fill(2, 1_000);
    h.fill(1, 1_000);
    expect(h.onDisk()).toEqual([2, 3]);
    expect(h.file(1, "acks")).toBeUndefined();
    h.settle(c!);
    expect(h.onDisk()).toEqual([2, 3]);
    h.fs.trace = [];
    h.settle(d!);
    expect(h.onDisk()).toEqual([3]);
    // What is deleted is not synced first, and nothing else is synced for it.
    expect(h.fs.trace.filter((line) => line.includes("fdatasync"))).toEqual([]);
    expect(h.file(2, "acks")).toBeUndefined();
    h.check();
  });

  it("a sealed segment with an eighth of its records pending has them copied forward once, synced, then is deleted", () => {
    const h = new SpoolHarness(64 * KiB); // 8 KiB segments
    const items = h.fill(8, KiB);
    h.fill(1, KiB);
    h.fs.trace = [];
    for (const item of items.slice(0, 6)) h.settle(item);
    expect(h.onDisk()).toEqual([1, 2]); // two of eight pending: kept
    h.settle(items[6]!);
    expect(h.onDisk()).toEqual([2]);
    const last = `"id":${items[7]!.id},`;
    expect(h.file(2, "items")!.split(last)).toHaveLength(2);
    const synced = h.fs.trace.findIndex((line) => traced([line], "fdatasync", 2, "items").length);
    const unlinked = h.fs.trace.findIndex((line) => traced([line], "unlink", 1, "items").length);
    expect(synced).toBeGreaterThan(-1);
    expect(synced).toBeLessThan(unlinked);
    h.check();
    h.reopen();
  });
});

describe("spool: a disk that refuses writes", () => {
  it("items are kept in memory, one warn line; the disk is tried again after a second, and said so", async () => {
    const h = new SpoolHarness(64 * KiB);
    h.fill(1, 500);
    h.fs.full = true;
    expect(h.append(500).placed).toBe("memory");
    expect(h.warnings).toEqual([
      expect.stringMatching(
        /^outbox spool \/s: cannot write \(no space left on the device \(ENOSPC\)\); new items are kept in memory only until it can$/,
      ),
    ]);
    await vi.advanceTimersByTimeAsync(999);
    const ops = h.fs.ops;
    for (let i = 0; i < 50; i++) expect(h.append(500).placed).toBe("memory");
    expect(h.fs.ops).toBe(ops);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.append(500).placed).toBe("memory");
    expect(h.fs.ops).toBeGreaterThan(ops);
    expect(h.warnings).toHaveLength(1);
    h.fs.full = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.append(500).placed).toBe("spooled");
    expect(h.warnings.at(-1)).toBe("outbox spool /s: writing to disk again");
    expect(h.append(500).placed).toBe("spooled");
    expect(h.warnings).toHaveLength(2);
    h.check();
    h.reopen(); // what was kept in memory only is gone with the process
  });

  it.each(["torn", "short"] as const)(
    "a %s write: what it took is cut back off, the next record is whole",
    async (kind) => {
      const h = new SpoolHarness(64 * KiB);
      h.fill(1, 500);
      const before = h.file(1, "items");
      h.fs.arm({ at: 1, kind });
      const placed = h.append(500).placed;
      if (kind === "torn") {
        expect(placed).toBe("memory");
        expect(h.file(1, "items")).toBe(before);
        await vi.advanceTimersByTimeAsync(1_000);
      } else expect(placed).toBe("spooled");
      h.fill(1, 500);
      h.check();
      h.reopen();
      expect(h.warnings.filter((line) => line.includes("skipped"))).toEqual([]);
    },
  );

  it("an ack the disk half took is cut back off: the item comes back after a kill, the next ack is read", () => {
    const h = new SpoolHarness(64 * KiB);
    const [a, b] = h.fill(2, 500);
    h.fs.arm({ at: 1, kind: "torn", op: "write" });
    h.settle(a!);
    expect(h.file(1, "acks")).toBe("");
    h.check();
    h.settle(b!);
    expect(h.file(1, "acks")).toBe(`${b!.id}\n`);
    h.fs.revive(); // killed: its ack lost, the item is pending as far as the disk knows
    expect(h.open().left.map((item) => item.id)).toEqual([a!.id]);
  });

  it("an .items file that cannot be cut back takes no more records: the next goes to a new segment", async () => {
    const h = new SpoolHarness(64 * KiB);
    h.fill(1, 500);
    h.fs.full = true;
    h.fs.arm({ at: 1, kind: "EIO", op: "ftruncate" });
    expect(h.append(500).placed).toBe("memory");
    h.fs.full = false;
    await vi.advanceTimersByTimeAsync(1_000);
    h.fill(1, 500);
    expect(h.onDisk()).toEqual([1, 2]);
  });

  it("an .acks file that cannot be cut back takes no more acks: its items come back after a kill", () => {
    const h = new SpoolHarness(64 * KiB);
    const [a, b, c] = h.fill(3, 500);
    h.settle(a!);
    h.fs.full = true;
    h.fs.arm({ at: 1, kind: "EIO", op: "ftruncate" });
    h.settle(b!);
    h.fs.full = false;
    h.fs.trace = [];
    h.settle(c!);
    expect(traced(h.fs.trace, "write", 1, "acks")).toEqual([]);
    h.fs.revive();
    expect(h.open().left.map((item) => item.id)).toEqual([b!.id, c!.id]);
  });
});

describe("spool: fdatasync and close", () => {
  it("each written file is synced once within 250 ms; a failure is a warn line, not tried again", async () => {
    const h = new SpoolHarness(64 * KiB);
    h.fs.trace = [];
    const [a] = h.fill(3, 500);
    await vi.advanceTimersByTimeAsync(249);
    expect(traced(h.fs.trace, "fdatasync", 1, "items")).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(traced(h.fs.trace, "fdatasync", 1, "items")).toHaveLength(1);
    h.settle(a!);
    h.fs.arm({ at: 1, kind: "EIO", op: "fdatasync" });
    await vi.advanceTimersByTimeAsync(250);
    expect(traced(h.fs.trace, "fdatasync", 1, "acks")).toHaveLength(1);
    expect(traced(h.fs.trace, "fdatasync", 1, "items")).toHaveLength(1);
    expect(h.warnings).toEqual(["outbox spool /s: fdatasync failed: input/output error (EIO)"]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(traced(h.fs.trace, "fdatasync", 1, "acks")).toHaveLength(1);
  });

  it("one sync timer for however many writes", () => {
    const h = new SpoolHarness(64 * KiB);
    h.fill(100, 200);
    expect(vi.getTimerCount()).toBe(1);
  });

  it("sync() syncs at once what is unsynced, and only that", () => {
    const h = new SpoolHarness(64 * KiB);
    h.fill(2, 500);
    h.fs.trace = [];
    h.spool.sync();
    h.spool.sync();
    expect(h.operations()).toEqual([`fdatasync ${segmentPath(DIR, 1, "items")}`]);
  });

  it("close syncs, deletes what nothing is pending in, closes every file and releases the directory", () => {
    const h = new SpoolHarness(16 * KiB);
    h.fill(2, 1_000);
    const [c] = h.fill(1, 1_000);
    h.settle(c!);
    h.fs.trace = [];
    h.spool.close();
    const ops = h.operations();
    expect(ops.filter((op) => op.startsWith("fdatasync"))).toEqual([
      `fdatasync ${segmentPath(DIR, 1, "items")}`,
      `fdatasync ${segmentPath(DIR, 2, "items")}`,
      `fdatasync ${segmentPath(DIR, 2, "acks")}`,
    ]);
    expect(ops.filter((op) => op.startsWith("close")).sort()).toEqual(
      [segmentPath(DIR, 1, "items"), segmentPath(DIR, 2, "acks"), segmentPath(DIR, 2, "items")].map(
        (p) => `close ${p}`,
      ),
    );
    expect(h.onDisk()).toEqual([1]);
    expect(h.open().left).toHaveLength(2); // the lock was released: no new process needed
  });

  it("a segment whose .items cannot be deleted is kept whole, acks included: nothing in it comes back", () => {
    const h = new SpoolHarness(16 * KiB);
    const [a, b] = h.fill(2, 1_000);
    h.fill(1, 1_000);
    h.settle(a!);
    h.fs.arm({ at: 1, kind: "EIO", op: "unlink" });
    h.settle(b!);
    expect(h.onDisk()).toEqual([1, 2]);
    expect(h.file(1, "acks")).toBe(`${a!.id}\n${b!.id}\n`);
    h.check();
    h.reopen();
    expect(h.onDisk()).toEqual([2]);
  });

  it("a segment whose files are already gone counts as deleted", () => {
    const h = new SpoolHarness(16 * KiB);
    const [a, b] = h.fill(2, 1_000);
    h.fill(1, 1_000);
    h.settle(a!);
    h.fs.files.delete(segmentPath(DIR, 1, "items"));
    h.fs.files.delete(segmentPath(DIR, 1, "acks"));
    h.settle(b!);
    h.check();
  });
});

describe("spool: read back", () => {
  it("finishes an interrupted delete, deletes what is settled, skips a torn record and continues numbers", () => {
    const h = new SpoolHarness(64 * KiB);
    const [a] = h.fill(1, 500);
    h.spool.close();
    h.fs.revive();
    const write = (seq: number, kind: "items" | "acks", text: string) =>
      h.fs.files.set(segmentPath(DIR, seq, kind), Buffer.from(text));
    const line = h.file(1, "items")!;
    write(2, "items", line.replace(`"id":${a!.id},`, '"id":7,'));
    write(2, "acks", "7\n");
    write(3, "acks", "9\n");
    write(4, "items", `${line}{"id":8,"op":"rec`);
    const spool = h.open();
    expect(spool.left.map((item) => item.id)).toEqual([a!.id]); // its newest record, in segment 4
    expect(spool.nextId).toBe(10);
    expect(h.warnings).toEqual(["outbox spool /s: skipped 1 torn or unreadable record(s)"]);
    expect(h.onDisk()).toEqual([4]); // segment 1 held only an older copy
    expect(h.file(2, "acks")).toBeUndefined();
    expect(h.file(3, "acks")).toBeUndefined();
  });
});

describe("spool: a log with warn off", () => {
  it("skipped records, a refused disk and its return, a failed fdatasync: nothing is called that is not there", async () => {
    const h = new SpoolHarness(64 * KiB, true);
    h.fill(1, 500);
    h.fs.full = true;
    expect(h.append(500).placed).toBe("memory");
    h.fs.full = false;
    await vi.advanceTimersByTimeAsync(1_000);
    h.fill(1, 500);
    h.fs.arm({ at: 1, kind: "EIO", op: "fdatasync" });
    await vi.advanceTimersByTimeAsync(250);
    h.spool.close();
    h.fs.revive();
    h.fs.files.set(segmentPath(DIR, 9, "items"), Buffer.from('{"id":'));
    expect(h.open().left).toHaveLength(2);
  });
});
