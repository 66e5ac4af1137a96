// The outbox under the conditions services meet (issue 24), one reproduction each, in process: a flaky
// API and a real outage, a 429's wait, a small spool cap, a leftover .acks, a full disk, wall-clock steps,
// an unwritable spool directory, a body with toJSON. Timing checks are lower bounds (a busy machine only
// makes waits longer) or structural (log lines, counts), never a margin a slow machine can eat.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PareaError, PareaInvalidRequestError } from "../src/errors.ts";
import { createOutbox } from "../src/outbox-entry.node.ts";
import { createFakeParea } from "../src/testing.node.ts";
import { captureLog } from "./support/capture-log.ts";
import { createPareaClient } from "./support/client-under-test.ts";
import { clientOf, KEY, server, spoolBytes, tempDir, traceIds } from "./support/outbox-helpers.ts";
import { onSimulatedDisk, quietConsole, restoreTimers } from "./support/outbox-world.ts";
import { SimFs } from "./support/sim-fs.ts";

const OUTAGE_LINE = /deliveries failed in a row; pausing/;

describe("outbox: a flaky API and an outage", () => {
  it("sporadic 503s back off the failing items only: no pause for everyone, every item delivered", async () => {
    const s = await server((n) => (n % 20 === 7 ? { status: 503 } : { status: 200, body: {} }));
    const { messages, logger } = captureLog();
    const outbox = createOutbox(clientOf(s.url, { logger }), { concurrency: 4 });
    for (let i = 0; i < 400; i++) outbox.recordFeedback({ trace_id: `t${i}`, score: 1 });
    expect(await outbox.flush({ timeoutMs: 60_000 })).toMatchObject({ delivered: 400, pending: 0 });
    expect(outbox.stats().retried).toBeGreaterThanOrEqual(19);
    expect(messages.filter((line) => OUTAGE_LINE.test(line))).toEqual([]);
    // While the first failed item waits for its retry (>= 375 ms), the others keep flowing; a pause for
    // everyone would let through only the few already in flight.
    const failed = s.requests.findIndex((r) => r.status === 503);
    const retry = s.requests.findIndex((r, i) => i > failed && r.body === s.requests[failed]!.body);
    expect(retry - failed - 1).toBeGreaterThan(8);
  }, 90_000);

  it("a real outage pauses everyone: then one probe at a time, each after a longer wait", async () => {
    let outageUntil = Infinity;
    let paused = Infinity;
    const s = await server(() => (performance.now() < outageUntil ? { status: 503 } : { status: 200, body: {} }));
    const logger = {
      ...console,
      warn: (line: string) => {
        if (OUTAGE_LINE.test(line)) paused = Math.min(paused, performance.now());
      },
    };
    const outbox = createOutbox(clientOf(s.url, { logger }), { concurrency: 8 });
    outageUntil = performance.now() + 4_000;
    for (let i = 0; i < 50; i++) outbox.recordFeedback({ trace_id: `t${i}`, score: 1 });
    expect(await outbox.flush({ timeoutMs: 60_000 })).toMatchObject({ delivered: 50, pending: 0 });
    expect(paused).toBeLessThan(Infinity);
    // After the pause began, during the outage: first the deliveries already in flight then (at most
    // concurrency - 1, arriving at once), then probes, one at a time, each a backoff step after the last.
    const after = s.requests.filter((r) => r.at > paused && r.at < outageUntil).map((r) => r.at);
    const step = (k: number) => 0.75 * 500 * 2 ** k - 5;
    const firstProbe = after.findIndex((at) => at - paused >= step(0));
    const stragglers = firstProbe === -1 ? after.length : firstProbe;
    expect(stragglers).toBeLessThanOrEqual(7);
    const probes = after.slice(stragglers);
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.length).toBeLessThanOrEqual(4);
    for (let k = 1; k < probes.length; k++) expect(probes[k]! - probes[k - 1]!).toBeGreaterThanOrEqual(step(k));
  }, 90_000);

  it("a 429 pauses every worker for the wait it names (Retry-After: 2), not the 1 s default", async () => {
    const s = await server((n) =>
      n === 0 ? { status: 429, headers: { "retry-after": "2" } } : { status: 200, body: {} },
    );
    const outbox = createOutbox(clientOf(s.url), { concurrency: 4 });
    outbox.recordFeedback({ trace_id: "first", score: 1 });
    await vi.waitFor(() => expect(s.requests[0]?.status).toBe(429));
    for (let i = 0; i < 12; i++) outbox.recordFeedback({ trace_id: `t${i}`, score: 1 });
    expect(await outbox.flush({ timeoutMs: 20_000 })).toMatchObject({ delivered: 13, pending: 0 });
    const [limited, ...rest] = s.requests;
    expect(rest).toHaveLength(13);
    for (const request of rest) expect(request.at - limited!.at).toBeGreaterThanOrEqual(1_950);
  }, 30_000);
});

