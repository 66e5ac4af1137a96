// lib/security.ts: where each kind of scheme puts its credential, what each operation requires (any
// one alternative; the schemes of one sent together), and which scheme the apiKey option fills.
import { describe, expect, it } from "vitest";
import type { OpenApiDocument } from "../lib/files.ts";
import { authFacts } from "../lib/security.ts";

type Security = Record<string, string[]>[] | undefined;

/** A document with these schemes and one operation per entry of `operations` (its security; undefined: the document's). */
function facts(schemes: Record<string, unknown>, operations: Security[], security?: Security) {
  const doc: OpenApiDocument = {
    openapi: "3.1.0",
    info: { title: "t", version: "1" },
    ...(security && { security }),
    components: { securitySchemes: schemes },
    paths: {},
  };
  const listed = operations.map((op, i) => ({
    method: "get" as const,
    path: `/op${i}`,
    op: op ? { security: op } : {},
  }));
  return authFacts(doc, listed, "x.json");
}

describe("where each scheme puts its credential", () => {
  it.each([
    [
      { type: "apiKey", in: "header", name: "X-Key" },
      { kind: "token", in: "header", name: "X-Key", prefix: "" },
    ],
    [
      { type: "apiKey", in: "query", name: "key" },
      { kind: "token", in: "query", name: "key", prefix: "" },
    ],
    [
      { type: "apiKey", in: "cookie", name: "sid" },
      { kind: "token", in: "cookie", name: "sid", prefix: "" },
    ],
    [
      { type: "http", scheme: "bearer" },
      { kind: "token", in: "header", name: "Authorization", prefix: "Bearer " },
    ],
    [
      { type: "http", scheme: "Basic" },
      { kind: "basic", in: "header", name: "Authorization", prefix: "Basic " },
    ],
    [
      { type: "http", scheme: "HOBA" },
      { kind: "token", in: "header", name: "Authorization", prefix: "HOBA " },
    ],
    [
      { type: "oauth2", flows: {} },
      { kind: "token", in: "header", name: "Authorization", prefix: "Bearer " },
    ],
    [
      { type: "openIdConnect", openIdConnectUrl: "https://x" },
      { kind: "token", in: "header", name: "Authorization", prefix: "Bearer " },
    ],
    [{ type: "mutualTLS" }, { kind: "tls", in: "header", name: "", prefix: "" }],
  ])("%j", (scheme, where) => {
    expect(facts({ s: scheme }, [[{ s: [] }]]).schemes).toEqual({ s: where });
  });

  it.each([
    [{ type: "apiKey", in: "body", name: "k" }, /apiKey scheme "s" needs in/],
    [{ type: "apiKey", in: "header" }, /apiKey scheme "s" needs in/],
  ])("refuses %j", (scheme, error) => {
    expect(() => facts({ s: scheme }, [[{ s: [] }]])).toThrow(error);
  });

  it("leaves out the alternatives naming a scheme the document does not define, or of no type OpenAPI has", () => {
    const got = facts({ a: { type: "http", scheme: "bearer" }, odd: { type: "password" } }, [
      [{ nope: [] }, { a: [] }],
      [{ a: [], odd: [] }],
      [{ nope: [] }],
    ]);
    expect(got.schemes).toEqual({ a: { kind: "token", in: "header", name: "Authorization", prefix: "Bearer " } });
    expect([got.defaultSecurity, got.operationSecurity]).toEqual([[], { "GET /op0": [["a"]] }]);
  });

  it("lists only the schemes some operation uses", () => {
    const used = facts({ a: { type: "http", scheme: "bearer" }, unused: { type: "apiKey", in: "query", name: "q" } }, [
      [{ a: [] }],
    ]);
    expect(Object.keys(used.schemes)).toEqual(["a"]);
  });
});

describe("what each operation requires", () => {
  const schemes = {
    key: { type: "apiKey", in: "header", name: "X-Key" },
    basic: { type: "http", scheme: "basic" },
    oauth: { type: "oauth2", flows: {} },
  };

  it("the most common requirement is the default; only the others are listed, by METHOD /path", () => {
    const got = facts(schemes, [undefined, undefined, [], [{ basic: [] }, { oauth: ["read"] }]], [{ key: [] }]);
    expect(got.defaultSecurity).toEqual([["key"]]);
    expect(got.operationSecurity).toEqual({ "GET /op2": [], "GET /op3": [["basic"], ["oauth"]] });
  });

  it("keeps alternatives in the document's order, schemes of one alternative sorted, duplicates dropped", () => {
    const got = facts(schemes, [[{ oauth: [], key: [] }, {}, { key: [], oauth: [] }, { basic: [] }]]);
    expect(got.defaultSecurity).toEqual([["key", "oauth"], [], ["basic"]]);
  });

  it("no security anywhere: nothing is required and the apiKey option fills nothing", () => {
    const got = facts(schemes, [undefined, []]);
    expect([got.schemes, got.defaultSecurity, got.operationSecurity, got.apiKeyScheme]).toEqual([
      {},
      [],
      {},
      undefined,
    ]);
  });

  it.each<[string, Security[], Security, string | undefined]>([
    [
      "the scheme every secured operation accepts alone",
      [[{ basic: [] }, { key: [] }], [{ key: [] }], []],
      undefined,
      "key",
    ],
    ["else the first by name", [[{ oauth: [] }], [{ key: [] }]], undefined, "key"],
    ["a scheme only ever sent with another is still one", [[{ oauth: [], key: [] }]], undefined, "key"],
    ["anonymous alternatives only: still the first by name", [[{}, { oauth: [] }]], undefined, "oauth"],
    ["a token scheme before basic (Stripe: basic or bearer)", [[{ basic: [] }, { oauth: [] }]], undefined, "oauth"],
    ["basic when it is the only one", [[{ basic: [] }]], undefined, "basic"],
  ])("the apiKey option fills %s", (_, operations, security, expected) => {
    expect(facts(schemes, operations, security).apiKeyScheme).toBe(expected);
  });
});
