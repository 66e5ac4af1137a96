// createOutbox: feedback off a service's request path. A call validates and queues synchronously (with
// a spoolDir it also writes the item to disk, spool.ts); up to `concurrency` deliveries run in the
// background through the client's own call, sent once each (maxRetries 0): whether and when an item
// goes again is retry.ts's redeliveryDecision, until its maxAgeMs. Every item is settled exactly once,
// as delivered, rejected or dropped. Outages and 429s pause every worker through the same
// SharedRateLimit the CLI's import uses. No timer keeps the process alive unless flush() is awaited.
import { invalidRequestError, PareaError } from "../errors.js";
import { operations } from "../generated/operations/index.js";
import { INTERNAL, type Internal } from "../internal.js";
import { createLog } from "../logger.js";
import { requestBodyIssues, type Operation, type OperationName, type RequestBody } from "../operations.js";
import { SharedRateLimit } from "../rate-limit.js";
import { backoffDelayMs, OUTBOX_BACKOFF, redeliveryDelay } from "../retry.js";
import { clock, EPOCH, ItemQueue, RetryQueue } from "./queues.js";
import type { OpenSpool, Spool, Stored } from "./spool.js";
import { checkOutboxOptions, type DropReason, type OutboxOptions } from "./options.js";

export type { DropReason, OutboxDrop, OutboxOptions } from "./options.js";

export interface OutboxStats {
  /** Accepted and not yet settled, in flight included (what maxQueued bounds). */
  queued: number;
  inFlight: number;
  delivered: number;
  /** Deliveries sent again after a failure. */
  retried: number;
  rejected: number;
  /** Dropped as "full" or "expired". */
  dropped: number;
}

/** Counts since the outbox was created; `pending`: what the call covered that was still unsettled. */
export interface OutboxResult {
  delivered: number;
  rejected: number;
  dropped: number;
  pending: number;
}

/** Operations the outbox may send more than once: the generated table's retrySafe ones. */
export type RetrySafeOperationName = {
  [Name in OperationName]: (typeof operations)[Name]["retrySafe"] extends true ? Name : never;
}[OperationName];

/** One method per retry-safe operation, typed like the client's: validates, queues, returns. */
export type OutboxMethods = { [Name in RetrySafeOperationName]: (body: RequestBody<Name>) => void };

export interface Outbox extends OutboxMethods {
  /** Settles everything accepted before the call, or gives up after timeoutMs (default: no limit). */
  flush(options?: { timeoutMs?: number }): Promise<OutboxResult>;
  /** Refuses new items, flushes (default timeoutMs 10 000), stops sending and releases the spool. */
  shutdown(options?: { timeoutMs?: number }): Promise<OutboxResult>;
  stats(): OutboxStats;
}

interface Item extends Stored {
  op: Operation;
  attempts: number;
  /** Not sent again before this (epoch ms). */
  notBefore: number;
}

interface Waiter {
  /** Items with a smaller id are covered. */
  until: number;
  remaining: number;
  done(): void;
}

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

const unref = (timer: unknown) => (timer as { unref?: () => void }).unref?.();

