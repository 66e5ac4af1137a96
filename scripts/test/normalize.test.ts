// The 3.0 -> 3.1 normalization converts schemas, never the maps that hold them: a property (or a
// component schema) named like a keyword (type, nullable, example, exclusiveMinimum...) keeps its name
// and its schema, while every schema, those under such names included, is converted.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { OpenApiDocument } from "../lib/files.ts";
import { toOpenApi31 } from "../lib/normalize.ts";

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
  doc.paths["/x"].post.requestBody.content["application/json"].schema.properties as Record<
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
    expect(doc.components!.schemas).toEqual({
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
