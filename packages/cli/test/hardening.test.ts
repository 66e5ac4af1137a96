// parea feedback import against what breaks imports in the field: a torn or stale checkpoint, an input
// that changed, two imports at once, kill -9, a full disk, bytes that are not UTF-8, stray quotes,
// outputs that name the input, and a server asking to wait for hours. Real HTTP on 127.0.0.1.
import { execFileSync, spawn } from "node:child_process";
import { appendFile, link, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { bin, cli, startCli, type Run } from "./support/cli.ts";
import {
  checkpointedLines,
  deliveries,
  feedbackLines,
  importFixtures,
  only,
  rejectsOf,
  sleep,
} from "./support/import.ts";

const fixtures = importFixtures("parea-cli-hard-");
const serve = fixtures.serve;
let dir = "";
beforeEach(() => void (dir = fixtures.dir()));

const ok = () => ({ status: 200, body: {} });
const noStack = (run: Run) => expect(run.stderr).not.toMatch(/^\s+at /m);
const importArgs = (file: string, url: string, ...more: string[]) => [
  "feedback",
  "import",
  file,
  "--base-url",
  url,
  ...more,
];

describe("the checkpoint", () => {
  it("a torn last entry is cut off on resume, never extended into another row's number", async () => {
    const file = join(dir, "torn.jsonl");
    await writeFile(file, feedbackLines(200, "t"));
    const first = await serve(only((id) => Number(id.slice(1)) <= 9));
    expect((await cli(importArgs(file, first.url))).code).toBe(1);
    expect((await checkpointedLines(`${file}.checkpoint`)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // A crash (or a full disk) tore the next entry after its first digit.
    await appendFile(`${file}.checkpoint`, "1");
    const second = await serve(only((id) => id === "t10"));
    expect((await cli(importArgs(file, second.url, "--resume"))).code).toBe(1);
    // "1" + "10\n" would read as 110: a row never sent, skipped by every later resume.
    expect((await checkpointedLines(`${file}.checkpoint`)).sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect((await readFile(`${file}.checkpoint`, "utf8")).endsWith("\n")).toBe(true);
  });

  it("a resume whose input changed is refused, naming the change; nothing is sent", async () => {
    const file = join(dir, "changed.jsonl");
    await writeFile(file, feedbackLines(100, "c"));
    const first = await serve(only((id) => Number(id.slice(1)) <= 50));
    await cli(importArgs(file, first.url));
    // Same size, same name, one row different: the checkpoint's line numbers would skip other rows.
    await writeFile(file, feedbackLines(100, "c").replace('"c7"', '"x7"'));
    const second = await serve(() => ok());
    const run = await cli(importArgs(file, second.url, "--resume"));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: changed\.jsonl changed since checkpoint .* was written/m);
    noStack(run);
    expect(second.requests).toHaveLength(0);
  });

  it("a file that grew (rows appended) resumes: only the rows not delivered are sent", async () => {
    const file = join(dir, "grown.jsonl");
    await writeFile(file, `${feedbackLines(100, "g")}\n`);
    const first = await serve(only((id) => Number(id.slice(1)) <= 60));
    await cli(importArgs(file, first.url));
    await appendFile(file, `${JSON.stringify({ trace_id: "g101", score: 1 })}\n`);
    const second = await serve(() => ok());
    const run = await cli(importArgs(file, second.url, "--resume"));
    expect(run.code).toBe(0);
    const sent = second.requests
      .map((r) => Number((JSON.parse(r.body) as { trace_id: string }).trace_id.slice(1)))
      .sort((a, b) => a - b);
    expect(sent).toEqual(Array.from({ length: 41 }, (_, i) => 61 + i));
  });

  it("--resume on standard input is refused unless --assume-same-input says otherwise", async () => {
    const input = `${feedbackLines(20, "s")}\n`;
    const paths = ["--rejects", join(dir, "stdin.rejects"), "--checkpoint", join(dir, "stdin.checkpoint")];
    const first = await serve(only((id) => Number(id.slice(1)) <= 5));
    await cli(importArgs("-", first.url, ...paths), { input });
    const second = await serve(() => ok());
    const refused = await cli(importArgs("-", second.url, ...paths, "--resume"), { input });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/can be read only once\); pass --assume-same-input/);
    expect(second.requests).toHaveLength(0);
    const resumed = await cli(importArgs("-", second.url, ...paths, "--resume", "--assume-same-input"), { input });
    expect(resumed.code).toBe(0);
    expect(second.requests).toHaveLength(15);
  });

  it("a FIFO as input cannot be checked either", async () => {
    const fifo = join(dir, "pipe.jsonl");
    execFileSync("mkfifo", [fifo]);
    const server = await serve(only((id) => id === "f1"));
    const writer = spawn("sh", [
      "-c",
      `printf '%s\\n' '{"trace_id":"f1","score":1}' '{"trace_id":"f2","score":1}' > ${fifo}`,
    ]);
    const written = new Promise((resolve) => writer.on("close", resolve));
    expect((await cli(importArgs(fifo, server.url))).code).toBe(1);
    await written;
    const run = await cli(importArgs(fifo, server.url, "--resume"));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot check that pipe\.jsonl is the input/);
  });

  it("two imports of one file: the second is refused, naming the first one's pid", async () => {
    const file = join(dir, "twice.jsonl");
    await writeFile(file, feedbackLines(400, "w"));
    const server = await serve(() => ({ ...ok(), delayMs: 20 }));
    const first = startCli(importArgs(file, server.url, "--concurrency", "2"));
    while (server.requests.length < 10) await sleep(10);
    const second = await cli(importArgs(file, server.url, "--resume"));
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`checkpoint .* is in use by another import \\(pid ${first.child.pid}\\)`));
    first.child.kill("SIGINT");
    await first.done;
    expect([...deliveries(server).values()].every((n) => n === 1)).toBe(true);
  });

  it("a lock left by a process that died is taken over", async () => {
    const file = join(dir, "stale.jsonl");
    await writeFile(file, feedbackLines(5, "l"));
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((resolve) => dead.on("close", resolve));
    await writeFile(`${file}.checkpoint.lock`, `${dead.pid}\n`);
    const server = await serve(() => ok());
    expect((await cli(importArgs(file, server.url))).code).toBe(0);
    expect(existsSync(`${file}.checkpoint.lock`)).toBe(false);
  });

  it("kill -9, again and again: a resume re-sends at most the rows in flight at each kill", async () => {
    const total = 3_000;
    const concurrency = 4;
    const file = join(dir, "killed.jsonl");
    await writeFile(file, feedbackLines(total, "k"));
    const server = await serve(() => ({ ...ok(), delayMs: 2 }));
    const args = importArgs(file, server.url, "--concurrency", String(concurrency));
    const kills = 5;
    for (let kill = 0; kill < kills; kill++) {
      const run = startCli(kill === 0 ? args : [...args, "--resume"]);
      const target = server.requests.length + 150 + Math.floor(Math.random() * 200);
      while (server.requests.length < target) await sleep(5);
      run.child.kill("SIGKILL");
      await run.done;
    }
    expect((await cli([...args, "--resume"])).code).toBe(0);
    const counts = deliveries(server);
    expect(counts.size).toBe(total);
    const resent = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
    expect(resent).toBeLessThanOrEqual(kills * concurrency);
    console.log(`kill -9 test: ${total} rows, ${kills} kills at concurrency ${concurrency}: ${resent} rows sent twice`);
  });
});

