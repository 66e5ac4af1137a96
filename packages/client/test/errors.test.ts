import { describe, expect, it } from "vitest";
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
    expect((error as PareaValidationError).issues).toEqual(body.detail);
    expect(error.message).toBe(
      "Parea API answered 422 to POST /api/parea/v1/feedback: body.score: Input should be less than or equal to 1",
    );
    expect(error.name).toBe("PareaValidationError");
  });

  it("keeps a 422 whose body is not FastAPI-shaped, with no issues", () => {
    const error = apiErrorFor({ ...base, status: 422, body: "Unprocessable" });
    expect(error).toBeInstanceOf(PareaValidationError);
    expect((error as PareaValidationError).issues).toEqual([]);
    expect(error.body).toBe("Unprocessable");
    expect(error.message).toBe("Parea API answered 422 to POST /api/parea/v1/feedback");
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
      "Parea API answered 500 to POST /api/parea/v1/feedback after 3 attempts (request id req-1)",
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
  });
});
