// One HTTP exchange, below retries and redirects: the seam between the reliability layer
// (transport.ts) and the platform's HTTP stack.
import { buffer, type BufferedResponse } from "./buffered-response.js";

// Requests in flight, held until their body is in. undici ties a Request's own signal to the signal
// it was given through a weak reference: a Request collected mid-exchange (nothing else holds it once
// fetch has it) took its timeout and abort with it, and the call hung for good, socket open.
const inFlight = new Set<Request>();

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

/** A Send over any fetch (the platform's or the caller's), which receives a standard Request. */
export function fetchSend(fetchImpl: FetchFunction): Send {
  return async ({ url, method, headers, body, signal, timeoutMs, maxBytes }) => {
    // fetch rejects with the abort reason: a DOMException named "TimeoutError" when the timer fires.
    // (AbortSignal.timeout and AbortSignal.any cost ~30x a controller and a timer in Node.)
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException(`no response within ${timeoutMs} ms`, "TimeoutError")),
      timeoutMs,
    );
    const forward = () => controller.abort(signal!.reason);
    signal?.addEventListener("abort", forward, { once: true });
    if (signal?.aborted) forward();
    const request = new Request(url, { method, headers, body, signal: controller.signal, redirect: "manual" });
    inFlight.add(request);
    try {
      return await buffer(await fetchImpl(request), maxBytes);
    } finally {
      inFlight.delete(request);
      clearTimeout(timer);
      signal?.removeEventListener("abort", forward);
    }
  };
}
