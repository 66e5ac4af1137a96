// The Sends over fetch: the platform's, which the client calls itself (index.ts: browsers and edge
// runtimes; Node, Bun and Deno take the "node" entry), and the caller's `fetch` option, which receives
// a standard Request.
import { buffer, type BufferedResponse } from "../light/response.js";
import type { FetchFunction, Send } from "./types.js";

/** One exchange, given the request's URL and init (its signal is the attempt's): the body read in. */
type Exchange = (url: string, init: RequestInit, maxBytes: number) => Promise<BufferedResponse>;

/** The attempt's timeout and the caller's abort, as one signal on the exchange. */
function timed(exchange: Exchange): Send {
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
    try {
      return await exchange(url, { method, headers, body, signal: controller.signal, redirect: "manual" }, maxBytes);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", forward);
    }
  };
}

/**
 * The platform's fetch, looked up per call (MSW and the like replace it after import), given the URL
 * and init: the one Request it makes follows our signal itself, and fetch holds that Request until the
 * exchange ends. Half the Requests of handing it one (undici copies a Request it is given), and no
 * body stream read back.
 */
export const platformFetchSend: Send = timed(async (url, init, maxBytes) => buffer(await fetch(url, init), maxBytes));

// Requests in flight, held until their body is in. fetch copies a Request it is given, and the copy's
// signal follows ours only through the given Request, which undici ties to ours by a weak reference:
// a Request collected mid-exchange (nothing else holds it once fetch has it) took the timeout and the
// abort with it, and the call hung for good, socket open (test/fixtures/gc-stall.mts).
const inFlight = new Set<Request>();

/** A Send over the caller's fetch, which receives a standard Request, as the `fetch` option promises. */
export function fetchSend(fetchImpl: FetchFunction): Send {
  return timed(async (url, init, maxBytes) => {
    const request = new Request(url, init);
    inFlight.add(request);
    try {
      return await buffer(await fetchImpl(request), maxBytes);
    } finally {
      inFlight.delete(request);
    }
  });
}
