// The fetch openapi-fetch calls, below its middleware chain: auth has already run once, and this
// layer validates, times out, retries and follows (same-origin) redirects by replaying the request.
import {
  PareaAbortError,
  PareaConnectionError,
  PareaError,
  PareaInvalidRequestError,
  PareaRedirectError,
  PareaTimeoutError,
} from "./errors.js";
import type { Log } from "./logger.js";
import { redactHeaders } from "./logger.js";
import { findOperation, requestBodyIssues } from "./operations.js";
import { backoffDelayMs, isRetryableStatus, MAX_RETRY_AFTER_MS, serverRequestedDelayMs } from "./retry-timing.js";

export type FetchFunction = (request: Request) => Promise<Response>;

export interface TransportOptions {
  fetch: FetchFunction;
  /** Resolved base URL; its path is stripped before matching spec paths. */
  baseUrl: string;
  maxRetries: number;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Check JSON bodies against the spec before sending. */
  validate: boolean;
  log: Log;
}

/** Methods HTTP defines as idempotent; other methods retry only when the spec marks them safe. */
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);
/** Failures where the request provably never reached the server, so any method may be retried. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

const attemptsByResponse = new WeakMap<Response, number>();

/** How many requests produced this response (1 + retries). */
export function attemptsOf(response: Response): number {
  return attemptsByResponse.get(response) ?? 1;
}

export function createTransport(options: TransportOptions): FetchFunction {
  const basePath = new URL(options.baseUrl).pathname.replace(/\/+$/, "");

  return async function send(request: Request): Promise<Response> {
    const method = request.method;
    const url = new URL(request.url);
    const path = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname;
    const operation = findOperation(method, path);
    const body = request.body === null ? null : await request.arrayBuffer();
    if (options.validate && operation && body !== null && /json/i.test(request.headers.get("content-type") ?? "")) {
      const issues = requestBodyIssues(operation, parseJson(body));
      if (issues.length > 0) throw new PareaInvalidRequestError(method, path, issues);
    }
    const retrySafe = operation ? operation.op.retrySafe : IDEMPOTENT.has(method);
    const callerSignal = anySignal([options.signal, request.signal]);
    const maxAttempts = options.maxRetries + 1;

    for (let attempt = 1; ; attempt++) {
      if (callerSignal?.aborted) throw new PareaAbortError(method, path, callerSignal.reason);
      options.log.debug(
        `${method} ${request.url} attempt ${attempt}/${maxAttempts} headers ${JSON.stringify(redactHeaders(request.headers))}`,
      );
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
      const started = Date.now();
      let failure: { error: PareaError; neverSent: boolean };
      try {
        const response = await sendFollowingRedirects(
          options.fetch,
          request,
          body,
          anySignal([callerSignal, timeout.signal])!,
        );
        clearTimeout(timer);
        options.log.info(
          `${method} ${request.url} -> ${response.status} in ${Date.now() - started} ms (attempt ${attempt})`,
        );
        const requested = serverRequestedDelayMs(response.headers);
        const retry =
          isRetryableStatus(response.status) &&
          retrySafe &&
          attempt < maxAttempts &&
          (requested === undefined || requested <= MAX_RETRY_AFTER_MS);
        if (!retry) {
          attemptsByResponse.set(response, attempt);
          return response;
        }
        await response.body?.cancel();
        const delay = requested ?? backoffDelayMs(attempt - 1);
        options.log.info(
          `retrying ${method} ${path} in ${Math.round(delay)} ms after status ${response.status} (attempt ${attempt + 1}/${maxAttempts})`,
        );
        await sleep(delay, callerSignal, () => new PareaAbortError(method, path, callerSignal?.reason));
        continue;
      } catch (error) {
        clearTimeout(timer);
        if (error instanceof PareaRedirectError) throw error;
        if (callerSignal?.aborted) throw new PareaAbortError(method, path, callerSignal.reason);
        failure = timeout.signal.aborted
          ? { error: new PareaTimeoutError(method, path, options.timeoutMs, attempt), neverSent: false }
          : {
              error: new PareaConnectionError(method, path, attempt, error),
              neverSent: NOT_SENT_CODES.has(errorCode(error)),
            };
      }
      if (attempt >= maxAttempts || !(retrySafe || failure.neverSent)) throw failure.error;
      const delay = backoffDelayMs(attempt - 1);
      options.log.info(
        `retrying ${method} ${path} in ${Math.round(delay)} ms after ${failure.error.name} (attempt ${attempt + 1}/${maxAttempts})`,
      );
      await sleep(delay, callerSignal, () => new PareaAbortError(method, path, callerSignal?.reason));
    }
  };
}

/**
 * Follows redirects itself so the API key never leaves the API's origin: a same-origin redirect is
 * followed with fetch's method rules, a cross-origin one is refused with an error.
 */
async function sendFollowingRedirects(
  fetchImpl: FetchFunction,
  original: Request,
  body: ArrayBuffer | null,
  signal: AbortSignal,
): Promise<Response> {
  let url = original.url;
  let method = original.method;
  let payload = body;
  const headers = new Headers(original.headers);
  for (let hop = 0; ; hop++) {
    const response = await fetchImpl(new Request(url, { method, headers, body: payload, signal, redirect: "manual" }));
    const location = response.headers.get("location");
    if (!REDIRECTS.has(response.status) || location === null) return response;
    await response.body?.cancel();
    const from = new URL(url);
    const next = new URL(location, from);
    if (next.origin !== from.origin) {
      throw new PareaRedirectError(
        `${original.method} ${from.pathname} was redirected (${response.status}) from ${from.origin} to another origin, ${next.origin}; not followed, so the API key is not sent there`,
      );
    }
    if (hop + 1 > MAX_REDIRECTS)
      throw new PareaRedirectError(`${original.method} ${from.pathname}: more than ${MAX_REDIRECTS} redirects`);
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
      method = "GET";
      payload = null;
      headers.delete("content-type");
    }
    url = next.href;
  }
}

function parseJson(body: ArrayBuffer): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
}

function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === "string" ? cause.code : "";
}

function anySignal(signals: (AbortSignal | undefined | null)[]): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal != null);
  return present.length <= 1 ? present[0] : AbortSignal.any(present);
}

function sleep(ms: number, signal: AbortSignal | undefined, onAbort: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(onAbort());
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(onAbort());
    };
    signal?.addEventListener("abort", abort, { once: true });
  });
}
