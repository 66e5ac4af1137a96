// The outbox's public contract: its types (methods generated from the operation table) and its
// options, with defaults; a bad option is a PareaError naming it (as the client's options.ts does)
// when the outbox is created, never a failure in the background later.
import { optionError, type PareaError } from "../errors.js";
import type { operations } from "../generated/operations/index.js";
import type { OperationName, RequestBody } from "../operations.js";

/**
 * Why an item was given up: no room, too old, refused by the API for good, or undelivered at shutdown
 * with nothing to keep it (no spoolDir, or the disk refused its write).
 */
export type DropReason = "full" | "expired" | "rejected" | "shutdown";

export interface OutboxDrop {
  operation: OperationName;
  body: unknown;
  reason: DropReason;
  /** For "rejected": the PareaApiError (or other final PareaError); for a failed spool write: why. */
  error?: PareaError | undefined;
}

export interface OutboxOptions {
  /** A directory for the durable spool (Node, Bun, Deno): accepted items survive crashes and restarts. */
  spoolDir?: string;
  /** Deliveries in flight. Default 4. */
  concurrency?: number;
  /** Items accepted and not yet settled, in flight included; past it new items are dropped ("full"). Default 10 000. */
  maxQueued?: number;
  /** An item undelivered after this is dropped ("expired"). Default 1 h in memory, 24 h with a spoolDir. */
  maxAgeMs?: number;
  /**
   * The spool's size on disk (settled records are reclaimed first; an eighth is kept for that); past it
   * new items are dropped ("full"). Default 256 MiB; at least 16 KiB.
   */
  maxSpoolBytes?: number;
  /** Told of every item given up: "full", "expired", "rejected" (with the PareaApiError) or "shutdown". */
  onDrop?: (drop: OutboxDrop) => void;
}

export interface OutboxStats {
  /** Accepted and not yet settled, in flight included (what maxQueued bounds). */
  queued: number;
  inFlight: number;
  delivered: number;
  /** Deliveries sent again after a failure. */
  retried: number;
  rejected: number;
  /** Dropped as "full", "expired" or "shutdown". */
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

// Properties, not methods: every one is a closure, safe to pass along detached (`const { shutdown } =
// outbox`, `.finally(outbox.shutdown)`), and typed so that an unbound-method lint agrees.
export interface Outbox extends OutboxMethods {
  /** Settles everything accepted before the call, or gives up after timeoutMs (default: no limit). */
  flush: (options?: { timeoutMs?: number }) => Promise<OutboxResult>;
  /**
   * Refuses new items, flushes (default timeoutMs 10 000), stops sending and releases the spool; what is
   * still undelivered and not in the spool goes to onDrop ("shutdown"). `pending`: what the spool keeps.
   */
  shutdown: (options?: { timeoutMs?: number }) => Promise<OutboxResult>;
  stats: () => OutboxStats;
}

const HOUR = 3_600_000;
export const MIN_SPOOL_BYTES = 16 * 1024;

const fail = (option: string, message: string): never => {
  throw optionError(option, `createOutbox: ${message}`);
};

/** The options with their defaults, each checked. */
export function checkOutboxOptions(options: OutboxOptions, canSpool: boolean) {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers pass anything
  if (typeof options !== "object" || options === null) fail("options", "options must be an object");
  const { spoolDir, onDrop } = options;
  const whole = (name: keyof OutboxOptions, fallback: number, max = Number.MAX_SAFE_INTEGER, min = 1): number => {
    const value = options[name] ?? fallback;
    if (!(typeof value === "number" && Number.isInteger(value) && value >= min && value <= max))
      fail(name, `${name} must be a whole number from ${min} to ${max}, not ${String(value)}`);
    return value as number;
  };
  if (spoolDir !== undefined && (typeof spoolDir !== "string" || spoolDir === ""))
    fail("spoolDir", "spoolDir must be a directory path");
  if (spoolDir !== undefined && !canSpool)
    fail("spoolDir", "spoolDir needs a file system (Node, Bun, Deno); this runtime's build keeps items in memory");
  if (onDrop !== undefined && typeof onDrop !== "function") fail("onDrop", "onDrop must be a function");
  return {
    spoolDir,
    onDrop,
    concurrency: whole("concurrency", 4, 256),
    maxQueued: whole("maxQueued", 10_000),
    maxAgeMs: whole("maxAgeMs", spoolDir === undefined ? HOUR : 24 * HOUR),
    // Below this a segment (2 KiB at least) would be more than the eighth kept for compaction.
    maxSpoolBytes: whole("maxSpoolBytes", 256 * 1024 * 1024, Number.MAX_SAFE_INTEGER, MIN_SPOOL_BYTES),
  };
}