describe("a full disk", () => {
  // RLIMIT_FSIZE makes the kernel refuse writes past the size, as a full disk does (EFBIG instead of
  // ENOSPC, partial writes included). SIGXFSZ is ignored so the write fails instead of killing.
  const limited = (blocks: number, args: string[]) =>
    new Promise<Run>((resolve) => {
      const child = spawn(
        "bash",
        ["-c", `trap '' XFSZ; ulimit -f ${blocks}; exec "$@"`, "bash", process.execPath, bin, ...args],
        {
          env: { ...process.env, PAREA_API_KEY: "cli-key", NO_COLOR: "1" },
        },
      );
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdin.end();
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });

  it("for the checkpoint: one error line, exit 1; every recorded row was delivered; --resume finishes", async () => {
    const file = join(dir, "full.jsonl");
    await writeFile(file, feedbackLines(1_000, "d"));
    const server = await serve(() => ok());
    const run = await limited(2, importArgs(file, server.url));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: cannot write the checkpoint .*full\.jsonl\.checkpoint: file too large \(EFBIG\)\. Stopped: delivered \d+/,
    );
    noStack(run);
    const recorded = await checkpointedLines(`${file}.checkpoint`);
    const delivered = deliveries(server);
    expect(recorded.length).toBeGreaterThan(50);
    expect(recorded.every((line) => delivered.has(`d${line}`))).toBe(true);
    const resumed = await cli(importArgs(file, server.url, "--resume"));
    expect(resumed.code).toBe(0);
    expect(deliveries(server).size).toBe(1_000);
  });

  it("for the rejects file: one error line, exit 1, and --resume writes every reject", async () => {
    const file = join(dir, "full-rejects.jsonl");
    const rows = Array.from({ length: 300 }, (_, i) =>
      i % 2
        ? JSON.stringify({ trace_id: `r${i}`, score: 7, comment: "x".repeat(40) })
        : JSON.stringify({ trace_id: `r${i}`, score: 1 }),
    );
    await writeFile(file, rows.join("\n"));
    const server = await serve(() => ok());
    const rejects = join(dir, "full.rejects.jsonl");
    const run = await limited(4, importArgs(file, server.url, "--rejects", rejects));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: cannot write the rejects file .*: file too large \(EFBIG\)/);
    noStack(run);
    const resumed = await cli(importArgs(file, server.url, "--rejects", rejects, "--resume"));
    expect(resumed.code).toBe(1);
    expect((await rejectsOf(rejects)).length).toBe(150);
    expect(deliveries(server).size).toBe(150);
  });
});