describe("outbox: the spool's size and numbers", () => {
  it("a 64 KiB cap with a healthy API never fills: 20 batches of 100, each flushed, none dropped", async () => {
    const s = await server([{ status: 200, body: {} }]);
    const dir = tempDir();
    const cap = 64 * 1024;
    const outbox = createOutbox(clientOf(s.url), { spoolDir: dir, maxSpoolBytes: cap, concurrency: 8 });
    for (let batch = 0; batch < 20; batch++) {
      for (let i = 0; i < 100; i++) outbox.recordFeedback({ trace_id: `b${batch}-${i}`, score: 1, comment: "ok" });
      expect(await outbox.flush({ timeoutMs: 30_000 })).toMatchObject({ dropped: 0, pending: 0 });
      expect(spoolBytes(dir)).toBeLessThanOrEqual(cap);
    }
    expect(await outbox.shutdown()).toMatchObject({ delivered: 2_000, dropped: 0 });
  }, 60_000);

  it("a leftover .acks (a kill between deleting a segment's files) settles nothing new", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "000000000001.acks"), "1\n2\n3\n");
    const first = createOutbox(clientOf("http://127.0.0.1:9"), { spoolDir: dir });
    for (let i = 0; i < 3; i++) first.recordFeedback({ trace_id: `t${i}`, score: 1 });
    expect(await first.shutdown({ timeoutMs: 50 })).toMatchObject({ pending: 3 });
    const s = await server([{ status: 200, body: {} }]);
    const second = createOutbox(clientOf(s.url), { spoolDir: dir });
    expect(await second.shutdown()).toMatchObject({ delivered: 3, pending: 0 });
    expect(traceIds(s).sort()).toEqual(["t0", "t1", "t2"]);
  });

  it("segment numbers continue past every segment found: new ones never share an old one's files", () => {
    quietConsole();
    try {
      const fs = new SimFs();
      const open = () => onSimulatedDisk(fs).createOutbox;
      const down = { recordFeedback: () => Promise.reject(new Error("down")) };
      const first = open()(down, { spoolDir: "/s", maxSpoolBytes: 16 * 1024 });
      for (let i = 0; i < 40; i++) first.recordFeedback({ trace_id: `old${i}`, score: 1, comment: "o".repeat(200) });
      const old = [...fs.files.keys()].filter((path) => path.endsWith(".items"));
      expect(old.length).toBeGreaterThan(2);
      fs.revive(); // killed
      const second = open()(down, { spoolDir: "/s", maxSpoolBytes: 64 * 1024 });
      second.recordFeedback({ trace_id: "new", score: 1 });
      const written = [...fs.files].filter(([, data]) => data.includes('"new"')).map(([path]) => path);
      expect(written).toHaveLength(1);
      expect(old).not.toContain(written[0]);
      expect(written[0]! > old.sort().at(-1)!).toBe(true);
    } finally {
      restoreTimers();
    }
  });
});

