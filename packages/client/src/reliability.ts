// The reliability layer: the fetch openapi-fetch calls, below its middleware chain (auth has already
// run once). It validates, times out, retries and follows same-origin redirects by replaying the
// request; whether and when to retry is retry.ts's decision, and every error comes from errors.ts.
import {
  abortError,
  connectionError,
  invalidRequestError,
  PareaError,
  PareaRedirectError,
  redirectError,
  timeoutError,
  tooLargeError,
} from "./errors.js";
import { errorOrCauseCode } from "./error-code.js";
import { ResponseTooLarge, type BufferedResponse } from "./light/response.js";
import type { Log } from "./logger.js";
import type { Secrets } from "./redact.js";
import { findOperation, requestBodyIssues, type Operation } from "./operations.js";
import { isRetrySafe, retryDecision, serverRequestedDelayMs } from "./retry.js";
import type { FetchFunction, Send } from "./send/types.js";
import { sleep } from "./sleep.js";

export interface TransportOptions {
  /** One exchange on the wire: the platform's fetch, the caller's, or Node's http (send.ts). */
  send: Send;
  /** Resolved base URL; its path is stripped before matching spec paths. */
  baseUrl: string;
  maxRetries: number;
  timeoutMs: number;
  maxResponseBytes: number;
  signal?: AbortSignal | undefined;
  /** The client's credentials: scrubbed from every error this layer builds. */
  secrets: Secrets;
  /** Check JSON bodies against the spec before sending. */
  validate: boolean;
  /** Awaited before every attempt, retries included (PareaClientOptions.beforeAttempt). */
  beforeAttempt?: ((attempt: AttemptStart) => void | Promise<void>) | undefined;
  /** Told the outcome of every attempt, retries included (PareaClientOptions.onAttempt). */
  onAttempt?: ((attempt: AttemptInfo) => void) | undefined;
  /**
   * The one operation this transport serves, its body already validated by the caller (the named
   * helpers). Without it, each request is looked up in the generated table by method and path.
   */
  operation?: Operation | undefined;
  log: Log;
}

const MAX_REDIRECTS = 5;

const attemptsByResponse = new WeakMap<object, number>();

/** How many requests produced this response (1 + retries). */
export function attemptsOf(response: Response): number {
  return attemptsByResponse.get(response) ?? 1;
}

/** What beforeAttempt is told: which request, which attempt, and the caller's cancellation. */
export interface AttemptStart {
  /** "POST /api/parea/v1/feedback" */
  request: string;
  /** 1 for the first try. */
  attempt: number;
  /** Fires when the caller aborts: a hook that waits (a shared rate limit) should stop waiting. */
  signal: AbortSignal | undefined;
}

/** One attempt's outcome: a status (and the wait the server asked for), or the failure. */
export interface AttemptInfo {
  /** "POST /api/parea/v1/feedback" */
  request: string;
  /** 1 for the first try. */
  attempt: number;
  status?: number;
  retryAfterMs?: number | undefined;
  error?: PareaError;
}

export function createTransport(options: TransportOptions): FetchFunction {
  const { log, timeoutMs, baseUrl, secrets, maxResponseBytes } = options;
  const basePath = new URL(baseUrl).pathname.replace(/\/+$/, "");

  return async (request) => {
    const { method, url } = request;
    const path = options.operation?.path ?? pathOf(url, baseUrl, basePath);
    const where = `${method} ${path}`;
    const body = await bodyOf(request);
    let operation = options.operation;
    if (!operation) {
      operation = await findOperation(method, path);
      if (options.validate && operation && body && /json/i.test(request.headers.get("content-type") ?? "")) {
        const issues = requestBodyIssues(operation, parseJson(body));
        if (issues.length) throw invalidRequestError(where, issues, secrets);
      }
    }
    const retrySafe = isRetrySafe(method, operation);
    const [caller, release] = either(options.signal, request.signal);
    const aborted = () => abortError(where, caller?.reason, secrets);
    const maxAttempts = options.maxRetries + 1;

    try {
      for (let attempt = 1; ; attempt++) {
        await options.beforeAttempt?.({ request: where, attempt, signal: caller });
        if (caller?.aborted) throw aborted();
        log.debug?.(`${where} attempt ${attempt}: ${JSON.stringify(Object.fromEntries(request.headers))}`);
        const started = performance.now();
        let reason: string;
        let delay: number | undefined;
        try {
          const response = await sendFollowingRedirects(options.send, request, body, caller, {
            deadline: started + timeoutMs,
            maxBytes: maxResponseBytes,
            secrets,
          });
          log.info?.(
            `${where} -> ${response.status} in ${Math.round(performance.now() - started)} ms (attempt ${attempt})`,
          );
          const retryAfterMs = serverRequestedDelayMs(response.headers);
          options.onAttempt?.({ request: where, attempt, status: response.status, retryAfterMs });
          delay = retryDecision({ attempt, maxAttempts, retrySafe, status: response.status, retryAfterMs });
          if (delay === undefined) {
            // attemptsOf answers 1 for a response it has no entry for: most calls add none.
            if (attempt > 1) attemptsByResponse.set(response, attempt);
            return response as unknown as Response;
          }
          reason = `status ${response.status}`;
        } catch (error) {
          if (error instanceof PareaRedirectError) throw error;
          if (caller?.aborted) throw aborted();
          if (error instanceof ResponseTooLarge) throw tooLargeError(where, error, maxResponseBytes, attempt, secrets);
          const code = errorOrCauseCode(error) ?? "";
          const failure: PareaError =
            (error as Error | undefined)?.name === "TimeoutError"
              ? timeoutError(where, timeoutMs, attempt, secrets)
              : connectionError(where, code, attempt, error, secrets);
          options.onAttempt?.({ request: where, attempt, error: failure });
          delay = retryDecision({ attempt, maxAttempts, retrySafe, code });
          if (delay === undefined) throw failure;
          reason = failure.name;
        }
        log.info?.(
          `retrying ${where} in ${Math.round(delay)} ms after ${reason} (attempt ${attempt + 1}/${maxAttempts})`,
        );
        if (!(await sleep(delay, caller))) throw aborted();
      }
    } finally {
      release();
    }
  };
}

