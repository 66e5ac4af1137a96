// When to retry and how long to wait: the rules as data (RETRY_POLICY) read by one decision function
// (retryDecision), as ky keeps RetryOptions and one delay calculation. reliability.ts only carries out
// what this says. A new rule about statuses, methods, error codes or waits is one edit here.
import { PareaAbortError, PareaApiError, PareaInvalidRequestError, PareaRedirectError } from "./errors.js";
import { idempotentMethods } from "./generated/spec.js";

type Backoff = { initialMs: number; maxMs: number; jitter: number };

export interface RetryPolicy {
  /** Statuses worth another try. */
  statuses: (status: number) => boolean;
  /** Failures where the request provably never reached the server: any method may be sent again. */
  notSentCodes: readonly string[];
  /** Backoff: initialMs x 2^retry, capped at maxMs, minus up to `jitter` of it. */
  backoff: Backoff;
  /** A server asking for a longer wait gets the error right away, not a minute-long hang. */
  maxRetryAfterMs: number;
}

export const RETRY_POLICY: RetryPolicy = {
  // 408 timeout, 409 conflict (lock contention), 429 rate limit and every 5xx.
  statuses: (status) => status === 408 || status === 409 || status === 429 || status >= 500,
  notSentCodes: ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"],
  backoff: { initialMs: 500, maxMs: 8_000, jitter: 0.25 },
  maxRetryAfterMs: 60_000,
};

export const MAX_DELAY_MS = RETRY_POLICY.backoff.maxMs;
export const MAX_RETRY_AFTER_MS = RETRY_POLICY.maxRetryAfterMs;

/** 408, 409, 429 and every 5xx are worth another try. */
export const isRetryableStatus = (status: number): boolean => RETRY_POLICY.statuses(status);

/**
 * Safe to send again: the spec's word for a known operation (its generated `retrySafe`: idempotent, or
 * marked x-parea-api-retry-safe), else HTTP's idempotent methods (the same list, from the spec facts).
 */
export const isRetrySafe = (method: string, operation?: { retrySafe: boolean }): boolean =>
  operation ? operation.retrySafe : (idempotentMethods as readonly string[]).includes(method);

/**
 * The outbox's backoff between deliveries of an item: the same curve, capped at 30 s, because it keeps
 * trying until the item's maxAgeMs instead of giving up after a few attempts.
 */
export const OUTBOX_BACKOFF: Backoff = { initialMs: 500, maxMs: 30_000, jitter: 0.25 };

/** Exponential backoff: 0.5 s x 2^retry, capped at 8 s (the outbox's: 30 s), minus up to 25 % jitter. */
export function backoffDelayMs(
  retry: number,
  random: () => number = Math.random,
  { initialMs, maxMs, jitter }: Backoff = RETRY_POLICY.backoff,
): number {
  return Math.min(initialMs * 2 ** retry, maxMs) * (1 - random() * jitter);
}

/** One attempt's outcome, as the decision needs it. */
export interface Outcome {
  /** 1 for the first try. */
  attempt: number;
  maxAttempts: number;
  retrySafe: boolean;
  /** The answer's status; absent when the attempt failed without one. */
  status?: number;
  /** The wait the server asked for. */
  retryAfterMs?: number | undefined;
  /** The failure's code (ECONNREFUSED...), when there was no answer. */
  code?: string;
}

/** Another try, after how long; or none (the outcome stands). */
export function retryDecision(outcome: Outcome, random: () => number = Math.random): number | undefined {
  const { attempt, maxAttempts, retrySafe, status, retryAfterMs, code } = outcome;
  if (attempt >= maxAttempts) return undefined;
  if (status !== undefined) {
    if (!RETRY_POLICY.statuses(status) || !retrySafe) return undefined;
    if ((retryAfterMs ?? 0) > RETRY_POLICY.maxRetryAfterMs) return undefined;
    return retryAfterMs ?? backoffDelayMs(attempt - 1, random);
  }
  if (!retrySafe && !RETRY_POLICY.notSentCodes.includes(code ?? "")) return undefined;
  return backoffDelayMs(attempt - 1, random);
}

/**
 * The outbox's decision after a delivery failed (the client tried once): the wait before the item goes
 * again, or undefined when the failure is final (the item is rejected). Statuses worth another try are
 * RETRY_POLICY's, a 2xx that was not the spec's answer too (a proxy's page: not delivered), and so is
 * every failure without an answer (connection, timeout); a server's Retry-After is waited in full.
 * Final: any other status, a body the spec refuses, a redirect off the API's origin, an abort.
 */
export function redeliveryDelay(error: unknown, retry: number, random: () => number = Math.random): number | undefined {
  if (error instanceof PareaApiError) {
    if (error.status >= 300 && !RETRY_POLICY.statuses(error.status)) return undefined;
    return serverRequestedDelayMs(error.headers) ?? backoffDelayMs(retry, random, OUTBOX_BACKOFF);
  }
  if (
    error instanceof PareaInvalidRequestError ||
    error instanceof PareaRedirectError ||
    error instanceof PareaAbortError
  )
    return undefined;
  return backoffDelayMs(retry, random, OUTBOX_BACKOFF);
}

// RFC 9110 section 10.2.3: Retry-After is delay-seconds (digits only) or an HTTP-date in one of its three
// forms (IMF-fixdate, obsolete RFC 850, asctime). Anything else (0x10, 1e400, Infinity, -3) is ignored.
const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
const TIME = "\\d\\d:\\d\\d:\\d\\d";
const HTTP_DATE = new RegExp(
  `^(?:${DAY}, \\d\\d ${MONTH} \\d{4} ${TIME} GMT|${DAY}[a-z]{3,6}, \\d\\d-${MONTH}-\\d\\d ${TIME} GMT|${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4})$`,
);

/** A few hundred digits overflow to Infinity: nonsense, not "wait forever". */
const finite = (ms: number) => (Number.isFinite(ms) ? ms : undefined);

/**
 * The wait the server asked for: `retry-after-ms` (a non-negative decimal number, as OpenAI-style APIs
 * send it), else `Retry-After` as RFC 9110 allows it. Undefined when it gave none or nonsense.
 */
export function serverRequestedDelayMs(headers: Headers, now: number = Date.now()): number | undefined {
  // Headers has already stripped the whitespace around each value (Fetch standard, "normalize").
  const ms = headers.get("retry-after-ms") ?? "";
  if (/^\d+(\.\d+)?$/.test(ms)) return finite(Number(ms));
  const value = headers.get("retry-after") ?? "";
  if (/^\d+$/.test(value)) return finite(Number(value) * 1000);
  return HTTP_DATE.test(value) ? finite(Math.max(0, Date.parse(value) - now)) : undefined;
}