/** createOutbox for one platform: with a file spool (the Node build), or refusing spoolDir. */
export function outboxFactory(openSpool?: OpenSpool) {
  return function createOutbox(parea: object, options: OutboxOptions = {}): Outbox {
    const settings = checkOutboxOptions(options, Boolean(openSpool));
    const { concurrency, maxQueued, maxAgeMs, onDrop } = settings;
    const internal = (parea as { [INTERNAL]?: Internal })[INTERNAL];
    // A client from createPareaClient shares its call, check and log; any other object with the
    // operations' methods (a service's own stub) is called through them.
    const log = internal?.log ?? createLog(console, "warn", "");
    const transports = new Map();
    const send: Send = internal
      ? (op, body, signal) => internal.call(op, body as never, { maxRetries: 0, signal }, transports)
      : viaMethods(parea);
    const check =
      internal?.check ??
      ((op: Operation, body: unknown) => {
        const issues = requestBodyIssues(op, body);
        if (issues.length) throw invalidRequestError(`${op.method} ${op.path}`, issues);
      });
    const spool: Spool | undefined =
      settings.spoolDir === undefined
        ? undefined
        : openSpool!(settings.spoolDir, { ...settings, log, pending: () => unsettled() });

    const limiter = new SharedRateLimit(concurrency, () => {});
    const ready = new ItemQueue<Item>();
    const retrying = new RetryQueue<Item>();
    const inFlight = new Set<Item>();
    const waiters = new Set<Waiter>();
    const stopping = new AbortController();
    const counts = { delivered: 0, retried: 0, rejected: 0, dropped: 0 };
    let queued = 0;
    let nextId = spool?.nextId ?? 1;
    let failuresInARow = 0;
    let closed = false;
    let wake: ReturnType<typeof setTimeout> | undefined;
    let shuttingDown: Promise<OutboxResult> | undefined;

    const opsByName = operations as Record<string, Operation>;
    for (const stored of spool?.left ?? []) {
      const op = opsByName[stored.op.name];
      const item = Object.assign(stored, { op: op ?? (stored.op as Operation), attempts: 0, notBefore: 0 });
      queued++;
      if (op?.retrySafe) ready.push(item);
      else
        settle(
          item,
          "rejected",
          new PareaError(
            `the spool holds a ${stored.op.name} item, which the spec no longer has as a retry-safe operation`,
          ),
        );
    }

    function* unsettled(): Generator<Item> {
      yield* ready;
      yield* retrying;
      yield* inFlight;
    }

    const result = (pending: number): OutboxResult => ({
      delivered: counts.delivered,
      rejected: counts.rejected,
      dropped: counts.dropped,
      pending,
    });

    function drop(operation: string, body: () => unknown, reason: DropReason, error?: PareaError): void {
      if (reason === "rejected") counts.rejected++;
      else counts.dropped++;
      log.warn?.(`outbox dropped a ${operation} item (${reason}${error ? `: ${error.message}` : ""})`);
      try {
        onDrop?.({ operation: operation as OperationName, body: body(), reason, error });
      } catch (thrown) {
        log.warn?.(`outbox onDrop threw: ${String(thrown)}`);
      }
    }

    function settle(item: Item, outcome: "delivered" | "expired" | "rejected", error?: PareaError): void {
      queued--;
      spool?.settle(item);
      if (outcome === "delivered") counts.delivered++;
      else drop(item.op.name, () => JSON.parse(item.json), outcome, error);
      for (const waiter of waiters) if (item.id < waiter.until && --waiter.remaining === 0) waiter.done();
    }

    function accept(op: Operation, body: unknown): void {
      if (closed) throw new PareaError(`outbox.${op.name}: the outbox is shut down; the item was not accepted`);
      check(op, body);
      let json: string | undefined;
      try {
        json = JSON.stringify(body);
      } catch {
        // a cycle or a BigInt: the validator let it through, JSON cannot carry it
      }
      if (json === undefined)
        throw invalidRequestError(`${op.method} ${op.path}`, [{ path: "$", message: "cannot be sent as JSON" }]);
      if (queued >= maxQueued) return drop(op.name, () => body, "full");
      const item: Item = {
        id: nextId,
        at: clock(),
        json,
        op,
        attempts: 0,
        notBefore: 0,
        home: undefined,
      };
      try {
        if (spool && !spool.append(item)) return drop(op.name, () => body, "full");
      } catch (error) {
        return drop(op.name, () => body, "full", new PareaError(`the spool could not be written: ${String(error)}`));
      }
      nextId++;
      queued++;
      ready.push(item);
      if (inFlight.size < concurrency) pump();
    }

    /** Starts what may start now, drops what expired, and sets one timer for the next thing due. */
    function pump(): void {
      clearTimeout(wake);
      wake = undefined;
      if (stopping.signal.aborted) return;
      const now = clock();
      const expired = (item: Item) => now - item.at >= maxAgeMs;
      for (let item = ready.peek(); item && expired(item); item = ready.peek()) settle(ready.shift()!, "expired");
      for (let item = retrying.peek(); item && item.notBefore <= now && expired(item); item = retrying.peek())
        settle(retrying.shift()!, "expired");
      const resumesAt = limiter.resumesAt - EPOCH;
      const paused = resumesAt > now;
      while (!paused && inFlight.size < Math.min(concurrency, limiter.limit)) {
        const next = retrying.peek()?.notBefore! <= now ? retrying.shift() : ready.shift();
        if (!next) break;
        if (expired(next)) settle(next, "expired");
        else void deliver(next);
      }
      const head = ready.peek();
      const due = Math.min(
        head ? head.at + maxAgeMs : Infinity,
        retrying.peek()?.notBefore ?? Infinity,
        paused && (head || retrying.peek()) ? resumesAt : Infinity,
      );
      if (due === Infinity || (due <= now && !paused)) return;
      wake = setTimeout(pump, Math.min(Math.max(1, due - now + 1), 2 ** 31 - 1));
      // Only an awaited flush() keeps the process alive for what is left.
      if (waiters.size === 0) unref(wake);
    }

    async function deliver(item: Item): Promise<void> {
      inFlight.add(item);
      // Deliveries that fail together (an outage seen by every worker at once) step the shared
      // backoff up once, not once each.
      const failuresBefore = failuresInARow;
      let failure: unknown;
      let ok = false;
      try {
        await send(item.op, JSON.parse(item.json), stopping.signal);
        ok = true;
      } catch (error) {
        failure = error;
      }
      inFlight.delete(item);
      // Stopped by shutdown's deadline: the item stays in the spool for the next outbox.
      if (stopping.signal.aborted) return;
      const status = (failure as { status?: number } | undefined)?.status;
      limiter.onAttempt({ request: item.op.name, attempt: item.attempts + 1, status: ok ? 200 : status });
      if (ok) {
        failuresInARow = 0;
        settle(item, "delivered");
      } else {
        const delay = redeliveryDelay(failure, item.attempts);
        if (delay === undefined) settle(item, "rejected", failure as PareaError);
        else {
          // Everyone waits out an outage (a 429's wait was set by onAttempt); the item itself backs off
          // further, so one the server keeps failing does not hold the others up.
          if (status !== 429) limiter.pause(backoffDelayMs(failuresBefore, Math.random, OUTBOX_BACKOFF));
          failuresInARow = Math.max(failuresInARow, failuresBefore + 1);
          item.attempts++;
          item.notBefore = Math.min(clock() + delay, item.at + maxAgeMs);
          counts.retried++;
          log.debug?.(
            `outbox: ${item.op.name} item ${item.id} again in ${Math.round(delay)} ms after ${(failure as Error)?.name ?? failure} (attempt ${item.attempts + 1})`,
          );
          retrying.push(item);
        }
      }
      pump();
    }

    function flush({ timeoutMs }: { timeoutMs?: number } = {}): Promise<OutboxResult> {
      spool?.sync();
      if (queued === 0) return Promise.resolve(result(0));
      return new Promise((resolve) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const waiter: Waiter = {
          until: nextId,
          remaining: queued,
          done() {
            clearTimeout(timer);
            waiters.delete(waiter);
            spool?.sync();
            resolve(result(waiter.remaining));
          },
        };
        waiters.add(waiter);
        if (timeoutMs !== undefined) timer = setTimeout(waiter.done, timeoutMs);
        pump(); // re-arms its timer as one that keeps the process alive while this is awaited
      });
    }

    function shutdown({ timeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS }: { timeoutMs?: number } = {}) {
      closed = true;
      shuttingDown ??= flush({ timeoutMs }).then((outcome) => {
        stopping.abort(new PareaError("the outbox was shut down"));
        clearTimeout(wake);
        spool?.close();
        if (outcome.pending && !spool)
          log.warn?.(`outbox shut down with ${outcome.pending} item(s) undelivered (no spoolDir keeps them)`);
        return outcome;
      });
      return shuttingDown;
    }

    const methods = Object.fromEntries(
      Object.values(opsByName)
        .filter((op) => op.retrySafe)
        .map((op) => [op.name, (body: unknown) => accept(op, body)]),
    );
    if (ready.size > 0) pump();
    return {
      ...methods,
      flush,
      shutdown,
      stats: () => ({ queued, inFlight: inFlight.size, ...counts }),
    } as Outbox;
  };
}

/** One delivery attempt: the client sends once (maxRetries 0); the outbox decides what follows. */
type Send = (operation: Operation, body: unknown, signal: AbortSignal) => Promise<unknown>;

/** Delivery through an object's own methods (a stub standing in for the client). */
function viaMethods(parea: object): Send {
  return async (op, body, signal) => {
    const method = (parea as Record<string, unknown>)[op.name];
    if (typeof method !== "function")
      throw new PareaError(`createOutbox: the client has no ${op.name} method; pass one made by createPareaClient`);
    return method.call(parea, body, { maxRetries: 0, signal });
  };
}
