// The spool's directory: its lock (one live outbox each) and its files read back. Segment
// NNNNNNNNNNNN.items holds one JSON line per item ({"id","op","at","body"}: bodies only, never headers
// or the key; "at" is wall time, the only clock that means anything after a restart), and
// NNNNNNNNNNNN.acks the ids settled among that segment's own records: an ack never applies to another
// segment, so a leftover .acks (a kill between deleting a segment's two files) cannot settle new items.
// Segment numbers and ids continue past every file found, .acks included. Reading skips a torn last
// record (the write a kill cut short) and anything unreadable; an id found twice (a compaction copy
// interrupted by a kill) lives in the later segment.
import { join } from "node:path";
import { optionError } from "../errors.js";
import type { FileSystem } from "../node/files.js";
import { fsProblem } from "../node/files.js";
import { clock } from "./queues.js";

export interface Segment {
  seq: number;
  itemsFd?: number | undefined;
  acksFd?: number | undefined;
  /** Bytes of its .items and .acks files, and of .items alone. */
  bytes: number;
  itemBytes: number;
  records: number;
  /** How many pending items have their newest record here (item.home), and those records' bytes. */
  live: number;
  liveBytes: number;
  /** A failed ack could not be cut back off: no more acks here (its items may be sent again after a restart). */
  acksBroken?: boolean;
}

/** An item as the spool keeps it. */
export interface Stored {
  id: number;
  /** The operation (by name, for items read back). */
  op: { name: string };
  /** When it was accepted (ms on queues.ts's monotonic clock). */
  at: number;
  /** The body as JSON. */
  json: string;
  home?: Segment | undefined;
  /** Its record's bytes in home. */
  size?: number;
}

const NAME = /^(\d{12})\.(items|acks)$/;

export const segmentPath = (dir: string, seq: number, kind: "items" | "acks"): string =>
  join(dir, `${String(seq).padStart(12, "0")}.${kind}`);

/** An item's line in a segment; "at" goes to disk as wall time. */
export const record = (item: Stored) =>
  `{"id":${item.id},"op":${JSON.stringify(item.op.name)},"at":${Date.now() - (clock() - item.at)},"body":${item.json}}\n`;

export interface SpoolContents {
  /** Segments with an .items file, oldest first, with their pending counts (0: nothing left in it). */
  segments: Segment[];
  /** .acks files whose .items is gone: the rest of an interrupted delete. */
  orphans: number[];
  /** Pending items, oldest first. */
  left: Stored[];
  nextId: number;
  nextSeq: number;
  bytes: number;
  /** Torn or unreadable records. */
  skipped: number;
}

const spoolError = (message: string) => optionError("spoolDir", message);

/** Takes a lock: returns its release, or throws refuse(holder). */
export type Lock = (path: string, refuse: (holder: string) => Error) => () => void;

/** Creates the directory if need be, takes its lock and reads what it holds; a PareaError if it cannot. */
export function claimSpool(
  fs: FileSystem,
  lock: Lock,
  dir: string,
  maxAgeMs: number,
): { release: () => void; contents: SpoolContents } {
  const problem = (what: string, error: unknown) => spoolError(`spoolDir ${dir}: ${what}${fsProblem(error)}`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw problem("", error);
  }
  const refuse = (holder: string) =>
    spoolError(
      `spoolDir ${dir} is in use by another outbox (${holder}); one live outbox per directory: shut that one down or use another directory`,
    );
  let release: () => void;
  try {
    release = lock(join(dir, "outbox.lock"), refuse);
  } catch (error) {
    if ((error as { option?: string }).option === "spoolDir") throw error;
    throw problem("cannot take its lock: ", error);
  }
  try {
    return { release, contents: readSpool(fs, dir, maxAgeMs) };
  } catch (error) {
    release();
    throw problem("cannot read the spool: ", error);
  }
}

function readSpool(fs: FileSystem, dir: string, maxAgeMs: number): SpoolContents {
  const found = new Map<number, Set<string>>();
  for (const name of fs.readdirSync(dir)) {
    const match = NAME.exec(name);
    if (match) found.set(Number(match[1]), (found.get(Number(match[1])) ?? new Set()).add(match[2]!));
  }
  const seqs = [...found.keys()].sort((a, b) => a - b);
  const contents: SpoolContents = {
    segments: [],
    orphans: [],
    left: [],
    nextId: 1,
    nextSeq: (seqs.at(-1) ?? 0) + 1,
    bytes: 0,
    skipped: 0,
  };
  const newest = new Map<number, { item: Stored; acked: boolean }>();
  let bytes = 0;
  const read = (seq: number, kind: "items" | "acks") => {
    if (!found.get(seq)!.has(kind)) return [];
    const text = fs.readFileSync(segmentPath(dir, seq, kind), "utf8");
    bytes += Buffer.byteLength(text);
    const lines = text.split("\n");
    // The last piece has no newline: a record a kill cut short (or nothing).
    if (lines.pop()) contents.skipped++;
    return lines;
  };
  const now = clock();
  for (const seq of seqs) {
    bytes = 0;
    const acks = new Set<number>();
    for (const line of read(seq, "acks"))
      if (/^\d+$/.test(line)) {
        acks.add(Number(line));
        contents.nextId = Math.max(contents.nextId, Number(line) + 1);
      }
    if (!found.get(seq)!.has("items")) {
      contents.orphans.push(seq);
      continue;
    }
    const segment: Segment = { seq, bytes: 0, itemBytes: 0, records: 0, live: 0, liveBytes: 0 };
    contents.segments.push(segment);
    for (const line of read(seq, "items")) {
      const parsed = parse(line, now, maxAgeMs);
      if (!parsed) {
        contents.skipped++;
        continue;
      }
      segment.records++;
      const size = Buffer.byteLength(line) + 1;
      segment.itemBytes += size;
      newest.set(parsed.id, { item: { ...parsed, home: segment, size }, acked: acks.has(parsed.id) });
      contents.nextId = Math.max(contents.nextId, parsed.id + 1);
    }
    segment.bytes = bytes;
    contents.bytes += bytes;
  }
  for (const { item, acked } of newest.values())
    if (!acked) {
      item.home!.live++;
      item.home!.liveBytes += item.size!;
      contents.left.push(item);
    }
  contents.left.sort((a, b) => a.id - b.id);
  return contents;
}

/**
 * One spool line back into an item; undefined when it is not one (torn, or not ours). Its age comes from
 * wall time, bounded: a clock set back cannot make it younger than new, nor set forward older than maxAgeMs.
 */
function parse(line: string, now: number, maxAgeMs: number): Omit<Stored, "home"> | undefined {
  try {
    const { id, op, at, body } = JSON.parse(line) as { id: unknown; op: unknown; at: unknown; body: unknown };
    if (!Number.isSafeInteger(id) || typeof op !== "string" || typeof at !== "number" || body === undefined) return;
    const age = Math.min(Math.max(Date.now() - at, 0), maxAgeMs);
    return { id: id as number, op: { name: op }, at: now - age, json: JSON.stringify(body) };
  } catch {
    return undefined;
  }
}
