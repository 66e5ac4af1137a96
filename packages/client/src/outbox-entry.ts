// The @parea-api/client/outbox entry for browsers, edge runtimes and bundlers (no "node" condition):
// the outbox in memory; a spoolDir is refused with an error saying why.
import { outboxFactory } from "./outbox/outbox.js";

export const createOutbox = outboxFactory();
export type * from "./outbox/contract.js";
