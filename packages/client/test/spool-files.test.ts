// The spool's directory read back (src/outbox/spool-files.ts's claimSpool), on the simulated disk:
// which files count, in what order, what a record must hold to be an item, what an .acks line must be
// to settle one, an item's age across a restart, and each failure as the spoolDir error it becomes.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PareaError } from "../src/errors.ts";
import { claimSpool, record, segmentPath, type Stored } from "../src/outbox/spool-files.ts";
import { clock } from "../src/outbox/queues.ts";
import { SimFs } from "./support/sim-fs.ts";
import { DIR, fakeTime } from "./support/spool-harness.ts";

beforeEach(fakeTime);
afterEach(() => vi.useRealTimers());

const HOUR = 3_600_000;

/** A disk holding these files under DIR (name -> text), and claimSpool over it. */
function disk(files: Record<string, string> = {}) {
  const fs = new SimFs();
  fs.mkdirSync(DIR);
  for (const [name, text] of Object.entries(files)) fs.files.set(`${DIR}/${name}`, Buffer.from(text));
  const view = fs.view();
  return { fs, claim: () => claimSpool(view, view.lock, DIR, HOUR) };
}

const name = (seq: number, kind: "items" | "acks") => segmentPath(DIR, seq, kind).slice(DIR.length + 1);
const line = (id: number, body: unknown = { n: id }, at = Date.now()) =>
  `${JSON.stringify({ id, op: "recordFeedback", at, body })}\n`;

/** What claimSpool throws, as text: its class, option and message. */
function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return `${(error as Error).constructor.name} ${(error as PareaError).option}: ${(error as Error).message}`;
  }
  return "no error";
}

describe("spool files: what is read back", () => {
  it("an empty directory: nothing, numbers from 1", () => {
    const { contents } = disk().claim();
    expect(contents).toEqual({ segments: [], orphans: [], left: [], nextId: 1, nextSeq: 1, bytes: 0, skipped: 0 });
  });

  it("only names of twelve digits and a kind count: other files in the directory are left alone", () => {
    const { contents } = disk({
      [`backup-${name(1, "items")}`]: line(1),
      [`${name(2, "items")}.tmp`]: line(2),
      [`${name(3, "acks")}~`]: "3\n",
      "outbox.lock": "123",
    }).claim();
    expect(contents).toEqual({ segments: [], orphans: [], left: [], nextId: 1, nextSeq: 1, bytes: 0, skipped: 0 });
  });

  it("segments in number order, not text order; an id found twice lives in the later one", () => {
    const { contents } = disk({
      [name(10, "items")]: line(1, "copied") + line(3),
      [name(9, "items")]: line(1, "original") + line(2),
    }).claim();
    expect(contents.segments.map((segment) => segment.seq)).toEqual([9, 10]);
    expect(contents.nextSeq).toBe(11);
    expect(contents.left.map((item) => [item.id, item.json, item.home?.seq])).toEqual([
      [1, '"copied"', 10],
      [2, '{"n":2}', 9],
      [3, '{"n":3}', 10],
    ]);
    expect(contents.segments.map(({ seq, records, live }) => [seq, records, live])).toEqual([
      [9, 2, 1],
      [10, 2, 2],
    ]);
  });

  it("an .acks line settles only when it is all digits; ids and numbers continue past every file", () => {
    const { contents } = disk({
      [name(1, "items")]: line(1) + line(2) + line(3),
      [name(1, "acks")]: "1\nx2\n3x\n\n",
      [name(4, "acks")]: "40\n", // an orphan: its .items was deleted, its ids are used
    }).claim();
    expect(contents.left.map((item) => item.id)).toEqual([2, 3]);
    expect(contents.nextId).toBe(41);
    expect(contents.nextSeq).toBe(5);
    expect(contents.orphans).toEqual([4]);
    expect(contents.segments.map((segment) => segment.seq)).toEqual([1]);
    expect(contents.skipped).toBe(0);
  });

  it("a record is an item only with a safe integer id, an op, a numeric at and a body; the rest are skipped", () => {
    const records = [
      { id: 1.5, op: "recordFeedback", at: 0, body: {} },
      { id: 2 ** 53, op: "recordFeedback", at: 0, body: {} },
      { id: "3", op: "recordFeedback", at: 0, body: {} },
      { id: 4, op: 4, at: 0, body: {} },
      { id: 5, op: "recordFeedback", at: "0", body: {} },
      { id: 6, op: "recordFeedback", at: 0 },
    ];
    const text = records.map((entry) => JSON.stringify(entry) + "\n").join("") + "not json\n" + line(7, null);
    const { contents } = disk({ [name(1, "items")]: text + '{"id":8,"op"' }).claim();
    expect(contents.left.map((item) => [item.id, item.json])).toEqual([[7, "null"]]);
    expect(contents.skipped).toBe(8); // six not items, one not JSON, and the torn last one
    expect(contents.segments[0]).toMatchObject({ records: 1, live: 1 });
    expect(contents.bytes).toBe(Buffer.byteLength(text) + '{"id":8,"op"'.length);
  });

  it("an item's age is kept across a restart, from the wall time on disk", () => {
    const item: Stored = { id: 1, op: { name: "recordFeedback" }, at: clock() - 5_000, json: "{}" };
    const { contents } = disk({ [name(1, "items")]: record(item) }).claim();
    expect(clock() - contents.left[0]!.at).toBe(5_000);
  });
});

describe("spool files: failures are spoolDir errors", () => {
  it("a directory that cannot be made", () => {
    const { fs, claim } = disk();
    fs.arm({ at: 1, op: "mkdir", kind: "EACCES" });
    expect(failure(claim)).toBe("PareaError spoolDir: spoolDir /s: permission denied (EACCES)");
  });

  it("a lock held by a live outbox is refused as such; a lock that cannot be taken says so", () => {
    const { fs, claim } = disk();
    claim();
    expect(failure(claim)).toBe(
      "PareaError spoolDir: spoolDir /s is in use by another outbox (pid simulated); one live outbox per directory: shut that one down or use another directory",
    );
    fs.revive();
    fs.arm({ at: 1, op: "lock", kind: "EIO" });
    expect(failure(() => claimSpool(fs.view(), fs.view().lock, DIR, HOUR))).toBe(
      "PareaError spoolDir: spoolDir /s: cannot take its lock: input/output error (EIO)",
    );
  });

  it("a directory that cannot be read: the lock is let go", () => {
    const { fs, claim } = disk({ [name(1, "items")]: line(1) });
    fs.arm({ at: 1, op: "read", kind: "EIO" });
    expect(failure(claim)).toBe("PareaError spoolDir: spoolDir /s: cannot read the spool: input/output error (EIO)");
    expect(claim().contents.left).toHaveLength(1);
  });
});
