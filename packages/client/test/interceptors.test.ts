// Services that test with a request interceptor (MSW's node server, nock) must see the client's
// traffic even though they start it after the client was imported and created: both transports look
// the platform's request function up at each call. The MSW handler is the README's "Teams on MSW"
// recipe: every request for the API's origin to the fake.
import { http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createPareaClient, transport } from "./support/client-under-test.ts";
import { PareaValidationError } from "../src/index.ts";
import { createFakeParea } from "../src/testing.node.ts";
import { defaultBaseUrl } from "../src/generated/spec.ts";
import { operations } from "../src/generated/operations/index.ts";

const apiKey = "sk-interceptor-test";
// A loopback port nothing listens on: without interception the call fails with ECONNREFUSED.
const loopback = "http://127.0.0.1:9";
// Made before MSW patches anything, as a service's module-level client would be.
const clients = {
  "the spec's https server": createPareaClient({ apiKey, maxRetries: 1, timeoutMs: 5_000 }),
  "plain http on loopback": createPareaClient({ apiKey, baseUrl: loopback, maxRetries: 1, timeoutMs: 5_000 }),
};
describe("MSW", () => {
  const fake = createFakeParea();
  const mocks = setupServer(
    ...[defaultBaseUrl, loopback].map((origin) => http.all(`${origin}/*`, ({ request }) => fake.fetch(request))),
  );

  beforeAll(() => mocks.listen({ onUnhandledRequest: "error" }));
  afterEach(() => {
    expect(fake.violations()).toEqual([]);
    fake.reset();
  });
  afterAll(() => mocks.close());

  it.each(Object.keys(clients) as (keyof typeof clients)[])(
    `MSW started after the client is created intercepts it: %s (${transport})`,
    async (server) => {
      await expect(clients[server].recordFeedback({ trace_id: "t-1", score: 0.5 })).resolves.toBeDefined();
      const calls = fake.calls("recordFeedback");
      expect(calls.map(({ body }) => body)).toEqual([{ trace_id: "t-1", score: 0.5 }]);
      expect(new URL(calls[0]!.url).origin).toBe(
        new URL(server.startsWith("plain") ? loopback : defaultBaseUrl).origin,
      );
    },
  );

  it(`a retry and a typed error come from the answers behind MSW too (${transport})`, async () => {
    fake.reply("recordFeedback", { status: 503 });
    fake.reply("recordFeedback", { status: 422, body: { detail: [{ loc: ["body", "score"], msg: "no", type: "x" }] } });
    const error = await clients["the spec's https server"].recordFeedback({ score: 0.5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaValidationError);
    expect(fake.calls("recordFeedback")).toHaveLength(2);
  });
});

describe("nock", () => {
  let nock: typeof import("nock");
  // Imported here, after MSW has closed: nock patches on import, and the two must not stack.
  beforeAll(async () => {
    nock = (await import("nock")).default;
    nock.disableNetConnect();
  });
  afterAll(() => {
    nock.enableNetConnect();
    nock.restore();
  });

  it(`nock activated after the client is created intercepts it (${transport})`, async () => {
    const { method, path } = operations.recordFeedback;
    const scope = nock(defaultBaseUrl)
      .intercept(path, method, { trace_id: "t-3", score: 1 })
      .reply(503)
      .intercept(path, method)
      .reply(200, {});
    await expect(clients["the spec's https server"].recordFeedback({ trace_id: "t-3", score: 1 })).resolves.toEqual({});
    expect(scope.isDone()).toBe(true);
  });
});
