// The outbox's bookkeeping at its edges, over a stub API answered by the test, on fake time: what a
// flush covers and when it gives up, shutdown called twice, onDrop throwing, maxQueued, an item the
// spec no longer has as retry-safe in the spool, a stub lacking a method, and what a shutdown hands to
// onDrop when the disk refused the items.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PareaApiError, PareaError } from "../src/errors.ts";
import { createOutbox as createMemoryOutbox } from "../src/outbox-entry.ts";
import { createOutbox, type OutboxDrop } from "../src/outbox-entry.node.ts";
import { tempDir } from "./support/outbox-helpers.ts";
import { onSimulatedDisk } from "./support/outbox-world.ts";
import { SimFs } from "./support/sim-fs.ts";

let warned: string[] = [];
beforeEach(() => {
  warned = [];
  vi.spyOn(console, "warn").mockImplementation((line: string) => void warned.push(line));
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** A stand-in client whose every delivery waits for the test to answer it. */
function stubApi() {
  const calls: { trace: string; answer: (ok: boolean) => Promise<void> }[] = [];
  const api = {
    recordFeedback: (body: { trace_id: string }) =>
      new Promise((resolve, reject) =>
        calls.push({
          trace: body.trace_id,
          answer: async (ok) => {
            if (ok) resolve({});
            else reject(new PareaError("down"));
            await vi.advanceTimersByTimeAsync(0);
          },
        }),
      ),
  };
  return { api, calls };
}

describe("outbox: flush and shutdown", () => {
  it("a flush covers what was accepted before it, not after; stats count as it goes", async () => {
    const { api, calls } = stubApi();
    const outbox = createMemoryOutbox(api, { concurrency: 2 });
    outbox.recordFeedback({ trace_id: "a", score: 1 });
    const flushed = outbox.flush();
    outbox.recordFeedback({ trace_id: "b", score: 1 });
    expect(outbox.stats()).toEqual({ queued: 2, inFlight: 2, delivered: 0, retried: 0, rejected: 0, dropped: 0 });
    await calls[0]!.answer(true);
    expect(await flushed).toEqual({ delivered: 1, rejected: 0, dropped: 0, pending: 0 });
    expect(outbox.stats()).toMatchObject({ queued: 1, inFlight: 1, delivered: 1 });
    await calls[1]!.answer(false);
    expect(outbox.stats()).toMatchObject({ queued: 1, inFlight: 0, retried: 1 });
  });

  it("a flush waits for what it covers even when later items settle first", async () => {
    const { api, calls } = stubApi();
    const outbox = createMemoryOutbox(api, { concurrency: 3 });
    outbox.recordFeedback({ trace_id: "a", score: 1 });
    const flushed = outbox.flush();
    let done = false;
    void flushed.then(() => (done = true));
    outbox.recordFeedback({ trace_id: "b", score: 1 });
    outbox.recordFeedback({ trace_id: "c", score: 1 });
    await calls[1]!.answer(true);
    await calls[2]!.answer(true);
    expect(done).toBe(false);
    await calls[0]!.answer(true);
    expect(await flushed).toEqual({ delivered: 3, rejected: 0, dropped: 0, pending: 0 });
  });

  it("a stub's method gets each delivery once (maxRetries 0) with a signal that shutdown aborts, saying why", async () => {
    const given: unknown[] = [];
    const api = {
      recordFeedback: (_body: unknown, options: unknown) => {
        given.push(options);
        return new Promise(() => {}); // never answered
      },
    };
    const outbox = createMemoryOutbox(api);
    outbox.recordFeedback({ trace_id: "a", score: 1 });
    expect(given).toEqual([{ maxRetries: 0, signal: expect.any(AbortSignal) as unknown }]);
    const closed = outbox.shutdown({ timeoutMs: 5 });
    await vi.advanceTimersByTimeAsync(5);
    expect(await closed).toMatchObject({ dropped: 1 });
    const { signal } = given[0] as { signal: AbortSignal };
    expect(signal.reason).toEqual(new PareaError("the outbox was shut down"));
  });

  it("a flush with a deadline says what is still pending; with nothing queued it resolves at once", async () => {
    const { api } = stubApi();
    const outbox = createMemoryOutbox(api);
    expect(await outbox.flush({ timeoutMs: 1 })).toEqual({ delivered: 0, rejected: 0, dropped: 0, pending: 0 });
    outbox.recordFeedback({ trace_id: "a", score: 1 });
    outbox.recordFeedback({ trace_id: "b", score: 1 });
    const flushed = outbox.flush({ timeoutMs: 100 });
    await vi.advanceTimersByTimeAsync(99);
    let done = false;
    void flushed.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await flushed).toEqual({ delivered: 0, rejected: 0, dropped: 0, pending: 2 });
  });

  it("shutdown twice is one shutdown; a flush after it resolves at once with what is left", async () => {
    const { api, calls } = stubApi();
    const drops: OutboxDrop[] = [];
    const outbox = createMemoryOutbox(api, { onDrop: (drop) => drops.push(drop) });
    outbox.recordFeedback({ trace_id: "a", score: 1 });
    const first = outbox.shutdown({ timeoutMs: 50 });
    expect(outbox.shutdown()).toBe(first);
    await vi.advanceTimersByTimeAsync(50);
    expect(await first).toEqual({ delivered: 0, rejected: 0, dropped: 1, pending: 0 });
    expect(drops.map((drop) => [drop.reason, drop.body])).toEqual([["shutdown", { trace_id: "a", score: 1 }]]);
    expect(await outbox.flush()).toEqual({ delivered: 0, rejected: 0, dropped: 1, pending: 0 });
    await calls[0]!.answer(true); // too late: it was given up
    expect(outbox.stats()).toMatchObject({ delivered: 0, dropped: 1 });
  });
});

describe("outbox: drops", () => {
  it("past maxQueued an item is dropped as full, with a warn line; an onDrop that throws is a warn line too", () => {
    const { api } = stubApi();
    const outbox = createMemoryOutbox(api, {
      maxQueued: 1,
      onDrop: () => {
        throw new Error("onDrop broke");
      },
    });
    outbox.recordFeedback({ trace_id: "a", score: 1 });
    outbox.recordFeedback({ trace_id: "b", score: 1 });
    expect(outbox.stats()).toMatchObject({ queued: 1, dropped: 1 });
    expect(warned).toEqual([
      "[parea] outbox dropped a recordFeedback item (full)",
      "[parea] outbox onDrop threw: Error: onDrop broke",
    ]);
  });

  it("a final error is one warn line with its message, retries none (and no debug line); no onDrop is fine", async () => {
    const debug = vi.spyOn(console, "debug").mockImplementation(() => {});
    const refused = Object.assign(new PareaApiError("HTTP 400: bad trace"), { status: 400, headers: new Headers() });
    let sent = 0;
    const api = { recordFeedback: () => Promise.reject(sent++ === 0 ? new PareaError("down") : refused) };
    const outbox = createMemoryOutbox(api);
    outbox.recordFeedback({ trace_id: "a", score: 1 });
    const flushed = outbox.flush();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await flushed).toEqual({ delivered: 0, rejected: 1, dropped: 0, pending: 0 });
    expect(sent).toBe(2);
    expect(warned).toEqual(["[parea] outbox dropped a recordFeedback item (rejected: HTTP 400: bad trace)"]);
    expect(debug).not.toHaveBeenCalled();
  });

  it("a spooled item whose operation is no longer retry-safe in the spec is rejected, said why", async () => {
    const dir = tempDir();
    const line = { id: 4, op: "deleteEverything", at: Date.now(), body: { all: true } };
    writeFileSync(join(dir, "000000000001.items"), `${JSON.stringify(line)}\n`);
    const drops: OutboxDrop[] = [];
    const { api } = stubApi();
    const outbox = createOutbox(api, { spoolDir: dir, onDrop: (drop) => drops.push(drop) });
    expect(drops).toEqual([
      {
        operation: "deleteEverything",
        body: { all: true },
        reason: "rejected",
        error: new PareaError(
          "the spool holds a deleteEverything item, which the spec no longer has as a retry-safe operation",
        ),
      },
    ]);
    outbox.recordFeedback({ trace_id: "a", score: 1 });
    expect(outbox.stats()).toMatchObject({ queued: 1, rejected: 1 });
    const closed = outbox.shutdown({ timeoutMs: 1 });
    await vi.advanceTimersByTimeAsync(1);
    expect(await closed).toMatchObject({ rejected: 1, pending: 1 });
  });

  it("a stub without an operation's method: calls are refused at once, spooled items rejected, said why", async () => {
    const dir = tempDir();
    const line = { id: 4, op: "recordFeedback", at: Date.now(), body: { trace_id: "left", score: 1 } };
    writeFileSync(join(dir, "000000000001.items"), `${JSON.stringify(line)}\n`);
    const drops: OutboxDrop[] = [];
    const why = "createOutbox: the client has no recordFeedback method; pass one made by createPareaClient";
    const outbox = createOutbox(
      { recordFeedback: "not a function" },
      { spoolDir: dir, onDrop: (drop) => drops.push(drop) },
    );
    expect(drops).toEqual([
      {
        operation: "recordFeedback",
        body: { trace_id: "left", score: 1 },
        reason: "rejected",
        error: new PareaError(why),
      },
    ]);
    expect(() => outbox.recordFeedback({ trace_id: "a", score: 1 })).toThrow(new PareaError(why));
    expect(outbox.stats()).toMatchObject({ queued: 0, rejected: 1, dropped: 0 });
    expect(await outbox.shutdown()).toEqual({ delivered: 0, rejected: 1, dropped: 0, pending: 0 });
  });

  it("at shutdown what the disk refused goes to onDrop; what it took stays pending in the spool", async () => {
    const fs = new SimFs();
    const { api } = stubApi();
    const drops: OutboxDrop[] = [];
    const outbox = onSimulatedDisk(fs).createOutbox(api, { spoolDir: "/s", onDrop: (drop) => drops.push(drop) });
    outbox.recordFeedback({ trace_id: "kept", score: 1 });
    fs.full = true;
    outbox.recordFeedback({ trace_id: "refused", score: 1 });
    const result = outbox.shutdown({ timeoutMs: 10 });
    await vi.advanceTimersByTimeAsync(10);
    expect(await result).toEqual({ delivered: 0, rejected: 0, dropped: 1, pending: 1 });
    expect(drops.map((drop) => [drop.reason, (drop.body as { trace_id: string }).trace_id])).toEqual([
      ["shutdown", "refused"],
    ]);
  });
});