describe("what the input holds", () => {
  it("bytes that are not UTF-8: the row is rejected with its line, never sent with U+FFFD", async () => {
    const file = join(dir, "latin1.jsonl");
    await writeFile(
      file,
      Buffer.concat([
        Buffer.from('{"trace_id":"u1","score":1}\n{"trace_id":"u2","score":1,"comment":"caf'),
        Buffer.from([0xe9]),
        Buffer.from('"}\n{"trace_id":"u3","score":1}\n'),
      ]),
    );
    const csv = join(dir, "latin1.csv");
    await writeFile(
      csv,
      Buffer.concat([
        Buffer.from("trace_id,score,comment\nv1,1,ok\nv2,1,caf"),
        Buffer.from([0xe9]),
        Buffer.from("\nv3,1,ok\n"),
      ]),
    );
    const server = await serve(() => ok());
    expect((await cli(importArgs(file, server.url))).code).toBe(1);
    expect((await cli(importArgs(csv, server.url))).code).toBe(1);
    expect([...deliveries(server).keys()].sort()).toEqual(["u1", "u3", "v1", "v3"]);
    expect(server.requests.some((r) => r.body.includes("\uFFFD"))).toBe(false);
    expect((await rejectsOf(`${file}.rejects.jsonl`)).map(({ line, reason }) => [line, reason])).toEqual([
      [2, "not valid UTF-8 text"],
    ]);
    expect((await rejectsOf(`${csv}.rejects.jsonl`)).map(({ line, reason }) => [line, reason])).toEqual([
      [3, "line 3 is not valid UTF-8 text"],
    ]);
  });

  it("a lone CR is not a line break in JSON Lines (it is JSON whitespace): line numbers stay right", async () => {
    const file = join(dir, "cr.jsonl");
    await writeFile(
      file,
      '{"trace_id":"a1","score":1}\n{"trace_id":"a2",\r"score":1}\r\n{"trace_id":"a3","score":9}\n',
    );
    const server = await serve(() => ok());
    await cli(importArgs(file, server.url));
    expect([...deliveries(server).keys()].sort()).toEqual(["a1", "a2"]);
    expect((await rejectsOf(`${file}.rejects.jsonl`)).map((r) => r.line)).toEqual([3]);
  });

  it.each([
    ["a stray quote mid-field", 'q3000,0.5,a"b', 4_998, ["q3000"]],
    ["a quote never closed", 'q3000,"0.5', 2_999, undefined],
  ] as const)(
    "CSV with %s in row 3000 of 4999: every row before it ends delivered or rejected",
    async (_, bad, delivered, rejected) => {
      const rows = Array.from({ length: 4_999 }, (_, i) => (i === 2_999 ? bad : `q${i + 1},0.5,fine`));
      const file = join(dir, `quote-${delivered}.csv`);
      await writeFile(file, `trace_id,score,comment\n${rows.join("\n")}\n`);
      const server = await serve(() => ok());
      const run = await cli(importArgs(file, server.url, "--concurrency", "16"));
      expect(run.code).toBe(1);
      const sent = deliveries(server);
      for (let i = 1; i < 3_000; i++) expect(sent.get(`q${i}`), `q${i}`).toBe(1);
      expect(sent.size).toBe(delivered);
      const rejects = await rejectsOf(`${file}.rejects.jsonl`);
      expect(rejects).toHaveLength(1);
      expect(rejects[0]!.line).toBe(3_001);
      if (rejected) expect(rejects[0]!.input).toMatch(/^q3000,0\.5,a"/);
    },
  );

  it("CSV numbers are decimal JSON numbers: hex, binary, Infinity and overflow are rejected", async () => {
    const file = join(dir, "numbers.csv");
    await writeFile(file, "trace_id,score\nn1,0x1\nn2, 0.5\nn3,1e400\nn4,Infinity\nn5,0b1\nn6,1e-1\nn7,.5\n");
    const server = await serve(() => ok());
    await cli(importArgs(file, server.url));
    const sent = server.requests.map((r) => JSON.parse(r.body) as { trace_id: string });
    expect(sent.sort((a, b) => a.trace_id.localeCompare(b.trace_id))).toEqual([
      { trace_id: "n2", score: 0.5 },
      { trace_id: "n6", score: 0.1 },
    ]);
    expect((await rejectsOf(`${file}.rejects.jsonl`)).map((r) => r.line).sort()).toEqual([2, 4, 5, 6, 8]);
  });
});

describe("paths", () => {
  it.each([
    ["--rejects naming the input", (file: string) => ["--rejects", file], /--rejects .* is the input file/],
    ["--checkpoint naming the input", (file: string) => ["--checkpoint", file], /--checkpoint .* is the input file/],
    ["--rejects as a hard link to the input", (file: string) => ["--rejects", `${file}.link`], /is the input file/],
    [
      "--rejects and --checkpoint naming one file",
      (file: string) => ["--rejects", `${file}.out`, "--checkpoint", `${file}.out`],
      /--rejects and --checkpoint name the same file/,
    ],
  ])("%s: exit 2, the input untouched", async (_, extra, message) => {
    const file = join(dir, `same-${Math.random().toString(36).slice(2)}.jsonl`);
    const content = feedbackLines(3, "p");
    await writeFile(file, content);
    await link(file, `${file}.link`);
    const server = await serve(() => ok());
    const run = await cli(importArgs(file, server.url, ...extra(file)));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(await readFile(file, "utf8")).toBe(content);
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    ["a directory as input", (d: string) => [join(d, "dir.jsonl")], /cannot read .*: it is a directory \(EISDIR\)/],
    [
      "a directory as checkpoint",
      (d: string) => [join(d, "in.jsonl"), "--checkpoint", d],
      /--checkpoint .*: it is a directory/,
    ],
    [
      "a rejects path that cannot be written",
      (d: string) => [join(d, "in.jsonl"), "--rejects", join(d, "no", "such", "dir", "r.jsonl")],
      /cannot write --rejects .*: no such file or directory \(ENOENT\)/,
    ],
  ])("%s: exit 2 with the reason, and nothing left behind to block the corrected command", async (_, args, message) => {
    const sub = join(dir, `paths-${Math.random().toString(36).slice(2)}`);
    await mkdir(sub);
    await writeFile(join(sub, "in.jsonl"), feedbackLines(3, "d"));
    await mkdir(join(sub, "dir.jsonl"));
    const server = await serve(() => ok());
    const [file, ...rest] = args(sub);
    const run = await cli(importArgs(file!, server.url, ...rest));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    noStack(run);
    expect(existsSync(join(sub, "in.jsonl.checkpoint"))).toBe(false);
    expect(existsSync(join(sub, "in.jsonl.checkpoint.lock"))).toBe(false);
    const corrected = await cli(importArgs(join(sub, "in.jsonl"), server.url));
    expect(corrected.code).toBe(0);
  });
});

describe("a read error mid-input", () => {
  // /proc/self/mem is a regular file whose first page is not mapped: reading it fails with EIO, a
  // real read error from the kernel (Linux only; CI runs on Linux).
  it.runIf(existsSync("/proc/self/mem")).each([["csv"], ["jsonl"]])(
    "%s: one error line naming the file, exit 1, the checkpoint kept for --resume",
    async (format) => {
      const file = join(dir, `mem-${format}.${format}`);
      await symlink("/proc/self/mem", file);
      const server = await serve(() => ok());
      const run = await cli(importArgs(file, server.url));
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(`^error: cannot read .*mem-${format}\\.${format}: input/output error \\(EIO\\)`, "m"),
      );
      expect(run.stderr).toMatch(/--resume$/m);
      noStack(run);
      expect(server.requests).toHaveLength(0);
    },
  );
});

