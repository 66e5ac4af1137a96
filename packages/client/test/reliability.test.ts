// Fault cases over real HTTP on 127.0.0.1: each asserts the error class, what the server saw and how
// long it took. Delays are short (retry-after-ms, small timeouts) except where the default backoff
// itself is under test.
import { describe, expect, it } from "vitest";
import { createPareaClient } from "./support/client-under-test.ts";
import {
  PareaAbortError,
  PareaApiError,
  PareaAuthenticationError,
  PareaConnectionError,
  PareaError,
  PareaInvalidResponseError,
  PareaRateLimitError,
  PareaRedirectError,
  PareaTimeoutError,
  PareaValidationError,
  type PareaClientOptions,
} from "../src/index.ts";
import { operations } from "../src/generated/operations/index.ts";
import { createLog } from "../src/logger.ts";
import { fetchSend } from "../src/send/fetch.ts";
import { createTransport } from "../src/reliability.ts";
import { Secrets } from "../src/redact.ts";
import { serverPerTest, timed, type Fault, type FaultServer } from "./support/fault-server.mts";
import packageJson from "../package.json" with { type: "json" };

const apiKey = "test-key-reliability";
const feedback = { trace_id: "t-1", score: 0.5 };
const serve = serverPerTest();

function clientFor(server: FaultServer, options: PareaClientOptions = {}) {
  return createPareaClient({ apiKey, baseUrl: server.url, logLevel: "off", ...options });
}

