// Streaming readers: one row at a time, each with the 1-based line of the input where it starts, so a
// rejected row can be found in the file. Memory stays flat whatever the file's size. Every byte read
// also goes into a running sha256 (InputPrefix), which the checkpoint records so a resume can prove
// its input starts with the same bytes.
import { createHash } from "node:crypto";
import { isUtf8 } from "node:buffer";
import { createReadStream } from "node:fs";
import { finished, Transform, type Readable, type TransformCallback } from "node:stream";
import { parse, type Options } from "csv-parse";
import { feedbackFields, parseValue, type Field } from "../fields.js";
import type { InputPrefix } from "./checkpoint.js";

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
 * Passes the input through, hashing it; for CSV it also notes which lines are not valid UTF-8 (the
 * parser would quietly turn their bytes into U+FFFD, and that text would be sent as the user's words).
 */
class InputTap extends Transform implements InputPrefix {
  bytes = 0;
  readonly invalidLines = new Set<number>();
  private readonly hash = createHash("sha256");
  private line = 1;
  private readonly lines = new LineSplitter();

  constructor(private readonly checkLines: boolean) {
    super();
  }

  sha256(): string {
    return this.hash.copy().digest("hex");
  }

  override _transform(chunk: Buffer, _: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (this.checkLines) for (const line of this.lines.push(chunk)) this.checkLine(line);
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

interface CsvRecord {
  record: string[];
  info: { lines: number; bytes: number };
  raw: string;
}

/**
 * CSV with a header row naming the fields. Quoted cells may hold commas, quotes and newlines; the row's
 * line is where its record starts. Cells are typed by the spec's field types; an empty cell is absent.
 * A record the parser cannot read (a stray quote) is rejected and parsing goes on after it; a quote
 * never closed swallows the rest of the file, which becomes one reject saying so.
 */
export async function* csvRows(stream: Readable, invalidLines: Set<number>): AsyncGenerator<Row> {
  // autoDestroy off: on a parse error the records already parsed stay readable (destroying the
  // stream dropped them: neither delivered nor rejected).
  const parser = stream.pipe(
    parse({
      bom: true,
      info: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      autoDestroy: false,
    } as Options),
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
  // Skips are reported while the parser runs ahead of what was consumed: their line comes from the
  // error itself (where it stopped, less the lines its raw text spans), like a record's.
  parser.on("skip", (error: Error & { lines?: number; raw?: string; bytes?: number; code?: string }) => {
    const text = (error.raw ?? "").replace(/^(\r?\n)+/, "").replace(/\r?\n$/, "");
    const unclosed = error.code === "CSV_QUOTE_NOT_CLOSED";
    skipped.push({
      line: (error.lines ?? 0) - (text.match(/\n/g)?.length ?? 0),
      input: text,
      bytes: error.bytes ?? 0,
      error: unclosed
        ? `CSV cannot be read from here on: ${error.message} (the rest of the file is inside that quote)`
        : `CSV cannot be read: ${error.message}`,
    });
  });
  for await (const { record, info, raw } of parser as AsyncIterable<CsvRecord>) {
    // csv-parse reports the line where the record ends; `raw` may start with skipped blank lines.
    const text = raw.replace(/^(\r?\n)+/, "").replace(/\r?\n$/, "");
    const line = info.lines - (text.match(/\n/g)?.length ?? 0);
    yield* skippedBefore(line);
    if (record.every((cell) => cell.trim() === "")) continue; // a line of spaces is blank too
    const row = { line, input: text, bytes: info.bytes };
    let invalid = line;
    while (invalid <= info.lines && !invalidLines.has(invalid)) invalid++;
    if (invalid <= info.lines) {
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
    rows: format === "csv" ? csvRows(stream, tap.invalidLines) : jsonLines(stream),
    prefix: tap,
    close: () => void (source.destroy(), tap.destroy()),
  };
}
