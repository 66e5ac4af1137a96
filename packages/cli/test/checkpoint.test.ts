// The import's checkpoint in process (src/import/checkpoint.ts): what a resume skips, what it refuses,
// what it repairs, and when it syncs. The import tests prove it across real kills of the built command;
// these reach each branch in this process, where mutation testing (pnpm test:mutation) can see them.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { Checkpoint, type InputIdentity } from "../src/import/checkpoint.ts";
import type { InputPrefix } from "../src/import/rows.ts";
import { UsageError } from "../src/errors.ts";

// fdatasync seen, and failed on demand: the only way to tell a synced checkpoint from an unsynced one.
// Writes fail on demand too, as on a full disk.
const syncs = vi.hoisted(() => ({ count: 0, fail: false, failWrites: false }));
vi.mock("@parea-api/client/outbox", async (importOriginal) => {
  const real = await importOriginal<typeof import("@parea-api/client/outbox")>();
  return {
    ...real,
    writeAll: (fd: number, text: string) => {
      if (syncs.failWrites)
        throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      real.writeAll(fd, text);
    },
  };
});
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  return {
    ...real,
    fdatasyncSync: (fd: number) => {
      syncs.count++;
      if (syncs.fail) throw Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
      real.fdatasyncSync(fd);
    },
  };
});

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
/** An input read as far as `text`. */
const prefixOf = (text: string): InputPrefix => ({ bytes: Buffer.byteLength(text), sha256: () => sha256(text) });
const HEADER = (input: string, version = 3) => `${JSON.stringify({ parea_import_checkpoint: version, input })}\n`;

let dir = "";
let path = "";
let inputPath = "";
const input = (): InputIdentity => ({ name: "in.jsonl", path: inputPath });
const fresh = { resume: false, assumeSameInput: false };
const resume = { resume: true, assumeSameInput: false };
const open: Checkpoint[] = [];
const opened = async (...args: Parameters<typeof Checkpoint.open>) => {
  const checkpoint = await Checkpoint.open(...args);
  open.push(checkpoint);
  return checkpoint;
};
const closeAll = () => {
  for (const checkpoint of open.splice(0)) checkpoint.close();
};

// A directory of its own (not scripts/test/support/scratch.ts: Stryker's sandbox holds this package only).
let root = "";
beforeAll(async () => void (root = await mkdtemp(join(tmpdir(), "parea-checkpoint-"))));
afterAll(() => rm(root, { recursive: true, force: true }));
beforeEach(async () => {
  dir = await mkdtemp(join(root, "t-"));
  path = join(dir, "import.checkpoint");
  inputPath = join(dir, "in.jsonl");
  await writeFile(inputPath, "row one\nrow two\nrow three\n");
  syncs.count = 0;
  syncs.fail = false;
  syncs.failWrites = false;
});
afterEach(() => {
  vi.useRealTimers();
  try {
    closeAll();
  } catch {
    // A test that closed its own checkpoint.
  }
});

/** A checkpoint whose rows 1 and 2 were delivered after reading `read` of the input. */
async function written(read = "row one\nrow two\n"): Promise<void> {
  const checkpoint = await opened(path, input(), fresh);
  checkpoint.add(1, prefixOf(read));
  checkpoint.add(2, prefixOf(read));
  checkpoint.close();
  open.splice(0);
}

describe("a new import", () => {
  it("writes the header and then, per delivered row, the input's prefix (when it grew) and the line", async () => {
    const checkpoint = await opened(path, input(), fresh);
    expect(await readFile(path, "utf8")).toBe(HEADER("in.jsonl"));
    expect(checkpoint.has(1)).toBe(false);
    checkpoint.add(1, prefixOf("row one\n"));
    checkpoint.add(3, prefixOf("row one\n"));
    checkpoint.add(2, prefixOf("row one\nrow two\n"));
    checkpoint.add(4, prefixOf("row one\n")); // a smaller prefix than recorded: nothing new to record
    expect(await readFile(path, "utf8")).toBe(
      HEADER("in.jsonl") +
        `${JSON.stringify({ prefix: 8, sha256: sha256("row one\n") })}\n1\n3\n` +
        `${JSON.stringify({ prefix: 16, sha256: sha256("row one\nrow two\n") })}\n2\n4\n`,
    );
  });

  it("nothing read yet: no prefix line", async () => {
    const checkpoint = await opened(path, input(), fresh);
    checkpoint.add(1, prefixOf(""));
    expect(await readFile(path, "utf8")).toBe(`${HEADER("in.jsonl")}1\n`);
  });

  it("a checkpoint with nothing delivered starts afresh, without --resume, for any input", async () => {
    await writeFile(path, `${HEADER("other.jsonl")}{"prefix":3,"sha256":"x"}\n12`);
    const checkpoint = await opened(path, input(), fresh);
    expect(await readFile(path, "utf8")).toBe(HEADER("in.jsonl"));
    expect(checkpoint.has(12)).toBe(false);
  });

  it.each([[""], ["\n"], [" \n\n"]])("an empty file (%j) is a new checkpoint", async (text) => {
    await writeFile(path, text);
    await opened(path, input(), fresh);
    expect(await readFile(path, "utf8")).toBe(HEADER("in.jsonl"));
  });

  it("a prefix recorded by a run that delivered nothing is forgotten with it", async () => {
    await writeFile(path, `${HEADER("in.jsonl")}${JSON.stringify({ prefix: 100, sha256: "x" })}\n`);
    const checkpoint = await opened(path, input(), fresh);
    checkpoint.add(1, prefixOf("row one\n"));
    expect(await readFile(path, "utf8")).toBe(
      `${HEADER("in.jsonl")}${JSON.stringify({ prefix: 8, sha256: sha256("row one\n") })}\n1\n`,
    );
  });

  it("lines that only look like row numbers are no delivered rows", async () => {
    await writeFile(path, `${HEADER("in.jsonl")}x12\n12x\n1 2\n`);
    const checkpoint = await opened(path, input(), fresh);
    expect(checkpoint.has(12)).toBe(false);
  });
});

