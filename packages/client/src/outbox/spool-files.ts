// The spool's directory: its lock (one live outbox each) and its files read back. Segment
// NNNNNNNNNNNN.items holds one JSON line per item ({"id","op","at","body"}: bodies only, never headers
// or the key), NNNNNNNNNNNN.acks the ids settled since. Reading skips a torn last record (the write a
// kill cut short) and anything unreadable; an id found twice (a compaction copy interrupted by a kill)
// lives in the later segment.
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { optionError } from "../errors.js";
import { acquireLock, fsProblem } from "../node/files.js";
import { EPOCH } from "./queues.js";

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

const NAME = /^(\d{12})\.items$/;

export const segmentPath = (dir: string, seq: number, kind: "items" | "acks"): string =>
  join(dir, `${String(seq).padStart(12, "0")}.${kind}`);

/** An item's line in a segment. */
export const record = (item: Stored) =>
  `{"id":${item.id},"op":${JSON.stringify(item.op.name)},"at":${item.at + EPOCH},"body":${item.json}}\n`;

export interface SpoolContents {
  /** Every segment found, oldest first, with its pending count (0: nothing left in it). */
  segments: Segment[];
  /** Pending items, oldest first. */
  left: Stored[];
  nextId: number;
  bytes: number;
  /** Torn or unreadable records. */
  skipped: number;
}

const spoolError = (message: string) => optionError("spoolDir", message);

/** Creates the directory if need be, takes its lock and reads what it holds; a PareaError if it cannot. */
export function claimSpool(dir: string): { release: () => void; contents: SpoolContents } {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw spoolError(`spoolDir ${dir}: ${fsProblem(error)}`);
  }
  const release = acquireLock(join(dir, "outbox.lock"), (pid) =>
    spoolError(
      `spoolDir ${dir} is in use by another outbox (pid ${pid}); one live outbox per directory: shut that one down or use another directory`,
    ),
  );
  try {
    return { release, contents: readSpool(dir) };
  } catch (error) {
    release();
    throw spoolError(`spoolDir ${dir}: cannot read the spool: ${fsProblem(error)}`);
  }
}

function readSpool(dir: string): SpoolContents {
  const seqs = readdirSync(dir)
    .map((name) => NAME.exec(name)?.[1])
    .filter((seq): seq is string => seq !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const items = new Map<number, Stored>();
  const acked = new Set<number>();
  const contents: SpoolContents = { segments: [], left: [], nextId: 1, bytes: 0, skipped: 0 };
  for (const seq of seqs) {
    const segment: Segment = { seq, bytes: 0, itemBytes: 0, records: 0, live: 0 };
    contents.segments.push(segment);
    for (const kind of ["items", "acks"] as const) {
      let text = "";
      try {
        text = readFileSync(segmentPath(dir, seq, kind), "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
      segment.bytes += Buffer.byteLength(text);
      if (kind === "items") segment.itemBytes = segment.bytes;
      const lines = text.split("\n");
      // The last piece has no newline: a record a kill cut short (or nothing).
      if (lines.pop()) contents.skipped++;
      for (const line of lines) {
        if (kind === "acks") {
          if (/^\d+$/.test(line)) acked.add(Number(line));
          continue;
        }
        const parsed = parse(line);
        if (!parsed) {
          contents.skipped++;
          continue;
        }
        segment.records++;
        items.set(parsed.id, { ...parsed, home: segment });
        contents.nextId = Math.max(contents.nextId, parsed.id + 1);
      }
    }
    contents.bytes += segment.bytes;
  }
  for (const item of items.values())
    if (!acked.has(item.id)) {
      item.home!.live++;
      contents.left.push(item);
    }
  contents.left.sort((a, b) => a.id - b.id);
  return contents;
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
