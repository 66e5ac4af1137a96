// The reliability layer (createTransport) on its own, over both sends: how it follows redirects (the
// fetch standard's method rules), whose cancellation it obeys when the client and the call each bring
// a signal, which spec path a URL is read as, and what its hooks and log are told.
import { getEventListeners } from "node:events";
import { deflateSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  PareaAbortError,
  PareaConnectionError,
  PareaInvalidRequestError,
  PareaRedirectError,
  PareaResponseTooLargeError,
} from "../src/errors.ts";
import { LightRequest } from "../src/light/request.ts";
import { createLog } from "../src/logger.ts";
import { Secrets } from "../src/redact.ts";
import { createTransport, type AttemptStart, type TransportOptions } from "../src/reliability.ts";
import { fetchSend } from "../src/send/fetch.ts";
import { nodeSend } from "../src/send/node.ts";
import type { Send } from "../src/send/types.ts";
import { serverPerTest, type FaultServer } from "./support/fault-server.mts";

const FEEDBACK = "/api/parea/v1/feedback";
const serve = serverPerTest();

describe.each<[string, Send]>([
  ["fetch", fetchSend((request) => fetch(request))],
  ["node:http", nodeSend],
])("createTransport over %s", (_, send) => {
  const transport = (baseUrl: string, options: Partial<TransportOptions> = {}) =>
    createTransport({
      send,
      baseUrl,
      maxRetries: 0,
      maxResponseBytes: 1_000_000,
      secrets: new Secrets(),
      timeoutMs: 5_000,
      validate: true,
      log: createLog(console, "off", new Secrets()),
      ...options,
    });

  describe("redirects follow fetch's method rules", () => {
    it.each([
      [301, "POST", "GET"],
      [302, "POST", "GET"],
      [303, "POST", "GET"],
      [303, "PUT", "GET"],
      [303, "DELETE", "GET"],
      [303, "HEAD", "HEAD"],
      [301, "PUT", "PUT"],
      [302, "PATCH", "PATCH"],
      [307, "POST", "POST"],
      [308, "POST", "POST"],
    ])("a %i to a %s is followed as a %s", async (status, method, expected) => {
      const server = await serve((n) => (n === 0 ? { status, headers: { location: "/moved" } } : { status: 200 }));
      const body = method === "HEAD" ? null : '{"score":1}';
      const headers = { "content-type": "application/json" };
      const response = await transport(server.url)(new Request(`${server.url}/start`, { method, body, headers }));
      expect(response.status).toBe(200);
      const [, second] = server.requests;
      expect(second).toMatchObject({ method: expected, url: "/moved" });
      // A request turned into a GET loses its body and the body's type; one kept keeps both.
      const kept = expected === method;
      expect(second!.body).toBe(kept ? (body ?? "") : "");
      expect(second!.headers["content-type"]).toBe(kept ? "application/json" : undefined);
    });

    it("stops after 5, saying why", async () => {
      const server = await serve([{ status: 302, headers: { location: "/again" } }]);
      const error = await transport(server.url)(new Request(`${server.url}/start`)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PareaRedirectError);
      expect((error as Error).message).toBe("GET /again: too many redirects");
      expect(server.requests).toHaveLength(6);
    });
  });

  describe("the client's signal and the call's, together", () => {
    const request = (server: FaultServer, signal?: AbortSignal) =>
      new Request(`${server.url}/x`, signal ? { signal } : {});

    it.each(["client", "call"] as const)("either one already aborted: nothing is sent", async (which) => {
      const server = await serve([{ status: 200 }]);
      const [client, call] = [new AbortController(), new AbortController()];
      (which === "client" ? client : call).abort(new Error(`${which} gave up`));
      const error = await transport(server.url, { signal: client.signal })(request(server, call.signal)).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PareaAbortError);
      expect((error as Error).cause).toEqual(new Error(`${which} gave up`));
      expect(server.requests).toHaveLength(0);
    });

    it.each(["client", "call"] as const)("the %s's aborting mid-request stops it, with its reason", async (which) => {
      const server = await serve([{ delayMs: 10_000, status: 200 }]);
      const [client, call] = [new AbortController(), new AbortController()];
      const pending = transport(server.url, { signal: client.signal })(request(server, call.signal)).catch(
        (e: unknown) => e,
      );
      await until(() => server.requests.length === 1);
      (which === "client" ? client : call).abort(new Error(`${which} gave up`));
      const error = await pending;
      // Not a connection failure (which a retry would follow): the caller's own abort.
      expect(error).toBeInstanceOf(PareaAbortError);
      expect((error as Error).cause).toEqual(new Error(`${which} gave up`));
    });

    it("a call that ends leaves no listener on either signal (a client-wide one outlives millions of calls)", async () => {
      const server = await serve([{ status: 200 }]);
      const [client, call] = [new AbortController(), new AbortController()];
      // The Request follows the call's signal itself (one listener of its own): count only ours.
      const sent = request(server, call.signal);
      const requestsOwn = getEventListeners(call.signal, "abort").length;
      await transport(server.url, { signal: client.signal })(sent);
      expect(getEventListeners(client.signal, "abort")).toHaveLength(0);
      expect(getEventListeners(call.signal, "abort")).toHaveLength(requestsOwn);
    });

    it("a LightRequest carries the call's signal itself: a signal reused for many calls keeps no listener", async () => {
      const server = await serve([{ status: 200 }, { status: 200 }]);
      const [client, batch] = [new AbortController(), new AbortController()];
      const send = transport(server.url, { signal: client.signal });
      for (let i = 0; i < 2; i++) await send(new LightRequest(`${server.url}/x`, { signal: batch.signal }) as never);
      expect(getEventListeners(batch.signal, "abort")).toHaveLength(0);
      expect(getEventListeners(client.signal, "abort")).toHaveLength(0);
    });

    it("an abort while beforeAttempt waits sends nothing", async () => {
      const server = await serve([{ status: 200 }]);
      const client = new AbortController();
      // The hook's signal carries the client's cancellation (joined with the Request's own).
      let hookSaw: boolean | undefined;
      const beforeAttempt = ({ signal }: AttemptStart) => {
        client.abort(new Error("stopped while waiting"));
        hookSaw = signal?.aborted;
      };
      const error = await transport(server.url, { signal: client.signal, beforeAttempt })(request(server)).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PareaAbortError);
      expect(hookSaw).toBe(true);
      expect(server.requests).toHaveLength(0);
    });
  });

  describe("which spec operation a URL is", () => {
    // Only a request read as Record Feedback is checked against its schema, so a refused invalid body
    // shows the path was read right.
    const invalid = (url: string) =>
      new Request(url, { method: "POST", body: '{"score":"high"}', headers: { "content-type": "application/json" } });

    it.each([
      ["under the base URL, with a query", (origin: string) => `${origin}/base${FEEDBACK}?tag=a&x=1`],
      ["with a fragment", (origin: string) => `${origin}/base${FEEDBACK}#part`],
      [
        "on another spelling of the host",
        (origin: string) => `${origin.replace("127.0.0.1", "localhost")}/base${FEEDBACK}`,
      ],
    ])("%s: read as the operation, its body checked", async (_, url) => {
      const server = await serve([{ status: 200 }]);
      const error = await transport(`${server.url}/base`)(invalid(url(server.url))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PareaInvalidRequestError);
      expect((error as Error).message).toMatch(new RegExp(`^POST ${FEEDBACK} not sent: `));
      expect(server.requests).toHaveLength(0);
    });

    it("a body that is not JSON under a JSON content type is refused, not sent", async () => {
      const server = await serve([{ status: 200 }]);
      const body = new Request(`${server.url}${FEEDBACK}`, {
        method: "POST",
        body: "{not json",
        headers: { "content-type": "application/json" },
      });
      await expect(transport(server.url)(body)).rejects.toBeInstanceOf(PareaInvalidRequestError);
      expect(server.requests).toHaveLength(0);
    });
  });

  describe("answers read off the wire", () => {
    it("a HEAD answer announcing more than maxResponseBytes is not too large: it has no body", async () => {
      const server = await serve([{ status: 200, headers: { "content-length": "99999999" } }]);
      const response = await transport(server.url, { maxResponseBytes: 1_000 })(
        new Request(`${server.url}/x`, { method: "HEAD" }),
      );
      expect(response.status).toBe(200);
    });

    it("a body announced past maxResponseBytes is refused on its announcement, before it is read", async () => {
      // The server then sends 10 bytes of it and hangs up: read, that would be a connection failure.
      const server = await serve([{ status: 200, body: "x".repeat(5_000), cutBodyAfter: 10 }]);
      const error = await transport(server.url, { maxResponseBytes: 1_000 })(new Request(`${server.url}/x`)).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PareaResponseTooLargeError);
    });

    it("a deflate body that inflates past maxResponseBytes is too large, not read raw", async () => {
      const bomb = deflateSync(Buffer.alloc(5_000_000, 32));
      const server = await serve([{ status: 200, headers: { "content-encoding": "deflate" }, body: bomb }]);
      const error = await transport(server.url, { maxResponseBytes: 100_000 })(new Request(`${server.url}/x`)).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PareaResponseTooLargeError);
    });
  });

  describe("what the hooks and the log are told", () => {
    it("beforeAttempt: the request, the attempt and the caller's signal", async () => {
      const server = await serve([{ status: 200 }]);
      const seen: AttemptStart[] = [];
      const client = new AbortController();
      await transport(server.url, { signal: client.signal, beforeAttempt: (start) => void seen.push(start) })(
        new Request(`${server.url}/x`),
      );
      expect(seen).toEqual([{ request: "GET /x", attempt: 1, signal: expect.any(AbortSignal) as unknown }]);
    });

    it("the log gives each answer's time, from the attempt's start", async () => {
      const server = await serve([{ status: 200, delayMs: 30 }]);
      const lines: string[] = [];
      const log = createLog({ ...console, info: (line: string) => void lines.push(line) }, "info", new Secrets());
      await transport(server.url, { log })(new Request(`${server.url}/x`));
      const ms = Number(/-> 200 in (\d+) ms/.exec(lines.join("\n"))?.[1]);
      expect(ms).toBeGreaterThanOrEqual(25);
      expect(ms).toBeLessThan(60_000);
    });
  });
});

