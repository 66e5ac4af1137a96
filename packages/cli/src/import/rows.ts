// Streaming readers: one row at a time, each with the 1-based line of the input where it starts, so a
// rejected row can be found in the file. Memory stays flat whatever the file's size. Every byte read
// also goes into a running sha256 (InputPrefix), which the checkpoint records so a resume can prove
// its input starts with the same bytes.
import { createHash } from "node:crypto";
import { isUtf8 } from "node:buffer";
import { createReadStream } from "node:fs";
import { finished, Transform, type TransformCallback } from "node:stream";
import { parse, type Options } from "csv-parse";
import { feedbackFields, parseValue, type Field } from "../fields.js";

/** What the input looks like so far (kept up to date as bytes are read), for the checkpoint. */
export interface InputPrefix {
  bytes: number;
  sha256(): string;
}

export interface Row {
  /** 1-based line in the input where the row starts. */
  line: number;
  /** The row as it appears in the input, for the rejects file. */
  input: string;
  body?: Record<string, unknown>;
  /** Why the row cannot be sent (it is rejected without sending). */
  error?: string;
  /** Bytes of the input consumed so far, for progress. */
  bytes: number;
}

const LF = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * LF-terminated lines across chunks: `push` gives a chunk's complete lines (one split between chunks
 * joined), `rest` what followed the last LF once the input has ended.
 */
class LineSplitter {
  private partial: Buffer[] = [];

  *push(chunk: Buffer): Generator<Buffer> {
    let start = 0;
    for (let end = chunk.indexOf(LF); end !== -1; end = chunk.indexOf(LF, start)) {
      const piece = chunk.subarray(start, end);
      const line = this.partial.length ? Buffer.concat([...this.partial, piece]) : piece;
      this.partial = [];
      start = end + 1;
      yield line;
    }
    if (start < chunk.length) this.partial.push(chunk.subarray(start));
  }

  rest(): Buffer | undefined {
    return this.partial.length ? Buffer.concat(this.partial) : undefined;
  }
}

/**
 * Passes the input through, hashing it. For CSV it also notes which lines are not valid UTF-8 (the
 * parser would quietly turn their bytes into U+FFFD, and that text would be sent as the user's words)
 * and where each line ends: csv-parse's own count (`info.lines`) counts a CRLF or a lone CR inside a
 * quoted cell as a line of its own, so every row after one would be named by the wrong line.
 */
export class InputTap extends Transform implements InputPrefix {
  bytes = 0;
  readonly invalidLines = new Set<number>();
  private readonly hash = createHash("sha256");
  private line = 1;
  private readonly lines = new LineSplitter();
  /** Offsets of the LFs read, from `head` on not yet passed by lineOf. */
  private readonly breaks: number[] = [];
  /** Bytes of the input in lines already split off (each line and its LF). */
  private split = 0;
  private head = 0;
  private passed = 0;

  constructor(private readonly checkLines: boolean) {
    super();
  }

  sha256(): string {
    return this.hash.copy().digest("hex");
  }

  /** The line (1-based, LF-separated) that holds the byte before `end`; `end` never decreases. */
  lineOf(end: number): number {
    while (this.head < this.breaks.length && this.breaks[this.head]! < end - 1) this.head++;
    // Offsets behind the parser are dropped now and then: memory stays flat whatever the file's size.
    if (this.head >= 1024) {
      this.breaks.splice(0, this.head);
      this.passed += this.head;
      this.head = 0;
    }
    return this.passed + this.head + 1;
  }

  override _transform(chunk: Buffer, _: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    if (this.checkLines) {
      // One scan finds both: each line the splitter gives ends at an LF.
      for (const line of this.lines.push(chunk)) {
        this.split += line.length + 1;
        this.breaks.push(this.split - 1);
        this.checkLine(line);
      }
    }
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const rest = this.lines.rest();
    if (this.checkLines && rest) this.checkLine(rest);
    callback();
  }

  private checkLine(line: Buffer): void {
    if (!isUtf8(line)) this.invalidLines.add(this.line);
    this.line++;
  }
}

/**
 * JSON Lines: one object per line, split on LF alone (a lone CR is part of a line, as in JSON text;
 * CRLF loses its CR); blank lines are skipped; a UTF-8 BOM is ignored; a line that is not valid UTF-8
 * is rejected rather than sent with replacement characters.
 */
export async function* jsonLines(stream: AsyncIterable<Buffer>): AsyncGenerator<Row> {
  let line = 0;
  let bytes = 0;
  const lines = new LineSplitter();
  const row = (raw: Buffer): Row | undefined => {
    line++;
    bytes += raw.length + 1;
    let content = raw.at(-1) === CR ? raw.subarray(0, -1) : raw;
    if (line === 1 && content.subarray(0, 3).equals(BOM)) content = content.subarray(3);
    const text = content.toString("utf8");
    if (!isUtf8(content)) return { line, input: text, bytes, error: "not valid UTF-8 text" };
    if (text.trim() === "") return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { line, input: text, bytes, error: `malformed JSON: ${(error as Error).message}` };
    }
    return typeof value !== "object" || value === null || Array.isArray(value)
      ? { line, input: text, bytes, error: "expected a JSON object" }
      : { line, input: text, bytes, body: value as Record<string, unknown> };
  };
  for await (const chunk of stream) {
    for (const raw of lines.push(chunk)) {
      const found = row(raw);
      if (found) yield found;
    }
  }
  const rest = lines.rest();
  const found = rest && row(rest);
  if (found) yield { ...found, bytes: found.bytes - 1 };
}

