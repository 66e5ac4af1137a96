// The outbox's durable spool (Node, Bun, Deno; the Node build of ./outbox injects it). Items are
// appended to segment files as JSON lines ({"id","op","at","body"}: bodies only, never headers or the
// key) with one write each, so an item is in the kernel before the call returns and a killed process
// loses none; fdatasync is batched (at most every 250 ms, and at flush and close). Settling an item
// appends its id to its segment's .acks file. A segment is deleted once its items are all settled, and
// a sealed segment that is mostly settled has its few live items copied forward (same ids) first, so
// the spool's size follows what is pending, not what was ever delivered. Loading skips a torn last
// record (the write a kill cut short) and, for an id found twice (a copy interrupted), keeps one.
import {
  closeSync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
} from "node:fs";
import { join } from "node:path";
import { clearImmediate, setImmediate } from "node:timers";
import { PareaError } from "../errors.js";
import type { Log } from "../logger.js";
import { acquireLock, fsProblem, writeAll } from "../node/files.js";
import { EPOCH } from "./queues.js";

/** A new segment is started past this size. */
const SEGMENT_BYTES = 1 << 20;
/** A sealed segment with at most 1/COMPACT_RATIO of its records still pending is copied forward. */
const COMPACT_RATIO = 8;
const SYNC_EVERY_MS = 250;
const NAME = /^(\d{12})\.items$/;

export interface Segment {
  seq: number;
  itemsFd?: number | undefined;
  acksFd?: number | undefined;
  /** Bytes of its .items and .acks files, and of .items alone. */
  bytes: number;
  itemBytes: number;
  records: number;
  /** How many pending items have their newest record here (item.home). */
  live: number;
}

/** An item as the spool keeps it. */
export interface Stored {
  id: number;
  /** The operation (by name, for items read back). */
  op: { name: string };
  /** When it was accepted (ms on queues.ts's clock). */
  at: number;
  /** The body as JSON. */
  json: string;
  home?: Segment | undefined;
}

export interface SpoolOptions {
  maxSpoolBytes: number;
  log: Log;
  /** Every item the outbox has not settled (compaction moves those of one segment). */
  pending: () => Iterable<Stored>;
}

export type OpenSpool = (dir: string, options: SpoolOptions) => Spool;

const record = (item: Stored) =>
  `{"id":${item.id},"op":${JSON.stringify(item.op.name)},"at":${item.at + EPOCH},"body":${item.json}}\n`;

export class Spool {
  /** Items a previous outbox left pending, oldest first. */
  readonly left: Stored[] = [];
  /** The next free item id. */
  nextId = 1;
  private readonly segments = new Map<number, Segment>();
  private active: Segment | undefined;
  private bytes = 0;
  private readonly dirty = new Set<number>();
  /** Settled ids not yet written, by segment. */
  private readonly acks = new Map<Segment, string>();
  private acksDue: ReturnType<typeof setImmediate> | undefined;
  private syncTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly release: () => void;

