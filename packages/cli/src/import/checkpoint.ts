// What an import has delivered, so a resumed import never sends those rows again, and which input it
// was read from, so a resume cannot skip rows of a different file.
//
// The file: a header line, then one line per delivered row (its line number), each written the
// moment its answer arrives (a write per row, not an fsync: a killed process loses none of them;
// fsync at most every 250 ms and at the end, for power cuts). Before the first row read from new
// input bytes, a `{"prefix": B, "sha256": H}` line records the hash of the input's first B bytes: a
// resume checks that its input starts with the same B bytes, so appending to the file is fine and
// any other change is refused. A torn last line (a crash or a full disk mid-write) is cut off before
// anything is appended, so it can never be extended into another row's number.
import {
  createReadStream,
  closeSync,
  existsSync,
  fdatasyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  unlinkSync,
} from "node:fs";
import { createHash } from "node:crypto";
import { UsageError } from "../errors.js";
import { formatOf, type InputPrefix } from "./rows.js";
import { writeAll } from "@parea-api/client/outbox";

interface Header {
  parea_import_checkpoint: number;
  input: string;
}

/**
 * 3: CSV rows are numbered by the lines this command counts. Version 2 took csv-parse's count, which
 * is off after a quoted cell holding a CR: its row numbers name other rows, so a version 2 checkpoint
 * of a CSV input cannot be resumed (its JSON Lines numbers are the same and still can).
 */
const VERSION = 3;
const resumable = (header: Partial<Header> | undefined, input: string): header is Partial<Header> =>
  header?.parea_import_checkpoint === VERSION || (header?.parea_import_checkpoint === 2 && formatOf(input) !== "csv");

interface Prefix {
  prefix: number;
  sha256: string;
}

/** What a resume needs to know about its input to check it is the same. */
export interface InputIdentity {
  name: string;
  /** A regular file that can be read again from the start; null for stdin, a FIFO or a device. */
  path: string | null;
}

export class Checkpoint {
  private dirty = false;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly delivered: Set<number>,
    /** The input's bytes whose hash is recorded (a resume checked them): a prefix line adds more. */
    private recorded: number,
  ) {
    this.timer = setInterval(() => this.sync(), 250);
    this.timer.unref();
  }

  /** Opens (and on resume, reads and checks) the checkpoint for an input; refuses to silently start over. */
  static async open(
    path: string,
    input: InputIdentity,
    { resume, assumeSameInput }: { resume: boolean; assumeSameInput: boolean },
  ): Promise<Checkpoint> {
    const existed = existsSync(path);
    const fd = openSync(path, "a+");
    try {
      const text = readFileSync(fd, "utf8");
      const lines = text.split("\n");
      // Only newline-terminated lines count; a torn tail is cut off so nothing is appended to it.
      const torn = lines.pop()!;
      const header = parse<Header>(lines.shift());
      if (text.trim() !== "" && header?.parea_import_checkpoint === undefined)
        throw new UsageError(`${path} is not a parea import checkpoint; pass another --checkpoint`);
      const delivered = new Set<number>();
      let prefix: Prefix | undefined;
      for (const line of lines) {
        if (/^\d+$/.test(line)) delivered.add(Number(line));
        else {
          const found = parse<Prefix>(line);
          if (typeof found?.prefix === "number" && found.prefix > (prefix?.prefix ?? -1)) prefix = found as Prefix;
        }
      }
      if (delivered.size > 0) {
        if (!resume)
          throw new UsageError(
            `checkpoint ${path} exists from an earlier import: pass --resume to continue it, or delete it to start over`,
          );
        if (!resumable(header, input.name))
          throw new UsageError(
            `${path} was written by another version of parea and cannot be resumed; delete it to start over`,
          );
        if (header.input !== input.name)
          throw new UsageError(`checkpoint ${path} was written for ${header.input}, not ${input.name}`);
        if (prefix) await checkSameInput(path, input, prefix, assumeSameInput);
        ftruncateSync(fd, Buffer.byteLength(text) - Buffer.byteLength(torn));
      } else {
        // Nothing was delivered (or there is no checkpoint yet): nothing to skip, so start afresh.
        ftruncateSync(fd, 0);
        writeAll(fd, `${JSON.stringify({ parea_import_checkpoint: VERSION, input: input.name } satisfies Header)}\n`);
      }
      return new Checkpoint(path, fd, delivered, delivered.size > 0 ? (prefix?.prefix ?? 0) : 0);
    } catch (error) {
      closeSync(fd);
      if (!existed) unlinkSync(path);
      throw error;
    }
  }

  /** Delivered by an earlier run of this import. */
  has(line: number): boolean {
    return this.delivered.has(line);
  }

  /** Records a delivered row now (one write); the input's prefix first if more of it was read since. */
  add(line: number, input: InputPrefix): void {
    const prefix =
      input.bytes > this.recorded ? `${JSON.stringify({ prefix: input.bytes, sha256: input.sha256() })}\n` : "";
    writeAll(this.fd, `${prefix}${line}\n`);
    this.recorded = Math.max(this.recorded, input.bytes);
    this.dirty = true;
  }

  private sync(): void {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      fdatasyncSync(this.fd);
    } catch {
      // The next write reports a failing disk; a missed sync only weakens the power-cut bound.
    }
  }

  /** fsync and close: after this the checkpoint survives a power cut. */
  close(): void {
    clearInterval(this.timer);
    try {
      this.dirty = true;
      this.sync();
    } finally {
      closeSync(this.fd);
    }
  }
}

function parse<T>(line: string | undefined): Partial<T> | undefined {
  try {
    return JSON.parse(line ?? "") as Partial<T>;
  } catch {
    return undefined;
  }
}

/** The input must start with the bytes the earlier run read, or its line numbers mean other rows. */
async function checkSameInput(path: string, input: InputIdentity, prefix: Prefix, assume: boolean): Promise<void> {
  if (input.path === null) {
    if (assume) return;
    throw new UsageError(
      `cannot check that ${input.name} is the input checkpoint ${path} was written for (it can be read only once); pass --assume-same-input to resume anyway`,
    );
  }
  // An input shorter than the prefix hashes fewer bytes, so it fails the same comparison.
  const hash = createHash("sha256");
  if (prefix.prefix > 0)
    for await (const chunk of createReadStream(input.path, { start: 0, end: prefix.prefix - 1 }))
      hash.update(chunk as Buffer);
  if (hash.digest("hex") !== prefix.sha256)
    throw new UsageError(
      `${input.name} changed since checkpoint ${path} was written (its first ${prefix.prefix} bytes differ), so its line numbers no longer name the rows delivered; delete the checkpoint to import it from the start`,
    );
}
