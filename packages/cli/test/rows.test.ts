// The import's readers in process (src/import/rows.ts): line numbers, blank and broken rows, encodings,
// byte counts and the input's running hash, whatever the chunking. The import tests run the built
// command; these reach the readers' every branch, so mutation testing (pnpm test:mutation) can see them.
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { csvRows, formatOf, InputTap, jsonLines, readRows, type Row } from "../src/import/rows.ts";

const collect = async (rows: AsyncIterable<Row>): Promise<Row[]> => {
  const all: Row[] = [];
  for await (const row of rows) all.push(row);
  return all;
};

/** The bytes as the chunks given (split at each offset), as a stream hands them over. */
const chunked = (bytes: Buffer, cuts: number[] = []): Buffer[] => {
  const at = [...new Set(cuts.filter((cut) => cut > 0 && cut < bytes.length))].sort((a, b) => a - b);
  return [0, ...at].map((start, i) => bytes.subarray(start, at[i] ?? bytes.length));
};

const jsonl = (text: string | Buffer, cuts?: number[]) =>
  collect(jsonLines(Readable.from(chunked(Buffer.isBuffer(text) ? text : Buffer.from(text), cuts))));

/** The bytes through the tap (as readRows reads a file), in chunks cut at the given offsets. */
const tapped = (bytes: Buffer, cuts?: number[]) => Readable.from(chunked(bytes, cuts)).pipe(new InputTap(true));
const csv = (text: string | Buffer, cuts?: number[]) =>
  collect(csvRows(tapped(Buffer.isBuffer(text) ? text : Buffer.from(text), cuts)));

