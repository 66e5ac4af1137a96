// The outbox's durable spool (Node, Bun, Deno; the Node build of ./outbox injects it; its files are
// spool-files.ts). One write per item, so an item is in the kernel before the call returns and a killed
// process loses none; fdatasync batched (every 250 ms at most, and at flush and close); a settled id
// written before the item counts as settled. Segments are sized from maxSpoolBytes (an eighth, 2 KiB to
// 1 MiB) so that even a small cap rotates; a fully settled segment is deleted, a mostly settled one has
// its few pending items copied forward first, and when the cap is reached the settled bytes are
// reclaimed before an item is refused: the size follows what is pending, not what was sent (a property
// test holds it to that at random caps and sequences). A write the
// disk refuses (full, read-only, I/O error) keeps the item in memory instead; the disk is tried again
// once a second, so a full disk costs the same per call however long it lasts.
import { errorCode } from "../error-code.js";
import type { Log } from "../logger.js";
import { fsProblem, realFs, writeAll, type FileSystem } from "../node/files.js";
import { acquireLock } from "../node/lock.js";
import { clock, unref } from "./queues.js";
import { claimSpool, record, segmentPath, type Lock, type Segment, type Stored } from "./spool-files.js";

export type { Stored } from "./spool-files.js";

const MAX_SEGMENT_BYTES = 1 << 20;
const MIN_SEGMENT_BYTES = 2 << 10;
/** A sealed segment with at most 1/COMPACT_RATIO of its records still pending is copied forward. */
const COMPACT_RATIO = 8;
const SYNC_EVERY_MS = 250;
/** After the disk refused a write, items stay in memory this long before it is tried again. */
const DISK_RETRY_MS = 1_000;

/** Where an appended item went: on disk, nowhere (no room under maxSpoolBytes), or memory only (the disk refused). */
export type Placement = "spooled" | "full" | "memory";

export interface SpoolOptions {
  maxSpoolBytes: number;
  maxAgeMs: number;
  log: Log;
  /** Every item the outbox has not settled (compaction moves those of one segment). */
  pending: () => Iterable<Stored>;
  /** For tests: a simulated file system and lock (crash points, injected faults). */
  fs?: FileSystem;
  lock?: Lock;
}

export type OpenSpool = (dir: string, options: SpoolOptions) => Spool;

export class Spool {
  /** Items a previous outbox left pending, oldest first. */
  readonly left: Stored[] = [];
  /** The next free item id. */
  readonly nextId: number;
  private readonly segments = new Map<number, Segment>();
  private active: Segment | undefined;
  private nextSeq: number;
  private bytes: number;
  private liveBytes = 0;
  private readonly segmentBytes: number;
  private readonly fs: FileSystem;
  private readonly dirty = new Set<number>();
  private syncTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly release: () => void;
  /** While the disk refuses writes: when to try again (clock), and reclaiming's last fruitless garbage level. */
  private diskRetryAt = -Infinity;
  private reclaimFloor = 0;

  constructor(
    private readonly dir: string,
    private readonly options: SpoolOptions,
  ) {
    this.fs = options.fs ?? realFs;
    const cap = options.maxSpoolBytes;
    this.segmentBytes = Math.min(MAX_SEGMENT_BYTES, Math.max(MIN_SEGMENT_BYTES, Math.floor(cap / 8)));
    const { release, contents } = claimSpool(this.fs, options.lock ?? acquireLock, dir, options.maxAgeMs);
    this.release = release;
    this.bytes = contents.bytes;
    this.nextId = contents.nextId;
    this.nextSeq = contents.nextSeq;
    if (contents.skipped)
      options.log.warn?.(`outbox spool ${dir}: skipped ${contents.skipped} torn or unreadable record(s)`);
    // An interrupted delete finished: nothing reads these, and their numbers are already passed.
    for (const seq of contents.orphans) this.unlink(seq, "acks");
    for (const segment of contents.segments) {
      this.segments.set(segment.seq, segment);
      this.liveBytes += segment.liveBytes;
    }
    for (const segment of contents.segments) if (segment.live === 0) this.remove(segment);
    this.left.push(...contents.left);
  }

  /**
   * Writes the item (one write, no fsync), after reclaiming settled bytes if need be. Items may fill the
   * cap less one segment: that room is kept for compaction, which can then always go ahead.
   */
  append(item: Stored): Placement {
    const line = record(item);
    const size = Buffer.byteLength(line);
    if (this.bytes + size > this.room() && !this.reclaim(size)) return "full";
    return this.write(item, line, size);
  }