describe("retries", () => {
  it("503 with Retry-After: 1 waits a second, then succeeds", async () => {
    const server = await serve([
      { status: 503, headers: { "retry-after": "1" } },
      { status: 200, body: null },
    ]);
    const { ms, result, error } = await timed(() => clientFor(server).recordFeedback(feedback));
    expect(error).toBeUndefined();
    expect(result).toBeNull();
    expect(server.requests).toHaveLength(2);
    // Only a lower bound: a timer never fires early, while a loaded machine can add any delay. The
    // exact waits are retryDecision's (retry.test.ts); here, that the client waited at all.
    expect(ms).toBeGreaterThanOrEqual(990);
  });

  it("429 every time: PareaRateLimitError after 1 + maxRetries attempts, honouring retry-after-ms", async () => {
    const server = await serve([{ status: 429, headers: { "retry-after-ms": "40" }, body: { detail: "slow down" } }]);
    const { ms, error } = await timed(() => clientFor(server).recordFeedback(feedback));
    expect(error).toBeInstanceOf(PareaRateLimitError);
    expect(error).toMatchObject({ status: 429, attempts: 3, retryAfterMs: 40 });
    expect((error as Error).message).toBe(
      "Parea API answered 429 to POST /api/parea/v1/feedback after 3 attempts: slow down; rate limited; retry after 1 s",
    );
    expect(server.requests).toHaveLength(3);
    expect(ms).toBeGreaterThanOrEqual(80);
    // Below the least the default backoff would have waited instead (375 + 750 ms).
    expect(ms).toBeLessThan(1_125);
  });

  it("429 asking for more than 60 s: no retry, the error says how long", async () => {
    const server = await serve([{ status: 429, headers: { "retry-after": "120" } }]);
    const { error } = await timed(() => clientFor(server).recordFeedback(feedback));
    expect(error).toBeInstanceOf(PareaRateLimitError);
    expect(error).toMatchObject({ attempts: 1, retryAfterMs: 120_000 });
    expect(server.requests).toHaveLength(1);
  });

  it("500 twice then 200: default exponential backoff (0.5 s, then 1 s, minus up to 25 % jitter)", async () => {
    const server = await serve([{ status: 500 }, { status: 500 }, { status: 200, body: { ok: true } }]);
    const { ms, result } = await timed(() => clientFor(server).recordFeedback(feedback));
    expect(result).toEqual({ ok: true });
    expect(server.requests).toHaveLength(3);
    expect(ms).toBeGreaterThanOrEqual(1_125);
  });

  it("replays the same body and key on every attempt, while middleware (auth included) runs once", async () => {
    const server = await serve([
      { status: 502, headers: { "retry-after-ms": "1" } },
      { status: 504, headers: { "retry-after-ms": "1" } },
      { status: 200 },
    ]);
    const client = clientFor(server);
    let middlewareRuns = 0;
    client.use({
      onRequest: () => {
        middlewareRuns++;
      },
    });
    await client.recordFeedback(feedback);
    expect(middlewareRuns).toBe(1);
    expect(server.requests).toHaveLength(3);
    for (const request of server.requests) {
      expect(JSON.parse(request.body)).toEqual(feedback);
      expect(request.headers["x-api-key"]).toBe(apiKey);
    }
  });

  it.each([408, 409, 500, 503])("retries %i", async (status) => {
    const server = await serve([{ status, headers: { "retry-after-ms": "1" } }, { status: 200 }]);
    await clientFor(server).recordFeedback(feedback);
    expect(server.requests).toHaveLength(2);
  });

  it.each([
    [400, PareaApiError],
    [401, PareaAuthenticationError],
    [403, PareaAuthenticationError],
    [404, PareaApiError],
  ])("never retries %i (%o)", async (status, errorClass) => {
    const server = await serve([{ status, headers: { "retry-after-ms": "1" }, body: { detail: "no" } }]);
    const error = await clientFor(server)
      .recordFeedback(feedback)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ status, attempts: 1, body: { detail: "no" } });
    expect(server.requests).toHaveLength(1);
  });

  it("maxRetries per call overrides the client's", async () => {
    const server = await serve([{ status: 500, headers: { "retry-after-ms": "1" } }]);
    const client = clientFor(server, { maxRetries: 5 });
    const error = await client.recordFeedback(feedback, { maxRetries: 0 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "PareaApiError", status: 500, attempts: 1 });
    expect(server.requests).toHaveLength(1);
    await client.recordFeedback(feedback, { maxRetries: 1 }).catch(() => undefined);
    expect(server.requests).toHaveLength(3);
  });

  it("withOptions derives a client with other retry settings and the same key", async () => {
    const server = await serve([{ status: 500, headers: { "retry-after-ms": "1" } }]);
    const error = await clientFor(server)
      .withOptions({ maxRetries: 4 })
      .recordFeedback(feedback)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ attempts: 5 });
    expect(server.requests.every((request) => request.headers["x-api-key"] === apiKey)).toBe(true);
  });

  it("beforeAttempt gates every attempt and onAttempt reports each outcome, retries included", async () => {
    const server = await serve([
      { status: 429, headers: { "retry-after-ms": "5" } },
      { reset: true },
      { status: 200, body: {} },
    ]);
    const seen: unknown[] = [];
    let gateCalls = 0;
    const client = clientFor(server, {
      beforeAttempt: async () => {
        gateCalls++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      },
      onAttempt: ({ request, attempt, status, retryAfterMs, error }) =>
        seen.push({ request, attempt, status, retryAfterMs, error: error?.name }),
    });
    const { ms } = await timed(() => client.recordFeedback(feedback));
    expect(gateCalls).toBe(3);
    expect(ms).toBeGreaterThanOrEqual(60);
    const request = "POST /api/parea/v1/feedback";
    expect(seen).toEqual([
      { request, attempt: 1, status: 429, retryAfterMs: 5, error: undefined },
      { request, attempt: 2, status: undefined, retryAfterMs: undefined, error: "PareaConnectionError" },
      { request, attempt: 3, status: 200, retryAfterMs: undefined, error: undefined },
    ]);
  });

  it("retry safety comes from the spec: a POST the spec does not mark safe is not retried", async () => {
    const server = await serve([{ status: 503, headers: { "retry-after-ms": "1" } }]);
    const send = createTransport({
      send: fetchSend((request) => fetch(request)),
      baseUrl: server.url,
      maxRetries: 2,
      maxResponseBytes: 1_000_000,
      secrets: new Secrets(),
      timeoutMs: 1_000,
      validate: true,
      log: createLog(console, "off", new Secrets(apiKey)),
    });
    // Not an operation of the spec, so only HTTP semantics count: POST is not idempotent.
    const unmarked = await send(new Request(`${server.url}/api/parea/v1/unmarked`, { method: "POST", body: "{}" }));
    expect(unmarked.status).toBe(503);
    expect(server.requests).toHaveLength(1);
    // GET is idempotent, so it is retried even though the spec does not list it.
    await send(new Request(`${server.url}/api/parea/v1/unmarked`));
    expect(server.requests).toHaveLength(4);
    expect(operations.recordFeedback.retrySafe).toBe(true);
  });
});

