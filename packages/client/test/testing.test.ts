// The test double a service uses: driven through the real client, both as a fetch and over HTTP.
import { afterEach, describe, expect, it } from "vitest";
import { createPareaClient } from "./support/client-under-test.ts";
import {
  PareaApiError,
  PareaConnectionError,
  PareaError,
  PareaRateLimitError,
  PareaTimeoutError,
  PareaValidationError,
} from "../src/index.ts";
import { createFakeParea, type FakeServer } from "../src/testing.node.ts";
import { apiKeyScheme, securitySchemes, defaultBaseUrl } from "../src/generated/spec.ts";
import { operations } from "../src/generated/operations/index.ts";

const feedback = { trace_id: "t1", score: 1 };
const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function setup(options: Parameters<typeof createPareaClient>[0] = {}) {
  const fake = createFakeParea();
  const parea = createPareaClient({ apiKey: "test-key", fetch: fake.fetch, logLevel: "off", ...options });
  return { fake, parea };
}

describe("createFakeParea: fetch", () => {
  it("answers with the spec's default reply and records the call (default base URL, no network)", async () => {
    const { fake, parea } = setup();
    await expect(parea.recordFeedback(feedback)).resolves.toEqual({});
    const [call] = fake.calls("recordFeedback");
    expect(call).toMatchObject({ body: feedback, url: `${defaultBaseUrl}${operations.recordFeedback.path}` });
    expect(call!.headers[securitySchemes[apiKeyScheme!]!.name]).toBe("test-key");
    expect(fake.violations()).toEqual([]);
  });

  it("scripted 422: the client's PareaValidationError with the scripted issues", async () => {
    const { fake, parea } = setup();
    const detail = [{ loc: ["body", "trace_id"], msg: "Trace not found", type: "value_error" }];
    fake.reply("recordFeedback", { status: 422, body: { detail } });
    const error = await parea.recordFeedback(feedback).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaValidationError);
    expect((error as PareaValidationError).issues).toEqual(detail);
    await expect(parea.recordFeedback(feedback)).resolves.toEqual({}); // then the default again
  });

  it("503 twice: the client retries through it; calls include the scripted failures", async () => {
    const { fake, parea } = setup();
    fake.reply("recordFeedback", { status: 503, times: 2, headers: { "retry-after-ms": "1" } });
    await expect(parea.recordFeedback(feedback)).resolves.toEqual({});
    expect(fake.calls("recordFeedback")).toHaveLength(3);
  });

  it("an outage longer than the retries: PareaApiError", async () => {
    const { fake, parea } = setup({ maxRetries: 1 });
    fake.reply("recordFeedback", { status: 503, times: 5, headers: { "retry-after-ms": "1" } });
    await expect(parea.recordFeedback(feedback)).rejects.toMatchObject({
      name: "PareaApiError",
      status: 503,
      attempts: 2,
    });
    expect(await parea.recordFeedback(feedback).catch((e: unknown) => e)).toBeInstanceOf(PareaApiError);
  });

  it("429 with Retry-After: PareaRateLimitError", async () => {
    const { fake, parea } = setup();
    fake.reply("recordFeedback", { status: 429, headers: { "retry-after": "120" }, body: { detail: "slow down" } });
    const error = await parea.recordFeedback(feedback).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaRateLimitError);
    expect(error).toMatchObject({ retryAfterMs: 120_000 });
  });

  it("networkError: the fetch rejects like a dropped connection (the client retries it)", async () => {
    const { fake, parea } = setup({ maxRetries: 1 });
    fake.reply("recordFeedback", { networkError: true, times: 2 });
    const error = await parea.recordFeedback(feedback).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaConnectionError);
    expect((error as Error).message).toContain("ECONNRESET");
    expect(fake.calls("recordFeedback")).toHaveLength(2);
  });

  it("delayMs: slow enough for the client's timeout", async () => {
    const { fake, parea } = setup({ timeoutMs: 30, maxRetries: 0 });
    fake.reply("recordFeedback", { status: 200, body: {}, delayMs: 500 });
    await expect(parea.recordFeedback(feedback)).rejects.toBeInstanceOf(PareaTimeoutError);
  });

  it("accepts fetch's (input, init) form too", async () => {
    const fake = createFakeParea();
    const response = await fake.fetch(`https://anywhere.example${operations.recordFeedback.path}`, {
      method: "POST",
      headers: { [securitySchemes[apiKeyScheme!]!.name]: "k", "content-type": "application/json" },
      body: JSON.stringify(feedback),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
  });

  it("reset forgets calls, violations and scripted replies", async () => {
    const { fake, parea } = setup();
    fake.reply("recordFeedback", { status: 500, times: 3 });
    await fake.fetch("https://x/nope");
    await parea.recordFeedback(feedback, { maxRetries: 0 }).catch(() => undefined);
    fake.reset();
    expect(fake.calls("recordFeedback")).toEqual([]);
    expect(fake.violations()).toEqual([]);
    await expect(parea.recordFeedback(feedback)).resolves.toEqual({});
  });
});

