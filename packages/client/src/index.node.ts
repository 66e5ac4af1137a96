// The entry Node resolves (the "node" export condition): the same API over node:http with keep-alive.
import { clientFactory } from "./client.js";
import { nodeSend } from "./send/node.js";

export const createPareaClient = clientFactory(nodeSend);
export * from "./exports.js";
