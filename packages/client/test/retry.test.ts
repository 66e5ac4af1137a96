import { describe, expect, it } from "vitest";
import {
  abortError,
  apiErrorFor,
  connectionError,
  invalidRequestError,
  invalidResponseError,
  redirectError,
  timeoutError,
} from "../src/errors.ts";
import { Secrets } from "../src/redact.ts";
import {
  backoffDelayMs,
  isRetryableStatus,
  MAX_DELAY_MS,
  redeliveryDelay,
  retryDecision,
  serverRequestedDelayMs,
  type Outcome,
} from "../src/retry.ts";

describe("backoffDelayMs", () => {
  it.each([
    [0, 500],
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [4, 8_000],
    [5, 8_000],
    [10, 8_000],
  ])("retry %i waits %i ms at most and 25 %% less at least", (retry, ceiling) => {
    expect(backoffDelayMs(retry, () => 0)).toBe(ceiling);
    expect(backoffDelayMs(retry, () => 1)).toBe(ceiling * 0.75);
    expect(ceiling).toBeLessThanOrEqual(MAX_DELAY_MS);
  });
});

describe("serverRequestedDelayMs", () => {
  const now = Date.parse("2026-11-26T12:00:00Z");
  const headers = (init: Record<string, string>) => new Headers(init);

  it.each([
    [{ "retry-after-ms": "250" }, 250],
    [{ "retry-after-ms": "250", "retry-after": "9" }, 250],
    [{ "retry-after": "3" }, 3_000],
    [{ "retry-after": "0" }, 0],
    [{ "retry-after": "Thu, 26 Nov 2026 12:00:05 GMT" }, 5_000],
    [{ "retry-after": "Thu, 26 Nov 2026 11:59:00 GMT" }, 0],
    [{ "retry-after": "Thursday, 26-Nov-26 12:00:05 GMT" }, 5_000],
    [{ "retry-after": "Thu Nov 26 12:00:05 2026" }, 5_000],
    [{ "retry-after-ms": "1.5" }, 1.5],
    [{ "retry-after-ms": "1.25" }, 1.25],
    // Headers strips the whitespace around a value.
    [{ "retry-after-ms": " 250\t" }, 250],
    [{ "retry-after": " 3 " }, 3_000],
    [{ "retry-after": "120" }, 120_000],
    // An empty or malformed retry-after-ms does not hide a valid Retry-After.
    [{ "retry-after-ms": "", "retry-after": "2" }, 2_000],
    [{ "retry-after-ms": "soon", "retry-after": "2" }, 2_000],
  ])("%o -> %i ms", (init, expected) => {
    expect(serverRequestedDelayMs(headers(init), now)).toBe(expected);
  });

  it.each([
    {},
    { "retry-after": "soon" },
    { "retry-after-ms": "-5" },
    { "retry-after": "-3" },
    // RFC 9110 allows digits or an HTTP-date, nothing else.
    { "retry-after": "Infinity" },
    { "retry-after": "1e400" },
    { "retry-after": "1e3" },
    { "retry-after": "0x10" },
    { "retry-after": "1.5" },
    { "retry-after": "+3" },
    { "retry-after": "9".repeat(400) },
    { "retry-after-ms": "Infinity" },
    { "retry-after-ms": "0x10" },
    { "retry-after-ms": "" },
    { "retry-after": "2026-11-26T12:00:05Z" },
    { "retry-after": "tomorrow" },
  ])("%o -> undefined (use backoff)", (init) => {
    expect(serverRequestedDelayMs(headers(init as Record<string, string>), now)).toBeUndefined();
  });
});

describe("isRetryableStatus", () => {
  it("retries 408, 409, 429 and every 5xx, nothing else", () => {
    const retried = [];
    for (let status = 200; status < 600; status++) if (isRetryableStatus(status)) retried.push(status);
    expect(retried).toEqual([408, 409, 429, ...Array.from({ length: 100 }, (_, i) => 500 + i)]);
  });
});

