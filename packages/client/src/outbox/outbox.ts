// createOutbox: feedback off a service's request path. A call validates, copies and queues the body
// synchronously (with a spoolDir it is also written to disk, spool.ts) and returns; the workers
// (dispatch.ts) deliver it in the background through the client's own call. Here: accepting, settling
// every item exactly once (delivered, rejected or dropped, with onDrop and a warn line), the bounds
// (maxQueued, the spool's size), and flush/shutdown/stats.
import { PareaError } from "../errors.js";
import { operations } from "../generated/operations/index.js";
import { INTERNAL, type Internal } from "../internal.js";
import { createLog } from "../logger.js";
import { checkRequestBody, wireBody, type Operation, type OperationName } from "../operations.js";
import { Secrets } from "../redact.js";
import { checkOutboxOptions, type DropReason, type Outbox, type OutboxOptions, type OutboxResult } from "./contract.js";
import { Dispatcher, type Item, type Send } from "./dispatch.js";
import { clock } from "./queues.js";
import type { OpenSpool, Spool } from "./spool.js";

interface Waiter {
  /** Items with a smaller id are covered. */
  until: number;
  remaining: number;
  done: () => void;
}

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/** createOutbox for one platform: with a file spool (the Node build), or refusing spoolDir. */
export function outboxFactory(openSpool?: OpenSpool) {
  return function createOutbox(parea: object, options: OutboxOptions = {}): Outbox {
    const settings = checkOutboxOptions(options, Boolean(openSpool));
    const { maxQueued, onDrop } = settings;
    const internal = (parea as { [INTERNAL]?: Internal })[INTERNAL];
    // A client from createPareaClient shares its call, check and log; any other object with the
    // operations' methods (a service's own stub) is called through them.
    const log = internal?.log ?? createLog(console, "warn", new Secrets());
    const transports = new Map();
    const send: Send = internal
      ? (op, body, signal) => internal.call(op, body as never, { maxRetries: 0, signal }, transports)
      : (op, body, signal) => (parea as Methods)[op.name]!.call(parea, body, { maxRetries: 0, signal });
    // A stub without an operation's method could never deliver it: its items are refused at once.
    const unsendable = (op: Operation) =>
      internal || typeof (parea as Methods)[op.name] === "function"
        ? undefined
        : new PareaError(`createOutbox: the client has no ${op.name} method; pass one made by createPareaClient`);
    const check = internal?.check ?? checkRequestBody;
    const waiters = new Set<Waiter>();
    const counts = { delivered: 0, rejected: 0, dropped: 0 };
    const workers = new Dispatcher({ ...settings, send, log, settle, awaited: () => waiters.size > 0 });
    const spool: Spool | undefined =
      settings.spoolDir === undefined
        ? undefined
        : // checkOutboxOptions refuses a spoolDir where no spool can be opened (canSpool).
          openSpool!(settings.spoolDir, { ...settings, log, pending: () => workers.unsettled() });
    let queued = 0;
    let nextId = spool?.nextId ?? 1;
    let closed = false;
    let shuttingDown: Promise<OutboxResult> | undefined;

    const result = (pending: number): OutboxResult => ({ ...counts, pending });

    function drop(operation: string, body: () => unknown, reason: DropReason, error?: PareaError): void {
      counts[reason === "rejected" ? "rejected" : "dropped"]++;
      log.warn?.(`outbox dropped a ${operation} item (${reason}${error ? `: ${error.message}` : ""})`);
      try {
        onDrop?.({ operation: operation as OperationName, body: body(), reason, error });
      } catch (thrown) {
        log.warn?.(`outbox onDrop threw: ${String(thrown)}`);
      }
    }

    function settle(item: Item, outcome: "delivered" | Exclude<DropReason, "full">, error?: PareaError): void {
      queued--;
      spool?.settle(item);
      if (outcome === "delivered") counts.delivered++;
      else drop(item.op.name, () => JSON.parse(item.json), outcome, error);
      for (const waiter of waiters) if (item.id < waiter.until && --waiter.remaining === 0) waiter.done();
    }

    const operationsByName = operations as Record<string, Operation>;
    for (const stored of spool?.left ?? []) {
      const op = operationsByName[stored.op.name];
      const item: Item = Object.assign(stored, { op: op ?? (stored.op as Operation), attempts: 0, notBefore: 0 });
      queued++;
      const refusal = !op?.retrySafe
        ? new PareaError(
            `the spool holds a ${stored.op.name} item, which the spec no longer has as a retry-safe operation`,
          )
        : unsendable(op);
      if (refusal) settle(item, "rejected", refusal);
      else workers.add(item);
    }

    function accept(op: Operation, body: unknown): void {
      if (closed) throw new PareaError(`outbox.${op.name}: the outbox is shut down; the item was not accepted`);
      const refusal = unsendable(op); // while the caller still has the body
      if (refusal) throw refusal;
      // What is checked is what will be sent: a toJSON's output, not the object.
      const json = wireBody(op, body);
      const value: unknown = JSON.parse(json);
      check(op, value);
      if (queued >= maxQueued) return drop(op.name, () => value, "full");
      // Every field set here, so items keep one shape when the spool fills in home and size.
      const item: Item = { id: nextId, at: clock(), json, op, attempts: 0, notBefore: 0, home: undefined, size: 0 };
      // "memory": the disk refused the write (full, read-only); the item is kept here, not durably.
      if (spool?.append(item) === "full") return drop(op.name, () => value, "full");
      nextId++;
      queued++;
      workers.add(item);
    }

    function flush({ timeoutMs }: { timeoutMs?: number } = {}): Promise<OutboxResult> {
      spool?.sync();
      // Nothing to wait for; or nothing will move again (shut down): say what is left.
      if (queued === 0 || workers.stopped) return Promise.resolve(result(queued));
      return new Promise((resolve) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const waiter: Waiter = {
          until: nextId,
          remaining: queued,
          done() {
            clearTimeout(timer);
            waiters.delete(waiter);
            workers.letGo();
            spool?.sync();
            resolve(result(waiter.remaining));
          },
        };
        waiters.add(waiter);
        if (timeoutMs !== undefined) timer = setTimeout(waiter.done, timeoutMs);
        workers.pump(); // re-arms its timer as one that keeps the process alive while this is awaited
      });
    }

    function shutdown({ timeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS }: { timeoutMs?: number } = {}) {
      closed = true;
      shuttingDown ??= flush({ timeoutMs }).then(() => {
        workers.stop(new PareaError("the outbox was shut down"));
        // What nothing keeps (no spool, or the disk refused it) is handed to onDrop, not lost unsaid.
        for (const item of [...workers.unsettled()]) if (!item.home) settle(item, "shutdown");
        spool?.close();
        return result(queued);
      });
      return shuttingDown;
    }

    const methods = Object.values(operationsByName)
      .filter((op) => op.retrySafe)
      .map((op) => [op.name, (body: unknown) => accept(op, body)]);
    return {
      ...Object.fromEntries(methods),
      flush,
      shutdown,
      stats: () => ({ queued, inFlight: workers.inFlight.size, retried: workers.retried, ...counts }),
    } as Outbox;
  };
}

/** A stub standing in for the client: an object with (some of) the operations' methods. */
type Methods = Record<string, ((body: unknown, init: object) => Promise<unknown>) | undefined>;
