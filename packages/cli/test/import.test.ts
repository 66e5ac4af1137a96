// parea feedback import over real HTTP on 127.0.0.1, against a server that fails on cue.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { cli, startCli } from "./support/cli.ts";
import { checkpointedLines, deliveries, importFixtures, rejectsOf } from "./support/import.ts";

const fixtures = importFixtures("parea-cli-");
const serve = fixtures.serve;
let dir = "";
beforeEach(() => void (dir = fixtures.dir()));

describe("JSON Lines with faults and bad rows", () => {
  it("delivers every valid row exactly once, rejects every bad one with its line, exits 1", async () => {
    const total = 3_000;
    const bad = new Map<number, [string, RegExp]>(); // line -> [text, reason]
    const lines: string[] = [];
    for (let i = 1; i <= total; i++) {
      if (i % 250 === 0) bad.set(i, ["{not json", /^malformed JSON/]);
      else if (i % 250 === 7)
        bad.set(i, [JSON.stringify({ trace_id: `t${i}`, score: 1.5 }), /^invalid: \$\.score must be <= 1/]);
      else if (i % 250 === 19) bad.set(i, [JSON.stringify({ trace_id: `t${i}` }), /^invalid: \$\.score is required/]);
      else if (i % 250 === 31) bad.set(i, ["[1, 2]", /^expected a JSON object/]);
      const row =
        bad.get(i)?.[0] ?? (i % 500 === 3 ? "" : JSON.stringify({ trace_id: `t${i}`, score: (i % 100) / 100 }));
      lines.push(row);
    }
    lines[0] = `\uFEFF${lines[0]}`;
    const file = join(dir, "labels.jsonl");
    await writeFile(file, `${lines.join("\n")}\n`);
    const blank = new Set(lines.flatMap((text, i) => (text === "" ? [i + 1] : [])));

    const faults = { 503: 0, 429: 0, reset: 0, 500: 0 };
    const server = await serve((n) => {
      if (n % 13 === 5) return (faults[503]++, { status: 503, headers: { "retry-after-ms": "1" } });
      if (n % 17 === 8) return (faults[429]++, { status: 429, headers: { "retry-after-ms": "15" } });
      if (n % 97 === 11) return (faults.reset++, { reset: true });
      if (n % 37 === 2) return (faults[500]++, { status: 500, headers: { "retry-after-ms": "1" } });
      return { status: 200, body: {} };
    });
    const run = await cli([
      "feedback",
      "import",
      file,
      "--base-url",
      server.url,
      "--concurrency",
      "16",
      "--max-retries",
      "8",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);

    const counts = deliveries(server);
    const valid = Array.from({ length: total }, (_, i) => i + 1).filter((line) => !bad.has(line) && !blank.has(line));
    expect(valid.filter((line) => counts.get(`t${line}`) !== 1)).toEqual([]);
    const duplicates = [...counts.values()].filter((n) => n > 1).length;
    expect(duplicates).toBe(0);
    expect(
      server.requests.some((r) => bad.has(Number((JSON.parse(r.body) as { trace_id?: string }).trace_id?.slice(1)))),
    ).toBe(false);

    const rejects = (await rejectsOf(`${file}.rejects.jsonl`)).sort((a, b) => a.line - b.line);
    expect(rejects.map((r) => r.line)).toEqual([...bad.keys()].sort((a, b) => a - b));
    for (const reject of rejects) {
      const [text, reason] = bad.get(reject.line)!;
      expect(reject.input).toBe(text);
      expect(reject.reason).toMatch(reason);
    }
    expect(run.stdout).toMatch(
      new RegExp(
        `^delivered ${valid.length}, rejected ${bad.size}, in [\\d.]+ s; rejected rows are in .*labels\\.jsonl\\.rejects\\.jsonl; rate limited \\d+ times`,
      ),
    );
    console.log(
      `fault test: ${total} lines (${valid.length} valid, ${bad.size} invalid, ${blank.size} blank); faults injected: ` +
        `${faults[503]} x 503, ${faults[429]} x 429, ${faults.reset} resets, ${faults[500]} x 500; ` +
        `delivered ${counts.size}, rejected ${rejects.length}, duplicates ${duplicates}`,
    );
  });

  it("all valid: exit 0 and one plain summary line", async () => {
    const file = join(dir, "ok.jsonl");
    await writeFile(file, [1, 2, 3].map((i) => JSON.stringify({ trace_id: `ok${i}`, score: 1 })).join("\n"));
    const server = await serve(() => ({ status: 200, body: {} }));
    const run = await cli(["feedback", "import", file, "--base-url", server.url]);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^delivered 3, rejected 0, in [\d.]+ s\n$/);
    expect(server.requests.every((r) => r.headers["x-api-key"] === "cli-key")).toBe(true);
  });

  it("reads JSON Lines from standard input with -", async () => {
    const server = await serve(() => ({ status: 200, body: {} }));
    const run = await cli(
      [
        "feedback",
        "import",
        "-",
        "--base-url",
        server.url,
        "--rejects",
        join(dir, "in.rejects"),
        "--checkpoint",
        join(dir, "in.checkpoint"),
      ],
      {
        input: '{"trace_id":"s1","score":0.1}\n{"trace_id":"s2","score":0.2}\n',
      },
    );
    expect(run.code).toBe(0);
    expect([...deliveries(server).keys()].sort()).toEqual(["s1", "s2"]);
  });
});

