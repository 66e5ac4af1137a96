// The outbox's workers alone (src/outbox/dispatch.ts), on fake time with no jitter, each delivery
// answered by the test: how many go at once and in what order, an item's own backoff, what is final,
// expiry, an outage's pause and probes, a 429's pause, stop, and the one wake timer (when it is set, and
// when it holds the process). The outbox's tests over HTTP show the same behaviours end to end; here
// every threshold is tried on both sides.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PareaApiError, PareaError, PareaRateLimitError } from "../src/errors.ts";
import { operations } from "../src/generated/operations/index.ts";
import { Dispatcher, type Item } from "../src/outbox/dispatch.ts";
import { clock } from "../src/outbox/queues.ts";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
  vi.spyOn(Math, "random").mockReturnValue(0); // backoff without jitter: 500 ms x 2^attempts
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

interface Sent {
  id: number;
  at: number;
  signal: AbortSignal;
  /** Resolves the send; with an argument (even undefined), rejects it with that. */
  answer: (...error: [unknown?]) => Promise<void>;
}

const apiError = (status: number, extra: object = {}) =>
  Object.assign(new (status === 429 ? PareaRateLimitError : PareaApiError)(`HTTP ${status}`), {
    status,
    headers: new Headers(),
    ...extra,
  });

function workers({ concurrency = 2, maxAgeMs = 3_600_000, warn = true, awaited = (): boolean => false } = {}) {
  const sent: Sent[] = [];
  const settled: [number, string, unknown][] = [];
  const lines: string[] = [];
  const log = (line: string) => void lines.push(line);
  const dispatcher = new Dispatcher({
    concurrency,
    maxAgeMs,
    log: { debug: log, warn: warn ? log : undefined }, // logLevel "error" has no warn
    send: (_op, body, signal) =>
      new Promise((resolve, reject) => {
        sent.push({
          id: (body as { n: number }).n,
          at: clock(),
          signal,
          answer: async (...error) => {
            if (error.length === 0) resolve({});
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a send may reject with anything; the log line must cope
            else reject(error[0]);
            await vi.advanceTimersByTimeAsync(0);
          },
        });
      }),
    settle: (item, outcome, error) => settled.push([item.id, outcome, error]),
    awaited,
  });
  let next = 1;
  const add = (count = 1) => {
    for (let i = 0; i < count; i++, next++) {
      const item: Item = {
        id: next,
        op: operations.recordFeedback,
        at: clock(),
        json: JSON.stringify({ n: next }),
        attempts: 0,
        notBefore: 0,
      };
      dispatcher.add(item);
    }
  };
  return { dispatcher, sent, settled, lines, add };
}

