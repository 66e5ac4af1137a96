// The entry for browsers, edge runtimes and bundlers without the "node" condition: the platform fetch.
import { clientFactory } from "./client.js";
import { platformFetchSend } from "./send/fetch.js";

export const createPareaClient = clientFactory(platformFetchSend);
export * from "./exports.js";