describe("CSV", () => {
  it("quoting, embedded newlines, blank lines and a BOM: rows found by the line where they start", async () => {
    const csv = [
      "\uFEFFtrace_id,score,comment",
      'c1,0.5,"plain, with comma"',
      "",
      'c2,0.7,"multi',
      "line",
      'comment"',
      "c3,abc,x",
      "   ",
      'c4,"0.9","a ""quoted"" word"',
      "c5,0.2",
      "c6,0.3,,extra",
      "c7,1,",
    ].join("\n");
    const file = join(dir, "labels.csv");
    await writeFile(file, `${csv}\n`);
    const server = await serve(() => ({ status: 200, body: {} }));
    const run = await cli(["feedback", "import", file, "--base-url", server.url]);
    expect(run.code).toBe(1);
    const sent = Object.fromEntries(
      server.requests.map((r) => [(JSON.parse(r.body) as { trace_id: string }).trace_id, JSON.parse(r.body)]),
    );
    expect(sent).toEqual({
      c1: { trace_id: "c1", score: 0.5, comment: "plain, with comma" },
      c2: { trace_id: "c2", score: 0.7, comment: "multi\nline\ncomment" },
      c4: { trace_id: "c4", score: 0.9, comment: 'a "quoted" word' },
      c7: { trace_id: "c7", score: 1 },
    });
    const rejects = await rejectsOf(`${file}.rejects.jsonl`);
    expect(rejects).toEqual([
      { line: 7, input: "c3,abc,x", reason: "invalid: $.score must be number" },
      { line: 10, input: "c5,0.2", reason: "has 2 fields, the header has 3" },
      { line: 11, input: "c6,0.3,,extra", reason: "has 4 fields, the header has 3" },
    ]);
  });

  it("a quote never closed: the rows before it are delivered, one reject names where it broke", async () => {
    const file = join(dir, "broken.csv");
    await writeFile(file, 'trace_id,score\nb1,0.5\nb2,"0.5\nb3,0.5\n');
    const server = await serve(() => ({ status: 200, body: {} }));
    const run = await cli(["feedback", "import", file, "--base-url", server.url]);
    expect(run.code).toBe(1);
    expect([...deliveries(server).keys()]).toEqual(["b1"]);
    const [reject] = await rejectsOf(`${file}.rejects.jsonl`);
    expect(reject!.reason).toMatch(/^CSV cannot be read from here on: .*quote/i);
  });
});

describe("interrupted and resumed", () => {
  it.each(["SIGINT", "SIGTERM"] as const)(
    "%s mid-run: exit 130 and a checkpoint; --resume delivers the rest and re-sends nothing it holds",
    async (signal) => {
      const total = 2_000;
      const file = join(dir, `big-${signal}.jsonl`);
      await writeFile(
        file,
        Array.from({ length: total }, (_, i) => JSON.stringify({ trace_id: `r${i + 1}`, score: 0.5 })).join("\n"),
      );
      const server = await serve(() => ({ status: 200, body: {}, delayMs: 8 }));
      const args = ["feedback", "import", file, "--base-url", server.url, "--concurrency", "8"];
      const first = startCli(args);
      while (server.requests.length < 300) await new Promise((resolve) => setTimeout(resolve, 20));
      first.child.kill(signal);
      const interrupted = await first.done;
      expect(interrupted.code).toBe(130);
      expect(interrupted.stderr).toMatch(new RegExp(`^interrupted by ${signal}: delivered \\d+, rejected 0`));
      expect(interrupted.stderr).toContain(`--resume`);
      const checkpointed = await checkpointedLines(`${file}.checkpoint`);
      const firstRun = new Set(server.requests.map((r) => (JSON.parse(r.body) as { trace_id: string }).trace_id));
      expect(checkpointed.length).toBeGreaterThan(250);
      expect(checkpointed.length).toBeLessThan(total);

      const seenBefore = server.requests.length;
      const again = await cli(["feedback", "import", file, "--base-url", server.url]);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/checkpoint .* exists from an earlier import: pass --resume/);
      expect(server.requests.length).toBe(seenBefore);

      const resumed = await cli([...args, "--resume"]);
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toMatch(
        new RegExp(
          `^delivered ${total - checkpointed.length}, rejected 0, in [\\d.]+ s; ${checkpointed.length} delivered by an earlier run, skipped`,
        ),
      );
      const secondRun = server.requests
        .slice(seenBefore)
        .map((r) => (JSON.parse(r.body) as { trace_id: string }).trace_id);
      const held = new Set(checkpointed.map((line) => `r${line}`));
      expect(secondRun.filter((id) => held.has(id))).toEqual([]);
      const all = new Set([...firstRun, ...secondRun]);
      expect(all.size).toBe(total);
      const resent = secondRun.filter((id) => firstRun.has(id));
      console.log(
        `interrupt test (${signal}): ${total} rows; interrupted after ${firstRun.size} sent, ${checkpointed.length} checkpointed; ` +
          `resume sent ${secondRun.length}, of which ${resent.length} had been in flight at the interrupt; 0 checkpointed rows re-sent`,
      );
    },
  );
});