  private room(): number {
    return this.options.maxSpoolBytes - this.segmentBytes;
  }

  /** One record, built once by the caller (it is the call's largest cost after the write itself). */
  private write(item: Stored, line: string, size: number): Placement {
    if (this.bytes + size > this.options.maxSpoolBytes) return "full";
    if (clock() < this.diskRetryAt) return "memory";
    let segment = this.active;
    if (!segment || (segment.records > 0 && segment.bytes + size > this.segmentBytes)) segment = this.rotate();
    try {
      segment.itemsFd ??= this.fs.openSync(segmentPath(this.dir, segment.seq, "items"), "a", 0o600);
      writeAll(segment.itemsFd, line, this.fs);
    } catch (error) {
      this.refused(segment, "items", error);
      return "memory";
    }
    if (this.diskRetryAt !== -Infinity) {
      this.diskRetryAt = -Infinity;
      this.options.log.warn?.(`outbox spool ${this.dir}: writing to disk again`);
    }
    segment.bytes += size;
    segment.itemBytes += size;
    segment.records++;
    segment.live++;
    segment.liveBytes += size;
    this.bytes += size;
    this.liveBytes += size;
    item.home = segment;
    item.size = size;
    this.touched(segment.itemsFd);
    return "spooled";
  }

  /**
   * The disk refused a write: what it took of the line is cut back off (else the next line would share
   * it: a torn record lost with the next, or a torn ack read as another id). If even that fails, that
   * file takes no more: the segment is sealed (items) or takes no more acks.
   */
  private refused(segment: Segment, kind: "items" | "acks", error: unknown): void {
    const fd = kind === "items" ? segment.itemsFd : segment.acksFd;
    if (fd !== undefined)
      try {
        this.fs.ftruncateSync(fd, kind === "items" ? segment.itemBytes : segment.bytes - segment.itemBytes);
      } catch {
        // Items are only ever written to the active segment: the next goes to a new one.
        if (kind === "acks") segment.acksBroken = true;
        else this.active = undefined;
      }
    if (this.diskRetryAt === -Infinity)
      this.options.log.warn?.(
        `outbox spool ${this.dir}: cannot write (${fsProblem(error)}); new items are kept in memory only until it can`,
      );
    this.diskRetryAt = clock() + DISK_RETRY_MS;
  }

  /**
   * Records the item as settled (its id appended to its segment's .acks, one write, before the outbox
   * counts it: a kill after that never sends it again); a segment left with nothing pending is deleted.
   */
  settle(item: Stored): void {
    const segment = item.home;
    if (!segment) return;
    segment.live--;
    segment.liveBytes -= item.size!;
    this.liveBytes -= item.size!;
    item.home = undefined;
    const line = `${item.id}\n`;
    // Tried even while items go to memory: one ack lost is one item sent again after a restart, no more.
    if (!segment.acksBroken)
      try {
        segment.acksFd ??= this.fs.openSync(segmentPath(this.dir, segment.seq, "acks"), "a", 0o600);
        writeAll(segment.acksFd, line, this.fs);
        segment.bytes += line.length;
        this.bytes += line.length;
        this.touched(segment.acksFd);
      } catch (error) {
        this.refused(segment, "acks", error);
      }
    if (segment !== this.active) this.tidy(segment);
  }

  /** A sealed segment: deleted once nothing in it is pending, its few pending items moved once it is mostly settled. */
  private tidy(segment: Segment): void {
    if (segment.live === 0) this.remove(segment);
    else if (segment.live * COMPACT_RATIO <= segment.records) this.compact(segment);
  }

  /**
   * At the cap: seal the segment being written, delete the settled segments and compact the rest, the
   * sparsest first, until the item fits. If that freed too little, not again until the settled bytes
   * have grown by an eighth of the cap: a spool full of pending items refuses at constant cost.
   */
  private reclaim(size: number): boolean {
    const cap = this.options.maxSpoolBytes;
    if (this.bytes - this.liveBytes < this.reclaimFloor) return false;
    if (this.active) {
      const active = this.active;
      this.active = undefined;
      this.seal(active);
    }
    for (const segment of [...this.segments.values()]) if (segment.live === 0) this.remove(segment);
    const share = (segment: Segment) => segment.liveBytes / Math.max(1, segment.bytes);
    for (const segment of [...this.segments.values()].sort((a, b) => share(a) - share(b))) {
      if (this.bytes + size <= this.room()) break;
      if (segment.liveBytes < segment.bytes && this.bytes + segment.liveBytes <= cap) this.compact(segment);
    }
    const fits = this.bytes + size <= this.room();
    this.reclaimFloor = fits ? 0 : this.bytes - this.liveBytes + cap / 8;
    return fits;
  }