describe("a resumed import", () => {
  it("row numbers of any length", async () => {
    await writeFile(path, `${HEADER("in.jsonl")}7\n1234567\n`);
    const checkpoint = await opened(path, input(), { resume: true, assumeSameInput: false });
    expect([7, 1234567, 123].map((line) => checkpoint.has(line))).toEqual([true, true, false]);
  });

  it("knows the rows delivered before, and goes on appending", async () => {
    await written();
    const checkpoint = await opened(path, input(), resume);
    expect([1, 2, 3].map((line) => checkpoint.has(line))).toEqual([true, true, false]);
    checkpoint.add(3, prefixOf("row one\nrow two\nrow three\n"));
    checkpoint.close();
    const again = await opened(path, input(), resume);
    expect([1, 2, 3].map((line) => again.has(line))).toEqual([true, true, true]);
  });

  it("its input may have grown since: only the recorded prefix must be the same", async () => {
    await written();
    await writeFile(inputPath, "row one\nrow two\nrow three\nrow four\n");
    await expect(opened(path, input(), resume)).resolves.toBeInstanceOf(Checkpoint);
  });

  it("a torn last line is cut off before anything is appended", async () => {
    await written();
    await writeFile(path, `${await readFile(path, "utf8")}3`);
    const checkpoint = await opened(path, input(), resume);
    expect(checkpoint.has(3)).toBe(false);
    checkpoint.add(5, prefixOf("row one\nrow two\n"));
    const lines = (await readFile(path, "utf8")).split("\n");
    expect(lines.slice(-3)).toEqual(["2", "5", ""]);
  });

  it("the largest prefix recorded is the one checked, whatever the order of the lines", async () => {
    const whole = "row one\nrow two\nrow three\n";
    await writeFile(
      path,
      `${HEADER("in.jsonl")}${JSON.stringify({ prefix: Buffer.byteLength(whole), sha256: sha256(whole) })}\n1\n` +
        `${JSON.stringify({ prefix: 8, sha256: sha256("row one\n") })}\n2\n`,
    );
    await writeFile(inputPath, "row one\nrow 2wo\nrow three\n");
    await expect(opened(path, input(), resume)).rejects.toThrow(/its first 26 bytes differ/);
  });

  it("a prefix of no bytes matches any input", async () => {
    await writeFile(path, `${HEADER("in.jsonl")}${JSON.stringify({ prefix: 0, sha256: sha256("") })}\n1\n`);
    expect((await opened(path, input(), resume)).has(1)).toBe(true);
  });

  it("lines that are neither a row nor a prefix are passed over", async () => {
    await writeFile(path, `${HEADER("in.jsonl")}1\n{"prefix":"8"}\nnot json\n{"other":1}\n2\n`);
    const checkpoint = await opened(path, input(), resume);
    expect([1, 2].map((line) => checkpoint.has(line))).toEqual([true, true]);
  });

  it("standard input cannot be read again: resumed only with --assume-same-input", async () => {
    await written();
    const stdin = { name: "in.jsonl", path: null };
    await expect(opened(path, stdin, resume)).rejects.toThrow(
      new UsageError(
        `cannot check that in.jsonl is the input checkpoint ${path} was written for (it can be read only once); pass --assume-same-input to resume anyway`,
      ),
    );
    const checkpoint = await opened(path, stdin, { resume: true, assumeSameInput: true });
    expect(checkpoint.has(2)).toBe(true);
  });
});

