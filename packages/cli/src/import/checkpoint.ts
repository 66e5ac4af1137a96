// What an import has delivered, appended as it goes, so a resumed import never sends those rows
// again. One line number per delivered row after a header naming the input; written at least every
// 250 ms and fsynced when the import ends or is interrupted. A row whose answer had not arrived yet
// is not in it, and may be sent again on resume (Record Feedback is marked retry-safe).
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";
import { UsageError } from "../errors.js";

interface Header {
  parea_import_checkpoint: 1;
  input: string;
  bytes: number | null;
}

export class Checkpoint {
  private pending: number[] = [];
  private readonly timer: NodeJS.Timeout;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly delivered: Set<number>,
  ) {
    this.timer = setInterval(() => this.flush(), 250);
    this.timer.unref();
  }

  /** Opens (and on resume, reads) the checkpoint for an input; refuses to silently start over. */
  static open(path: string, input: { name: string; bytes: number | null }, resume: boolean): Checkpoint {
    const header: Header = { parea_import_checkpoint: 1, input: input.name, bytes: input.bytes };
    const delivered = new Set<number>();
    const exists = existsSync(path) && readFileSync(path, "utf8").trim() !== "";
    if (exists && !resume)
      throw new UsageError(
        `checkpoint ${path} exists from an earlier import: pass --resume to continue it, or delete it to start over`,
      );
    if (exists) {
      const [first, ...lines] = readFileSync(path, "utf8").split("\n");
      let found: Partial<Header> = {};
      try {
        found = JSON.parse(first!);
      } catch {
        // reported below
      }
      if (found.parea_import_checkpoint !== 1)
        throw new UsageError(`${path} is not a parea import checkpoint; pass another --checkpoint`);
      if (found.input !== input.name || (input.bytes !== null && found.bytes !== input.bytes))
        throw new UsageError(
          `checkpoint ${path} was written for ${found.input} (${found.bytes} bytes), not ${input.name} (${input.bytes} bytes)`,
        );
      // A crash can tear the last write ("12" of "123"): only newline-terminated entries count.
      if (!readFileSync(path, "utf8").endsWith("\n")) lines.pop();
      for (const line of lines) if (/^\d+$/.test(line)) delivered.add(Number(line));
    }
    const fd = openSync(path, "a");
    if (!exists) writeSync(fd, `${JSON.stringify(header)}\n`);
    return new Checkpoint(path, fd, delivered);
  }

  /** Delivered by an earlier run of this import. */
  has(line: number): boolean {
    return this.delivered.has(line);
  }

  get previouslyDelivered(): number {
    return this.delivered.size;
  }

  add(line: number): void {
    this.pending.push(line);
    if (this.pending.length >= 1_000) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.fd, `${this.pending.join("\n")}\n`);
    this.pending = [];
  }

  /** Flush, fsync and close: after this the checkpoint survives a power cut. */
  close(): void {
    clearInterval(this.timer);
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
  }
}
