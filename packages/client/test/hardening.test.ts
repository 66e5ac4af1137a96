// Hostile and unusual servers, over real HTTP on 127.0.0.1, on both transports (vitest.config.ts):
// compressed answers, bodyless statuses that carry a body anyway, oversized bodies, unparsable
// redirects, and a garbage collection in the middle of an exchange.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createPareaClient, transport } from "./support/client-under-test.ts";
import {
  PareaApiError,
  PareaError,
  PareaInvalidResponseError,
  PareaRedirectError,
  PareaResponseTooLargeError,
  type PareaClientOptions,
} from "../src/index.ts";
import { serverPerTest, type Fault } from "./support/fault-server.mts";

const feedback = { trace_id: "t-1", score: 0.5 };
const serve = serverPerTest();

async function clientFor(script: Fault[], options: PareaClientOptions = {}) {
  const server = await serve(script);
  const client = createPareaClient({ apiKey: "test-key-hardening", baseUrl: server.url, logLevel: "off", ...options });
  return { server, client };
}

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    (data) => ({ data, error: undefined }),
    (error: unknown) => ({ data: undefined, error }),
  );

describe("compressed answers are decoded", () => {
  const json = Buffer.from(JSON.stringify({ ok: "é ✓" }));
  it.each<[string, Buffer]>([
    ["gzip", gzipSync(json)],
    ["x-gzip", gzipSync(json)],
    ["br", brotliCompressSync(json)],
    ["deflate", deflateSync(json)],
    ["deflate", deflateRawSync(json)],
    ["gzip, br", brotliCompressSync(gzipSync(json))],
  ])("content-encoding: %s", async (coding, body) => {
    const { client, server } = await clientFor([{ status: 200, headers: { "content-encoding": coding }, body }]);
    await expect(client.recordFeedback(feedback)).resolves.toEqual({ ok: "é ✓" });
    const { data } = await client.POST("/api/parea/v1/feedback", { body: feedback });
    expect(data).toEqual({ ok: "é ✓" });
    expect(server.requests).toHaveLength(2);
  });

  it("asks only for the codings it decodes", async () => {
    const { client, server } = await clientFor([{ status: 200, body: {} }]);
    await client.recordFeedback(feedback);
    const asked = String(server.requests[0]!.headers["accept-encoding"]);
    for (const coding of asked.split(",").map((c) => c.trim())) expect(["gzip", "deflate", "br"]).toContain(coding);
  });

  it("a compressed body that expands past maxResponseBytes is refused, not inflated", async () => {
    const bomb = gzipSync(Buffer.alloc(20_000_000, 32));
    const { client, server } = await clientFor([{ status: 200, headers: { "content-encoding": "gzip" }, body: bomb }], {
      maxResponseBytes: 1_000_000,
    });
    const { error } = await outcome(client.recordFeedback(feedback));
    expect(error).toBeInstanceOf(PareaResponseTooLargeError);
    expect(server.requests).toHaveLength(1);
  });
});

describe("statuses that have no body", () => {
  const raw = (status: number) =>
    `HTTP/1.1 ${status} X\r\ncontent-type: application/json\r\ncontent-length: 5\r\n\r\nhello`;

  it.each([204, 205])("%i with a body anyway: success with no body, sent once", async (status) => {
    const { client, server } = await clientFor([{ raw: raw(status) }]);
    await expect(client.recordFeedback(feedback)).resolves.toBeUndefined();
    expect(server.requests).toHaveLength(1);
    const again = await clientFor([{ raw: raw(status) }]);
    const { data, error, response } = await again.client.POST("/api/parea/v1/feedback", { body: feedback });
    expect([data, error, response.status]).toEqual([undefined, undefined, status]);
  });

  it.each([204, 205])(
    "%i with chunked framing and no body (node:http's default): success with no body",
    async (status) => {
      const chunked = `HTTP/1.1 ${status} X\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n`;
      const { client } = await clientFor([{ raw: chunked }, { raw: chunked }]);
      await expect(client.recordFeedback(feedback)).resolves.toBeUndefined();
      const { data, error, response } = await client.POST("/api/parea/v1/feedback", { body: feedback });
      expect([data, error, response.status]).toEqual([undefined, undefined, status]);
    },
  );

  it("304 with a body: a PareaApiError (not a 2xx), not a parser failure", async () => {
    const { client, server } = await clientFor([{ raw: raw(304) }]);
    const { error } = await outcome(client.recordFeedback(feedback));
    expect(error).toBeInstanceOf(PareaApiError);
    expect((error as PareaApiError).status).toBe(304);
    expect(server.requests).toHaveLength(1);
  });
});