/** A record's text as the user wrote it, for the rejects file: `raw` ends with its line break, or its CR. */
const recordText = (raw: string) => raw.replace(/\r?\n?$/, "");

const lineBreaks = (text: string) => text.match(/\n/g)?.length ?? 0;

interface CsvRecord {
  record: string[];
  info: { bytes: number };
  raw: string;
  /** The line it ends on (InputTap.lineOf), found as it is parsed. */
  lastLine: number;
}

/**
 * CSV with a header row naming the fields. Quoted cells may hold commas, quotes and newlines; the row's
 * line is where its record starts. Cells are typed by the spec's field types; an empty cell is absent.
 * A record the parser cannot read (a stray quote) is rejected and parsing goes on after it; a quote
 * never closed swallows the rest of the file, which becomes one reject saying so.
 */
export async function* csvRows(stream: InputTap): AsyncGenerator<Row> {
  /** Where the last record ended (the next starts there), and the line after the last skip since. */
  let ended = 0;
  let next = 0;
  // autoDestroy off: on a parse error the records already parsed stay readable (destroying the
  // stream dropped them: neither delivered nor rejected). Lines are found in the parser's order (its
  // records and its skips), which lineOf needs, not in the order they are read from it.
  const parser = stream.pipe(
    parse({
      bom: true,
      info: true,
      raw: true,
      relax_column_count: true,
      // Blank lines are records too (skipped below): each record then starts where the one before it
      // ended, which is how a skipped record's line is found.
      skip_records_with_error: true,
      autoDestroy: false,
      // With info and raw on, a "record" here is {record, info, raw}, which csv-parse's types do not say.
      on_record: (parsed: object, { bytes }: { bytes: number }) => {
        ended = bytes;
        next = 0;
        return { ...parsed, lastLine: stream.lineOf(bytes) };
      },
    } as unknown as Options),
  );
  // pipe() carries data, not failure: a read error, or close() mid-read, must end the parser too, or the
  // rows wait forever (and the error is an unhandled 'error' event). It then fails the rows, as a read
  // failure of JSON Lines does. Every error of the CSV itself is a skip (skip_records_with_error).
  finished(stream, (error) => {
    if (error) parser.destroy(error);
  });
  const types = new Map<string, Field>(feedbackFields.map((field) => [field.name, field]));
  let header: string[] | undefined;
  let skipped: Row[] = [];
  /** The rejects from before `line`, taken out, in the input's order. */
  const skippedBefore = (line: number): Row[] => {
    const due = skipped.filter((row) => row.line < line);
    skipped = skipped.filter((row) => row.line >= line);
    return due;
  };
  // Skips are reported while the parser runs ahead of what was consumed: a skipped record starts where
  // the record before it ended (or on the line after the skip before it), in the parser's order.
  parser.on("skip", (error: Error & { raw?: string; bytes?: number; code?: string }) => {
    const text = recordText(error.raw ?? "");
    const unclosed = error.code === "CSV_QUOTE_NOT_CLOSED";
    // The error's own position (`lines`, `bytes`) is where csv-parse last counted, not the record's.
    const line = Math.max(stream.lineOf(ended + 1), next);
    next = line + lineBreaks(text) + 1;
    skipped.push({
      line,
      input: text,
      bytes: error.bytes ?? 0,
      error: unclosed
        ? `CSV cannot be read from here on: ${error.message} (the rest of the file is inside that quote)`
        : `CSV cannot be read: ${error.message}`,
    });
  });
  for await (const { record, info, raw, lastLine } of parser as AsyncIterable<CsvRecord>) {
    const text = recordText(raw);
    const line = lastLine - lineBreaks(text);
    yield* skippedBefore(line);
    if (record.every((cell) => cell.trim() === "")) continue; // a line of spaces is blank too
    const row = { line, input: text, bytes: info.bytes };
    let invalid = line;
    while (invalid <= lastLine && !stream.invalidLines.has(invalid)) invalid++;
    if (invalid <= lastLine) {
      yield { ...row, error: `line ${invalid} is not valid UTF-8 text` };
      continue;
    }
    if (!header) {
      header = record.map((name) => name.trim());
      continue;
    }
    if (record.length !== header.length) {
      yield { ...row, error: `has ${record.length} fields, the header has ${header.length}` };
      continue;
    }
    const body: Record<string, unknown> = {};
    header.forEach((name, i) => {
      const cell = record[i]!;
      if (cell === "") return;
      const field = types.get(name);
      body[name] = field ? parseValue(field, cell) : cell;
    });
    yield { ...row, body };
  }
  yield* skippedBefore(Infinity);
}

export type Format = "jsonl" | "csv";

/** The format a path's extension names; `-` (standard input) is JSON Lines. */
export function formatOf(file: string): Format | undefined {
  if (file === "-") return "jsonl";
  if (/\.csv$/i.test(file)) return "csv";
  if (/\.(jsonl|ndjson)$/i.test(file)) return "jsonl";
  return undefined;
}

export interface Input {
  rows: AsyncGenerator<Row>;
  /** The bytes read so far and their hash, for the checkpoint. */
  prefix: InputPrefix;
  /** Ends the rows early (an interrupt), even mid-wait on stdin. */
  close(): void;
}

/** The rows of a file (or stdin). */
export function readRows(file: string, format: Format): Input {
  const source = file === "-" ? process.stdin : createReadStream(file);
  const tap = new InputTap(format === "csv");
  const stream = source.pipe(tap);
  source.on("error", (error: Error) => tap.destroy(error));
  return {
    rows: format === "csv" ? csvRows(stream) : jsonLines(stream),
    prefix: tap,
    close: () => void (source.destroy(), tap.destroy()),
  };
}
