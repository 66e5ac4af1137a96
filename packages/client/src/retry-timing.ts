/** When to retry and how long to wait: the policy in one place (README "Reliability"). */

export const INITIAL_DELAY_MS = 500;
export const MAX_DELAY_MS = 8_000;
/** A server asking for a longer wait than this gets the error right away, not a minute-long hang. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** 408 timeout, 409 conflict (lock contention), 429 rate limit and every 5xx are worth another try. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Exponential backoff: 0.5 s x 2^retry, capped at 8 s, minus up to 25 % jitter. */
export function backoffDelayMs(retry: number, random: () => number = Math.random): number {
  return Math.min(INITIAL_DELAY_MS * 2 ** retry, MAX_DELAY_MS) * (1 - random() * 0.25);
}

/**
 * The wait the server asked for: `retry-after-ms`, else `Retry-After` in seconds or as an HTTP date.
 * Undefined when it gave none (or nonsense).
 */
export function serverRequestedDelayMs(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = Number(headers.get("retry-after-ms") ?? NaN);
  if (ms >= 0) return ms;
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  // A number is delay-seconds (a negative one is nonsense); anything else may be an HTTP date.
  const seconds = Number(value);
  if (!Number.isNaN(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