  /**
   * What the spool believes its files hold (bytes in all, bytes of pending records, and per segment):
   * the spool's tests hold it to the disk after every operation, since each decision above reads it.
   */
  inspect(): { bytes: number; pendingBytes: number; segments: Readonly<Segment>[]; active: number | undefined } {
    const segments = [...this.segments.values()].map((segment) => ({ ...segment }));
    return { bytes: this.bytes, pendingBytes: this.liveBytes, segments, active: this.active?.seq };
  }

  /** fdatasync what was written since the last one; a failure is a warn line (the data is in the kernel). */
  sync(): void {
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    for (const fd of this.dirty)
      try {
        this.fs.fdatasyncSync(fd);
      } catch (error) {
        this.options.log.warn?.(`outbox spool ${this.dir}: fdatasync failed: ${fsProblem(error)}`);
      }
    this.dirty.clear();
  }

  /** Syncs, closes every file and releases the directory; emptied segments are deleted. */
  close(): void {
    try {
      this.sync();
      for (const segment of this.segments.values())
        if (segment.live === 0) this.remove(segment);
        else this.seal(segment);
    } finally {
      this.release();
    }
  }

  private touched(fd: number): void {
    this.dirty.add(fd);
    if (this.syncTimer) return;
    this.syncTimer = setTimeout(() => this.sync(), SYNC_EVERY_MS);
    // The spool must not keep a process alive that has nothing else to do.
    unref(this.syncTimer);
  }

  private rotate(): Segment {
    const previous = this.active;
    const segment: Segment = { seq: this.nextSeq++, bytes: 0, itemBytes: 0, records: 0, live: 0, liveBytes: 0 };
    this.segments.set(segment.seq, segment);
    this.active = segment;
    if (previous) this.tidy(previous);
    return segment;
  }

  /** Copies a segment's pending items forward (durably), then deletes it; stops where a copy is not spooled. */
  private compact(segment: Segment): void {
    // Found through the outbox (every item it has not settled), so the spool keeps no list per segment.
    const moving = [...this.options.pending()].filter((item) => item.home === segment);
    for (const item of moving) {
      const size = item.size!;
      const line = record(item);
      // No room or no disk for the copy (write leaves the item as it was): its record stays here, and so
      // does the segment.
      if (this.write(item, line, Buffer.byteLength(line)) !== "spooled") return;
      segment.live--;
      segment.liveBytes -= size;
      this.liveBytes -= size;
    }
    this.sync();
    this.remove(segment);
  }

  /** Closes the segment's files, syncing what is unsynced unless they are about to be deleted. */
  private closeFiles(segment: Segment, deleting: boolean): void {
    for (const fd of [segment.itemsFd, segment.acksFd])
      if (fd !== undefined) {
        try {
          if (this.dirty.delete(fd) && !deleting) this.fs.fdatasyncSync(fd);
        } catch (error) {
          this.options.log.warn?.(`outbox spool ${this.dir}: fdatasync failed: ${fsProblem(error)}`);
        }
        try {
          this.fs.closeSync(fd);
        } catch {
          // the descriptor is gone either way
        }
      }
    segment.itemsFd = segment.acksFd = undefined;
  }

  private seal(segment: Segment): void {
    this.closeFiles(segment, false);
  }

  /**
   * .items first: a kill in between leaves an .acks that settles nothing (acks are per segment). Never
   * the segment being written, but at close: tidy skips it, and reclaim seals it first.
   */
  private remove(segment: Segment): void {
    this.closeFiles(segment, true);
    if (!this.unlink(segment.seq, "items")) return; // kept, acks included, so nothing in it comes back
    this.unlink(segment.seq, "acks");
    this.bytes -= segment.bytes;
    this.segments.delete(segment.seq);
  }

  private unlink(seq: number, kind: "items" | "acks"): boolean {
    try {
      this.fs.unlinkSync(segmentPath(this.dir, seq, kind));
      return true;
    } catch (error) {
      return errorCode(error) === "ENOENT";
    }
  }
}

export const openSpool: OpenSpool = (dir, options) => new Spool(dir, options);
