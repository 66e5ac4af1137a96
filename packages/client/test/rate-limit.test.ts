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
    limit.onAttempt({ request: "POST /x", attempt: 1, status: 429, retryAfterMs: 0 });
    for (let i = 0; i < 2; i++) limit.onAttempt({ request: "POST /x", attempt: 1, status: 200 });
    for (let i = 0; i < 10; i++) limit.onAttempt({ request: "POST /x", attempt: 1, status: 200 });
    expect(limits).toEqual([2, 3, 4]);
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
