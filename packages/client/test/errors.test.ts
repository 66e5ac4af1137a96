import { describe, expect, it } from "vitest";
import assert from "node:assert/strict";
import {
  abortError,
  apiErrorFor,
  brokenBodyError,
  connectionError,
  excerpt,
  formatIssues,
  invalidResponseError,
  PareaApiError,
  PareaConnectionError,
  PareaError,
  PareaResponseTooLargeError,
  PareaValidationError,
  timeoutError,
  tooLargeError,
  type ApiErrorDetails,
} from "../src/errors.ts";
import * as errorsModule from "../src/errors.ts";
import { Secrets } from "../src/redact.ts";

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

describe("every error the client builds", () => {
  const secrets = new Secrets("sk-test-secret");
  const where = "POST /api/parea/v1/feedback";

  it("is named after its class (what logs and `error.name` checks read), every class the module has", () => {
    const classes = Object.values(errorsModule).filter(
      (value): value is typeof PareaError => typeof value === "function" && value.prototype instanceof Error,
    );
    expect(classes.length).toBeGreaterThanOrEqual(12);
    for (const ErrorClass of [PareaError, ...classes]) expect(new ErrorClass("m").name).toBe(ErrorClass.name);
  });

  it("has a cause only when one was given", () => {
    expect("cause" in timeoutError(where, 1_000, 2, secrets)).toBe(false);
    expect(abortError(where, "stop", secrets).cause).toBe("stop");
  });

  it("abort, timeout, connection: the call, the attempt and what to do", () => {
    expect(abortError(where, undefined, secrets).message).toBe(`${where} was aborted by the caller`);
    expect(timeoutError(where, 1_000, 2, secrets)).toMatchObject({
      message: `${where} timed out after 1000 ms (attempt 2); raise timeoutMs if the API is slow`,
      timeoutMs: 1_000,
      attempts: 2,
    });
    const cause = new Error("socket hang up");
    expect(connectionError(where, "", 3, cause, secrets)).toMatchObject({
      message: `${where}: connection failed (network error, attempt 3); check baseUrl and network`,
      attempts: 3,
      cause,
    });
  });

  it("a body cut short in a response another middleware swapped in: a connection error with its cause", () => {
    const cause = new TypeError("terminated");
    const error = brokenBodyError(where, 200, cause, secrets);
    expect(error).toBeInstanceOf(PareaConnectionError);
    expect(error).toMatchObject({
      message: `${where}: the connection broke while reading the 200 response body`,
      cause,
    });
  });

  it("too large: what the status line and headers said, nothing of the body", () => {
    const headers = new Headers({ "x-request-id": "req-9" });
    const error = tooLargeError(where, { status: 200, headers }, 1_024, 2, secrets);
    expect(error).toBeInstanceOf(PareaResponseTooLargeError);
    expect(error).toMatchObject({ status: 200, headers, requestId: "req-9", attempts: 2, maxResponseBytes: 1_024 });
    expect(error.body).toBeUndefined();
    expect(error.message).toBe(
      `Parea API answered 200 to ${where} with a body over maxResponseBytes (1024 bytes); it was not read further`,
    );
  });

  it("a 2xx that is not JSON, with no content-type: says so", () => {
    const error = invalidResponseError(
      where,
      { status: 200, headers: new Headers() },
      "  <p>hi</p>  ",
      1,
      undefined,
      secrets,
    );
    expect(error.message).toMatch(/\(content-type none; .*\): <p>hi<\/p>$/);
    expect(error.contentType).toBeUndefined();
  });

  it("issues are listed one after another", () => {
    expect(
      formatIssues([
        { path: "$.a", message: "is required" },
        { path: "$.b", message: "must be <= 1" },
      ]),
    ).toBe("$.a is required; $.b must be <= 1");
  });
});

describe("excerpt", () => {
  it("collapses whitespace, trims, and cuts only past the limit", () => {
    expect(excerpt("  a \n\t b  ")).toBe("a b");
    expect(excerpt("x".repeat(10), 10)).toBe("x".repeat(10));
    expect(excerpt("x".repeat(11), 10)).toBe(`${"x".repeat(10)}…`);
  });
});

describe("what the server said, in the message", () => {
  it.each<[string, unknown, string]>([
    [
      "several FastAPI issues",
      {
        detail: [
          { loc: ["body", "a"], msg: "m1" },
          { loc: ["b"], msg: "m2" },
        ],
      },
      ": body.a: m1; b: m2",
    ],
    ["a message field", { message: "try later" }, ": try later"],
    ["an error field", { error: "bad thing" }, ": bad thing"],
    ["a text body", "plain words", ": plain words"],
    ["a number body", 42, ": 42"],
    ["no body", undefined, ""],
    ["an empty object", {}, ""],
  ])("%s", (_, body, said) => {
    expect(apiErrorFor({ ...base, status: 400, body }).message).toBe(
      `Parea API answered 400 to ${base.request}${said}`,
    );
  });

  it("only FastAPI's own issue shape counts as an issue; anything else in detail is left out, never trusted", () => {
    const good = { loc: ["body", "score"], msg: "too big", type: "x" };
    const detail = [good, null, "text", { loc: "body", msg: "m" }, { loc: ["a"], msg: 5 }, { msg: "no loc" }];
    const error = apiErrorFor({ ...base, status: 422, body: { detail } });
    assert(error instanceof PareaValidationError);
    expect(error.issues).toEqual([good]);
    expect(error.message).toBe(`Parea API answered 422 to ${base.request}: body.score: too big`);
  });

  it("issues only on a 422, retryAfterMs only on a 429", () => {
    const other = apiErrorFor({ ...base, status: 400, body: {}, retryAfterMs: 5_000 });
    expect("issues" in other).toBe(false);
    expect("retryAfterMs" in other).toBe(false);
  });
});