describe("dispatch: workers", () => {
  it("up to `concurrency` at once, oldest first; each settled delivery starts the next", async () => {
    const w = workers({ concurrency: 2 });
    w.add(5);
    expect(w.sent.map((s) => s.id)).toEqual([1, 2]);
    expect([...w.dispatcher.unsettled()].map((item) => item.id)).toEqual([3, 4, 5, 1, 2]);
    await w.sent[0]!.answer();
    expect(w.sent.map((s) => s.id)).toEqual([1, 2, 3]);
    expect(w.settled).toEqual([[1, "delivered", undefined]]);
    expect(w.dispatcher.inFlight.size).toBe(2);
  });

  it("a failure backs off that item alone, 500 ms then 1 s; the others keep going", async () => {
    const w = workers({ concurrency: 1 });
    w.add(2);
    await w.sent[0]!.answer(new Error("boom"));
    expect(w.sent.map((s) => s.id)).toEqual([1, 2]);
    expect(w.lines).toEqual(["outbox: recordFeedback item 1 again in 500 ms after Error (attempt 2)"]);
    expect(w.dispatcher.retried).toBe(1);
    expect([...w.dispatcher.retrying].map((item) => item.id)).toEqual([1]);
    await w.sent[1]!.answer();
    await vi.advanceTimersByTimeAsync(498);
    expect(w.sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(3);
    expect(w.sent.map((s) => s.id)).toEqual([1, 2, 1]);
    await w.sent[2]!.answer("not even an Error");
    expect(w.lines.at(-1)).toBe("outbox: recordFeedback item 1 again in 1000 ms after not even an Error (attempt 3)");
    await vi.advanceTimersByTimeAsync(998);
    expect(w.sent).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(3);
    await w.sent[3]!.answer();
    expect(w.settled).toEqual([
      [2, "delivered", undefined],
      [1, "delivered", undefined],
    ]);
  });

  it("a final error settles the item as rejected, with it; a 5xx is tried again", async () => {
    const w = workers();
    w.add(2);
    const refused = apiError(400);
    await w.sent[0]!.answer(refused);
    await w.sent[1]!.answer(apiError(503));
    expect(w.settled).toEqual([[1, "rejected", refused]]);
    expect(w.dispatcher.retried).toBe(1);
  });

  it("an item waiting past maxAgeMs is settled as expired, never sent; a retry is not put past it", async () => {
    const w = workers({ concurrency: 1, maxAgeMs: 1_000 });
    w.add(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(w.settled).toEqual([]);
    await vi.advanceTimersByTimeAsync(2);
    expect(w.settled).toEqual([[2, "expired", undefined]]);
    await w.sent[0]!.answer(new Error("boom"));
    await vi.advanceTimersByTimeAsync(1);
    expect(w.settled.at(-1)).toEqual([1, "expired", undefined]);
    expect(w.sent).toHaveLength(1);
  });

  it("an item that expires while due behind one that has not is expired when its turn comes, never sent", async () => {
    const w = workers({ concurrency: 2, maxAgeMs: 1_000 });
    w.add(); // 1, at 0
    await w.sent[0]!.answer(new Error("boom")); // again at 500
    await vi.advanceTimersByTimeAsync(400);
    w.add(); // 2, at 400
    await vi.advanceTimersByTimeAsync(100);
    await w.sent[1]!.answer(new Error("boom")); // again at 1000, its age 600 then
    await vi.advanceTimersByTimeAsync(1);
    await w.sent[2]!.answer(new Error("boom")); // item 1 again after 1 s: capped at its expiry, 1000
    expect(w.sent.map((s) => s.id)).toEqual([1, 2, 1]);
    await vi.advanceTimersByTimeAsync(500); // both due at once, both workers free
    expect(w.sent.map((s) => s.id)).toEqual([1, 2, 1, 2]);
    expect(w.settled).toEqual([[1, "expired", undefined]]);
  });

  it("a retry due this very millisecond goes before a newer item", async () => {
    const w = workers({ concurrency: 1 });
    w.add();
    await w.sent[0]!.answer(new Error("boom")); // again at 500
    await vi.advanceTimersByTimeAsync(500);
    w.add();
    expect(w.sent.map((s) => s.id)).toEqual([1, 1]);
  });

  it("a send that rejects with undefined or null is tried again, said so", async () => {
    const w = workers({ concurrency: 2 });
    w.add(2);
    await w.sent[0]!.answer(undefined);
    await w.sent[1]!.answer(null);
    expect(w.lines).toEqual([
      "outbox: recordFeedback item 1 again in 500 ms after undefined (attempt 2)",
      "outbox: recordFeedback item 2 again in 500 ms after null (attempt 2)",
    ]);
    expect(w.dispatcher.retried).toBe(2);
  });

  it("stop aborts what is in flight with its reason, settles none of it, and leaves no timer", async () => {
    const w = workers({ concurrency: 2 });
    w.add(3);
    await w.sent[0]!.answer(new Error("boom")); // a retry's timer is set
    const reason = new PareaError("shut down");
    w.dispatcher.stop(reason);
    expect(w.dispatcher.stopped).toBe(true);
    expect(w.sent.slice(1).map((s) => s.signal.reason as unknown)).toEqual([reason, reason]);
    expect(vi.getTimerCount()).toBe(0);
    await w.sent[1]!.answer();
    w.add(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(w.settled).toEqual([]);
    expect(w.sent).toHaveLength(3);
  });
});

describe("dispatch: outages and 429s", () => {
  /** Fails every delivery as it comes, `count` of them; returns when they are answered. */
  const failing = async (w: ReturnType<typeof workers>, count: number, error: unknown = new Error("down")) => {
    for (let i = 0; i < count; i++) await w.sent.find((s) => !answered.has(s) && answered.add(s))!.answer(error);
  };
  const answered = new Set<Sent>();
  beforeEach(() => answered.clear());

  it("8 failures in a row pause everyone; then one probe at a time, each failed probe a longer pause", async () => {
    const w = workers({ concurrency: 2 });
    w.add(30);
    await failing(w, 7);
    expect(w.lines.filter((line) => line.includes("in a row"))).toEqual([]);
    await failing(w, 1);
    expect(w.lines.filter((line) => line.includes("in a row"))).toEqual([
      "outbox: 8 deliveries failed in a row; pausing, then one probe at a time",
    ]);
    const paused = clock();
    await failing(w, 1); // in flight when the outage began: not a probe
    expect(w.sent.filter((s) => !answered.has(s))).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(499);
    expect(w.sent.filter((s) => !answered.has(s))).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2);
    expect(w.sent.filter((s) => !answered.has(s))).toHaveLength(1); // one probe
    await failing(w, 1);
    const probeFailed = clock();
    await vi.advanceTimersByTimeAsync(999);
    expect(w.sent.filter((s) => !answered.has(s))).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2);
    const probe = w.sent.filter((s) => !answered.has(s));
    expect(probe).toHaveLength(1);
    expect(probe[0]!.at - probeFailed).toBeGreaterThanOrEqual(1_000);
    expect(probeFailed - paused).toBeGreaterThanOrEqual(500);
    answered.add(probe[0]!);
    await probe[0]!.answer();
    expect(w.sent.filter((s) => !answered.has(s))).toHaveLength(2); // all workers again
  });

  it("a success between failures starts the count again; with more workers than 8, it takes one failure each", async () => {
    const w = workers({ concurrency: 2 });
    w.add(30);
    await failing(w, 7);
    const ok = w.sent.find((s) => !answered.has(s))!;
    answered.add(ok);
    await ok.answer();
    await failing(w, 7);
    expect(w.lines.filter((line) => line.includes("in a row"))).toEqual([]);
    const wide = workers({ concurrency: 12 });
    wide.add(40);
    await failing(wide, 11);
    expect(wide.lines.filter((line) => line.includes("in a row"))).toEqual([]);
    await failing(wide, 1);
    expect(wide.lines.filter((line) => line.includes("in a row"))).toHaveLength(1);
  });

  it("a 429 pauses every worker for the wait it names, and 429s make no outage", async () => {
    const w = workers({ concurrency: 2 });
    w.add(20);
    await failing(w, 1, apiError(429, { retryAfterMs: 2_000 }));
    const limited = clock();
    await failing(w, 1, apiError(429, { retryAfterMs: 2_000 }));
    expect(w.sent.filter((s) => !answered.has(s))).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_990);
    expect(w.sent.filter((s) => !answered.has(s))).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(20);
    const next = w.sent.filter((s) => !answered.has(s));
    expect(next.length).toBeGreaterThan(0);
    for (const s of next) expect(s.at - limited).toBeGreaterThanOrEqual(2_000);
    // Each 429 also halves the workers (the shared limit): one at a time now.
    expect(next).toHaveLength(1);
    for (let i = 0; i < 10; i++) {
      await failing(w, 1, apiError(429, { retryAfterMs: 1 }));
      await vi.advanceTimersByTimeAsync(5);
    }
    expect(w.sent.filter((s) => !answered.has(s))).toHaveLength(1);
    expect(w.lines.filter((line) => line.includes("in a row"))).toEqual([]);
  });
});