describe("bodies on every method", () => {
  // Node frames no body for DELETE, GET or OPTIONS unless told its length: the bytes then reached the
  // server as the start of a next request (400). GitHub's API alone has 40 DELETEs with a JSON body.
  it.each(["DELETE", "OPTIONS", "POST", "PUT", "PATCH"] as const)(
    "%s with a JSON body: the server gets it whole",
    async (method) => {
      const { server, client } = await clientFor([
        { status: 200, body: { ok: true } },
        { status: 200, body: { ok: true } },
      ]);
      const call = client[method] as unknown as (
        path: string,
        init: { body: unknown },
      ) => Promise<{ response: Response }>;
      const { response } = await call("/api/parea/v1/things", { body: { ids: [1, 2], note: "é" } });
      expect(response.status).toBe(200);
      expect(server.requests).toHaveLength(1);
      expect(JSON.parse(server.requests[0]!.body)).toEqual({ ids: [1, 2], note: "é" });
    },
  );
});

describe("maxResponseBytes", () => {
  it.each([
    ["with a content-length", false],
    ["chunked, no length", true],
  ])("a body over it (%s): PareaResponseTooLargeError, not retried", async (_, chunked) => {
    const body = JSON.stringify({ filler: "x".repeat(200_000) });
    const { client, server } = await clientFor([{ status: 200, body, chunked }], { maxResponseBytes: 100_000 });
    const { error } = await outcome(client.recordFeedback(feedback));
    expect(error).toBeInstanceOf(PareaResponseTooLargeError);
    expect(error).toBeInstanceOf(PareaApiError);
    expect((error as PareaResponseTooLargeError).maxResponseBytes).toBe(100_000);
    expect((error as Error).message).toMatch(
      /200 to POST \/api\/parea\/v1\/feedback with a body over maxResponseBytes/,
    );
    expect(server.requests).toHaveLength(1);
    // The raw verbs throw it too rather than reading on.
    await expect(client.POST("/api/parea/v1/feedback", { body: feedback })).rejects.toBeInstanceOf(
      PareaResponseTooLargeError,
    );
  });

  it("a body within it is read, per call too", async () => {
    const body = { filler: "x".repeat(50_000) };
    const { client } = await clientFor([{ status: 200, body }], { maxResponseBytes: 10 });
    await expect(client.recordFeedback(feedback, { maxResponseBytes: 100_000 })).resolves.toEqual(body);
  });

  it("defaults to 32 MiB", async () => {
    const { client } = await clientFor([{ status: 200, body: Buffer.alloc(32 * 1024 * 1024 + 1, 32) }]);
    await expect(client.recordFeedback(feedback)).rejects.toBeInstanceOf(PareaResponseTooLargeError);
  });
});

describe("redirects the client cannot follow", () => {
  it("an unparsable Location: PareaRedirectError at once, not retried as a connection error", async () => {
    const { client, server } = await clientFor([{ status: 302, headers: { location: "http://[::1" } }]);
    const { error } = await outcome(client.recordFeedback(feedback));
    expect(error).toBeInstanceOf(PareaRedirectError);
    expect((error as Error).message).toMatch(/Location is not a URL/);
    expect(server.requests).toHaveLength(1);
  });
});

describe("a garbage collection mid-exchange", () => {
  const fixture = join(import.meta.dirname, "fixtures", "gc-stall.mts");
  const run = async (mode: string, stack: string) => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--expose-gc", "--import", "tsx", fixture, stack, mode],
      {
        cwd: join(import.meta.dirname, ".."),
      },
    );
    return JSON.parse(stdout.trim().split("\n").at(-1)!) as { outcome: string; ms: number; socketClosed: boolean };
  };

  // The fetch project also runs a `fetch` option, which gets a Request of the client's own making.
  const stacks = transport === "fetch" ? ["fetch", "fetch-option"] : [transport];

  it.each(stacks)("keeps the timeout: PareaTimeoutError, and the socket is closed (%s)", async (stack) => {
    const result = await run("timeout", stack);
    // The fixture gives up at 10 s ("still pending"): a stall would show here, whatever the load.
    expect(result.outcome).toBe("PareaTimeoutError");
    expect(result.socketClosed).toBe(true);
  });

  it.each(stacks)("keeps the caller's abort: PareaAbortError, and the socket is closed (%s)", async (stack) => {
    const result = await run("abort", stack);
    expect(result.outcome).toBe("PareaAbortError");
    expect(result.socketClosed).toBe(true);
  });
});

