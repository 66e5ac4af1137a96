// The seam between the reliability layer (reliability.ts) and an HTTP stack: one exchange, below
// retries and redirects. Two implementations: fetch.ts (any fetch) and node.ts (node:http).
import type { BufferedResponse } from "../light/response.js";

export type FetchFunction = (request: Request) => Promise<Response>;

export interface Outgoing {
  url: string;
  method: string;
  headers: Headers;
  body: string | Uint8Array<ArrayBuffer> | null;
  /** The caller's cancellation, if any. */
  signal: AbortSignal | undefined;
  /** Headers and body must have arrived within this; else reject with an error named "TimeoutError". */
  timeoutMs: number;
  /** A body larger than this (decoded) is not read further: reject with ResponseTooLarge. */
  maxBytes: number;
}

/** Sends one request, no redirects followed, and resolves once the whole body has arrived. */
export type Send = (request: Outgoing) => Promise<BufferedResponse>;
