// Streaming readers: one row at a time, each with the 1-based line of the input where it starts, so a
// rejected row can be found in the file. Memory stays flat whatever the file's size.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { parse } from "csv-parse";
import { feedbackFields, parseValue, type Field } from "../fields.js";

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

/** JSON Lines: one object per line; blank lines are skipped; a UTF-8 BOM is ignored. */
export async function* jsonLines(stream: Readable): AsyncGenerator<Row> {
  let line = 0;
  let bytes = 0;
  for await (const raw of createInterface({ input: stream, crlfDelay: Infinity })) {
    line++;
    bytes += Buffer.byteLength(raw) + 1;
    const text = line === 1 ? raw.replace(/^\uFEFF/, "") : raw;
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield { line, input: text, bytes, error: `malformed JSON: ${(error as Error).message}` };
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value))
      yield { line, input: text, bytes, error: "expected a JSON object" };
    else yield { line, input: text, bytes, body: value as Record<string, unknown> };
  }
}

/**
 * CSV with a header row naming the fields. Quoted cells may hold commas, quotes and newlines; the row's
 * line is where its record starts. Cells are typed by the spec's field types; an empty cell is absent.
 */
export async function* csvRows(stream: Readable): AsyncGenerator<Row> {
  const parser = stream.pipe(
    parse({ bom: true, info: true, raw: true, relax_column_count: true, skip_empty_lines: true }),
  );
  const types = new Map<string, Field>(feedbackFields.map((field) => [field.name, field]));
  let header: string[] | undefined;
  try {
    for await (const { record, info, raw } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number; bytes: number };
      raw: string;
    }>) {
      // csv-parse reports the line where the record ends; `raw` may start with skipped blank lines.
      const text = raw.replace(/^(\r?\n)+/, "").replace(/\r?\n$/, "");
      const line = info.lines - (text.match(/\n/g)?.length ?? 0);
      if (record.every((cell) => cell.trim() === "")) continue; // a line of spaces is blank too
      if (!header) {
        header = record.map((name) => name.trim());
        continue;
      }
      const row = { line, input: text, bytes: info.bytes };
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
  } catch (error) {
    // A quote never closed (or similar) leaves the rest of the file unreadable: one reject says where.
    const { lines, message } = error as { lines?: number; message: string };
    yield { line: lines ?? 0, input: "", bytes: Infinity, error: `CSV cannot be read from here on: ${message}` };
  }
}

export type Format = "jsonl" | "csv";

/** The format a path's extension names; `-` (standard input) is JSON Lines. */
export function formatOf(file: string): Format | undefined {
  if (file === "-") return "jsonl";
  if (/\.csv$/i.test(file)) return "csv";
  if (/\.(jsonl|ndjson)$/i.test(file)) return "jsonl";
  return undefined;
}

/** The rows of a file (or stdin); `close()` ends them early (an interrupt), even mid-wait on stdin. */
export function readRows(file: string, format: Format): { rows: AsyncGenerator<Row>; close(): void } {
  const stream = file === "-" ? process.stdin : createReadStream(file);
  return { rows: format === "csv" ? csvRows(stream) : jsonLines(stream), close: () => void stream.destroy() };
}
