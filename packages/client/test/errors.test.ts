import { describe, expect, it } from "vitest";
import assert from "node:assert/strict";
import { apiErrorFor, PareaApiError, PareaError, PareaValidationError, type ApiErrorDetails } from "../src/errors.ts";

const base: ApiErrorDetails = {
  request: "POST /api/parea/v1/feedback",
  headers: new Headers(),
  status: 500,
  body: null,
  attempts: 1,
  retryAfterMs: undefined,
};

describe("apiErrorFor", () => {
  it("maps a FastAPI 422 to PareaValidationError with the server's issues in its message", () => {
    const body = {
      detail: [{ loc: ["body", "score"], msg: "Input should be less than or equal to 1", type: "less_than_equal" }],
    };
    const error = apiErrorFor({ ...base, status: 422, body });
    expect(error).toBeInstanceOf(PareaValidationError);
    expect(error).toBeInstanceOf(PareaApiError);
    expect(error).toBeInstanceOf(PareaError);
    assert(error instanceof PareaValidationError);
    expect(error.issues).toEqual(body.detail);
    expect(error.message).toBe(
      "Parea API answered 422 to POST /api/parea/v1/feedback: body.score: Input should be less than or equal to 1",
    );
    expect(error.name).toBe("PareaValidationError");
  });

  it.each<[unknown, string]>([
    ["Unprocessable", "Unprocessable"],
    [{ detail: "some text" }, "some text"],
    [{ detail: { reason: "bad trace" } }, '{"reason":"bad trace"}'],
  ])("keeps a 422 whose body is not FastAPI-shaped (%j), with no issues but the server's words", (body, said) => {
    const error = apiErrorFor({ ...base, status: 422, body });
    assert(error instanceof PareaValidationError);
    expect(error.issues).toEqual([]);
    expect(error.body).toEqual(body);
    expect(error.message).toBe(`Parea API answered 422 to POST /api/parea/v1/feedback: ${said}`);
  });

  it.each<[string, unknown, string]>([
    ["a detail string", { detail: "trace_id must be a UUID" }, ": trace_id must be a UUID"],
    ["a message field", { message: "Bad request body" }, ": Bad request body"],
    ["an error field", { error: "boom" }, ": boom"],
    ["a text body", "upstream  said\n no", ": upstream said no"],
    ["another JSON shape", { code: 7 }, ': {"code":7}'],
    ["an empty object", {}, ""],
    ["no body", null, ""],
  ])("a 400 carries what the server said: %s", (_, body, suffix) => {
    const error = apiErrorFor({ ...base, status: 400, body });
    expect(error.message).toBe(`Parea API answered 400 to POST /api/parea/v1/feedback${suffix}`);
  });

  it("bounds what it quotes from the server", () => {
    const error = apiErrorFor({ ...base, status: 400, body: { detail: "why ".repeat(2_000) } });
    expect(error.message.length).toBeLessThan(400);
    expect(error.message).toMatch(/why why…$/);
    expect((error.body as { detail: string }).detail).toHaveLength(8_000);
  });

  it("maps other statuses to PareaApiError with status, body, headers and request id", () => {
    const headers = new Headers({ "x-request-id": "req-1" });
    const error = apiErrorFor({ ...base, headers, status: 500, body: { error: "boom" }, attempts: 3 });
    expect(error).not.toBeInstanceOf(PareaValidationError);
    expect(error).toMatchObject({
      name: "PareaApiError",
      status: 500,
      body: { error: "boom" },
      requestId: "req-1",
      attempts: 3,
    });
    expect(error.message).toBe(
      "Parea API answered 500 to POST /api/parea/v1/feedback after 3 attempts: boom (request id req-1)",
    );
  });

  it.each([
    [401, "PareaAuthenticationError", "check the API key"],
    [403, "PareaAuthenticationError", "check the API key"],
    [429, "PareaRateLimitError", "rate limited"],
  ])("%i is a %s whose message says what to do", (status, name, hint) => {
    const error = apiErrorFor({ ...base, status });
    expect(error.name).toBe(name);
    expect(error.message).toBe(`Parea API answered ${status} to POST /api/parea/v1/feedback: ${hint}`);
    const said = apiErrorFor({ ...base, status, body: { detail: "Not authenticated" } });
    expect(said.message).toBe(
      `Parea API answered ${status} to POST /api/parea/v1/feedback: Not authenticated; ${hint}`,
    );
  });
});