describe("connection failures", () => {
  it("connection reset on every attempt: PareaConnectionError keeping the cause", async () => {
    const server = await serve([{ reset: true }]);
    const error = await clientFor(server)
      .recordFeedback(feedback)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaConnectionError);
    expect((error as PareaConnectionError).cause).toBeInstanceOf(Error);
    expect(error).toMatchObject({ attempts: 3 });
    expect(server.requests).toHaveLength(3);
  });

  it("a reset, then success: the retry hides it", async () => {
    const server = await serve([{ reset: true }, { status: 200, body: null }]);
    await expect(clientFor(server).recordFeedback(feedback)).resolves.toBeNull();
    expect(server.requests).toHaveLength(2);
  });

  it("connection refused: retried even for unmarked POSTs, since nothing reached the server", async () => {
    const server = await serve([{ status: 200 }]);
    const closedUrl = server.url;
    await server.close();
    let calls = 0;
    const send = createTransport({
      send: fetchSend((request) => (calls++, fetch(request))),
      baseUrl: closedUrl,
      maxRetries: 2,
      maxResponseBytes: 1_000_000,
      secrets: new Secrets(),
      timeoutMs: 1_000,
      validate: true,
      log: createLog(console, "off", new Secrets(apiKey)),
    });
    const { ms, error } = await timed(() => send(new Request(`${closedUrl}/x`, { method: "POST", body: "{}" })));
    expect(error).toBeInstanceOf(PareaConnectionError);
    expect((error as Error).message).toContain("ECONNREFUSED");
    expect(calls).toBe(3);
    expect(ms).toBeGreaterThanOrEqual(1_125);
  });
});