describe("retryDecision: the rules in RETRY_POLICY, one outcome at a time", () => {
  const first = { attempt: 1, maxAttempts: 3, retrySafe: true };
  const noJitter = () => 0;
  it.each<[string, Outcome, number | undefined]>([
    ["a 503 on a retry-safe call: backoff", { ...first, status: 503 }, 500],
    ["a 503 the server says to retry in 2 s", { ...first, status: 503, retryAfterMs: 2_000 }, 2_000],
    ["a 429 asking for more than 60 s: the error at once", { ...first, status: 429, retryAfterMs: 61_000 }, undefined],
    ["a 429 asking for exactly 60 s: waited", { ...first, status: 429, retryAfterMs: 60_000 }, 60_000],
    ["a 503 on a call that is not retry-safe", { ...first, retrySafe: false, status: 503 }, undefined],
    ["a 400: never", { ...first, status: 400 }, undefined],
    ["the last attempt: never", { ...first, attempt: 3, status: 503 }, undefined],
    ["a reset on a retry-safe call", { ...first, code: "ECONNRESET" }, 500],
    ["a reset on a call that is not retry-safe", { ...first, retrySafe: false, code: "ECONNRESET" }, undefined],
    ["refused, nothing sent: any method", { ...first, retrySafe: false, code: "ECONNREFUSED" }, 500],
    ["no such host, nothing sent: any method", { ...first, retrySafe: false, code: "ENOTFOUND" }, 500],
    ["DNS busy, nothing sent: any method", { ...first, retrySafe: false, code: "EAI_AGAIN" }, 500],
    ["a failure with no code on a call that is not retry-safe", { ...first, retrySafe: false }, undefined],
    ["the second retry waits twice as long", { ...first, attempt: 2, status: 500 }, 1_000],
  ])("%s", (_, outcome, delay) => {
    expect(retryDecision(outcome, noJitter)).toBe(delay);
  });
});

describe("redeliveryDelay: the outbox's decision after a delivery failed", () => {
  const noJitter = () => 0;
  const secrets = new Secrets();
  const where = "POST /api/parea/v1/feedback";
  const api = (status: number, headers: Record<string, string> = {}) =>
    apiErrorFor({
      request: where,
      status,
      body: {},
      headers: new Headers(headers),
      attempts: 1,
      retryAfterMs: undefined,
    });
  const notTheApis = invalidResponseError(
    where,
    { status: 200, headers: new Headers({ "content-type": "text/html" }) },
    "<html>sign in</html>",
    1,
    new SyntaxError("Unexpected token"),
    secrets,
  );
  it.each<[string, unknown, number | undefined]>([
    ["a 503: the outbox's backoff", api(503), 500],
    ["a 429 asking for 90 s: waited in full (the outbox has time)", api(429, { "retry-after": "90" }), 90_000],
    ["a 400: final", api(400), undefined],
    ["a 300 it did not follow: final", api(300), undefined],
    ["a 2xx that was not the API's answer (a proxy's page): not delivered, again", notTheApis, 500],
    [
      "a body the spec refuses: final",
      invalidRequestError(where, [{ path: "$.score", message: "too big" }]),
      undefined,
    ],
    ["a redirect off the API's origin: final", redirectError(where, "refused", secrets), undefined],
    ["an abort: final", abortError(where, undefined, secrets), undefined],
    ["a connection failure: again", connectionError(where, "ECONNRESET", 1, undefined, secrets), 500],
    ["a timeout: again", timeoutError(where, 1_000, 1, secrets), 500],
    ["anything else thrown: again", new Error("boom"), 500],
  ])("%s", (_, error, delay) => {
    expect(redeliveryDelay(error, 0, noJitter)).toBe(delay);
  });

  it("0.5 s x 2^retry, capped at 30 s, minus up to 25 % jitter", () => {
    const failure = connectionError(where, "ECONNRESET", 1, undefined, secrets);
    expect([0, 1, 5, 6, 20].map((retry) => redeliveryDelay(failure, retry, noJitter))).toEqual([
      500, 1_000, 16_000, 30_000, 30_000,
    ]);
    expect(redeliveryDelay(api(503), 6, () => 1)).toBe(22_500);
  });
});
