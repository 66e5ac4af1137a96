import { describe, expect, it } from "vitest";
import { apiErrorFor, PareaApiError, PareaError, PareaValidationError } from "../src/errors.ts";

const base = { method: "POST", path: "/api/parea/v1/feedback", headers: new Headers() };

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
  });

  it("maps other statuses to PareaApiError with status, body and headers", () => {
    const headers = new Headers({ "x-request-id": "req-1" });
    const error = apiErrorFor({ ...base, headers, status: 500, body: { error: "boom" } });
    expect(error).not.toBeInstanceOf(PareaValidationError);
    expect(error).toMatchObject({ name: "PareaApiError", status: 500, body: { error: "boom" } });
    expect(error.headers.get("x-request-id")).toBe("req-1");
  });
});
