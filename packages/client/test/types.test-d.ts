// Compile-time contract: these assertions run under vitest's typecheck mode (tsc).
import { describe, expectTypeOf, it } from "vitest";
import {
  createPareaClient,
  type components,
  type PareaClient,
  type PareaClientOptions,
  type RequestBody,
} from "../src/index.ts";
import type { SchemeCredentials } from "../src/generated/spec.ts";
import type { Writable } from "../src/generated/openapi.ts";

/** What callers send: the generated schema without readOnly properties (openapi-typescript's markers). */
type FeedbackBody = Writable<components["schemas"]["FeedbackRequestSchema"]>;

declare const client: PareaClient;

describe("recordFeedback's parameter", () => {
  it("is the generated request-body type, not a hand-written copy", () => {
    expectTypeOf<Parameters<PareaClient["recordFeedback"]>[0]>().toEqualTypeOf<FeedbackBody>();
    expectTypeOf<RequestBody<"recordFeedback">>().toEqualTypeOf<FeedbackBody>();
  });

  it("accepts correct calls", () => {
    expectTypeOf(client.recordFeedback).toBeCallableWith({ score: 0.5 });
    expectTypeOf(client.recordFeedback).toBeCallableWith({ score: 1, trace_id: "t", comment: null, target: "x" });
  });

  it("rejects a wrong field type, a missing score and an unknown field", () => {
    // @ts-expect-error score must be a number
    void client.recordFeedback({ score: "0.5" });
    // @ts-expect-error score is required
    void client.recordFeedback({ trace_id: "t" });
    // @ts-expect-error unknown fields are not part of the spec
    void client.recordFeedback({ score: 0.5, bogus: true });
    // @ts-expect-error trace_id is string | null
    void client.recordFeedback({ score: 0.5, trace_id: 42 });
  });
});

describe("the raw typed verbs", () => {
  it("accept the spec's path and method", () => {
    void client.POST("/api/parea/v1/feedback", { body: { score: 0.5 } });
  });

  it("reject an unknown path and a wrong method", () => {
    // @ts-expect-error no such path in the spec
    void client.POST("/api/parea/v1/nope", { body: { score: 0.5 } });
    // @ts-expect-error the feedback path has no GET
    void client.GET("/api/parea/v1/feedback");
  });

  it("expose openapi-fetch's middleware API", () => {
    expectTypeOf<(typeof client)["use"]>().toBeFunction();
    expectTypeOf<(typeof client)["eject"]>().toBeFunction();
  });
});

describe("createPareaClient", () => {
  it("takes only the documented options", () => {
    expectTypeOf(createPareaClient).toBeCallableWith({ apiKey: "k", baseUrl: "https://x", headers: { a: "b" } });
    // @ts-expect-error apiKey is a string
    createPareaClient({ apiKey: 1 });
  });

  it("takes a credential per security scheme of the spec (generated SchemeCredentials)", () => {
    expectTypeOf<NonNullable<PareaClientOptions["auth"]>>().toEqualTypeOf<SchemeCredentials>();
    expectTypeOf(createPareaClient).toBeCallableWith({ auth: { APIKeyHeader: "k" } });
    expectTypeOf(createPareaClient).toBeCallableWith({ auth: { APIKeyHeader: () => Promise.resolve("k") } });
    // @ts-expect-error not a scheme of the spec
    createPareaClient({ auth: { Bearer: "k" } });
    // @ts-expect-error a token is a string or a function returning one
    createPareaClient({ auth: { APIKeyHeader: { username: "u", password: "p" } } });
  });
});
