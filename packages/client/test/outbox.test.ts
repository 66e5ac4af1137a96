// The outbox in one process, over real HTTP on 127.0.0.1 (the fault server where a test needs outages,
// stalls or a key echoed back; the fake where a service's own test would use it): what is accepted,
// retried, rejected and dropped, the counts flush/shutdown/stats report, the spool's lock and size.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PareaError, PareaInvalidRequestError, PareaValidationError } from "../src/errors.ts";
import { operations } from "../src/generated/operations/index.ts";
import { createPareaClient } from "./support/client-under-test.ts";
import { createOutbox as createMemoryOutbox } from "../src/outbox-entry.ts";
import { createOutbox, type OutboxDrop } from "../src/outbox-entry.node.ts";
import { createFakeParea } from "../src/testing.node.ts";
import { captureLog } from "./support/capture-log.ts";
import { cleanups, clientOf, KEY, server, spoolBytes, tempDir, traceIds } from "./support/outbox-helpers.ts";

describe("outbox: the request path", () => {
  it("has one method per retry-safe operation of the generated table, and nothing else", () => {
    const outbox = createMemoryOutbox(createFakeParea());
    const retrySafe = Object.values(operations)
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a literal true for this spec's one operation, not for every spec's
      .filter((op) => op.retrySafe)
      .map((op) => op.name);
    expect(retrySafe.length).toBeGreaterThan(0);
    expect(Object.keys(outbox).sort()).toEqual([...retrySafe, "flush", "shutdown", "stats"].sort());
  });

  it("a body that breaks the spec throws PareaInvalidRequestError and nothing is queued", async () => {
    const fake = createFakeParea();
    const outbox = createOutbox(createPareaClient({ apiKey: KEY, fetch: fake.fetch }));
    expect(() => outbox.recordFeedback({ trace_id: "t", score: 7 })).toThrow(PareaInvalidRequestError);
    expect(() => outbox.recordFeedback({ trace_id: "t" } as never)).toThrow(/score is required/);
    expect(outbox.stats().queued).toBe(0);
    expect((await outbox.flush()).delivered).toBe(0);
    expect(fake.calls("recordFeedback")).toHaveLength(0);
  });

  it("returns at once while Parea stalls, and copies the body when called (later changes are not sent)", async () => {
    const s = await server([{ delayMs: 300 }]);
    const outbox = createOutbox(clientOf(s.url));
    const body = { trace_id: "before", score: 1 };
    outbox.recordFeedback(body);
    // Returned before the request could even reach the server: nothing was awaited.
    expect(s.requests).toHaveLength(0);
    expect(outbox.stats()).toMatchObject({ queued: 1, inFlight: 1 });
    body.trace_id = "after";
    expect(await outbox.flush()).toEqual({ delivered: 1, rejected: 0, dropped: 0, pending: 0 });
    expect(traceIds(s)).toEqual(["before"]);
  });

  it("after shutdown a call throws PareaError and nothing is queued", async () => {
    const fake = createFakeParea();
    const outbox = createOutbox(createPareaClient({ apiKey: KEY, fetch: fake.fetch }));
    outbox.recordFeedback({ trace_id: "t1", score: 1 });
    expect(await outbox.shutdown()).toEqual({ delivered: 1, rejected: 0, dropped: 0, pending: 0 });
    expect(() => outbox.recordFeedback({ trace_id: "t2", score: 1 })).toThrow(PareaError);
    expect(() => outbox.recordFeedback({ trace_id: "t2", score: 1 })).toThrow(/shut down/);
    expect(fake.calls("recordFeedback").map((c) => c.body.trace_id)).toEqual(["t1"]);
    expect(outbox.stats().queued).toBe(0);
  });

  it("refuses bad options with a PareaError naming the option", () => {
    const parea = clientOf("http://127.0.0.1:9");
    const option = (options: object) => {
      try {
        createOutbox(parea, options);
      } catch (error) {
        expect(error).toBeInstanceOf(PareaError);
        return (error as PareaError).option;
      }
    };
    expect(option({ concurrency: 0 })).toBe("concurrency");
    expect(option({ maxQueued: 1.5 })).toBe("maxQueued");
    expect(option({ maxAgeMs: -1 })).toBe("maxAgeMs");
    expect(option({ onDrop: "log" })).toBe("onDrop");
    expect(option({ spoolDir: "" })).toBe("spoolDir");
    expect(() => createMemoryOutbox(parea, { spoolDir: tempDir() })).toThrow(/needs a file system/);
  });
});

