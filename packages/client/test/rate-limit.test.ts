// The rate limit shared by concurrent calls (the CLI's import; a background sender): what a 429 does to
// everyone, and how the concurrency comes back.
import { describe, expect, it } from "vitest";
import { SharedRateLimit } from "../src/rate-limit.ts";

const start = { request: "POST /x", attempt: 1, signal: undefined };

describe("SharedRateLimit", () => {
  it("a 429 halves the concurrency and pauses every caller for the wait asked", async () => {
    const limits: number[] = [];
    const limit = new SharedRateLimit(8, (n) => limits.push(n));
    limit.onAttempt({ request: "POST /x", attempt: 1, status: 429, retryAfterMs: 150 });
    expect(limits).toEqual([4]);
    const started = performance.now();
    await limit.beforeAttempt(start);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(limit.stats).toEqual({ rateLimited: 1, lowered: 1, lowest: 4 });
  });

  it("grows back by one after that many successes in a row, never past the maximum", () => {
    const limits: number[] = [];
    const limit = new SharedRateLimit(4, (n) => limits.push(n));
    const ok = () => limit.onAttempt({ request: "POST /x", attempt: 1, status: 200 });
    limit.onAttempt({ request: "POST /x", attempt: 1, status: 429, retryAfterMs: 0 });
    const after = (n: number) => {
      for (let i = 0; i < n; i++) ok();
      return limit.limit;
    };
    // At 2: the second success in a row brings 3; at 3, the third brings 4; then never past 4.
    expect([after(1), after(1), after(2), after(1), after(10)]).toEqual([2, 3, 3, 4, 4]);
    expect(limits).toEqual([2, 3, 4]);
    // Growing back is not lowering: only the 429 counted.
    expect(limit.stats).toEqual({ rateLimited: 1, lowered: 1, lowest: 2 });
  });

  it("only successes count towards growing back: a 400, a 500 or a failed connection do not", () => {
    const limit = new SharedRateLimit(4, () => {});
    limit.onAttempt({ request: "POST /x", attempt: 1, status: 429, retryAfterMs: 0 });
    for (const status of [400, 500, undefined, 400]) limit.onAttempt({ request: "POST /x", attempt: 1, status });
    expect(limit.limit).toBe(2);
    limit.onAttempt({ request: "POST /x", attempt: 1, status: 302 });
    limit.onAttempt({ request: "POST /x", attempt: 1, status: 200 });
    expect(limit.limit).toBe(3);
  });

  it("a 429 asking for exactly the client's 60 s cap pauses everyone for it; one over does not", () => {
    const atCap = new SharedRateLimit(2, () => {});
    atCap.onAttempt({ request: "POST /x", attempt: 1, status: 429, retryAfterMs: 60_000 });
    expect(atCap.resumesAt - performance.now()).toBeGreaterThan(59_000);
    const over = new SharedRateLimit(2, () => {});
    over.onAttempt({ request: "POST /x", attempt: 1, status: 429, retryAfterMs: 60_001 });
    expect(over.resumesAt).toBe(0);
    // Halved all the same.
    expect(over.limit).toBe(1);
  });

  it("a wait past the client's 60 s cap is not paused for (that call fails at once instead)", async () => {
    const limit = new SharedRateLimit(2, () => {});
    limit.onAttempt({ request: "POST /x", attempt: 1, status: 429, retryAfterMs: 3_000_000 });
    const started = performance.now();
    await limit.beforeAttempt(start);
    // Margins here come from the wait itself (half of it), never from how fast this machine is.
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it("an aborted caller stops waiting at once", async () => {
    const limit = new SharedRateLimit(2, () => {});
    limit.onAttempt({ request: "POST /x", attempt: 1, status: 429, retryAfterMs: 30_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const started = performance.now();
    await limit.beforeAttempt({ ...start, signal: controller.signal });
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});
