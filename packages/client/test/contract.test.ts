// Over real HTTP against Prism, which validates every request against the normalized spec.
import { describe, expect, inject, it } from "vitest";
import { createPareaClient } from "./support/client-under-test.ts";
import {
  PareaApiError,
  PareaAuthenticationError,
  PareaInvalidRequestError,
  PareaValidationError,
  type RequestBody,
} from "../src/index.ts";
import { apiKeyScheme, securitySchemes, pathPrefix } from "../src/generated/spec.ts";
import { operations } from "../src/generated/operations/index.ts";

const baseUrl = inject("prismUrl");
const apiKey = "test-key-contract";
const validFeedback: RequestBody<"recordFeedback"> = { trace_id: "trace-1", score: 0.5, target: "perfect answer" };

describe("recordFeedback against the spec's mock server", () => {
  it("resolves for a valid feedback", async () => {
    const client = createPareaClient({ apiKey, baseUrl });
    await expect(client.recordFeedback(validFeedback)).resolves.toBeNull();
  });

  it("works with a base URL that already ends in the spec's path prefix", async () => {
    const client = createPareaClient({ apiKey, baseUrl: `${baseUrl}${pathPrefix}` });
    await expect(client.recordFeedback({ score: 1 })).resolves.toBeNull();
  });

  it("sends the key in the spec's header and the body as JSON", async () => {
    const seen: Request[] = [];
    const client = createPareaClient({
      apiKey,
      baseUrl,
      fetch: (request) => {
        seen.push(request.clone());
        return fetch(request);
      },
    });
    await client.recordFeedback(validFeedback);
    const [request] = seen;
    expect(request?.method).toBe(operations.recordFeedback.method);
    expect(request?.url).toBe(`${baseUrl}${operations.recordFeedback.path}`);
    expect(request?.headers.get(securitySchemes[apiKeyScheme!]!.name)).toBe(apiKey);
    expect(request?.headers.get("content-type")).toBe("application/json");
    expect(await request?.json()).toEqual(validFeedback);
  });

  it("rejects a spec-breaking body before sending it (PareaInvalidRequestError)", async () => {
    let sent = 0;
    const client = createPareaClient({ apiKey, baseUrl, fetch: (request) => (sent++, fetch(request)) });
    // score is bounded to 0..1 by the spec; the generated validator knows it.
    const error = await client.recordFeedback({ score: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaInvalidRequestError);
    expect((error as PareaInvalidRequestError).issues).toEqual([{ path: "$.score", message: "must be <= 1" }]);
    expect(sent).toBe(0);
  });

  it("turns the server's verdict on a spec-breaking body into a PareaValidationError (client validation off)", async () => {
    const client = createPareaClient({ apiKey, baseUrl, validateRequests: false });
    const error = await client.recordFeedback({ score: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaValidationError);
    expect(error).toBeInstanceOf(PareaApiError);
    const validation = error as PareaValidationError;
    expect(validation.status).toBe(422);
    expect(validation.issues.length).toBeGreaterThan(0);
    const [issue] = validation.issues;
    expect(Object.keys(issue!).sort()).toEqual(["loc", "msg", "type"]);
    expect([Array.isArray(issue!.loc), typeof issue!.msg, typeof issue!.type]).toEqual([true, "string", "string"]);
    expect(validation.message).toContain(`422 to POST ${operations.recordFeedback.path}`);
    expect(validation.message).not.toContain(apiKey);
  });

  it("is refused (401, PareaApiError) when the key is not on the request", async () => {
    const client = createPareaClient({ apiKey, baseUrl });
    client.use({
      onRequest({ request }) {
        request.headers.delete(securitySchemes[apiKeyScheme!]!.name);
        return request;
      },
    });
    const error = await client.recordFeedback(validFeedback).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaAuthenticationError);
    expect((error as PareaApiError).status).toBe(401);
  });

  it("is refused when the key travels in the upstream document's x-user-id header (the overlay's fix matters)", async () => {
    const response = await fetch(`${baseUrl}${operations.recordFeedback.path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-user-id": apiKey },
      body: JSON.stringify(validFeedback),
    });
    expect(response.status).toBe(401);
  });

  it("keeps openapi-fetch's {data, error, response} on the raw verbs for HTTP errors", async () => {
    const client = createPareaClient({ apiKey, baseUrl, validateRequests: false });
    const ok = await client.POST(operations.recordFeedback.path, { body: validFeedback });
    expect(ok.response.status).toBe(200);
    expect(ok.error).toBeUndefined();
    const bad = await client.POST(operations.recordFeedback.path, { body: { score: -1 } });
    expect(bad.response.status).toBe(422);
    expect(bad.data).toBeUndefined();
    expect(bad.error).toHaveProperty("detail");
  });

  it("throws PareaInvalidRequestError from the raw verbs too, before sending", async () => {
    const client = createPareaClient({ apiKey, baseUrl });
    // @ts-expect-error the wrong type is the point: callers without types (JS) reach the validator
    const attempt = client.POST(operations.recordFeedback.path, { body: { score: "high" } });
    await expect(attempt).rejects.toThrow(PareaInvalidRequestError);
    await expect(attempt).rejects.toThrow("not sent: body breaks the API spec: $.score must be number");
  });
});