describe("outbox: a disk that refuses writes", () => {
  afterEach(restoreTimers);

  it("a full disk: 20 000 calls cost one attempt per second of the disk, no new files; items kept in memory", async () => {
    quietConsole();
    const fs = new SimFs();
    const { createOutbox: createSimOutbox } = onSimulatedDisk(fs);
    const received: string[] = [];
    const outbox = createSimOutbox(
      { recordFeedback: (body: { trace_id: string }) => (received.push(body.trace_id), Promise.resolve({})) },
      { spoolDir: "/s", maxQueued: 100_000 },
    );
    fs.full = true;
    const before = fs.ops;
    for (let i = 0; i < 20_000; i++) outbox.recordFeedback({ trace_id: `t${i}`, score: 1 });
    expect(fs.ops - before).toBeLessThanOrEqual(4);
    expect(fs.files.size).toBeLessThanOrEqual(1);
    await vi.advanceTimersByTimeAsync(1_100);
    const after = fs.ops;
    outbox.recordFeedback({ trace_id: "later", score: 1 });
    expect(fs.ops - after).toBeLessThanOrEqual(2);
    fs.full = false;
    const flushed = outbox.flush({ timeoutMs: 10_000 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await flushed).toMatchObject({ delivered: 20_001, dropped: 0, pending: 0 });
    expect(new Set(received).size).toBe(20_001);
  });

  it("an unwritable spool directory is a PareaError naming spoolDir, not a raw EACCES", () => {
    const fs = new SimFs();
    fs.arm({ at: 2, kind: "EACCES" }); // mkdir, then the lock
    const { createOutbox: createSimOutbox } = onSimulatedDisk(fs);
    let thrown: unknown;
    try {
      createSimOutbox(createFakeParea(), { spoolDir: "/s" });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PareaError);
    expect(thrown).toMatchObject({ option: "spoolDir" });
    expect((thrown as Error).message).toMatch(/spoolDir \/s: cannot take its lock: permission denied \(EACCES\)/);
  });
});

describe("outbox: wall-clock steps", () => {
  afterEach(() => vi.restoreAllMocks());
  const stepWallClock = (ms: number) => {
    const real = Date.now.bind(Date);
    vi.spyOn(Date, "now").mockImplementation(() => real() + ms);
  };

  it("a step back of 1 h does not stall a 0.5 s retry", async () => {
    const s = await server([{ status: 503 }, { status: 200, body: {} }]);
    const outbox = createOutbox(clientOf(s.url));
    outbox.recordFeedback({ trace_id: "t", score: 1 });
    await vi.waitFor(() => expect(s.requests).toHaveLength(1));
    stepWallClock(-3_600_000);
    expect(await outbox.flush({ timeoutMs: 10_000 })).toMatchObject({ delivered: 1, pending: 0 });
  });

  it("a step forward of 2 h does not expire an item accepted just before", async () => {
    const s = await server([{ status: 503 }, { status: 200, body: {} }]);
    const outbox = createOutbox(clientOf(s.url), { maxAgeMs: 3_600_000 });
    outbox.recordFeedback({ trace_id: "t", score: 1 });
    stepWallClock(2 * 3_600_000);
    expect(await outbox.flush({ timeoutMs: 10_000 })).toMatchObject({ delivered: 1, dropped: 0 });
  });

  it("on a restart wall time counts, bounded: an item from 'the future' (clock set back) is new, not immortal", async () => {
    const dir = tempDir();
    const first = createOutbox(clientOf("http://127.0.0.1:9"), { spoolDir: dir, maxAgeMs: 1_000 });
    first.recordFeedback({ trace_id: "t", score: 1 });
    await first.shutdown({ timeoutMs: 10 });
    stepWallClock(-3_600_000);
    const drops: string[] = [];
    const second = createOutbox(clientOf("http://127.0.0.1:9"), {
      spoolDir: dir,
      maxAgeMs: 1_000,
      onDrop: (drop) => drops.push(drop.reason),
    });
    const started = performance.now();
    expect(await second.flush({ timeoutMs: 20_000 })).toMatchObject({ dropped: 1, pending: 0 });
    expect(drops).toEqual(["expired"]);
    // Expired by its bounded age (at most maxAgeMs after the restart), not an hour later.
    expect(performance.now() - started).toBeLessThan(20_000);
    await second.shutdown();
  });
});

describe("outbox and client: what is validated is what is sent", () => {
  const sneaky = { trace_id: "t", score: 1, toJSON: () => ({ trace_id: "t", score: 7 }) };

  it("a body whose toJSON breaks the spec is refused by the outbox, and nothing is queued", () => {
    const outbox = createOutbox(createPareaClient({ apiKey: KEY, fetch: createFakeParea().fetch }));
    expect(() => outbox.recordFeedback(sneaky)).toThrow(PareaInvalidRequestError);
    expect(() => outbox.recordFeedback({ trace_id: "t", score: Number.NaN })).toThrow(/score must be number/);
    expect(outbox.stats().queued).toBe(0);
  });

  it("the client refuses it too, and sends nothing", async () => {
    const fake = createFakeParea();
    const parea = createPareaClient({ apiKey: KEY, fetch: fake.fetch });
    await expect(parea.recordFeedback(sneaky)).rejects.toThrow(PareaInvalidRequestError);
    await expect(parea.recordFeedback(sneaky)).rejects.toThrow(/score/);
    expect(fake.calls("recordFeedback")).toHaveLength(0);
    // A toJSON that keeps to the spec is sent as it serializes.
    await parea.recordFeedback({ trace_id: "d", score: 1, toJSON: () => ({ trace_id: "d2", score: 0.5 }) } as never);
    expect(fake.calls("recordFeedback").map((call) => call.body)).toEqual([{ trace_id: "d2", score: 0.5 }]);
  });
});