describe("outbox: delivery", () => {
  it("an outage of 3 s in the middle of 2 000 items: all delivered once it is back, pending 0", async () => {
    let outageFrom = Infinity;
    const s = await server((n) => {
      if (n === 600) outageFrom = performance.now();
      const down = performance.now() >= outageFrom && performance.now() - outageFrom < 3_000;
      return down ? (n % 2 ? { reset: true } : { status: 503 }) : { status: 200, body: { id: "ok" } };
    });
    const outbox = createOutbox(clientOf(s.url), { concurrency: 8 });
    for (let i = 0; i < 2_000; i++) {
      outbox.recordFeedback({ trace_id: `t${i}`, score: 0.5 });
      if (i % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const result = await outbox.flush();
    expect(result).toEqual({ delivered: 2_000, rejected: 0, dropped: 0, pending: 0 });
    expect(outageFrom).toBeLessThan(Infinity);
    expect(new Set(traceIds(s)).size).toBe(2_000);
    expect(outbox.stats().retried).toBeGreaterThan(0);
    // Gentle during the outage: a paused outbox, not 2 000 items hammering a down server.
    const duringOutage = s.requests.filter((r) => r.at >= outageFrom && r.at < outageFrom + 3_000).length;
    expect(duringOutage).toBeLessThan(100);
  }, 90_000);

  it("a 422 is rejected without retry: counted, onDrop with the PareaApiError, a warn line", async () => {
    const s = await server([{ status: 422, body: { detail: [{ loc: ["body", "score"], msg: "bad", type: "x" }] } }]);
    const drops: OutboxDrop[] = [];
    const { messages: lines, logger } = captureLog();
    const outbox = createOutbox(clientOf(s.url, { logger }), { onDrop: (drop) => drops.push(drop) });
    outbox.recordFeedback({ trace_id: "t1", score: 1 });
    expect(await outbox.flush()).toEqual({ delivered: 0, rejected: 1, dropped: 0, pending: 0 });
    expect(s.requests).toHaveLength(1);
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatchObject({
      operation: "recordFeedback",
      body: { trace_id: "t1", score: 1 },
      reason: "rejected",
    });
    expect(drops[0]!.error).toBeInstanceOf(PareaValidationError);
    expect(lines.filter((line) => /outbox dropped/.test(line))).toHaveLength(1);
    expect(outbox.stats()).toEqual({ queued: 0, inFlight: 0, delivered: 0, retried: 0, rejected: 1, dropped: 0 });
  });

  it("retries 5xx, 408, 409, 429 and dropped connections; logs a debug line per retry", async () => {
    const s = await server([
      { status: 500 },
      { status: 408 },
      { status: 409 },
      { status: 429, headers: { "retry-after": "0" } },
      { reset: true },
      { status: 200, body: { id: "ok" } },
    ]);
    const { messages: lines, logger } = captureLog();
    const outbox = createOutbox(clientOf(s.url, { logger, logLevel: "debug" }));
    outbox.recordFeedback({ trace_id: "t1", score: 1 });
    expect(await outbox.flush()).toMatchObject({ delivered: 1, pending: 0 });
    expect(s.requests).toHaveLength(6);
    expect(outbox.stats().retried).toBe(5);
    expect(lines.filter((line) => /outbox: recordFeedback item \d+ again in/.test(line))).toHaveLength(5);
  }, 60_000);

  it("honours Retry-After, and a 429 pauses every worker", async () => {
    const s = await server((n) =>
      n === 0 ? { status: 429, headers: { "retry-after": "1" } } : { status: 200, body: { id: "ok" } },
    );
    const outbox = createOutbox(clientOf(s.url), { concurrency: 4 });
    outbox.recordFeedback({ trace_id: "first", score: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let i = 0; i < 8; i++) outbox.recordFeedback({ trace_id: `t${i}`, score: 1 });
    await outbox.flush();
    const [limited, ...rest] = s.requests;
    expect(rest).toHaveLength(9);
    for (const request of rest) expect(request.at - limited!.at).toBeGreaterThanOrEqual(950);
  });

  it("maxQueued: past it new items are dropped as full, counted exactly, with their bodies", async () => {
    const s = await server([{ delayMs: 100 }]);
    const drops: OutboxDrop[] = [];
    const outbox = createOutbox(clientOf(s.url), { maxQueued: 100, onDrop: (drop) => drops.push(drop) });
    for (let i = 0; i < 137; i++) outbox.recordFeedback({ trace_id: `t${i}`, score: 1 });
    expect(outbox.stats()).toMatchObject({ queued: 100, dropped: 37 });
    expect(drops.map((d) => [d.reason, (d.body as { trace_id: string }).trace_id])).toEqual(
      Array.from({ length: 37 }, (_, i) => ["full", `t${i + 100}`]),
    );
    expect(await outbox.flush()).toEqual({ delivered: 100, rejected: 0, dropped: 37, pending: 0 });
    // Settled items free their places.
    outbox.recordFeedback({ trace_id: "later", score: 1 });
    expect(outbox.stats()).toMatchObject({ queued: 1, dropped: 37 });
    await outbox.shutdown();
  }, 60_000);

  it("maxAgeMs: an item still undelivered then is dropped as expired", async () => {
    const s = await server([{ status: 503 }]);
    const drops: OutboxDrop[] = [];
    const outbox = createOutbox(clientOf(s.url), { maxAgeMs: 600, onDrop: (drop) => drops.push(drop) });
    const started = performance.now();
    for (let i = 0; i < 5; i++) outbox.recordFeedback({ trace_id: `t${i}`, score: 1 });
    expect(await outbox.flush()).toEqual({ delivered: 0, rejected: 0, dropped: 5, pending: 0 });
    // Not an upper bound: items that never expired would still be pending after flush's 10 s.
    expect(performance.now() - started).toBeGreaterThanOrEqual(550);
    expect(drops.map((d) => d.reason)).toEqual(["expired", "expired", "expired", "expired", "expired"]);
    expect(outbox.stats()).toMatchObject({ queued: 0, dropped: 5, delivered: 0 });
  });

  it("flush with a timeout reports what is still pending; shutdown's deadline stops in-flight sends", async () => {
    // Stuck sends: answered only after 20 s, within the client's 30 s timeout.
    const s = await server([{ delayMs: 20_000 }]);
    const outbox = createOutbox(clientOf(s.url, { timeoutMs: 30_000 }));
    for (let i = 0; i < 3; i++) outbox.recordFeedback({ trace_id: `t${i}`, score: 1 });
    expect(await outbox.flush({ timeoutMs: 200 })).toEqual({ delivered: 0, rejected: 0, dropped: 0, pending: 3 });
    // In memory nothing keeps them: handed to onDrop ("shutdown") rather than lost unsaid.
    expect(await outbox.shutdown({ timeoutMs: 100 })).toMatchObject({ dropped: 3, pending: 0 });
    // No send had been answered yet: the deadline, not the sends, ended it.
    expect(s.requests.map((r) => r.status)).toEqual([undefined, undefined, undefined]);
  });

  it("works with the fake: flush, then fake.calls; scripted 503s and network errors are retried", async () => {
    const fake = createFakeParea();
    fake.reply("recordFeedback", { status: 503, times: 2 });
    fake.reply("recordFeedback", { networkError: true });
    const parea = createPareaClient({ apiKey: KEY, fetch: fake.fetch });
    const outbox = createOutbox(parea);
    outbox.recordFeedback({ trace_id: "t1", score: 1, comment: "great" });
    outbox.recordFeedback({ trace_id: "t2", score: 0 });
    expect(await outbox.flush()).toMatchObject({ delivered: 2, pending: 0 });
    const calls = fake.calls("recordFeedback");
    expect(calls).toHaveLength(5);
    expect(new Set(calls.map((c) => c.body.trace_id))).toEqual(new Set(["t1", "t2"]));
    expect(fake.violations()).toEqual([]);
  }, 30_000);

  it("with logLevel error (no warn line), a drop and an onDrop that throws still throw nothing", async () => {
    const fake = createFakeParea();
    const parea = createPareaClient({ apiKey: KEY, fetch: fake.fetch, logLevel: "error" });
    const reasons: string[] = [];
    const outbox = createMemoryOutbox(parea, {
      maxQueued: 1,
      onDrop: (drop) => {
        reasons.push(drop.reason);
        throw new Error("onDrop broke");
      },
    });
    outbox.recordFeedback({ trace_id: "t1", score: 1 });
    outbox.recordFeedback({ trace_id: "t2", score: 1 }); // past maxQueued
    expect(reasons).toEqual(["full"]);
    expect(await outbox.flush()).toEqual({ delivered: 1, rejected: 0, dropped: 1, pending: 0 });
  });

  it("works with the fake over HTTP (listen) too", async () => {
    const fake = createFakeParea();
    const http = await fake.listen();
    cleanups.push(() => http.close());
    const outbox = createOutbox(clientOf(http.url));
    outbox.recordFeedback({ trace_id: "t1", score: 1 });
    await outbox.flush();
    expect(fake.calls("recordFeedback").map((c) => c.body)).toEqual([{ trace_id: "t1", score: 1 }]);
  });

  it("delivers through any object with the operations' methods (a service's own stub)", async () => {
    const sent: unknown[] = [];
    let fail = 1;
    const stub = {
      recordFeedback: (body: unknown) => {
        if (fail-- > 0) return Promise.reject(new Error("stub outage"));
        sent.push(body);
        return Promise.resolve();
      },
    };
    const outbox = createMemoryOutbox(stub);
    outbox.recordFeedback({ trace_id: "t1", score: 1 });
    expect(await outbox.flush()).toMatchObject({ delivered: 1 });
    expect(sent).toEqual([{ trace_id: "t1", score: 1 }]);
  });
});

describe("outbox: secrets", () => {
  it("the key is never in logs, drops or the spool, even when the server echoes it", async () => {
    const echo = { detail: `invalid key ${KEY}` };
    const s = await server([
      { status: 503, headers: { "x-echo": KEY }, body: echo },
      { status: 400, headers: { "x-echo": KEY }, body: echo },
    ]);
    const dir = tempDir();
    const drops: OutboxDrop[] = [];
    const { messages: lines, logger } = captureLog();
    const outbox = createOutbox(clientOf(s.url, { logger, logLevel: "debug" }), {
      spoolDir: join(dir, "spool"),
      onDrop: (drop) => drops.push(drop),
    });
    outbox.recordFeedback({ trace_id: "t1", score: 1 });
    const spooled = readdirSync(join(dir, "spool"))
      .filter((name) => !name.endsWith(".sock"))
      .map((name) => name + readFileSync(join(dir, "spool", name), "utf8"));
    expect(await outbox.flush()).toMatchObject({ rejected: 1 });
    await outbox.shutdown();
    const error = drops[0]!.error as PareaError & { body: unknown; headers: Headers };
    const everything = [
      ...lines,
      ...spooled,
      JSON.stringify(drops),
      error.message,
      String(error.stack),
      JSON.stringify(error.body),
      JSON.stringify([...error.headers]),
    ].join("\n");
    expect(everything).toContain("[redacted]");
    expect(everything).not.toContain(KEY);
    expect(spooled.join("")).not.toMatch(/x-api-key|api_key|headers/i);
  });
});

describe("outbox: the spool", () => {
  it("survives a restart: what one outbox left, the next on the directory delivers, oldest first", async () => {
    const dir = tempDir();
    const down = clientOf("http://127.0.0.1:9");
    const first = createOutbox(down, { spoolDir: dir });
    for (let i = 0; i < 50; i++) first.recordFeedback({ trace_id: `t${i}`, score: 1 });
    expect(await first.shutdown({ timeoutMs: 50 })).toMatchObject({ delivered: 0, pending: 50 });
    const s = await server([{ status: 200, body: { id: "ok" } }]);
    const second = createOutbox(clientOf(s.url), { spoolDir: dir, concurrency: 1 });
    expect(second.stats().queued).toBe(50);
    expect(await second.shutdown()).toMatchObject({ delivered: 50, pending: 0 });
    expect(traceIds(s)).toEqual(Array.from({ length: 50 }, (_, i) => `t${i}`));
    // Everything settled: nothing but the directory is left.
    expect(readdirSync(dir)).toEqual([]);
  });

  it("one live outbox per directory: a second is refused naming the pid; the lock goes with its holder, whatever the pid file says", async () => {
    const dir = tempDir();
    const parea = clientOf("http://127.0.0.1:9");
    const first = createOutbox(parea, { spoolDir: dir });
    expect(() => createOutbox(parea, { spoolDir: dir })).toThrow(
      new RegExp(`in use by another outbox \\(pid ${process.pid}\\)`),
    );
    await first.shutdown();
    await createOutbox(parea, { spoolDir: dir }).shutdown();
    expect(readdirSync(dir)).toEqual([]);

    // The pid is information only: a file naming a live process (a reused pid, another container's
    // pid 2) holds nothing, since no socket of the lock answers.
    const alive = process.ppid; // vitest's main process: alive, and not us
    writeFileSync(join(dir, "outbox.lock"), `${JSON.stringify({ pid: alive, host: "elsewhere", socket: "x.sock" })}\n`);
    const taken = createOutbox(parea, { spoolDir: dir });
    expect(JSON.parse(readFileSync(join(dir, "outbox.lock"), "utf8"))).toMatchObject({ pid: process.pid });
    await taken.shutdown();
  });
  it("settled items are compacted away: the spool does not grow with the number delivered", async () => {
    const dir = tempDir();
    const s = await server([{ status: 200, body: { id: "ok" } }]);
    // A 256 KiB cap makes 32 KiB segments: 1 200 items of ~480 bytes (576 KB) are twice the cap, so without
    // compaction later items would be refused as full. flush() has no deadline: the sizes are read only once
    // every item of a round is settled, however slow the machine.
    const maxSpoolBytes = 256 * 1024;
    const drops: OutboxDrop[] = [];
    const outbox = createOutbox(clientOf(s.url), {
      spoolDir: dir,
      concurrency: 16,
      maxSpoolBytes,
      onDrop: (d) => drops.push(d),
    });
    const comment = "x".repeat(400);
    let largest = 0;
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 200; i++) outbox.recordFeedback({ trace_id: `r${round}-${i}`, score: 1, comment });
      await outbox.flush();
      expect(outbox.stats()).toMatchObject({ delivered: 200 * (round + 1), queued: 0 });
      largest = Math.max(largest, spoolBytes(dir));
    }
    // What stays is at most the open segment (an eighth of the cap) and its acks.
    expect(largest).toBeLessThan(1.5 * (maxSpoolBytes / 8));
    expect(drops).toEqual([]);
    expect(await outbox.shutdown()).toMatchObject({ delivered: 1_200 });
  }, 120_000);

  it("a sparse old segment is copied forward: one slow item does not pin a whole segment", async () => {
    const dir = tempDir();
    let released = false;
    const s = await server((_, request) =>
      !released && (JSON.parse(request.body) as { trace_id: string }).trace_id === "slow"
        ? { status: 503, headers: { "retry-after": "1" } }
        : { status: 200, body: {} },
    );
    // 32 KiB segments (an eighth of the cap): 121 items of ~1.1 KB fill four and start a fifth; the first
    // is kept only by "slow".
    const maxSpoolBytes = 256 * 1024;
    const outbox = createOutbox(clientOf(s.url), { spoolDir: dir, maxSpoolBytes, concurrency: 16 });
    const comment = "y".repeat(1_000);
    outbox.recordFeedback({ trace_id: "slow", score: 1, comment });
    for (let i = 0; i < 120; i++) outbox.recordFeedback({ trace_id: `t${i}`, score: 1, comment });
    while (outbox.stats().delivered < 120) await new Promise((r) => setTimeout(r, 20));
    const bytes = spoolBytes(dir);
    expect(outbox.stats()).toMatchObject({ queued: 1, delivered: 120 });
    // Less than one full segment: the first was emptied into the open one, which holds a few items.
    expect(bytes).toBeLessThan(maxSpoolBytes / 8);
    released = true;
    expect(await outbox.flush()).toMatchObject({ delivered: 121, pending: 0 });
    await outbox.shutdown();
    expect(traceIds(s).filter((id) => id === "slow")).toHaveLength(1);
  }, 60_000);

  it("past maxSpoolBytes new items are dropped as full; the files never pass it", async () => {
    const dir = tempDir();
    const drops: OutboxDrop[] = [];
    const cap = 16 * 1024;
    const outbox = createOutbox(clientOf("http://127.0.0.1:9"), {
      spoolDir: dir,
      maxSpoolBytes: cap,
      onDrop: (drop) => drops.push(drop),
    });
    for (let i = 0; i < 400; i++) outbox.recordFeedback({ trace_id: `t${i}`, score: 1 });
    const { queued, dropped } = outbox.stats();
    expect(queued + dropped).toBe(400);
    expect(dropped).toBeGreaterThan(0);
    expect(drops.every((drop) => drop.reason === "full")).toBe(true);
    expect(spoolBytes(dir)).toBeLessThanOrEqual(cap);
    // What was refused, was refused for pending items, not for settled ones: most of the cap is pending.
    expect(spoolBytes(dir)).toBeGreaterThan(cap * 0.75);
    await outbox.shutdown({ timeoutMs: 10 });
  });

  it("a cap below 16 KiB is refused: the spool could not keep room to compact", () => {
    expect(() => createOutbox(clientOf("http://127.0.0.1:9"), { spoolDir: tempDir(), maxSpoolBytes: 2_000 })).toThrow(
      /maxSpoolBytes must be a whole number from 16384/,
    );
  });

  it("a torn last record is skipped, with a warn line; every whole record is delivered", async () => {
    const dir = tempDir();
    const first = createOutbox(clientOf("http://127.0.0.1:9"), { spoolDir: dir });
    for (let i = 0; i < 3; i++) first.recordFeedback({ trace_id: `t${i}`, score: 1 });
    await first.shutdown({ timeoutMs: 10 });
    const [segment] = readdirSync(dir).filter((name) => name.endsWith(".items"));
    writeFileSync(join(dir, segment!), '{"id":4,"op":"recordFeedback","at":1,"body":{"trace_', { flag: "a" });
    const s = await server([{ status: 200, body: {} }]);
    const { messages: lines, logger } = captureLog();
    const second = createOutbox(clientOf(s.url, { logger }), { spoolDir: dir });
    expect(await second.shutdown()).toMatchObject({ delivered: 3, pending: 0 });
    expect(traceIds(s).sort()).toEqual(["t0", "t1", "t2"]);
    expect(lines.some((line) => /skipped 1 torn or unreadable record/.test(line))).toBe(true);
  });
});
