// The API key must not surface anywhere an error or a log line can carry it.
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPareaClient } from "./support/client-under-test.ts";
import { PareaError, type PareaClientOptions } from "../src/index.ts";
import { apiKeyScheme, securitySchemes } from "../src/generated/spec.ts";
import { captureLog } from "./support/capture-log.ts";
import { startFaultServer, type Fault, type FaultServer } from "./support/fault-server.mts";

const apiKey = "sk-secret-8c1f2d7e-do-not-leak";
const { messages: logLines, logger } = captureLog();
let elsewhere: FaultServer;
const servers: FaultServer[] = [];

beforeAll(async () => {
  elsewhere = await startFaultServer([{ status: 200 }]);
  servers.push(elsewhere);
});
afterAll(() => Promise.all(servers.map((server) => server.close())));

async function errorFrom(
  script: Fault[],
  options: PareaClientOptions = {},
  body: unknown = { score: 0.5 },
): Promise<unknown> {
  const server = await startFaultServer(script);
  servers.push(server);
  const client = createPareaClient({
    apiKey,
    baseUrl: server.url,
    logger,
    logLevel: "debug",
    maxRetries: 1,
    ...options,
  });
  return client.recordFeedback(body as { score: number }).then(
    () => expect.unreachable("the call should fail"),
    (error: unknown) => error,
  );
}

function expectNoKey(error: unknown) {
  expect(error).toBeInstanceOf(PareaError);
  const err = error as Error;
  for (const view of [
    err.message,
    err.stack ?? "",
    JSON.stringify(err),
    inspect(err, { depth: Infinity, showHidden: true }),
    String(err),
  ]) {
    expect(view).not.toContain(apiKey);
    // Nor a part of it: a cut (an excerpt of a body) must not leave the key's start behind.
    expect(view).not.toContain(apiKey.slice(0, 12));
  }
}

type Case = [string, () => Promise<unknown>];
const echo = { detail: `invalid api key ${apiKey}` };

/** A server echoing the credential wherever a response can: no error built from it may carry it. */
const echoes = (credentials: PareaClientOptions = {}): Case[] => [
  ["401 whose body echoes the key", () => errorFrom([{ status: 401, body: echo }], credentials)],
  [
    "422",
    () =>
      errorFrom([{ status: 422, body: { detail: [{ loc: ["body", apiKey], msg: apiKey, type: "x" }] } }], credentials),
  ],
  ["429", () => errorFrom([{ status: 429, headers: { "retry-after-ms": "1" }, body: echo }], credentials)],
  [
    "500 as text",
    () =>
      errorFrom(
        [{ status: 500, headers: { "retry-after-ms": "1", "content-type": "text/plain" }, body: apiKey }],
        credentials,
      ),
  ],
  [
    "200 HTML page quoting the key",
    () =>
      errorFrom([{ status: 200, headers: { "content-type": "text/html" }, body: `<p>key ${apiKey}</p>` }], credentials),
  ],
  ["400 whose detail quotes the key", () => errorFrom([{ status: 400, body: echo }], credentials)],
  [
    "x-request-id echoing the key",
    () => errorFrom([{ status: 400, headers: { "x-request-id": apiKey }, body: {} }], credentials),
  ],
  [
    "any other header echoing it",
    () =>
      errorFrom(
        [{ status: 500, headers: { "retry-after-ms": "1", "x-debug": `key=${apiKey}` }, body: {} }],
        credentials,
      ),
  ],
  [
    "429 whose headers echo it",
    () =>
      errorFrom(
        [{ status: 429, headers: { "retry-after-ms": "1", "x-request-id": apiKey, "x-echo": apiKey } }],
        credentials,
      ),
  ],
  [
    "same-origin redirects to a URL holding the key, too many of them",
    () => errorFrom([{ status: 302, headers: { location: `/r/${apiKey}` } }], credentials),
  ],
  [
    "a non-JSON 2xx whose key straddles the 200-character excerpt",
    () =>
      errorFrom(
        [{ status: 200, headers: { "content-type": "text/plain" }, body: `${"x".repeat(190)}${apiKey}` }],
        credentials,
      ),
  ],
  [
    "a non-JSON 2xx echoing it in headers",
    () =>
      errorFrom(
        [{ status: 200, headers: { "content-type": "text/html", "x-request-id": apiKey }, body: "<p>" }],
        credentials,
      ),
  ],
];

