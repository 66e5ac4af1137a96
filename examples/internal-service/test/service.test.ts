// The service's own tests, as a team would write them: the real client, the Parea API replaced by the
// spec-driven fake from @parea-api/client/testing (no network, no mock server to run).
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createPareaClient } from "@parea-api/client";
import { createFakeParea } from "@parea-api/client/testing";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { createFeedbackService } from "../src/service.ts";

const fake = createFakeParea();
const servers: Server[] = [];

async function serve(parea = createPareaClient({ apiKey: "example-key", fetch: fake.fetch, logLevel: "off" })) {
  const server = createFeedbackService(parea);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const thumbs = (url: string, body: unknown) =>
  fetch(`${url}/thumbs`, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });

afterEach(() => {
  // Whatever a test did, the service must never have sent Parea a request that breaks the spec.
  expect(fake.violations()).toEqual([]);
  fake.reset();
  vi.unstubAllEnvs();
});
afterAll(() => servers.forEach((server) => server.close()));

describe("internal feedback service", () => {
  it("records a thumbs-up as Parea feedback (204)", async () => {
    const response = await thumbs(await serve(), { traceId: "trace-9", liked: true, comment: "great" });
    expect(response.status).toBe(204);
    expect(fake.calls("recordFeedback").map((call) => call.body)).toEqual([
      { trace_id: "trace-9", score: 1, comment: "great" },
    ]);
  });

  it("rejects its own bad input before calling Parea (400)", async () => {
    const url = await serve();
    expect((await thumbs(url, "not json")).status).toBe(400);
    expect((await thumbs(url, { traceId: 1, liked: true })).status).toBe(400);
    expect(fake.calls("recordFeedback")).toEqual([]);
  });

  it("Parea rejects the feedback (422): 502 naming the client's typed error", async () => {
    fake.reply("recordFeedback", {
      status: 422,
      body: { detail: [{ loc: ["body", "trace_id"], msg: "Trace not found", type: "value_error" }] },
    });
    const response = await thumbs(await serve(), { traceId: "gone", liked: false });
    expect(response.status).toBe(502);
    const { error, message } = (await response.json()) as { error: string; message: string };
    expect(error).toBe("PareaValidationError");
    expect(message).toMatch(/Trace not found/);
  });

  it("Parea rate-limits us (429 asking for 2 minutes): 502 at once, no waiting", async () => {
    fake.reply("recordFeedback", { status: 429, headers: { "retry-after": "120" } });
    const response = await thumbs(await serve(), { traceId: "t", liked: true });
    expect(await response.json()).toMatchObject({ error: "PareaRateLimitError" });
    expect(fake.calls("recordFeedback")).toHaveLength(1);
  });

  it("a short Parea outage (503 twice) is retried away by the client (204)", async () => {
    fake.reply("recordFeedback", { status: 503, times: 2, headers: { "retry-after-ms": "1" } });
    expect((await thumbs(await serve(), { traceId: "t", liked: true })).status).toBe(204);
    expect(fake.calls("recordFeedback")).toHaveLength(3);
  });

  it("a long outage: 502 with the client's PareaApiError", async () => {
    fake.reply("recordFeedback", { status: 503, times: 10, headers: { "retry-after-ms": "1" } });
    const response = await thumbs(await serve(), { traceId: "t", liked: true });
    expect(await response.json()).toMatchObject({ error: "PareaApiError" });
  });

  it("a client built from PAREA_BASE_URL talks to the fake over HTTP (listen)", async () => {
    const server = await fake.listen();
    vi.stubEnv("PAREA_BASE_URL", server.url);
    vi.stubEnv("PAREA_API_KEY", "env-key");
    try {
      const response = await thumbs(await serve(createPareaClient({ logLevel: "off" })), { traceId: "t", liked: true });
      expect(response.status).toBe(204);
      expect(fake.calls("recordFeedback")[0]!.headers["x-api-key"]).toBe("env-key");
    } finally {
      await server.close();
    }
  });

  it("answers 502 with the client's typed error when Parea is unreachable", async () => {
    const response = await thumbs(
      await serve(createPareaClient({ apiKey: "k", baseUrl: "http://127.0.0.1:1", maxRetries: 0, logLevel: "off" })),
      { traceId: "t", liked: false },
    );
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: "PareaConnectionError" });
  });

  it("only serves POST /thumbs", async () => {
    expect((await fetch(`${await serve()}/other`)).status).toBe(404);
  });

  it("a failure it did not expect is a 500, and the service goes on answering", async () => {
    const broken = { recordFeedback: () => Promise.reject(new RangeError("our own bug")) };
    const quiet = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const url = await serve(broken as unknown as ReturnType<typeof createPareaClient>);
    expect((await thumbs(url, { traceId: "t", liked: true })).status).toBe(500);
    expect(quiet).toHaveBeenCalledWith(new RangeError("our own bug"));
    expect((await fetch(`${url}/other`)).status).toBe(404);
    quiet.mockRestore();
  });
});