describe("jsonLines", () => {
  it("numbers rows by the line they are on, skipping blank lines, with the bytes read so far", async () => {
    const rows = await jsonl('{"a":1}\n\n  \t\n{"b":2}\n');
    expect(rows).toEqual([
      { line: 1, input: '{"a":1}', bytes: 8, body: { a: 1 } },
      { line: 4, input: '{"b":2}', bytes: 21, body: { b: 2 } },
    ]);
  });

  it("a last line without its newline counts exactly the bytes there are", async () => {
    const text = '{"a":1}\n{"b":2}';
    const rows = await jsonl(text);
    expect(rows.at(-1)).toEqual({ line: 2, input: '{"b":2}', bytes: text.length, body: { b: 2 } });
  });

  it("a last line of spaces without its newline is blank too", async () => {
    expect(await jsonl('{"a":1}\n   ')).toHaveLength(1);
  });

  it("CRLF loses its CR; a CR inside a line stays (JSON whitespace)", async () => {
    const rows = await jsonl('{"a":1}\r\n{"b":\r2}\n');
    expect(rows.map((row) => row.input)).toEqual(['{"a":1}', '{"b":\r2}']);
    expect(rows.map((row) => row.body)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(rows.map((row) => row.bytes)).toEqual([9, 18]);
  });

  it("a BOM on the first line is ignored, one on a later line is not", async () => {
    const bom = "\uFEFF";
    const rows = await jsonl(`${bom}{"a":1}\n${bom}{"b":2}\n`);
    expect(rows[0]).toMatchObject({ line: 1, input: '{"a":1}', body: { a: 1 } });
    expect(rows[1]?.error).toMatch(/^malformed JSON: /);
    expect(rows[1]?.body).toBeUndefined();
  });

  it("a line that is not valid UTF-8 is rejected, not sent with replacement characters", async () => {
    const bad = Buffer.concat([Buffer.from('{"comment":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n{"a":1}\n')]);
    const rows = await jsonl(bad);
    expect(rows[0]).toMatchObject({ line: 1, error: "not valid UTF-8 text" });
    expect(rows[0]?.body).toBeUndefined();
    expect(rows[1]).toMatchObject({ line: 2, body: { a: 1 } });
  });

  it.each([["[1]"], ["1"], ["null"], ['"text"'], ["true"]])("%s is not an object: rejected", async (text) => {
    const [row] = await jsonl(`${text}\n`);
    expect(row).toEqual({ line: 1, input: text, bytes: text.length + 1, error: "expected a JSON object" });
  });

  it("malformed JSON says what the parser said", async () => {
    const [row] = await jsonl("{nope\n");
    expect(row?.error).toMatch(/^malformed JSON: \S/);
    expect(row).toMatchObject({ line: 1, input: "{nope", bytes: 6 });
  });

  it("any chunking of the input gives the same rows (lines split across chunks are joined)", async () => {
    const line = fc.oneof(
      fc.constant(""),
      fc.constant("  "),
      fc.constant("[]"),
      fc.constant("{bad"),
      fc.constant("\uFEFF{}"),
      fc
        .dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.integer(), fc.string({ maxLength: 6 })))
        .map((value) => JSON.stringify(value)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 8 }),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.nat(200), { maxLength: 6 }),
        async (lines, crlf, trailing, cuts) => {
          const text = lines.join(crlf ? "\r\n" : "\n") + (trailing ? "\n" : "");
          const bytes = Buffer.from(text);
          const whole = await jsonl(bytes);
          expect(await jsonl(bytes, cuts)).toEqual(whole);
          const expected = lines.flatMap((content, i) => (content.trim() === "" ? [] : [i + 1]));
          expect(whole.map((row) => row.line)).toEqual(expected);
          if (whole.length) expect(whole.at(-1)!.bytes).toBeLessThanOrEqual(bytes.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("csvRows", () => {
  it("a header row names the fields; cells are typed by the spec's field; an empty cell is absent", async () => {
    const rows = await csv(" trace_id ,score,comment,extra\nt1,0.5,,x\nt2, 1 ,fine,\n");
    expect(rows).toEqual([
      { line: 2, input: "t1,0.5,,x", bytes: 41, body: { trace_id: "t1", score: 0.5, extra: "x" } },
      { line: 3, input: "t2, 1 ,fine,", bytes: 54, body: { trace_id: "t2", score: 1, comment: "fine" } },
    ]);
  });

  it("a quoted cell may hold newlines: the row's line is where it starts", async () => {
    const rows = await csv('trace_id,comment\n\n"t1","two\nlines"\n  ,  \nt2,x\n');
    expect(rows.map((row) => [row.line, row.body])).toEqual([
      [3, { trace_id: "t1", comment: "two\nlines" }],
      [6, { trace_id: "t2", comment: "x" }],
    ]);
    expect(rows[0]?.input).toBe('"t1","two\nlines"');
  });

  it.each([
    ["LF", "\n"],
    ["CRLF", "\r\n"],
  ])("%s: blank lines before a row are not part of it, in its line or in its text", async (_, eol) => {
    const text = ["trace_id,comment", "", "", 't1,x"y', "", "", "t2,z", "", "", 't3,"open', "t4,b", ""].join(eol);
    const rows = await csv(text);
    expect(rows.map(({ line, input }) => ({ line, input }))).toEqual([
      { line: 4, input: 't1,x"' },
      { line: 7, input: "t2,z" },
      { line: 10, input: `t3,"open${eol}t4,b` },
    ]);
    expect(rows[0]?.bytes).toBeGreaterThan(16 + eol.length * 3);
    expect(rows[1]?.body).toEqual({ trace_id: "t2", comment: "z" });
  });

  it("a row with another number of fields than the header is rejected", async () => {
    const rows = await csv("trace_id,score\nt1\nt2,1,3\nt3,1\n");
    expect(rows.map((row) => [row.line, row.error])).toEqual([
      [2, "has 1 fields, the header has 2"],
      [3, "has 3 fields, the header has 2"],
      [4, undefined],
    ]);
  });

  it("a line that is not UTF-8 rejects the row it is part of, naming that line", async () => {
    const bad = "\u0000BAD\u0000";
    const bytes = (text: string) => Buffer.from(text.replaceAll(bad, "\xff"), "latin1");
    const rows = await csv(bytes(`trace_id,comment\nt1,"a\nb${bad}"\nt2,c\nt3,d${bad}\n`));
    expect(rows.map((row) => [row.line, row.error])).toEqual([
      [2, "line 3 is not valid UTF-8 text"],
      [4, undefined],
      [5, "line 5 is not valid UTF-8 text"],
    ]);
    // The header's line too: nothing is read as a header that the user did not write.
    expect((await csv(bytes(`trace_id${bad}\nt1\n`)))[0]).toMatchObject({
      line: 1,
      error: "line 1 is not valid UTF-8 text",
    });
  });

  it.each([
    ["LF", "\n"],
    ["CRLF", "\r\n"],
  ])(
    "%s: line breaks and lone CRs inside quoted cells, in any chunks: each row by the line it starts on",
    async (_, eol) => {
      // csv-parse's own count takes a CRLF or a lone CR inside quotes for a line of its own.
      const lines = ["trace_id,comment", '"t1","two', 'lines"', '"t2","a\rcr"', "", '"t3","x', "", 'y"', "t4,z", ""];
      const text = lines.join(eol);
      await fc.assert(
        fc.asyncProperty(fc.array(fc.nat(text.length), { maxLength: 6 }), async (cuts) => {
          const rows = await csv(text, cuts);
          expect(rows.map((row) => [row.line, (row.body as { trace_id: string }).trace_id])).toEqual([
            [2, "t1"],
            [4, "t2"],
            [6, "t3"],
            [9, "t4"],
          ]);
          expect(rows[0]?.input).toBe(`"t1","two${eol}lines"`);
        }),
        { numRuns: 50 },
      );
    },
  );

  it("generated files: every row, good or unreadable, by the line it starts on, in any chunks", async () => {
    const cell = fc
      .array(fc.constantFrom("a", "b", "\n", "\r", "\r\n", ",", '""', " "), { maxLength: 5 })
      .map((parts) => parts.join(""));
    const record = fc.oneof(
      cell.map((text) => ({ text: `"${text}"`, bad: false })),
      fc.constant({ text: 'x"y', bad: true }),
      // Unreadable after a quoted cell that spans lines: the next row is found past all of them.
      cell.map((text) => ({ text: `"${text}\n",x"y`, bad: true })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(2), record), { minLength: 1, maxLength: 6 }),
        fc.constantFrom("\n", "\r\n"),
        fc.array(fc.nat(120), { maxLength: 5 }),
        async (records, eol, cuts) => {
          let text = `trace_id,comment${eol}`;
          let line = 2;
          const expected: [number, string][] = [];
          records.forEach(([blanks, { text: comment, bad }], i) => {
            text += eol.repeat(blanks);
            line += blanks;
            expected.push([line, bad ? "reject" : `t${i}`]);
            const row = `t${i},${comment}`;
            text += row + eol;
            line += (row.match(/\n/g)?.length ?? 0) + 1;
          });
          const rows = await csv(text, cuts);
          expect(
            rows.map((row) => [row.line, row.error ? "reject" : (row.body as { trace_id: string }).trace_id]),
          ).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("past a thousand lines (where the tap drops the line ends already passed), the count holds", async () => {
    const rows = await csv(`trace_id\n${Array.from({ length: 3_000 }, (_, i) => `t${i}`).join("\n")}\nt"x\nlast\n`);
    expect(rows.at(-2)?.line).toBe(3_002);
    expect(rows.at(-1)).toMatchObject({ line: 3_003, body: { trace_id: "last" } });
  });

  it("a BOM is not a line's content, and the lines after it are counted alike", async () => {
    const rows = await csv('\uFEFFtrace_id\nt1\n\n"t\n2"\nt3\n');
    expect(rows.map((row) => [row.line, row.body])).toEqual([
      [2, { trace_id: "t1" }],
      [4, { trace_id: "t\n2" }],
      [6, { trace_id: "t3" }],
    ]);
  });

  it("a stray quote rejects its record, with its line, and reading goes on", async () => {
    const rows = await csv('trace_id,comment\nt1,x"y\nt2,z\n');
    // The parser hands over the record as far as it read it.
    expect(rows[0]).toMatchObject({ line: 2, input: 't1,x"' });
    // Where the parser stopped: past the header.
    expect(rows[0]?.bytes).toBeGreaterThan(17);
    expect(rows[0]?.error).toMatch(/^CSV cannot be read: \S/);
    expect(rows[1]).toMatchObject({ line: 3, body: { trace_id: "t2", comment: "z" } });
  });

  it("a quote never closed: the rows before it, then one reject saying the rest is inside it", async () => {
    const rows = await csv('trace_id,comment\nt1,a\nt2,"open\nt3,b\n');
    expect(rows[0]).toMatchObject({ line: 2, body: { trace_id: "t1" } });
    expect(rows).toHaveLength(2);
    expect(rows[1]?.line).toBe(3);
    expect(rows[1]?.error).toMatch(
      /^CSV cannot be read from here on: .+ \(the rest of the file is inside that quote\)$/,
    );
  });

  it("the rejects come in the input's order, though the parser finds them ahead of the records", async () => {
    const rows = await csv('trace_id,comment\nt1,a\nt2,x"y\nt3,b\nt4,"open\nt5,c\n');
    expect(rows.map((row) => [row.line, row.error === undefined])).toEqual([
      [2, true],
      [3, false],
      [4, true],
      [5, false],
    ]);
  });

  it("a read failure fails the rows (as for JSON Lines), after the rows read before it", async () => {
    const stream = new InputTap(true);
    const seen: Row[] = [];
    const reading = (async () => {
      for await (const row of csvRows(stream)) {
        seen.push(row);
        stream.destroy(Object.assign(new Error("i/o error"), { code: "EIO" }));
      }
    })();
    stream.write("trace_id\nt1\nt2\n");
    await expect(reading).rejects.toMatchObject({ code: "EIO" });
    expect(seen[0]).toMatchObject({ line: 2, body: { trace_id: "t1" } });
  });

  it("the stream destroyed mid-wait (an interrupt) ends the rows instead of leaving them waiting", async () => {
    const stream = new InputTap(true);
    const reading = collect(csvRows(stream));
    stream.write("trace_id\nt1\n");
    setImmediate(() => stream.destroy());
    await expect(reading).rejects.toMatchObject({ code: "ERR_STREAM_PREMATURE_CLOSE" });
  });
});

describe("formatOf", () => {
  it.each([
    ["-", "jsonl"],
    ["a.csv", "csv"],
    ["A.CSV", "csv"],
    ["a.jsonl", "jsonl"],
    ["a.NDJSON", "jsonl"],
    ["a.json", undefined],
    ["a.csv.bak", undefined],
    ["a.jsonl.bak", undefined],
    ["csv", undefined],
    ["a.xjsonl", undefined],
    ["jsonl.txt", undefined],
  ])("%s -> %s", (file, format) => {
    expect(formatOf(file)).toBe(format);
  });
});

describe("readRows", () => {
  // A directory of its own (not scripts/test/support/scratch.ts: Stryker's sandbox holds this package only).
  let dir = "";
  beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), "parea-rows-"))));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");

  it("reads a file's rows and keeps the count and hash of the bytes read", async () => {
    const path = join(dir, `in-${Math.random().toString(36).slice(2)}.jsonl`);
    const text = '{"trace_id":"t1"}\n{"trace_id":"t2"}\n';
    await writeFile(path, text);
    const input = readRows(path, "jsonl");
    const rows = await collect(input.rows);
    expect(rows.map((row) => row.body)).toEqual([{ trace_id: "t1" }, { trace_id: "t2" }]);
    expect(input.prefix.bytes).toBe(Buffer.byteLength(text));
    expect(input.prefix.sha256()).toBe(sha256(text));
    // The hash can be read again: it is a copy, the running one goes on.
    expect(input.prefix.sha256()).toBe(sha256(text));
  });

  it("CSV: a line not valid UTF-8 is found by the tap, even the last one without its newline", async () => {
    const path = join(dir, "in.csv");
    const bad = Buffer.from([0xff]);
    await writeFile(path, Buffer.concat([Buffer.from("trace_id\nt1\nt"), bad, Buffer.from("\nt3\nt"), bad]));
    const rows = await collect(readRows(path, "csv").rows);
    expect(rows.map((row) => [row.line, row.error])).toEqual([
      [2, undefined],
      [3, "line 3 is not valid UTF-8 text"],
      [4, undefined],
      [5, "line 5 is not valid UTF-8 text"],
    ]);
  });

  it("a file that cannot be read fails the rows with the reason", async () => {
    const input = readRows(join(dir, "missing.jsonl"), "jsonl");
    await expect(collect(input.rows)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("- is standard input", async () => {
    const stdin = vi.spyOn(process, "stdin", "get").mockReturnValue(Readable.from([Buffer.from('{"a":1}\n')]) as never);
    try {
      const input = readRows("-", "jsonl");
      expect((await collect(input.rows)).map((row) => row.body)).toEqual([{ a: 1 }]);
      expect(input.prefix.bytes).toBe(8);
    } finally {
      stdin.mockRestore();
    }
  });

  it("close() ends the rows early", async () => {
    const path = join(dir, `in-${Math.random().toString(36).slice(2)}.jsonl`);
    await writeFile(path, '{"a":1}\n'.repeat(100_000));
    const input = readRows(path, "jsonl");
    let read = 0;
    await expect(
      (async () => {
        for await (const _ of input.rows) if (++read === 10) input.close();
      })(),
    ).rejects.toThrow();
    expect(read).toBeLessThan(100_000);
  });
});
