// OpenAPI constructs real vendors' documents use, each through the whole codegen (--generic): refs
// below components, into paths and percent-encoded; every `components` kind referenced; webhooks-only
// 3.1 documents; and the lint gate that stops only on what breaks generation or the wire.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { normalize } from "../build-spec.ts";
import { generate } from "../generate.ts";
import { GENERIC_CONFIG } from "../lib/config.ts";
import { toJsonText, type OpenApiDocument } from "../lib/files.ts";
import { lintFindings, lintGate } from "../lib/lint-gate.ts";
import { loadGenerated } from "./support/generated.ts";
import { scratchDir } from "./support/scratch.ts";

async function generated(doc: OpenApiDocument) {
  const dir = await scratchDir("constructs-");
  const spec = join(dir, "openapi.json");
  await writeFile(spec, toJsonText(await normalize(doc, GENERIC_CONFIG)));
  await generate(spec, join(dir, "out"), GENERIC_CONFIG);
  const { operations, requestFields: fields, defaultReplies: replies } = await loadGenerated(join(dir, "out"));
  return { operations, fields, replies, spec };
}

const thing = {
  type: "object",
  required: ["name"],
  properties: { name: { type: "string", minLength: 2 }, tags: { type: "array", items: { type: "string" } } },
};

describe("refs anywhere in the document", () => {
  it("follows a $ref below a component, into #/paths and percent-encoded, for validators and replies", async () => {
    const doc: OpenApiDocument = {
      openapi: "3.0.3",
      info: { title: "t", version: "1" },
      paths: {
        "/things/{id}": {
          put: {
            operationId: "putThing",
            requestBody: {
              content: { "application/json": { schema: { $ref: "#/components/schemas/Wrapper/properties/inner" } } },
            },
            responses: {
              "200": {
                description: "ok",
                content: {
                  "application/json": {
                    schema: { $ref: "#/paths/~1things~1%7Bid%7D/put/requestBody/content/application~1json/schema" },
                  },
                },
              },
            },
          },
        },
      },
      components: { schemas: { Wrapper: { type: "object", properties: { inner: thing } } } },
    };
    const { operations, replies } = await generated(doc);
    expect(operations.putThing?.validate?.({ name: "ab" })).toBe(true);
    expect(operations.putThing?.validate?.({ name: "a" })).toBe(false);
    expect(replies.putThing).toEqual({ status: 200, body: { name: "xx" } });
  });
});

describe("every components kind, referenced", () => {
  it("requestBodies, responses, parameters, examples and pathItems give the same validators, fields and replies", async () => {
    const doc: OpenApiDocument = {
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths: { "/things": { $ref: "#/components/pathItems/Things" } },
      components: {
        schemas: { Thing: thing },
        requestBodies: {
          Thing: {
            required: true,
            content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } },
          },
        },
        parameters: { Limit: { name: "limit", in: "query", schema: { type: "integer" } } },
        examples: { One: { value: { name: "from the example" } } },
        responses: {
          Thing: {
            description: "ok",
            content: {
              "application/vnd.example+json": {
                schema: { $ref: "#/components/schemas/Thing" },
                examples: { one: { $ref: "#/components/examples/One" } },
              },
            },
          },
        },
        pathItems: {
          Things: {
            post: {
              operationId: "createThing",
              parameters: [{ $ref: "#/components/parameters/Limit" }],
              requestBody: { $ref: "#/components/requestBodies/Thing" },
              responses: { "201": { $ref: "#/components/responses/Thing" } },
            },
          },
        },
      },
    };
    const { operations, fields, replies } = await generated(doc);
    expect(operations.createThing).toMatchObject({ method: "POST", path: "/things" });
    expect(operations.createThing?.validate?.({ name: "ok" })).toBe(true);
    expect(operations.createThing?.validate?.({})).toBe(false);
    expect(fields.createThing?.map((field) => field.name)).toEqual(["name", "tags"]);
    expect(replies.createThing).toEqual({ status: 201, body: { name: "from the example" } });
  });
});

describe("documents without paths", () => {
  it("a 3.1 document with only webhooks generates, with no operations", async () => {
    const doc = {
      openapi: "3.1.0",
      info: { title: "hooks", version: "1" },
      webhooks: {
        thingCreated: {
          post: {
            requestBody: { content: { "application/json": { schema: thing } } },
            responses: { "200": { description: "ok" } },
          },
        },
      },
    } as unknown as OpenApiDocument;
    const { operations } = await generated(doc);
    expect(operations).toEqual({});
  });
});

describe("the lint gate", () => {
  const bare = (paths: Record<string, unknown>): OpenApiDocument => ({
    openapi: "3.1.0",
    info: { title: "t", version: "1" },
    paths,
  });
  const write = async (doc: OpenApiDocument) => {
    const path = join(await scratchDir("lint-"), "openapi.json");
    await writeFile(path, toJsonText(doc));
    return path;
  };

  it("lets style findings through, in the report", async () => {
    // No summary, no operationId, no 4xx, no license, no servers, no security: style, all of it.
    const findings = await lintGate(
      await write(bare({ "/a": { get: { responses: { "200": { description: "ok" } } } } })),
    );
    expect(findings.map((finding) => finding.rule)).toEqual(
      expect.arrayContaining(["operation-summary", "info-license"]),
    );
    expect(findings.every((finding) => !finding.fatal)).toBe(true);
  });

  it("stops on a $ref that leads nowhere, saying why", async () => {
    const doc = bare({
      "/a": {
        get: {
          responses: {
            "200": {
              description: "ok",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Nope" } } },
            },
          },
        },
      },
    });
    const path = await write(doc);
    expect((await lintFindings(path)).some((finding) => finding.fatal)).toBe(true);
    await expect(lintGate(path)).rejects.toThrow(
      /no-unresolved-refs at #\/paths\/~1a\/get.*the types and validators cannot be generated/,
    );
  });
});
