// The entry for browsers, edge runtimes and bundlers without the "node" condition: the platform fetch.
import { clientFactory } from "./client.js";
import { fetchSend } from "./send/fetch.js";

// fetch is looked up per call, so a fetch installed or stubbed after import is the one used.
export const createPareaClient = clientFactory(fetchSend((request) => fetch(request)));
export * from "./exports.js";