describe("createFakeParea: requests that break the spec are answered as the API would, and recorded", () => {
  it("an unknown route: 404", async () => {
    const fake = createFakeParea();
    const response = await fake.fetch("https://api.example/api/parea/v1/nope", { method: "POST" });
    expect(response.status).toBe(404);
    expect(fake.violations()).toEqual([
      { method: "POST", path: "/api/parea/v1/nope", reason: "no operation POST /api/parea/v1/nope in the spec" },
    ]);
  });

  it("no API key: 403 Not authenticated", async () => {
    const fake = createFakeParea();
    const response = await fake.fetch(`https://api.example${operations.recordFeedback.path}`, {
      method: "POST",
      body: JSON.stringify(feedback),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ detail: "Not authenticated" });
    expect(fake.violations()[0]!.reason).toBe(
      `missing the ${securitySchemes[apiKeyScheme!]!.name} header the spec's security requires`,
    );
  });

  it("an invalid body (client-side validation off): 422 with FastAPI-shaped issues", async () => {
    const { fake, parea } = setup({ validateRequests: false });
    const error = await parea.recordFeedback({ trace_id: "t", score: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaValidationError);
    expect((error as PareaValidationError).issues).toEqual([
      { loc: ["body", "score"], msg: "must be <= 1", type: "value_error" },
    ]);
    expect(fake.violations()).toEqual([
      { method: "POST", path: operations.recordFeedback.path, reason: "body breaks the spec: $.score must be <= 1" },
    ]);
    expect(fake.calls("recordFeedback")).toHaveLength(1);
  });
});

describe("createFakeParea: listen()", () => {
  it("serves the same fake over HTTP for services that build their client from PAREA_BASE_URL", async () => {
    const fake = createFakeParea();
    const server = await fake.listen();
    servers.push(server);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const parea = createPareaClient({ apiKey: "k", baseUrl: server.url, logLevel: "off", maxRetries: 0 });
    await expect(parea.recordFeedback(feedback)).resolves.toEqual({});
    fake.reply("recordFeedback", { status: 422, body: { detail: [] } });
    await expect(parea.recordFeedback(feedback)).rejects.toBeInstanceOf(PareaValidationError);
    fake.reply("recordFeedback", { networkError: true });
    await expect(parea.recordFeedback(feedback)).rejects.toBeInstanceOf(PareaConnectionError);
    expect(fake.calls("recordFeedback").map((call) => call.body)).toEqual([feedback, feedback, feedback]);
    expect(fake.violations()).toEqual([]);
  });
});

describe("createFakeParea: bad scripts and hostile requests", () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ["status 99", { status: 99 }, /status must be an integer from 200 to 599, not 99/],
    ["status 1000", { status: 1000 }, /status must be an integer from 200 to 599, not 1000/],
    ["status 200.5", { status: 200.5 }, /status must be an integer/],
    ["a header with a line break", { status: 200, headers: { "x-a": "1\r\nx-b: 2" } }, /header x-a/],
    ["a header name with a space", { status: 200, headers: { "x a": "1" } }, /not a valid header name/],
    ["times 0", { status: 503, times: 0 }, /times must be a whole number >= 1/],
    ["times -1", { status: 503, times: -1 }, /times must be a whole number >= 1/],
    ["times NaN", { status: 503, times: Number.NaN }, /times must be a whole number >= 1/],
    ["delayMs -5", { status: 200, delayMs: -5 }, /delayMs must be a number >= 0/],
    ["a body JSON cannot carry", { status: 200, body: { n: 1n } }, /body cannot be sent as JSON/],
  ])("reply() with %s is refused when scripted, with the reason", (_, reply, message) => {
    const fake = createFakeParea();
    expect(() => fake.reply("recordFeedback", reply as never)).toThrow(PareaError);
    expect(() => fake.reply("recordFeedback", reply as never)).toThrow(message);
  });

  it("reply() for an operation the spec does not have is refused", () => {
    expect(() => createFakeParea().reply("nope" as never, { status: 200 })).toThrow(/no operation of that name/);
  });

  it("times: Infinity answers every call", async () => {
    const { fake, parea } = setup({ maxRetries: 0 });
    fake.reply("recordFeedback", { status: 503, times: Infinity });
    for (let i = 0; i < 3; i++) await expect(parea.recordFeedback(feedback)).rejects.toBeInstanceOf(PareaApiError);
  });

  it("over HTTP, a non-ASCII body split across chunks arrives whole", async () => {
    const fake = createFakeParea();
    const server = await fake.listen();
    servers.push(server);
    const body = Buffer.from(JSON.stringify({ trace_id: "é".repeat(40_000), score: 1 }));
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}${operations.recordFeedback.path}`, {
        method: "POST",
        headers: { "content-type": "application/json", [securitySchemes[apiKeyScheme!]!.name]: "k" },
      });
      req
        .on("response", (res) => {
          res.resume();
          resolve(res.statusCode!);
        })
        .on("error", reject);
      // Split inside a two-byte character.
      req.write(body.subarray(0, 1001));
      setTimeout(() => req.end(body.subarray(1001)), 20);
    });
    expect(status).toBe(200);
    expect(fake.calls("recordFeedback")[0]!.body.trace_id).toBe("é".repeat(40_000));
  });

  it("close() ends a pending delayMs: no timer keeps the process alive", async () => {
    const fake = createFakeParea();
    const server = await fake.listen();
    fake.reply("recordFeedback", { status: 200, delayMs: 60_000 });
    const parea = createPareaClient({ apiKey: "k", baseUrl: server.url, logLevel: "off", maxRetries: 0 });
    const pending = parea.recordFeedback(feedback).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const handlesBefore = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    await server.close();
    expect(await pending).toBeInstanceOf(PareaConnectionError);
    const handlesAfter = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    expect(handlesAfter).toBeLessThan(handlesBefore);
  });
});
