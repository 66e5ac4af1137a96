// The outbox's waiting lines and clock (src/outbox/queues.ts), checked against plain arrays on random
// sequences (fast-check): the FIFO keeps order and size through its compactions and never holds much
// more than it queues; the retry queue yields by notBefore, ties in the order they came.
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { clock, ItemQueue, RetryQueue, unref } from "../src/outbox/queues.ts";

afterEach(() => vi.useRealTimers());

/** The FIFO's backing array: it is compacted now and then, so that it holds about what is queued. */
const backing = (queue: ItemQueue<number>) => (queue as unknown as { items: unknown[] }).items.length;

describe("ItemQueue", () => {
  it("is first in, first out, against an array, through many compactions", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 3_000 })), { maxLength: 30 }), (runs) => {
        const queue = new ItemQueue<number>();
        const model: number[] = [];
        const got: (number | undefined)[] = [];
        const expected: (number | undefined)[] = [];
        let next = 0;
        for (const [pushing, count] of runs)
          for (let i = 0; i < count; i++)
            if (pushing) {
              queue.push(next);
              model.push(next++);
            } else {
              got.push(queue.shift());
              expected.push(model.shift());
            }
        expect(got).toEqual(expected);
        expect(queue.size).toBe(model.length);
        expect(queue.peek()).toBe(model[0]);
        expect([...queue]).toEqual(model);
      }),
      { numRuns: 60, seed: 20_261_205 },
    );
  });

  it("compacts: after 100 000 in and out, the backing array holds about what is queued", () => {
    const queue = new ItemQueue<number>();
    for (let i = 0; i < 100_000; i++) {
      queue.push(i);
      queue.push(i);
      queue.shift();
      if (queue.size > 10) queue.shift();
    }
    expect(queue.size).toBe(10);
    expect(backing(queue)).toBeLessThan(2_100);
    for (let i = 0; i < 1_023; i++) queue.push(i);
    while (queue.size > 0) queue.shift();
    expect(backing(queue)).toBeLessThanOrEqual(2_048);
    expect(queue.shift()).toBeUndefined();
    expect(queue.peek()).toBeUndefined();
  });

  it("does not copy before 1024 items have gone: the head moves instead", () => {
    const queue = new ItemQueue<number>();
    for (let i = 0; i < 1_024; i++) queue.push(i);
    for (let i = 0; i < 1_023; i++) queue.shift();
    expect(backing(queue)).toBe(1_024);
    queue.shift();
    expect(backing(queue)).toBe(0);
    for (let i = 0; i < 3_000; i++) queue.push(i);
    for (let i = 0; i < 1_024; i++) queue.shift();
    expect(backing(queue)).toBe(3_000); // more than half still queued: not worth a copy yet
  });
});

describe("RetryQueue", () => {
  it("yields by notBefore; equal times in the order they came", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (times) => {
        const queue = new RetryQueue<{ notBefore: number; n: number }>();
        const items = times.map((notBefore, n) => ({ notBefore, n }));
        for (const item of items) queue.push(item);
        const sorted = [...items].sort((a, b) => a.notBefore - b.notBefore || a.n - b.n);
        expect([...queue]).toEqual(sorted);
        expect(queue.peek()).toBe(sorted[0]);
        expect(Array.from(items, () => queue.shift())).toEqual(sorted);
        expect(queue.shift()).toBeUndefined();
      }),
      { numRuns: 200, seed: 20_261_205 },
    );
  });
});

describe("clock and unref", () => {
  it("clock is performance.now in whole milliseconds, not wall time", () => {
    vi.useFakeTimers({ toFake: ["performance", "Date"], now: 1_800_000_000_000 });
    vi.advanceTimersByTime(1_234.6);
    expect(clock()).toBe(Math.round(performance.now()));
    expect(Number.isInteger(clock())).toBe(true);
    expect(clock()).toBeLessThan(1_000_000);
  });

  it("unref lets go of a timer where the platform can, and is harmless where it cannot", () => {
    const timer = setTimeout(() => {}, 1_000);
    unref(timer);
    expect(timer.hasRef()).toBe(false);
    clearTimeout(timer);
    expect(() => unref(7)).not.toThrow();
    expect(() => unref({})).not.toThrow();
  });
});
