// The outbox's workers: which item goes next, when, and what a delivery's outcome does. Up to
// `concurrency` deliveries run at once, each the client's call sent once (maxRetries 0); a failure is
// retry.ts's redeliveryDelay to decide (again after a wait, or final). A failure backs off that item
// alone, so a flaky API's sporadic 5xx cost one item a wait while the others flow. Only failures that
// come together (OUTAGE_AFTER of them in a row, no success between) pause every worker: then one probe
// goes per backoff step until one gets through. A 429 pauses every worker for the wait it names, through
// one SharedRateLimit, as the CLI's import does. One timer wakes the workers for what comes due next (a
// retry, a pause's end, an expiry); it keeps the process alive only while a flush is awaited.
import { PareaApiError, PareaRateLimitError, type PareaError } from "../errors.js";
import type { Log } from "../logger.js";
import type { Operation } from "../operations.js";
import { SharedRateLimit } from "../rate-limit.js";
import { backoffDelayMs, OUTBOX_BACKOFF, redeliveryDelay } from "../retry.js";
import { clock, ItemQueue, RetryQueue, unref } from "./queues.js";
import type { Stored } from "./spool.js";

/**
 * Failures in a row, across all deliveries, that make an outage (at least `concurrency`: every worker
 * failing). 8, not fewer: at 5 % random failures 4 in a row happen once in ~160 000 deliveries and
 * paused everyone for nothing (a 0.76x round in pnpm bench); 8 in a row, once in ~2.6e10.
 */
const OUTAGE_AFTER = 8;

export interface Item extends Stored {
  op: Operation;
  /** Deliveries that failed so far. */
  attempts: number;
  /** Not sent again before this (queues.ts's clock). */
  notBefore: number;
}

/** One delivery attempt: the client sends once; the outbox decides what follows. */
export type Send = (operation: Operation, body: unknown, signal: AbortSignal) => Promise<unknown>;

export interface DispatchOptions {
  concurrency: number;
  maxAgeMs: number;
  send: Send;
  log: Log;
  /** Called once per item: delivered, or given up (expired, rejected with the final error). */
  settle(item: Item, outcome: "delivered" | "expired" | "rejected", error?: PareaError): void;
  /** Whether someone awaits the outcome (flush): then the wake timer may keep the process alive. */
  awaited(): boolean;
}