describe("createTransport over node:http: what it reads off the socket itself", () => {
  const transport = (baseUrl: string, options: Partial<TransportOptions> = {}) =>
    createTransport({
      send: nodeSend,
      baseUrl,
      maxRetries: 0,
      maxResponseBytes: 1_000_000,
      secrets: new Secrets(),
      timeoutMs: 5_000,
      validate: true,
      log: createLog(console, "off", new Secrets()),
      ...options,
    });

  it("keeps the connection alive: calls one after another share one socket", async () => {
    const server = await serve([{ status: 200 }]);
    const send = transport(server.url);
    for (let i = 0; i < 3; i++) await send(new Request(`${server.url}/x`));
    expect(new Set(server.requests.map((request) => request.remotePort)).size).toBe(1);
  });

  it("a body cut short is a connection failure, retried as one, with what Node reported as its cause", async () => {
    const server = await serve((n) => (n === 0 ? { status: 200, body: { a: 1 }, cutBodyAfter: 3 } : { status: 200 }));
    const failures: unknown[] = [];
    await transport(server.url, { maxRetries: 1, onAttempt: ({ error }) => void failures.push(error) })(
      new Request(`${server.url}/x`),
    );
    expect(failures).toHaveLength(2);
    expect(failures[0]).toBeInstanceOf(PareaConnectionError);
    // The response's own 'error' (Node's words), not the 'close' fallback that runtimes without one need.
    expect((failures[0] as Error).cause).toMatchObject({ message: "aborted", code: "ECONNRESET" });
    expect(failures[1]).toBeUndefined();
  });

  it.each([["identity, gzip"], ["gzip,"], ["GZIP , identity"]])(
    "content-encoding %j: decoded, identity and empty codings skipped",
    async (coding) => {
      const server = await serve([
        { status: 200, headers: { "content-encoding": coding }, body: gzipSync(JSON.stringify({ decoded: true })) },
      ]);
      const response = await transport(server.url)(new Request(`${server.url}/x`));
      expect(await response.json()).toEqual({ decoded: true });
    },
  );
});

describe("createTransport over a fetch that fails oddly", () => {
  it("a fetch that rejects with nothing: a connection error, not a TypeError", async () => {
    const send = createTransport({
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the odd fetch under test
      send: fetchSend(() => Promise.reject(undefined)),
      baseUrl: "http://127.0.0.1:9",
      maxRetries: 0,
      maxResponseBytes: 1_000,
      secrets: new Secrets(),
      timeoutMs: 1_000,
      validate: false,
      log: createLog(console, "off", new Secrets()),
    });
    const error = await send(new Request("http://127.0.0.1:9/x")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaConnectionError);
    // No code to name: the message says "network error", with nothing made up in its place.
    expect((error as Error).message).toBe(
      "GET /x: connection failed (network error, attempt 1); check baseUrl and network",
    );
  });
});

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
}