describe("a fetch option's Request, once its call ends", () => {
  it("is let go: nothing of ours holds the Requests of finished calls", async () => {
    // Held while in flight (send/fetch.ts); kept after, every call would leak its Request.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    let collected = 0;
    const registry = new FinalizationRegistry(() => collected++);
    const { client } = await clientFor(
      [
        { status: 200, body: {} },
        { status: 200, body: {} },
      ],
      {
        fetch: (request) => (registry.register(request, null), fetch(request)),
      },
    );
    for (let i = 0; i < 2; i++) await client.recordFeedback(feedback);
    for (let round = 0; round < 20 && collected < 2; round++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(collected).toBe(2);
  });
});

describe("options of the wrong type are refused at creation", () => {
  it.each<[string, Record<string, unknown>, string]>([
    ["timeoutMs as a string", { timeoutMs: "5000" }, "timeoutMs"],
    ["maxRetries as a string", { maxRetries: "2" }, "maxRetries"],
    ["an unknown logLevel", { logLevel: "verbose" }, "logLevel"],
    ["fetch that is not a function", { fetch: "fetch" }, "fetch"],
    ["a signal that is not one", { signal: {} }, "signal"],
    ["a logger without methods", { logger: {} }, "logger"],
    ["validateRequests as a string", { validateRequests: "false" }, "validateRequests"],
    ["maxResponseBytes of 0", { maxResponseBytes: 0 }, "maxResponseBytes"],
    ["a header value with a line break", { headers: { "x-a": "1\r\nx-b: 2" } }, "headers"],
    ["a key with a line break", { apiKey: "sk-good\r\nx-evil: 1" }, "apiKey"],
  ])("%s", (_, options, option) => {
    const attempt = () => createPareaClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9", ...options });
    expect(attempt).toThrow(PareaError);
    const error = (() => {
      try {
        attempt();
      } catch (e) {
        return e as PareaError;
      }
    })()!;
    expect(error.option).toBe(option);
    expect(error.message).toContain(option);
    expect(error.message).not.toContain("sk-good");
  });

  it("per call too", async () => {
    const client = createPareaClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9" });
    await expect(client.recordFeedback(feedback, { timeoutMs: "5" as never })).rejects.toThrow(
      /timeoutMs must be a number/,
    );
  });

  it("headers as a Headers object or pairs are sent", async () => {
    const { server, client } = await clientFor([{ status: 200, body: {} }], { headers: new Headers({ "x-a": "1" }) });
    await client.recordFeedback(feedback);
    const other = await clientFor([{ status: 200, body: {} }], { headers: [["x-b", "2"]] });
    await other.client.recordFeedback(feedback);
    expect(server.requests[0]!.headers["x-a"]).toBe("1");
    expect(other.server.requests[0]!.headers["x-b"]).toBe("2");
  });
});

// zstd: fetch on Node 24 decodes it (and refuses "<html>"), Node 20's passes it through; gzip and br:
// every platform tries, and fails. Either way it is the server's answer, not a dropped connection.
it.each(["zstd", "gzip", "br", "deflate"])(
  "a body its content-encoding (%s) cannot undo: PareaInvalidResponseError, sent once",
  async (coding) => {
    const { server, client } = await clientFor([
      { status: 200, headers: { "content-encoding": coding }, body: "<html>" },
    ]);
    await expect(client.recordFeedback(feedback)).rejects.toBeInstanceOf(PareaInvalidResponseError);
    expect(server.requests).toHaveLength(1);
  },
);

it("a 5xx whose body cannot be decoded is the server's 5xx (retried as one), not a connection failure", async () => {
  const { server, client } = await clientFor([
    { status: 503, headers: { "content-encoding": "gzip" }, body: "not gzip" },
    { status: 200, body: {} },
  ]);
  await expect(client.recordFeedback(feedback)).resolves.toEqual({});
  expect(server.requests.map((request) => request.status)).toEqual([503, 200]);
});