describe("no error path carries the API key", () => {
  it.each<Case>([
    ...echoes(),
    ["timeout", () => errorFrom([{ delayMs: 200 }], { timeoutMs: 20, maxRetries: 0 })],
    ["connection reset", () => errorFrom([{ reset: true }], { maxRetries: 0 })],
    ["caller abort", () => errorFrom([{ delayMs: 200 }], { signal: AbortSignal.timeout(20) })],
    ["cross-origin redirect", () => errorFrom([{ status: 302, headers: { location: `${elsewhere.url}/x` } }])],
    ["invalid request", () => errorFrom([{ status: 200 }], {}, { score: apiKey })],
    [
      "connection refused",
      async () =>
        createPareaClient({ apiKey, baseUrl: "http://127.0.0.1:1", logger, logLevel: "debug", maxRetries: 0 })
          .recordFeedback({ score: 0.5 })
          .catch((e: unknown) => e),
    ],
    [
      "bad baseUrl",
      () => Promise.resolve().then(() => createPareaClient({ apiKey, baseUrl: "http://parea.example.com" })),
    ],
    [
      "a malformed key (line break inside)",
      () => Promise.resolve().then(() => createPareaClient({ apiKey: `${apiKey}\r\nx: 1` })),
    ],
    [
      "a malformed key from the environment",
      // eslint-disable-next-line @typescript-eslint/require-await -- async so that the throw is a rejection, like the cases around it
      async () => {
        const before = process.env.PAREA_API_KEY;
        process.env.PAREA_API_KEY = `${apiKey}\n`;
        try {
          return (() => createPareaClient({ baseUrl: "http://127.0.0.1:1" }))();
        } finally {
          if (before === undefined) delete process.env.PAREA_API_KEY;
          else process.env.PAREA_API_KEY = before;
        }
      },
    ],
  ])("%s", async (_, makeError) => {
    const error = await Promise.resolve()
      .then(makeError)
      .catch((e: unknown) => e);
    expectNoKey(error);
  });

  it("the key did not cross to the other origin", () => {
    expect(elsewhere.requests).toHaveLength(0);
  });

  it("logs at debug level never print it, but do show the request (header redacted)", () => {
    expect(logLines.length).toBeGreaterThan(10);
    expect(logLines.some((line) => line.includes('"x-api-key":"[redacted]"'))).toBe(true);
    for (const line of logLines) expect(line).not.toContain(apiKey);
  });

  it("the client object does not expose it", () => {
    const client = createPareaClient({ apiKey, baseUrl: "http://127.0.0.1:1" });
    expect(inspect(client, { depth: Infinity, showHidden: true })).not.toContain(apiKey);
    expect(JSON.stringify(client)).not.toContain(apiKey);
  });
});

describe("a token from a supplier is redacted like the key, from the moment it is supplied", () => {
  // The apiKey option is another value, so only the supplied token can have been learned as a secret.
  const supplied = { apiKey: "sk-fixed-and-unused", auth: { [apiKeyScheme!]: () => Promise.resolve(apiKey) } };
  it.each<Case>([
    ...echoes(supplied),
    [
      "a malformed token (line break inside)",
      () => errorFrom([{ status: 200 }], { auth: { [apiKeyScheme!]: () => `${apiKey}\n` } }),
    ],
    [
      "a supplier whose refresh fails quoting the token it supplied before",
      async () => {
        let calls = 0;
        const refresh = async () => (calls++ === 0 ? apiKey : Promise.reject(new Error(`refresh of ${apiKey} failed`)));
        const server = await startFaultServer([{ status: 200, body: {} }]);
        servers.push(server);
        const client = createPareaClient({ baseUrl: server.url, auth: { [apiKeyScheme!]: refresh } });
        await client.recordFeedback({ score: 0.5 });
        expect(server.requests[0]!.headers[securitySchemes[apiKeyScheme!]!.name]).toBe(apiKey);
        return client.recordFeedback({ score: 0.5 }).catch((error: unknown) => error);
      },
    ],
  ])("%s", async (_, makeError) => {
    expectNoKey(await makeError());
  });
});