describe("the API key and long waits", () => {
  it.each([
    ["--api-key KEY", ["--api-key", "sk-secret-resume-hint"]],
    ["--api-key=KEY", ["--api-key=sk-secret-resume-hint"]],
  ])("Ctrl-C after %s: the resume command does not print the key", async (_, keyArgs) => {
    const file = join(dir, `hint-${keyArgs.length}.jsonl`);
    await writeFile(file, feedbackLines(500, "h"));
    const server = await serve(() => ({ ...ok(), delayMs: 10 }));
    const run = startCli([...keyArgs, ...importArgs(file, server.url)], { env: { PAREA_API_KEY: undefined } });
    while (server.requests.length < 20) await sleep(10);
    run.child.kill("SIGINT");
    const done = await run.done;
    expect(done.code).toBe(130);
    expect(done.stderr + done.stdout).not.toContain("sk-secret-resume-hint");
    expect(done.stderr).toMatch(/--resume/);
    expect(done.stderr).toMatch(/PAREA_API_KEY, or --api-key again: it is not printed/);
  });

  it.each(["120", "3000000", "Infinity", "1e400"])(
    "a 429 asking to wait %s s does not freeze the import (no pause past the client's 60 s cap)",
    async (wait) => {
      const file = join(dir, `wait-${wait}.jsonl`);
      await writeFile(file, feedbackLines(50, "z"));
      const server = await serve((n) => (n === 3 ? { status: 429, headers: { "retry-after": wait } } : ok()));
      const started = performance.now();
      const run = await cli(importArgs(file, server.url, "--max-retries", "1"));
      expect(performance.now() - started).toBeLessThan(15_000);
      expect(run.stderr).not.toMatch(/TimeoutOverflowWarning/);
      expect(deliveries(server).size).toBeGreaterThanOrEqual(49);
    },
  );

  it("Ctrl-C during a shared pause ends the import within the grace period, not after the pause", async () => {
    const file = join(dir, "paused.jsonl");
    await writeFile(file, feedbackLines(50, "y"));
    const server = await serve((n) => (n === 3 ? { status: 429, headers: { "retry-after": "50" } } : ok()));
    const run = startCli(importArgs(file, server.url));
    while (server.requests.length < 4) await sleep(10);
    await sleep(200);
    const signalled = performance.now();
    run.child.kill("SIGINT");
    const done = await run.done;
    expect(done.code).toBe(130);
    expect(performance.now() - signalled).toBeLessThan(8_000);
  });
});
