// The Send over any fetch: the platform's (browsers, edge runtimes, Deno, Bun) or the caller's.
import { buffer } from "../light/response.js";
import type { FetchFunction, Send } from "./types.js";

// Requests in flight, held until their body is in. undici ties a Request's own signal to the signal
// it was given through a weak reference: a Request collected mid-exchange (nothing else holds it once
// fetch has it) took its timeout and abort with it, and the call hung for good, socket open.
const inFlight = new Set<Request>();

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
    const forward = () => controller.abort(signal?.reason);
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
