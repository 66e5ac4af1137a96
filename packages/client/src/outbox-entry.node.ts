// The @parea-api/client/outbox entry Node, Bun and Deno resolve (the "node" condition): the outbox with
// its durable file spool. It also carries the file helpers the parea CLI's import shares with the spool
// (not part of the outbox's API).
import { outboxFactory } from "./outbox/outbox.js";
import { openSpool } from "./outbox/spool.js";

export const createOutbox = outboxFactory(openSpool);
export type * from "./outbox/contract.js";
/** @internal For the parea CLI. */
export { fsProblem, writeAll } from "./node/files.js";
export { acquireLock } from "./node/lock.js";
