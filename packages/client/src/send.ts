// One HTTP exchange, below retries and redirects: the seam between the reliability layer
// (transport.ts) and the platform's HTTP stack.
import { buffer, type BufferedResponse } from "./buffered-response.js";

export type FetchFunction = (request: Request) => Promise<Response>;

export interface Outgoing {
  url: string;
  method: string;
  headers: Headers;
  body: string | Uint8Array<ArrayBuffer> | null;
  signal: AbortSignal;
}

/** Sends one request, no redirects followed, and resolves once the whole body has arrived. */
export type Send = (request: Outgoing) => Promise<BufferedResponse>;

/** A Send over any fetch (the platform's or the caller's), which receives a standard Request. */
export function fetchSend(fetchImpl: FetchFunction): Send {
  return async ({ url, method, headers, body, signal }) =>
    buffer(await fetchImpl(new Request(url, { method, headers, body, signal, redirect: "manual" })));
}
