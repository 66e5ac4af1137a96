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
  const ms = headers.get("retry-after-ms")?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return finite(Number(ms));
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return finite(Number(value) * 1000);
  return HTTP_DATE.test(value) ? finite(Math.max(0, Date.parse(value) - now)) : undefined;
}
