// The 3.0 -> 3.1 normalization converts schemas, never the maps that hold them: a property (or a
// component schema) named like a keyword (type, nullable, example, exclusiveMinimum...) keeps its name
// and its schema, while every schema, those under such names included, is converted.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { OpenApiDocument } from "../lib/files.ts";
import { at } from "../lib/json.ts";
import { toOpenApi31 } from "../lib/normalize.ts";
import { objectIn } from "./support/edit.ts";
import { canonicalize } from "../lib/schema-canonical.ts";
import { defaultReply } from "../lib/replies.ts";
import type { OperationFacts } from "../lib/spec-facts.ts";
import { renderValidators } from "../lib/validators.ts";

const KEYWORDS = [
  "type",
  "nullable",
  "example",
  "examples",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minimum",
  "maximum",
  "format",
  "items",
  "properties",
  "enum",
  "default",
  "anyOf",
  "allOf",
  "oneOf",
  "$ref",
  "required",
  "description",
];

const documentWith = (properties: Record<string, unknown>, schemas: Record<string, unknown> = {}): OpenApiDocument => ({
  openapi: "3.0.3",
  info: { title: "t", version: "1" },
  paths: {
    "/x": {
      post: {
        requestBody: { content: { "application/json": { schema: { type: "object", properties } } } },
        responses: { "200": { description: "ok" } },
      },
    },
  },
  components: { schemas },
});

const bodyProperties = (doc: OpenApiDocument) =>
  objectIn(doc, "paths", "/x", "post", "requestBody", "content", "application/json", "schema", "properties") as Record<
    string,
    Record<string, unknown>
  >;

describe("3.0 -> 3.1: schemas converted, their containers left alone", () => {
  it("properties named type, nullable, example and exclusiveMinimum keep their names and schemas", async () => {
    const doc = await toOpenApi31(
      documentWith({
        type: { type: "string", nullable: true },
        nullable: { type: "boolean" },
        example: { type: "string", example: "e" },
        exclusiveMinimum: { type: "number", minimum: 0, exclusiveMinimum: true },
        exclusiveMaximum: { type: "integer" },
      }),
    );
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(bodyProperties(doc)).toEqual({
      type: { type: ["string", "null"] },
      nullable: { type: "boolean" },
      example: { type: "string", examples: ["e"] },
      exclusiveMinimum: { type: "number", exclusiveMinimum: 0 },
      exclusiveMaximum: { type: "integer" },
    });
  });

  it("component schemas named like keywords, and their own properties, survive too", async () => {
    const doc = await toOpenApi31(
      documentWith({}, { nullable: { type: "object", nullable: true, properties: { example: { type: "string" } } } }),
    );
    expect(at(doc, "components", "schemas")).toEqual({
      nullable: { type: ["object", "null"], properties: { example: { type: "string" } } },
    });
  });

  it("any property names (keywords among them): the same names come out, in order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.oneof(fc.constantFrom(...KEYWORDS), fc.string({ minLength: 1, maxLength: 8 })), {
          minLength: 1,
          maxLength: 8,
        }),
        async (names) => {
          const properties = Object.fromEntries(names.map((name) => [name, { type: "string", nullable: true }]));
          const converted = bodyProperties(await toOpenApi31(documentWith(properties)));
          expect(Object.keys(converted)).toEqual(Object.keys(properties));
          for (const name of names) expect(converted[name]).toEqual({ type: ["string", "null"] });
        },
      ),
      { numRuns: 100, seed: 20_261_204 },
    );
  });
});

describe("normalized for every downstream compiler (Ajv's u flag, 3.1 keywords)", () => {
  /** A 3.1 document whose request and response use the given schema. */
  const using = (schema: object): OpenApiDocument => ({
    openapi: "3.1.0",
    info: { title: "t", version: "1" },
    paths: {
      "/x": {
        post: {
          requestBody: { content: { "application/json": { schema } } },
          responses: { "200": { description: "ok", content: { "application/json": { schema } } } },
        },
      },
    },
  });
  const facts: OperationFacts = {
    name: "x",
    operationId: undefined,
    method: "POST",
    path: "/x",
    pathPattern: "^/x$",
    retrySafe: false,
  };
  const vendorish = {
    type: "object",
    required: ["slug", "host", "tag"],
    properties: {
      slug: { type: "string", pattern: "^[a-z0-9\\-]+$" },
      host: { type: "string", pattern: "^[\\w.]+\\:\\d+$" },
      tag: { type: "string", pattern: "^\\_[a-z]+$" },
      note: { nullable: true, description: "may be anything, null included" },
    },
  };

  it("patterns that only the u flag refuses (\\-, \\:, \\_) mean the same and compile under it", async () => {
    const doc = await toOpenApi31(using(vendorish));
    const props = bodyProperties(doc);
    for (const name of ["slug", "host", "tag"])
      expect(() => new RegExp(props[name]!.pattern as string, "u")).not.toThrow();
    expect(props.slug!.pattern).toBe("^[a-z0-9\\-]+$"); // valid under u already: unchanged
    expect(props.host!.pattern).toBe("^[\\w.]+:\\d+$");
    expect(props.tag!.pattern).toBe("^_[a-z]+$");
    for (const [name, samples] of Object.entries({
      slug: ["a-b", "A"],
      host: ["h.io:80", "h.io80"],
      tag: ["_ab", "ab"],
    })) {
      const [good, bad] = samples;
      const before = new RegExp(
        (vendorish.properties as unknown as Record<string, { pattern: string }>)[name]!.pattern,
      );
      const after = new RegExp(props[name]!.pattern as string, "u");
      expect([after.test(good!), after.test(bad!)]).toEqual([before.test(good!), before.test(bad!)]);
    }
    expect(props.note).toEqual({ description: "may be anything, null included" });
  });

  it("the fake's default reply and the request validators build from such a document", async () => {
    const doc = await toOpenApi31(using(vendorish));
    expect(() => defaultReply(doc, facts)).not.toThrow();
    const validators = renderValidators(doc, [facts]);
    expect([...validators.keys()].length).toBeGreaterThan(0);
  });

  it("a pattern no flag can read is left as the vendor wrote it (the lint reports it)", async () => {
    const doc = await toOpenApi31(using({ type: "string", pattern: "([a-z]" }));
    expect(at(doc, "paths", "/x", "post", "requestBody", "content", "application/json", "schema", "pattern")).toBe(
      "([a-z]",
    );
  });
});

describe("canonical form", () => {
  it("an anyOf with a branch that has no type accepts anything: it stays an anyOf (SendGrid's field_mappings)", async () => {
    const doc = await toOpenApi31(
      documentWith({ m: { type: "array", items: { anyOf: [{ type: "string" }, { nullable: true }] } } }),
    );
    expect(canonicalize(bodyProperties(doc).m)).toEqual({ type: "array", items: { anyOf: [{ type: "string" }, {}] } });
    const [validate] = renderValidators(doc, [{ name: "x", method: "POST", path: "/x" } as OperationFacts]).values();
    expect(validate).toBeDefined(); // it compiles (a type list with a hole did not)
    expect(canonicalize({ anyOf: [{ type: "string" }, { type: "null" }] })).toEqual({ type: ["string", "null"] });
  });
});