describe("what a resume refuses, leaving the checkpoint as it was", () => {
  const refused = async (options: typeof resume, message: string, identity = input()) => {
    const before = await readFile(path, "utf8");
    const error = await opened(path, identity, options).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(message);
    expect(await readFile(path, "utf8")).toBe(before);
  };

  it("rows delivered but no --resume", async () => {
    await written();
    await refused(
      fresh,
      `checkpoint ${path} exists from an earlier import: pass --resume to continue it, or delete it to start over`,
    );
  });

  it("a file that is not a checkpoint", async () => {
    await writeFile(path, "some notes\n1\n");
    await refused(resume, `${path} is not a parea import checkpoint; pass another --checkpoint`);
    await writeFile(path, "[1]\n");
    await refused(fresh, `${path} is not a parea import checkpoint; pass another --checkpoint`);
  });

  it.each([
    ["version 1", HEADER("in.jsonl", 1)],
    ["version 4", HEADER("in.jsonl", 4)],
    // Version 2 numbered CSV rows by csv-parse's count, off after a quoted CR: they name other rows.
    ["version 2, of a CSV file", HEADER("in.csv", 2)],
  ])("another version's checkpoint: %s", async (_, header) => {
    const csv = header.includes("in.csv");
    await writeFile(path, `${header}1\n`);
    await refused(
      resume,
      `${path} was written by another version of parea and cannot be resumed; delete it to start over`,
      { name: csv ? "in.csv" : "in.jsonl", path: inputPath },
    );
  });

  it("a version 2 checkpoint of JSON Lines is resumed: its row numbers are the same", async () => {
    await writeFile(path, `${HEADER("in.jsonl", 2)}1\n`);
    expect((await opened(path, input(), resume)).has(1)).toBe(true);
  });

  it("another input's checkpoint", async () => {
    await written();
    await refused(resume, `checkpoint ${path} was written for in.jsonl, not other.jsonl`, {
      name: "other.jsonl",
      path: inputPath,
    });
  });

  it("an input changed within what was read, or shorter than it", async () => {
    await written();
    const changed = (name: string, bytes: number) =>
      `${name} changed since checkpoint ${path} was written (its first ${bytes} bytes differ), so its line numbers no longer name the rows delivered; delete the checkpoint to import it from the start`;
    await writeFile(inputPath, "row one\nrow 2wo\n");
    await refused(resume, changed("in.jsonl", 16));
    await writeFile(inputPath, "row one\nrow two");
    await refused(resume, changed("in.jsonl", 16));
  });

  it("a checkpoint path it cannot open: the file system's error, and no file left behind", async () => {
    const missing = join(dir, "no-such-dir", "import.checkpoint");
    await expect(Checkpoint.open(missing, input(), fresh)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("a new checkpoint that cannot be written is removed; an existing one is kept", async () => {
    syncs.failWrites = true;
    await expect(opened(path, input(), fresh)).rejects.toMatchObject({ code: "ENOSPC" });
    expect(fs.existsSync(path)).toBe(false);
    await writeFile(path, "");
    await expect(opened(path, input(), fresh)).rejects.toMatchObject({ code: "ENOSPC" });
    expect(fs.existsSync(path)).toBe(true);
  });
});

describe("syncing", () => {
  it("a delivered row is synced within 250 ms; an idle checkpoint is not synced again", async () => {
    vi.useFakeTimers();
    const checkpoint = await opened(path, input(), fresh);
    vi.advanceTimersByTime(1_000);
    expect(syncs.count).toBe(0);
    checkpoint.add(1, prefixOf("row one\n"));
    checkpoint.add(2, prefixOf("row one\n"));
    vi.advanceTimersByTime(250);
    expect(syncs.count).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect(syncs.count).toBe(1);
  });

  it("close() syncs even when the timer just did, and stops the timer", async () => {
    vi.useFakeTimers();
    const checkpoint = await opened(path, input(), fresh);
    checkpoint.close();
    open.splice(0);
    expect(syncs.count).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a failed periodic sync is passed over (the next write reports a failing disk)", async () => {
    vi.useFakeTimers();
    const checkpoint = await opened(path, input(), fresh);
    checkpoint.add(1, prefixOf("row one\n"));
    syncs.fail = true;
    expect(() => vi.advanceTimersByTime(250)).not.toThrow();
    expect(syncs.count).toBe(1);
    syncs.fail = false;
    checkpoint.add(2, prefixOf("row one\n"));
    vi.advanceTimersByTime(250);
    expect(syncs.count).toBe(2);
  });

  it("a failed sync at close still closes the file", async () => {
    const checkpoint = await opened(path, input(), fresh);
    open.splice(0);
    syncs.fail = true;
    checkpoint.close();
    // The descriptor is closed: a write through it now fails.
    expect(() => checkpoint.add(1, prefixOf(""))).toThrow(/EBADF|bad file descriptor/i);
  });
});