export class Dispatcher {
  readonly ready = new ItemQueue<Item>();
  readonly retrying = new RetryQueue<Item>();
  readonly inFlight = new Set<Item>();
  /** Deliveries sent again after a failure. */
  retried = 0;
  private readonly limiter: SharedRateLimit;
  /**
   * One per delivery in flight, aborted by stop(). Not one long-lived signal for all: the platform
   * Request (undici) keeps a listener on the signal it is given until that Request is collected.
   */
  private readonly controllers = new Set<AbortController>();
  private halted = false;
  private failuresInARow = 0;
  /** In an outage: deliveries go one at a time (probes), and each failed probe lengthens the pause. */
  private outage = false;
  private outageStep = 0;
  private wake: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: DispatchOptions) {
    this.limiter = new SharedRateLimit(options.concurrency, () => {});
  }

  /** A new item: started at once when a worker is free, else it waits its turn. */
  add(item: Item): void {
    this.ready.push(item);
    // While paused (or all busy with the timer set) there is nothing to start: no timer churn per call.
    if (!this.wake || (this.inFlight.size < this.options.concurrency && !this.paused(clock()))) this.pump();
  }

  /** Every item not yet settled. */
  *unsettled(): Generator<Item> {
    yield* this.ready;
    yield* this.retrying;
    yield* this.inFlight;
  }

  get stopped(): boolean {
    return this.halted;
  }

  /** Stops for good: in-flight deliveries are aborted (their items are not settled) and no timer is left. */
  stop(reason: unknown): void {
    this.halted = true;
    for (const controller of this.controllers) controller.abort(reason);
    clearTimeout(this.wake);
  }

  /** After a flush stops waiting: the wake timer no longer holds the process. */
  letGo(): void {
    if (this.wake && !this.options.awaited()) unref(this.wake);
  }

  private paused(now: number): boolean {
    return this.limiter.resumesAt > now;
  }

  /** Starts what may start now, settles what expired, and sets one timer for the next thing due. */
  pump(): void {
    clearTimeout(this.wake);
    this.wake = undefined;
    if (this.stopped) return;
    const { ready, retrying, inFlight, options } = this;
    const now = clock();
    const expired = (item: Item) => now - item.at >= options.maxAgeMs;
    for (let item = ready.peek(); item && expired(item); item = ready.peek()) options.settle(ready.shift()!, "expired");
    // A retry never waits past its item's expiry (deliver caps notBefore), so an expired item is always
    // due; the heads are expired here on time, the others as they come up below, never sent.
    for (let item = retrying.peek(); item && expired(item); item = retrying.peek())
      options.settle(retrying.shift()!, "expired");
    const paused = this.paused(now);
    const slots = () => inFlight.size < (this.outage ? 1 : Math.min(options.concurrency, this.limiter.limit));
    while (!paused && slots()) {
      const next = (retrying.peek()?.notBefore ?? Infinity) <= now ? retrying.shift() : ready.shift();
      if (!next) break;
      if (expired(next)) options.settle(next, "expired");
      else void this.deliver(next);
    }
    // What comes due next: a start (a pause's end, a retry's time) if a worker is free, an expiry.
    const head = ready.peek();
    const retry = retrying.peek();
    const starts = !slots() ? Infinity : paused ? this.limiter.resumesAt : (retry?.notBefore ?? Infinity);
    const due = Math.min(
      head || retry ? starts : Infinity,
      head ? head.at + options.maxAgeMs : Infinity,
      retry ? retry.at + options.maxAgeMs : Infinity,
    );
    if (due === Infinity) return;
    this.wake = setTimeout(() => this.pump(), Math.min(Math.max(1, due - now + 1), 2 ** 31 - 1));
    if (!options.awaited()) unref(this.wake);
  }

  private async deliver(item: Item): Promise<void> {
    const { options, limiter } = this;
    this.inFlight.add(item);
    const probe = this.outage;
    const controller = new AbortController();
    this.controllers.add(controller);
    let failure: unknown;
    let ok = false;
    try {
      await options.send(item.op, JSON.parse(item.json), controller.signal);
      ok = true;
    } catch (error) {
      failure = error;
    }
    this.controllers.delete(controller);
    this.inFlight.delete(item);
    // Stopped by shutdown's deadline: the item stays unsettled (in the spool, for the next outbox).
    if (this.stopped) return;
    const answer = failure instanceof PareaApiError ? failure : undefined;
    limiter.onAttempt({
      request: item.op.name,
      attempt: item.attempts + 1,
      status: ok ? 200 : answer?.status,
      // A 429's wait, as the client read it from the answer (the limiter reads it for 429s only).
      retryAfterMs: answer instanceof PareaRateLimitError ? answer.retryAfterMs : undefined,
    });
    const delay = ok ? undefined : redeliveryDelay(failure, item.attempts);
    if (ok) {
      this.failuresInARow = this.outageStep = 0;
      this.outage = false;
      options.settle(item, "delivered");
    } else if (delay === undefined) options.settle(item, "rejected", failure as PareaError);
    else {
      if (answer?.status !== 429) this.failed(probe);
      item.attempts++;
      item.notBefore = Math.min(clock() + delay, item.at + options.maxAgeMs);
      this.retried++;
      const why = (failure as Error | undefined)?.name ?? String(failure);
      options.log.debug?.(
        `outbox: ${item.op.name} item ${item.id} again in ${Math.round(delay)} ms after ${why} (attempt ${item.attempts + 1})`,
      );
      this.retrying.push(item);
    }
    this.pump();
  }

  /** A failure worth another try: an outage once they come together; in one, a failed probe waits longer. */
  private failed(probe: boolean): void {
    if (this.outage) {
      // Deliveries already under way when the outage was seen fail too: only a probe's failure counts.
      if (probe) this.limiter.pause(backoffDelayMs(++this.outageStep, Math.random, OUTBOX_BACKOFF));
      return;
    }
    if (++this.failuresInARow < Math.max(OUTAGE_AFTER, this.options.concurrency)) return;
    this.outage = true;
    this.options.log.warn?.(
      `outbox: ${this.failuresInARow} deliveries failed in a row; pausing, then one probe at a time`,
    );
    this.limiter.pause(backoffDelayMs(0, Math.random, OUTBOX_BACKOFF));
  }
}
