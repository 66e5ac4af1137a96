// The outbox's durable spool (Node, Bun, Deno; the Node build of ./outbox injects it; its files are
// spool-files.ts). One write per item, so an item is in the kernel before the call returns and a killed
// process loses none; fdatasync batched (every 250 ms at most, and at flush and close); a settled id
// written before the item counts as settled. A fully settled segment is deleted, and a mostly settled one has
// its few pending items copied forward first, so the size follows what is pending, not what was sent.
import { closeSync, fdatasyncSync, ftruncateSync, openSync, unlinkSync } from "node:fs";
import type { Log } from "../logger.js";
import { fsProblem, writeAll } from "../node/files.js";
import { unref } from "./queues.js";
import { claimSpool, record, segmentPath, type Segment, type Stored } from "./spool-files.js";

export type { Stored } from "./spool-files.js";

/** A new segment is started past this size. */
const SEGMENT_BYTES = 1 << 20;
/** A sealed segment with at most 1/COMPACT_RATIO of its records still pending is copied forward. */
const COMPACT_RATIO = 8;
const SYNC_EVERY_MS = 250;

export interface SpoolOptions {
  maxSpoolBytes: number;
  log: Log;
  /** Every item the outbox has not settled (compaction moves those of one segment). */
  pending: () => Iterable<Stored>;
}

export type OpenSpool = (dir: string, options: SpoolOptions) => Spool;

export class Spool {
  /** Items a previous outbox left pending, oldest first. */
  readonly left: Stored[] = [];
  /** The next free item id. */
  nextId = 1;
  private readonly segments = new Map<number, Segment>();
  private active: Segment | undefined;
  private bytes = 0;
  private readonly dirty = new Set<number>();
  private syncTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly release: () => void;

  constructor(
    private readonly dir: string,
    private readonly options: SpoolOptions,
  ) {
    const { release, contents } = claimSpool(dir);
    this.release = release;
    for (const segment of contents.segments) this.segments.set(segment.seq, segment);
    this.bytes = contents.bytes;
    this.nextId = contents.nextId;
    if (contents.skipped)
      options.log.warn?.(`outbox spool ${dir}: skipped ${contents.skipped} torn or unreadable record(s)`);
    for (const segment of contents.segments) if (segment.live === 0) this.remove(segment);
    this.left.push(...contents.left);
  }

  private path(seq: number, kind: "items" | "acks") {
    return segmentPath(this.dir, seq, kind);
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
   * Records the item as settled (its id appended to its segment's .acks, one write, before the outbox
   * counts it: a kill after that never sends it again); a segment left with nothing pending is deleted.
   */
  settle(item: Stored): void {
    const segment = item.home;
    if (!segment) return;
    segment.live--;
    item.home = undefined;
    const line = `${item.id}\n`;
    try {
      segment.acksFd ??= openSync(this.path(segment.seq, "acks"), "a", 0o600);
      writeAll(segment.acksFd, line);
      segment.bytes += line.length;
      this.bytes += line.length;
      this.touched(segment.acksFd);
    } catch (error) {
      // At worst the item is sent again by the next outbox: at least once still holds.
      this.options.log.warn?.(`outbox spool ${this.dir}: could not record a settled item: ${fsProblem(error)}`);
    }
    if (segment !== this.active) this.tidy(segment);
  }

  /** A sealed segment: deleted once nothing in it is pending, its few pending items moved once it is mostly settled. */
  private tidy(segment: Segment): void {
    if (segment.live === 0) this.remove(segment);
    else if (segment.live * COMPACT_RATIO <= segment.records) this.compact(segment);
  }

  /** fdatasync what was written since the last one. */
  sync(): void {
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
    unref(this.syncTimer);
  }

  private rotate(): Segment {
    const previous = this.active;
    const seq = Math.max(0, ...this.segments.keys()) + 1;
    const segment: Segment = { seq, bytes: 0, itemBytes: 0, records: 0, live: 0 };
    this.segments.set(seq, segment);
    this.active = segment;
    if (previous) this.tidy(previous);
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

  /** Closes the segment's files, syncing what is unsynced unless they are about to be deleted. */
  private closeFiles(segment: Segment, deleting: boolean): void {
    for (const fd of [segment.itemsFd, segment.acksFd])
      if (fd !== undefined) {
        if (this.dirty.delete(fd) && !deleting) fdatasyncSync(fd);
        closeSync(fd);
      }
    segment.itemsFd = segment.acksFd = undefined;
  }

  private seal(segment: Segment): void {
    this.closeFiles(segment, false);
  }

  private remove(segment: Segment): void {
    this.closeFiles(segment, true);
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

export const openSpool: OpenSpool = (dir, options) => new Spool(dir, options);
