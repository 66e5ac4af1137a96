// What the client shares with its own add-ons (the outbox) and with nobody else: its generic call, its
// body check and its leveled log, under a symbol-keyed property. Symbol.for, not a module-level map,
// because each package entry is bundled on its own (the CJS builds share no modules): the outbox entry
// must find what the main entry's client put there.
import type { Log } from "./logger.js";
import type { Operation } from "./operations.js";
import type { FetchFunction } from "./send/types.js";

export const INTERNAL: unique symbol = Symbol.for("@parea-api/client:internal") as never;

export interface Internal {
  /**
   * The client's generic call. With per-call options, pass a Map kept for those options (the outbox's
   * maxRetries: 0) and their transports are made once, not on every call.
   */
  call: (
    operation: Operation,
    body: never,
    options?: { signal?: AbortSignal | undefined; maxRetries?: number },
    cache?: Map<Operation, FetchFunction>,
  ) => Promise<unknown>;
  /** Throws PareaInvalidRequestError (the key scrubbed) when the body breaks the spec and validation is on. */
  check: (operation: Operation, body: unknown) => void;
  log: Log;
}