describe("dispatch: its one timer", () => {
  /** Timers set from here on (the fake setTimeout, spied on), each with whether it holds the process. */
  const timersSet = () => {
    const spy = vi.spyOn(globalThis, "setTimeout");
    spy.mockClear(); // spied on again: the same spy
    return () => spy.mock.results.map((result) => result.value as { hasRef(): boolean });
  };

  it("adding items while every worker is busy, or while a 429's pause lasts, sets no timer", async () => {
    const w = workers({ concurrency: 2 });
    w.add(3);
    let timers = timersSet();
    w.add(100);
    expect(timers()).toHaveLength(0);
    await w.sent[0]!.answer(apiError(429, { retryAfterMs: 5_000 })); // paused; one worker free
    await w.sent[1]!.answer(apiError(429, { retryAfterMs: 5_000 })); // paused; both free
    timers = timersSet();
    w.add(100);
    expect(timers()).toHaveLength(0);
    expect(w.sent).toHaveLength(2);
  });

  it("with nothing left to wait for, no timer is left, even while paused", async () => {
    const w = workers({ concurrency: 1, maxAgeMs: 1_000 });
    w.add();
    await w.sent[0]!.answer(apiError(429, { retryAfterMs: 60_000 })); // paused for a minute
    await vi.advanceTimersByTimeAsync(1_001);
    expect(w.settled).toEqual([[1, "expired", undefined]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("the timer holds the process only while someone awaits; letGo lets go once no one does", async () => {
    let awaited = true;
    const w = workers({ concurrency: 1, awaited: () => awaited });
    const timers = timersSet();
    w.add(2); // the second waits: a timer for its expiry
    expect(timers().map((timer) => timer.hasRef())).toEqual([true]);
    w.dispatcher.letGo(); // still awaited
    expect(timers()[0]!.hasRef()).toBe(true);
    awaited = false;
    w.dispatcher.letGo();
    expect(timers()[0]!.hasRef()).toBe(false);
    w.add(); // not awaited: each new timer lets the process go
    await w.sent[0]!.answer();
    expect(timers().at(-1)!.hasRef()).toBe(false);
  });

  it("an outage with a log that has no warn (logLevel error) pauses all the same", async () => {
    const w = workers({ concurrency: 2, warn: false });
    w.add(20);
    for (let i = 0; i < 8; i++) await w.sent[i]!.answer(new Error("down"));
    expect(w.lines.filter((line) => line.includes("in a row"))).toEqual([]);
    const before = w.sent.length;
    await w.sent[before - 1]!.answer(new Error("down")); // in flight when the outage began
    await vi.advanceTimersByTimeAsync(499);
    expect(w.sent).toHaveLength(before);
    await vi.advanceTimersByTimeAsync(2);
    expect(w.sent).toHaveLength(before + 1); // one probe
  });
});
