// One HTTP exchange, below retries and redirects: the seam between the reliability layer
// (transport.ts) and the platform's HTTP stack.
import { buffer, type BufferedResponse } from "./buffered-response.js";

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
}

/** Sends one request, no redirects followed, and resolves once the whole body has arrived. */
export type Send = (request: Outgoing) => Promise<BufferedResponse>;

/** A Send over any fetch (the platform's or the caller's), which receives a standard Request. */
export function fetchSend(fetchImpl: FetchFunction): Send {
  return async ({ url, method, headers, body, signal, timeoutMs }) => {
    // fetch rejects with the abort reason: a DOMException named "TimeoutError" when the timer fires.
    // (AbortSignal.timeout and AbortSignal.any cost ~30x a controller and a timer in Node.)
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException(`no response within ${timeoutMs} ms`, "TimeoutError")),
      timeoutMs,
    );
    const forward = () => controller.abort(signal!.reason);
    signal?.addEventListener("abort", forward, { once: true });
    try {
      return await buffer(
        await fetchImpl(new Request(url, { method, headers, body, signal: controller.signal, redirect: "manual" })),
      );
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", forward);
    }
  };
}