describe("timeouts and aborts", () => {
  it("a response slower than timeoutMs: PareaTimeoutError after each attempt timed out", async () => {
    const server = await serve([{ delayMs: 400, status: 200 }]);
    const { ms, error } = await timed(() =>
      clientFor(server, { timeoutMs: 60, maxRetries: 1 }).recordFeedback(feedback),
    );
    expect(error).toBeInstanceOf(PareaTimeoutError);
    // The client's own count: a loaded machine may time out a request before the server has read it,
    // so the server's log is no measure of attempts (issue 27: no test on a margin load can eat).
    expect(error).toMatchObject({ timeoutMs: 60, attempts: 2 });
    // Two timeouts plus one backoff of 375..500 ms is the least it can take; no upper bound, since a
    // timeout that never fired would have ended in the 400 ms answer, not PareaTimeoutError.
    expect(ms).toBeGreaterThanOrEqual(120 + 375);
  });

  it("timeoutMs per call", async () => {
    const server = await serve([{ delayMs: 300, status: 200 }]);
    const error = await clientFor(server)
      .recordFeedback(feedback, { timeoutMs: 30, maxRetries: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaTimeoutError);
    // The call's 30 ms, not the client's default, and no retry: the client's own record (see above).
    expect(error).toMatchObject({ timeoutMs: 30, attempts: 1 });
  });

  it("the caller's per-request signal: PareaAbortError, not a timeout, and no retry", async () => {
    const controller = new AbortController();
    // Aborted once the server holds the request: never before it was sent, however busy the machine.
    const server = await serve(() => {
      controller.abort(new Error("user navigated away"));
      return { delayMs: 3_000, status: 200 };
    });
    const { ms, error } = await timed(() => clientFor(server).recordFeedback(feedback, { signal: controller.signal }));
    expect(error).toBeInstanceOf(PareaAbortError);
    expect(error).not.toBeInstanceOf(PareaTimeoutError);
    expect((error as PareaAbortError).cause).toEqual(new Error("user navigated away"));
    expect(server.requests).toHaveLength(1);
    // Before the 3 s answer it would otherwise have waited for.
    expect(ms).toBeLessThan(3_000);
  });

  it("the client's signal aborts a wait between retries", async () => {
    const server = await serve([{ status: 503, headers: { "retry-after-ms": "5000" } }]);
    const controller = new AbortController();
    // Aborted from the first attempt's end, so the request was sent first however busy the machine.
    const client = clientFor(server, {
      signal: controller.signal,
      onAttempt: () => setTimeout(() => controller.abort(), 50),
    });
    const { ms, error } = await timed(() => client.recordFeedback(feedback));
    expect(error).toBeInstanceOf(PareaAbortError);
    expect(server.requests).toHaveLength(1);
    // Before the 5 s Retry-After it would otherwise have waited.
    expect(ms).toBeLessThan(5_000);
  });

  it("an already-aborted signal sends nothing", async () => {
    const server = await serve([{ status: 200 }]);
    const error = await clientFor(server)
      .recordFeedback(feedback, { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaAbortError);
    expect(server.requests).toHaveLength(0);
  });
});

describe("redirects", () => {
  it("refuses a cross-origin redirect, so the key never reaches the other origin", async () => {
    const elsewhere = await serve([{ status: 200 }]);
    const server = await serve([{ status: 307, headers: { location: `${elsewhere.url}/steal` } }]);
    const error = await clientFor(server)
      .recordFeedback(feedback)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaRedirectError);
    expect((error as Error).message).toBe(
      `POST /api/parea/v1/feedback: refused redirect to another origin (${elsewhere.url}) that would get the API key`,
    );
    expect(elsewhere.requests).toHaveLength(0);
  });

  it("follows a same-origin 308, replaying method, body and key", async () => {
    const server = await serve((n) =>
      n === 0 ? { status: 308, headers: { location: "/api/parea/v1/feedback/" } } : { status: 200, body: null },
    );
    await expect(clientFor(server).recordFeedback(feedback)).resolves.toBeNull();
    expect(server.requests.map((request) => [request.method, request.url])).toEqual([
      ["POST", "/api/parea/v1/feedback"],
      ["POST", "/api/parea/v1/feedback/"],
    ]);
    expect(JSON.parse(server.requests[1]!.body)).toEqual(feedback);
    expect(server.requests[1]!.headers["x-api-key"]).toBe(apiKey);
  });

  it("gives up after 5 same-origin redirects", async () => {
    const server = await serve([{ status: 302, headers: { location: "/again" } }]);
    const error = await clientFor(server)
      .recordFeedback(feedback)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaRedirectError);
    expect(server.requests).toHaveLength(6);
  });
});

describe("API errors", () => {
  it("a FastAPI-shaped 422: PareaValidationError with the server's issues", async () => {
    const detail = [{ loc: ["body", "trace_id"], msg: "Trace not found", type: "value_error" }];
    const server = await serve([{ status: 422, body: { detail }, headers: { "x-request-id": "req-42" } }]);
    const error = await clientFor(server)
      .recordFeedback(feedback)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaValidationError);
    expect(error).toMatchObject({ status: 422, issues: detail, requestId: "req-42", attempts: 1 });
    expect((error as Error).message).toBe(
      "Parea API answered 422 to POST /api/parea/v1/feedback: body.trace_id: Trace not found (request id req-42)",
    );
    expect(server.requests).toHaveLength(1);
  });

  it("a non-JSON error body is kept as text", async () => {
    const server = await serve([
      { status: 500, body: "<html>Bad gateway</html>", headers: { "content-type": "text/html" } },
    ]);
    const error = await clientFor(server, { maxRetries: 0 })
      .recordFeedback(feedback)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "PareaApiError", status: 500, body: "<html>Bad gateway</html>" });
  });
});