/**
 * Follows redirects itself so the API key never leaves the API's origin: a same-origin redirect is
 * followed with fetch's method rules, a cross-origin one is refused with an error.
 */
async function sendFollowingRedirects(
  send: Send,
  original: Request,
  body: string | Uint8Array<ArrayBuffer> | null,
  signal: AbortSignal | undefined,
  { deadline, maxBytes, secrets }: { deadline: number; maxBytes: number; secrets: Secrets },
): Promise<BufferedResponse> {
  let { url, method, headers } = original;
  for (let hop = 0; ; hop++) {
    // timeoutMs bounds the whole attempt, redirects included.
    const timeoutMs = Math.max(1, deadline - performance.now());
    const response = await send({ url, method, headers, body, signal, timeoutMs, maxBytes });
    const location = response.headers.get("location");
    if (!location || ![301, 302, 303, 307, 308].includes(response.status)) return response;
    const from = new URL(url);
    const refuse = (why: string) => redirectError(`${original.method} ${from.pathname}`, why, secrets);
    // A Location no URL parser accepts is the server's fault, and sending again would not fix it.
    if (!URL.canParse(location, from)) throw refuse(`the ${response.status} redirect's Location is not a URL`);
    const next = new URL(location, from);
    if (next.origin !== from.origin)
      throw refuse(`refused redirect to another origin (${next.origin}) that would get the API key`);
    if (hop >= MAX_REDIRECTS) throw refuse("too many redirects");
    // Fetch's rules: a 303 makes anything but HEAD a GET; a 301 or 302 makes only a POST one.
    if ((response.status === 303 && method !== "HEAD") || (response.status < 303 && method === "POST")) {
      method = "GET";
      body = null;
      headers = new Headers(headers);
      headers.delete("content-type");
    }
    url = next.href;
  }
}

/**
 * The caller's cancellation: the client's signal, the call's, or both. Not AbortSignal.any: on Node 20
 * each signal it makes stays tied to a long-lived source signal (a client-wide one), and an import of a
 * million rows grew by megabytes a second. Listeners here are removed when the call ends.
 */
function either(a: AbortSignal | undefined, b: AbortSignal | undefined): [AbortSignal | undefined, () => void] {
  if (!a || !b || a === b) return [a ?? b, () => {}];
  const both = new AbortController();
  const onA = () => both.abort(a.reason);
  const onB = () => both.abort(b.reason);
  if (a.aborted) onA();
  else if (b.aborted) onB();
  a.addEventListener("abort", onA, { once: true });
  b.addEventListener("abort", onB, { once: true });
  const unlink = () => {
    a.removeEventListener("abort", onA);
    b.removeEventListener("abort", onB);
  };
  return [both.signal, unlink];
}

/** A request URL's path relative to the base URL, without query (the form spec paths take). */
function pathOf(url: string, baseUrl: string, basePath: string): string {
  if (url.startsWith(baseUrl)) return url.slice(baseUrl.length).replace(/[?#].*$/, "");
  const { pathname } = new URL(url);
  return pathname.startsWith(basePath) ? pathname.slice(basePath.length) : pathname;
}

/** The request body as sent: a LightRequest's own string, else read once from the Request. */
async function bodyOf(request: Request): Promise<string | Uint8Array<ArrayBuffer> | null> {
  const raw = (request as { rawBody?: string | null }).rawBody;
  if (raw !== undefined) return raw;
  return request.body ? new Uint8Array(await request.arrayBuffer()) : null;
}

function parseJson(body: string | Uint8Array): unknown {
  try {
    return JSON.parse(typeof body === "string" ? body : new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
}
