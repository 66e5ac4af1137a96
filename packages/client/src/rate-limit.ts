// One rate limit shared by many concurrent calls (the CLI's import workers; a background sender):
// the client tells it about every attempt (onAttempt, retries included) and waits on it before each
// (beforeAttempt). A 429 pauses every caller for the wait the server asked for, and halves the
// concurrency; it grows back by one after that many successes in a row (additive increase,
// multiplicative decrease). Exported by the ./operations entry, for tools built on the client; the
// outbox (outbox/outbox.ts) uses the same one, and pauses it for outages too.
import type { AttemptInfo, AttemptStart } from "./reliability.js";
import { MAX_RETRY_AFTER_MS } from "./retry.js";
import { sleep } from "./sleep.js";

/** When a 429 names no wait. */
const DEFAULT_PAUSE_MS = 1_000;

export class SharedRateLimit {
  private pausedUntil = 0;
  private streak = 0;
  limit: number;
  /** How many 429s were seen, and how often the limit was lowered. */
  readonly stats = { rateLimited: 0, lowered: 0, lowest: 0 };

  constructor(
    private readonly max: number,
    private readonly onLimit: (limit: number) => void,
  ) {
    this.limit = max;
    this.stats.lowest = max;
  }

  /** When callers may go again (performance.now() ms: a wall-clock step moves no pause); in the past when none is in force. */
  get resumesAt(): number {
    return this.pausedUntil;
  }

  /** Pauses every caller for `ms` (or longer, if a pause already in force ends later). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, performance.now() + ms);
  }

  /** For the client's beforeAttempt: resolves once no pause is in force, or at once when the call is aborted. */
  readonly beforeAttempt = async ({ signal }: AttemptStart): Promise<void> => {
    for (let wait = this.pausedUntil - performance.now(); wait > 0; wait = this.pausedUntil - performance.now())
      if (!(await sleep(wait, signal))) return;
  };

  /** For the client's onAttempt. */
  readonly onAttempt = ({ status, retryAfterMs }: AttemptInfo): void => {
    if (status === 429) {
      this.stats.rateLimited++;
      // A longer wait than the client's cap is not waited for: that call fails at once with the wait
      // it was asked (PareaRateLimitError), as the client's own calls do, and the row is rejected.
      if (!((retryAfterMs ?? 0) > MAX_RETRY_AFTER_MS)) this.pause(retryAfterMs ?? DEFAULT_PAUSE_MS);
      this.streak = 0;
      this.set(Math.max(1, Math.floor(this.limit / 2)));
    } else if (status !== undefined && status < 400 && ++this.streak >= this.limit) {
      this.streak = 0;
      this.set(Math.min(this.max, this.limit + 1));
    }
  };

  private set(limit: number): void {
    if (limit === this.limit) return;
    if (limit < this.limit) this.stats.lowered++;
    this.limit = limit;
    this.stats.lowest = Math.min(this.stats.lowest, limit);
    this.onLimit(limit);
  }
}
