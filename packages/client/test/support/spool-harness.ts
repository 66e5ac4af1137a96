// The spool alone on a simulated disk (sim-fs.ts), as the outbox drives it: items of exact record sizes,
// settled one by one, the outbox's pending set kept beside it. `check` holds what the spool believes
// (its byte counts, per segment and in all) to what the disk holds; `reopen` is the next process, and
// what it reads back must be exactly the items left pending on disk.
import { expect, vi } from "vitest";
import { clock } from "../../src/outbox/queues.ts";
import { record, segmentPath, type Stored } from "../../src/outbox/spool-files.ts";
import { Spool, type Placement } from "../../src/outbox/spool.ts";
import { SimFs } from "./sim-fs.ts";

export const DIR = "/s";

/** Fake timers (Date and performance too): the sync timer and the disk's retry run on the test's word. */
export const fakeTime = () =>
  vi.useFakeTimers({
    toFake: ["setTimeout", "clearTimeout", "Date", "performance"],
    now: 1_800_000_000_000,
  });

const lineCount = (data: Buffer | undefined) => (data ? data.toString().split("\n").length - 1 : 0);

export class SpoolHarness {
  readonly fs = new SimFs();
  readonly warnings: string[] = [];
  /** The outbox's unsettled items (the spool's `pending`), spooled or kept in memory. */
  readonly pending = new Set<Stored>();
  spool: Spool;
  private nextId = 1;

  /** `quiet`: a log whose warn level is off (the spool must not call what is not there). */
  constructor(
    readonly cap: number,
    private readonly quiet = false,
  ) {
    this.spool = this.open();
  }

  open(): Spool {
    const disk = this.fs.view();
    return new Spool(DIR, {
      maxSpoolBytes: this.cap,
      maxAgeMs: 3_600_000,
      log: this.quiet ? {} : { warn: (line) => this.warnings.push(line) },
      pending: () => this.pending,
      fs: disk,
      lock: disk.lock,
    });
  }

  /** An item whose record (its line in a segment) is `bytes` long. */
  item(bytes: number): Stored {
    const item: Stored = { id: this.nextId++, op: { name: "recordFeedback" }, at: clock(), json: '""' };
    item.json = JSON.stringify("x".repeat(bytes - Buffer.byteLength(record(item))));
    expect(Buffer.byteLength(record(item))).toBe(bytes);
    return item;
  }

  append(bytes: number): { item: Stored; placed: Placement } {
    const item = this.item(bytes);
    const placed = this.spool.append(item);
    if (placed !== "full") this.pending.add(item);
    return { item, placed };
  }

  /** Appends n items of `bytes` each, all of which must be spooled. */
  fill(n: number, bytes: number): Stored[] {
    return Array.from({ length: n }, () => {
      const { item, placed } = this.append(bytes);
      expect(placed).toBe("spooled");
      return item;
    });
  }

  /** Settled items whose ack the disk refused, by segment: they come back while that segment is on disk. */
  private readonly ackLost = new Map<Stored, number>();

  settle(item: Stored): void {
    const seq = item.home?.seq;
    this.spool.settle(item);
    this.pending.delete(item);
    if (seq === undefined || this.file(seq, "items") === undefined) return;
    if (!(this.file(seq, "acks") ?? "").split("\n").includes(String(item.id))) this.ackLost.set(item, seq);
  }

  file(seq: number, kind: "items" | "acks"): string | undefined {
    return this.fs.files.get(segmentPath(DIR, seq, kind))?.toString();
  }

  /** The file operations traced since `fs.trace` was set, without their numbers ("close /s/…items"). */
  operations(): string[] {
    return (this.fs.trace ?? []).map((line) => line.replace(/^\d+ /, ""));
  }

  /** Segment numbers with an .items file on disk. */
  onDisk(): number[] {
    return [...this.fs.files.keys()]
      .filter((path) => path.endsWith(".items"))
      .map((path) => Number(/(\d+)\.items$/.exec(path)![1]))
      .sort((a, b) => a - b);
  }

  /** The spool's byte counts against the disk, per segment and in all. */
  check(): void {
    const state = this.spool.inspect();
    expect(state.bytes, "bytes in all").toBe(this.fs.size(/\.(items|acks)$/));
    expect(state.bytes, "within the cap").toBeLessThanOrEqual(this.cap);
    const spooled = [...this.pending].filter((item) => item.home);
    expect(state.pendingBytes, "pending bytes").toBe(spooled.reduce((sum, item) => sum + item.size!, 0));
    // A segment whose first write the disk refused has no file yet, and nothing in it.
    const known = state.segments.filter(
      (segment) => segment.bytes > 0 || this.file(segment.seq, "items") !== undefined,
    );
    expect(
      known.map((segment) => segment.seq),
      "segments",
    ).toEqual(this.onDisk());
    for (const segment of state.segments) {
      const items = this.fs.files.get(segmentPath(DIR, segment.seq, "items"));
      const acks = this.fs.files.get(segmentPath(DIR, segment.seq, "acks"));
      const label = `segment ${segment.seq}`;
      expect(segment.itemBytes, label).toBe(items?.length ?? 0);
      expect(segment.bytes, label).toBe((items?.length ?? 0) + (acks?.length ?? 0));
      expect(segment.records, label).toBe(lineCount(items));
      const home = spooled.filter((item) => item.home!.seq === segment.seq);
      expect(segment.live, label).toBe(home.length);
      expect(segment.liveBytes, label).toBe(home.reduce((sum, item) => sum + item.size!, 0));
    }
  }

  /**
   * The next process (after a close, or a kill when `killed`): what it reads back is exactly the items
   * pending on disk, body and all, and those settled whose ack the disk refused (sent again, as the
   * spool promises: no more); items kept in memory only are gone with the process.
   */
  reopen(killed = false): void {
    if (!killed) this.spool.close();
    this.fs.revive();
    const lost = [...this.ackLost].filter(([, seq]) => this.file(seq, "items") !== undefined).map(([item]) => item);
    this.ackLost.clear();
    const expected = [...this.pending]
      .filter((item) => item.home)
      .concat(lost)
      .sort((a, b) => a.id - b.id);
    this.spool = this.open();
    const left = this.spool.left;
    const fields = (item: Stored) => [item.id, item.op.name, item.at, item.json];
    expect(left.map(fields)).toEqual(expected.map(fields));
    expect(this.spool.nextId).toBeGreaterThan(Math.max(0, ...expected.map((item) => item.id)));
    this.pending.clear();
    for (const item of left) this.pending.add(item);
    this.nextId = Math.max(this.nextId, this.spool.nextId);
  }
}
