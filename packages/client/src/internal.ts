// What the client shares with its own add-ons (the outbox) and with nobody else: its generic call, its
// body check and its leveled log, under a symbol-keyed property. Symbol.for, not a module-level map,
// because each package entry is bundled on its own (the CJS builds share no modules): the outbox entry
// must find what the main entry's client put there.
import type { Log } from "./logger.js";
import type { Operation } from "./operations.js";
import type { RequestOptions } from "./client.js";

export const INTERNAL: unique symbol = Symbol.for("@parea-api/client:internal") as never;

/** Calls one operation through transports made once for these options; throws a PareaError subclass. */
export type Call = (operation: Operation, body: unknown, signal?: AbortSignal) => Promise<unknown>;

export interface Internal {
  /** A call with some options fixed (the outbox's maxRetries: 0), its transports cached per operation. */
  callWith(overrides: Omit<RequestOptions, "signal">): Call;
  /** Throws PareaInvalidRequestError (the key scrubbed) when the body breaks the spec and validation is on. */
  check(operation: Operation, body: unknown): void;
  log: Log;
}