  constructor(
    private readonly dir: string,
    private readonly options: SpoolOptions,
  ) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw Object.assign(new PareaError(`spoolDir ${dir}: ${fsProblem(error)}`), { option: "spoolDir" });
    }
    this.release = acquireLock(join(dir, "outbox.lock"), (pid) =>
      Object.assign(
        new PareaError(
          `spoolDir ${dir} is in use by another outbox (pid ${pid}); one live outbox per directory: shut that one down or use another directory`,
        ),
        { option: "spoolDir" },
      ),
    );
    try {
      this.load();
    } catch (error) {
      this.release();
      throw error instanceof PareaError
        ? error
        : Object.assign(new PareaError(`spoolDir ${dir}: cannot read the spool: ${fsProblem(error)}`), {
            option: "spoolDir",
          });
    }
  }

  private path(seq: number, kind: "items" | "acks") {
    return join(this.dir, `${String(seq).padStart(12, "0")}.${kind}`);
  }

  private load(): void {
    const seqs = readdirSync(this.dir)
      .map((name) => NAME.exec(name)?.[1])
      .filter((seq): seq is string => seq !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const items = new Map<number, Stored>();
    const acked = new Set<number>();
    let skipped = 0;
    for (const seq of seqs) {
      const segment: Segment = { seq, bytes: 0, itemBytes: 0, records: 0, live: 0 };
      this.segments.set(seq, segment);
      for (const kind of ["items", "acks"] as const) {
        let text = "";
        try {
          text = readFileSync(this.path(seq, kind), "utf8");
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        }
        segment.bytes += Buffer.byteLength(text);
        if (kind === "items") segment.itemBytes = segment.bytes;
        const lines = text.split("\n");
        // The last piece has no newline: a record a kill cut short (or nothing).
        if (lines.pop()) skipped++;
        for (const line of lines) {
          if (kind === "acks") {
            if (/^\d+$/.test(line)) acked.add(Number(line));
            continue;
          }
          const parsed = parse(line);
          if (!parsed) {
            skipped++;
            continue;
          }
          segment.records++;
          // A copy moved forward by compaction is the item's home from now on.
          items.set(parsed.id, { ...parsed, home: segment });
          this.nextId = Math.max(this.nextId, parsed.id + 1);
        }
      }
      this.bytes += segment.bytes;
    }
    for (const item of items.values()) if (!acked.has(item.id)) item.home!.live++;
    if (skipped) this.options.log.warn?.(`outbox spool ${this.dir}: skipped ${skipped} torn or unreadable record(s)`);
    for (const segment of this.segments.values()) if (segment.live === 0) this.remove(segment);
    this.left.push(...[...items.values()].filter((item) => !acked.has(item.id)).sort((a, b) => a.id - b.id));
  }

  /**
   * Writes the item (one write, no fsync). False when it would take the spool past maxSpoolBytes; a
   * failed write (disk full) is cut back off the file, so no torn record is left, and rethrown.
   */
  append(item: Stored): boolean {
    const line = record(item);
    const size = Buffer.byteLength(line);
    if (this.bytes + size > this.options.maxSpoolBytes) return false;
    let segment = this.active;
    if (!segment || segment.itemBytes + size > SEGMENT_BYTES) segment = this.rotate();
    segment.itemsFd ??= openSync(this.path(segment.seq, "items"), "a", 0o600);
    try {
      writeAll(segment.itemsFd, line);
    } catch (error) {
      try {
        ftruncateSync(segment.itemsFd, segment.itemBytes);
      } catch {
        // the next segment starts clean either way
      }
      this.active = undefined;
      this.seal(segment);
      throw error;
    }
    segment.bytes += size;
    segment.itemBytes += size;
    segment.records++;
    this.bytes += size;
    item.home = segment;
    segment.live++;
    this.touched(segment.itemsFd);
    return true;
  }

  /**
   * Records the item as settled; a segment left with nothing pending is deleted. The ids are written
   * once per turn of the event loop (every delivery that ended in it), not one write each.
   */
  settle(item: Stored): void {
    const segment = item.home;
    if (!segment) return;
    segment.live--;
    item.home = undefined;
    const line = `${item.id}\n`;
    this.acks.set(segment, (this.acks.get(segment) ?? "") + line);
    segment.bytes += line.length;
    this.bytes += line.length;
    this.acksDue ??= setImmediate(() => this.writeAcks());
    if (segment === this.active) return;
    if (segment.live === 0) this.remove(segment);
    else if (segment.live * COMPACT_RATIO <= segment.records) this.compact(segment);
  }

  private writeAcks(): void {
    clearImmediate(this.acksDue);
    this.acksDue = undefined;
    for (const [segment, lines] of this.acks)
      try {
        segment.acksFd ??= openSync(this.path(segment.seq, "acks"), "a", 0o600);
        writeAll(segment.acksFd, lines);
        this.touched(segment.acksFd);
      } catch (error) {
        // At worst these items are sent again by the next outbox: at least once still holds.
        this.options.log.warn?.(`outbox spool ${this.dir}: could not record settled items: ${fsProblem(error)}`);
      }
    this.acks.clear();
  }

  /** fdatasync what was written since the last one. */
  sync(): void {
    this.writeAcks();
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    for (const fd of this.dirty) fdatasyncSync(fd);
    this.dirty.clear();
  }

  /** Syncs, closes every file and releases the directory; emptied segments are deleted. */
  close(): void {
    try {
      this.sync();
    } finally {
      for (const segment of this.segments.values())
        if (segment.live === 0) this.remove(segment);
        else this.seal(segment);
      this.release();
    }
  }

  private touched(fd: number): void {
    this.dirty.add(fd);
    if (this.syncTimer) return;
    this.syncTimer = setTimeout(() => {
      try {
        this.sync();
      } catch (error) {
        this.options.log.warn?.(`outbox spool ${this.dir}: fdatasync failed: ${fsProblem(error)}`);
      }
    }, SYNC_EVERY_MS);
    // The spool must not keep a process alive that has nothing else to do.
    (this.syncTimer as { unref?: () => void }).unref?.();
  }

  private rotate(): Segment {
    const previous = this.active;
    const seq = Math.max(0, ...this.segments.keys()) + 1;
    const segment: Segment = { seq, bytes: 0, itemBytes: 0, records: 0, live: 0 };
    this.segments.set(seq, segment);
    this.active = segment;
    if (previous) {
      if (previous.live === 0) this.remove(previous);
      else if (previous.live * COMPACT_RATIO <= previous.records) this.compact(previous);
    }
    return segment;
  }

  /** Copies a mostly settled segment's pending items forward (durably), then deletes it. */
  private compact(segment: Segment): void {
    // Found through the outbox (every item it has not settled), so the spool keeps no list per segment.
    const moving = [...this.options.pending()].filter((item) => item.home === segment);
    for (const item of moving) {
      segment.live--;
      if (!this.append(item)) {
        // No room for the copy: the segment stays as it is.
        segment.live++;
        item.home = segment;
        return;
      }
    }
    this.sync();
    this.remove(segment);
  }

  private seal(segment: Segment): void {
    for (const fd of [segment.itemsFd, segment.acksFd]) if (fd !== undefined) this.closeFd(fd);
    segment.itemsFd = segment.acksFd = undefined;
  }

  private closeFd(fd: number): void {
    if (this.dirty.delete(fd)) fdatasyncSync(fd);
    closeSync(fd);
  }

  private remove(segment: Segment): void {
    this.acks.delete(segment);
    for (const fd of [segment.itemsFd, segment.acksFd]) if (fd !== undefined) (closeSync(fd), this.dirty.delete(fd));
    segment.itemsFd = segment.acksFd = undefined;
    for (const kind of ["items", "acks"] as const)
      try {
        unlinkSync(this.path(segment.seq, kind));
      } catch {
        // never written
      }
    this.bytes -= segment.bytes;
    this.segments.delete(segment.seq);
    if (this.active === segment) this.active = undefined;
  }
}

/** One spool line back into an item; undefined when it is not one (torn, or not ours). */
function parse(line: string): Omit<Stored, "home"> | undefined {
  try {
    const { id, op, at, body } = JSON.parse(line) as { id: unknown; op: unknown; at: unknown; body: unknown };
    if (!Number.isSafeInteger(id) || typeof op !== "string" || typeof at !== "number" || body === undefined) return;
    return { id: id as number, op: { name: op }, at: at - EPOCH, json: JSON.stringify(body) };
  } catch {
    return undefined;
  }
}

export const openSpool: OpenSpool = (dir, options) => new Spool(dir, options);
