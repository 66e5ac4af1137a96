// parea feedback record, and what every command does with a wrong flag or a missing setting.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestFields } from "@parea-api/client/operations";
import { serverPerTest } from "../../client/test/support/fault-server.mts";
import { cli } from "./support/cli.ts";

let dir: string;
beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), "parea-cmd-"))));
afterAll(() => rm(dir, { recursive: true, force: true }));
const serve = serverPerTest();

describe("parea feedback record", () => {
  it("sends the flags as the spec's fields, typed, and prints the answer", async () => {
    const server = await serve([{ status: 200, body: { ok: true } }]);
    const run = await cli([
      "feedback",
      "record",
      "--trace-id",
      "T",
      "--score",
      "0.8",
      "--comment",
      "good",
      "--base-url",
      server.url,
    ]);
    expect(run).toMatchObject({ code: 0, stdout: '{"ok":true}\n', stderr: "" });
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ trace_id: "T", score: 0.8, comment: "good" });
    expect(server.requests[0]!.headers["x-api-key"]).toBe("cli-key");
  });

  it("--api-key overrides PAREA_API_KEY", async () => {
    const server = await serve([{ status: 200, body: {} }]);
    await cli(["--api-key", "flag-key", "feedback", "record", "--score", "1", "--base-url", server.url]);
    expect(server.requests[0]!.headers["x-api-key"]).toBe("flag-key");
  });

  it("--help lists one flag per spec field with its description, deprecated ones marked", async () => {
    const { stdout, code } = await cli(["feedback", "record", "--help"]);
    expect(code).toBe(0);
    for (const field of requestFields.recordFeedback) {
      const line = stdout.split("\n").find((l) => l.trimStart().startsWith(`--${field.name.replace(/_/g, "-")} `));
      expect(line, field.name).toBeDefined();
      expect(line).toContain(field.description.slice(0, 20));
      if (field.deprecated) expect(line).toContain("deprecated");
    }
  });

  it.each<[string, string[], RegExp]>([
    ["an out-of-range value", ["--score", "2"], /^error: feedback not sent: \$\.score must be <= 1$/m],
    ["a value of the wrong type", ["--score", "high"], /^error: feedback not sent: \$\.score must be number$/m],
    ["a missing required field", ["--trace-id", "t"], /^error: feedback not sent: \$\.score is required$/m],
  ])("%s: exit 2, nothing sent", async (_, flags, message) => {
    const server = await serve([{ status: 200 }]);
    const run = await cli(["feedback", "record", ...flags, "--base-url", server.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(server.requests).toHaveLength(0);
  });

  it("an API error: exit 1 with what the server said", async () => {
    const server = await serve([
      { status: 422, body: { detail: [{ loc: ["body", "trace_id"], msg: "Trace not found", type: "x" }] } },
    ]);
    const run = await cli(["feedback", "record", "--trace-id", "nope", "--score", "1", "--base-url", server.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "error: Parea API answered 422 to POST /api/parea/v1/feedback: body.trace_id: Trace not found\n",
    );
  });
});

describe("usage and configuration errors: exit 2, one line saying what to fix, no stack", () => {
  it.each<[string, string[], RegExp, Record<string, string | undefined>?]>([
    ["an unknown flag", ["feedback", "import", "x.jsonl", "--nope"], /^error: unknown option '--nope'$/m],
    [
      "a bad --concurrency",
      ["feedback", "import", "x.jsonl", "--concurrency", "0"],
      /--concurrency <n>' argument '0' is invalid\. must be a whole number >= 1/,
    ],
    [
      "an unknown file type",
      ["feedback", "import", "labels.xlsx"],
      /^error: cannot tell the format of labels\.xlsx: name it \.jsonl, \.ndjson or \.csv/m,
    ],
    [
      "a missing file",
      ["feedback", "import", "missing.jsonl"],
      /^error: cannot read missing\.jsonl: no such file or directory \(ENOENT\)$/m,
    ],
    [
      "no API key",
      ["feedback", "record", "--score", "1"],
      /^error: No Parea API key: pass --api-key or set PAREA_API_KEY\.$/m,
      { PAREA_API_KEY: undefined },
    ],
    [
      "plain http to a remote host",
      ["feedback", "record", "--score", "1", "--base-url", "http://parea.example.com"],
      /^error: --base-url uses http to a non-loopback host/m,
    ],
  ])("%s", async (_, args, message, env) => {
    const run = await cli(args, { env, cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/^\s+at |Error:/m);
  });

  it("an import without an API key writes nothing", async () => {
    const file = join(dir, "nokey.jsonl");
    await writeFile(file, '{"score":1}\n');
    const run = await cli(["feedback", "import", file], { env: { PAREA_API_KEY: undefined } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: No Parea API key: pass --api-key/m);
  });
});