describe("bodies that are not what the spec promises", () => {
  const signInPage = `<!doctype html><html><head><title>Sign in to Corp Proxy</title></head><body>${"<p>Please sign in.</p>".repeat(30)}</body></html>`;

  it.each<[string, Fault]>([
    ["an HTML sign-in page", { status: 200, body: signInPage, headers: { "content-type": "text/html" } }],
    [
      "an HTML page sent chunked",
      { status: 200, body: signInPage, headers: { "content-type": "text/html" }, chunked: true },
    ],
    ["a truncated JSON body", { status: 201, body: '{"ok": tr' }],
  ])("a 2xx with %s: PareaInvalidResponseError naming request, status, type and body", async (_, fault) => {
    const server = await serve([fault]);
    const error = await clientFor(server)
      .recordFeedback(feedback)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaInvalidResponseError);
    expect(error).toBeInstanceOf(PareaApiError);
    expect(error).toBeInstanceOf(PareaError);
    const { message, cause, body } = error as PareaInvalidResponseError;
    const status = fault.status!;
    const type = fault.headers?.["content-type"] ?? "application/json";
    expect(message).toContain(`Parea API answered ${status} to POST /api/parea/v1/feedback`);
    expect(message).toContain(`(content-type ${type}; check baseUrl`);
    const text = String(fault.body);
    expect(message).toContain(text.slice(0, 150));
    if (text.length > 260) expect(message).not.toContain(text.slice(0, 260));
    expect(body).toBe(text.length > 200 ? `${text.slice(0, 200)}…` : text);
    expect(cause).toBeInstanceOf(SyntaxError);
    expect(error).toMatchObject({ status, contentType: type, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it("the raw verbs throw the same typed error, never a bare SyntaxError", async () => {
    const server = await serve([{ status: 200, body: signInPage, headers: { "content-type": "text/html" } }]);
    const error = await clientFor(server)
      .POST("/api/parea/v1/feedback", { body: feedback })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaInvalidResponseError);
  });

  it("a caller asking for text gets the text: only JSON parsing is checked", async () => {
    const server = await serve([{ status: 200, body: signInPage, headers: { "content-type": "text/html" } }]);
    const { data } = await clientFor(server).POST("/api/parea/v1/feedback", { body: feedback, parseAs: "text" });
    expect(data).toBe(signInPage);
  });

  it("an empty 2xx body is no error", async () => {
    const server = await serve([{ status: 200, body: "", chunked: true }]);
    await expect(clientFor(server).recordFeedback(feedback)).resolves.toBeUndefined();
  });

  it.each([200, 500])(
    "a %i body cut off mid-way: a connection failure, retried, never a platform TypeError",
    async (status) => {
      const server = await serve([{ status, body: { detail: "x".repeat(5_000) }, cutBodyAfter: 100 }]);
      const error = await clientFor(server, { maxRetries: 1 })
        .recordFeedback(feedback)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PareaConnectionError);
      expect((error as Error).message).toMatch(
        /^POST \/api\/parea\/v1\/feedback: connection failed \(\w+, attempt 2\)/,
      );
      expect((error as Error).cause).toBeInstanceOf(Error);
      expect(server.requests).toHaveLength(2);
    },
  );

  it("a response another middleware swapped in is checked too", async () => {
    const server = await serve([{ status: 200, body: {} }]);
    const client = clientFor(server);
    client.use({ onResponse: () => new Response("<html>proxy</html>", { headers: { "content-type": "text/html" } }) });
    const error = await client.recordFeedback(feedback).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaInvalidResponseError);
    expect((error as Error).message).toMatch(/content-type text\/html.*<html>proxy<\/html>$/);
  });
});

describe("identification and transport security", () => {
  it("sends x-sdk-language, x-sdk-version and a user-agent naming the package", async () => {
    const server = await serve([{ status: 200 }]);
    await clientFor(server).recordFeedback(feedback);
    expect(server.requests[0]!.headers).toMatchObject({
      "x-sdk-language": "typescript",
      "x-sdk-version": packageJson.version,
      "user-agent": `${packageJson.name}/${packageJson.version}`,
    });
  });

  it.each(["http://parea.example.com", "http://10.0.0.8:8080"])("refuses plain http to %s", (baseUrl) => {
    expect(() => createPareaClient({ apiKey, baseUrl })).toThrow(
      /uses http to a non-loopback host, exposing the API key/,
    );
    expect(() => createPareaClient({ apiKey, baseUrl, allowInsecureHttp: true })).not.toThrow();
  });

  it.each(["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9", "https://parea.example.com"])(
    "accepts %s",
    (baseUrl) => {
      expect(() => createPareaClient({ apiKey, baseUrl })).not.toThrow();
    },
  );
});
