// The client as a service on this platform gets it, with the HTTP stack the test project names:
// node:http (what the "node" export condition resolves to) by default, the platform fetch when
// PAREA_TRANSPORT=fetch. vitest.config.ts runs the reliability, secret and logging suites under both.
import { createPareaClient as overNodeHttp } from "../../src/index.node.ts";
import { createPareaClient as overFetch } from "../../src/index.ts";

export const transport = process.env.PAREA_TRANSPORT === "fetch" ? "fetch" : "node:http";
export const createPareaClient = transport === "fetch" ? overFetch : overNodeHttp;