describe("a crash (SIGKILL: no chance to flush)", () => {
  it("--resume never re-sends a row the checkpoint holds, and ignores a torn last entry", async () => {
    const total = 1_500;
    const file = join(dir, "crash.jsonl");
    await writeFile(
      file,
      Array.from({ length: total }, (_, i) => JSON.stringify({ trace_id: `k${i + 1}`, score: 0.5 })).join("\n"),
    );
    const server = await serve(() => ({ status: 200, body: {}, delayMs: 5 }));
    const args = ["feedback", "import", file, "--base-url", server.url];
    const first = startCli(args);
    while (server.requests.length < 400) await new Promise((resolve) => setTimeout(resolve, 20));
    first.child.kill("SIGKILL");
    await first.done;
    const checkpoint = `${file}.checkpoint`;
    const written = await checkpointedLines(checkpoint);
    expect(written.length).toBeGreaterThan(0); // flushed as it went, not only at the end
    // A torn write naming the last row, which cannot have been delivered yet: if it were taken as
    // delivered, that row would never be sent and the count below would fall short.
    expect(written).not.toContain(total);
    await writeFile(checkpoint, `${await readFile(checkpoint, "utf8")}${total}`);
    const seenBefore = server.requests.length;
    const resumed = await cli([...args, "--resume"]);
    expect(resumed.code).toBe(0);
    const secondRun = server.requests
      .slice(seenBefore)
      .map((r) => (JSON.parse(r.body) as { trace_id: string }).trace_id);
    expect(secondRun.filter((id) => written.includes(Number(id.slice(1))))).toEqual([]);
    expect(new Set([...server.requests.map((r) => (JSON.parse(r.body) as { trace_id: string }).trace_id)]).size).toBe(
      total,
    );
    expect(secondRun).toContain(`k${total}`);
  });
});

describe("shared rate limit", () => {
  it("a 429 with Retry-After pauses every worker, not just the one that got it, and concurrency backs off", async () => {
    let rateLimitedAt = 0;
    const server = await serve((n) => {
      if (n === 40) {
        rateLimitedAt = performance.now();
        return { status: 429, headers: { "retry-after-ms": "400" } };
      }
      return { status: 200, body: {}, delayMs: 5 };
    });
    const file = join(dir, "throttled.jsonl");
    await writeFile(
      file,
      Array.from({ length: 200 }, (_, i) => JSON.stringify({ trace_id: `p${i}`, score: 0.1 })).join("\n"),
    );
    const run = await cli(["feedback", "import", file, "--base-url", server.url, "--concurrency", "8"]);
    expect(run.code).toBe(0);
    // Requests already on their way when the 429 left the server (at most one per worker) arrive
    // within a few ms; after those, none starts until the 400 ms have passed.
    const stragglers = server.requests.filter((r) => r.at > rateLimitedAt && r.at <= rateLimitedAt + 25);
    expect(stragglers.length).toBeLessThanOrEqual(8);
    const after = server.requests.filter((r) => r.at > rateLimitedAt + 25);
    expect(after.length).toBeGreaterThan(100);
    expect(Math.min(...after.map((r) => r.at)) - rateLimitedAt).toBeGreaterThanOrEqual(380);
    expect(run.stdout).toMatch(/rate limited 1 times, concurrency down to 4 at most/);
  });
});
