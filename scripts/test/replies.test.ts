// The test double's default replies must be what the API could answer: each validates against its
// operation's response schema, for every operation of the vendor's full spec.
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildSpec } from "../build-spec.ts";
import { at } from "../lib/json.ts";
import { jsonPointer } from "../lib/refs.ts";
import { defaultReply, minimalValue } from "../lib/replies.ts";
import { listOperations } from "../lib/spec-facts.ts";
import { objectIn } from "./support/edit.ts";

const Ajv2020 = (createRequire(import.meta.url)("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js")).default;
const full = await buildSpec(join(import.meta.dirname, "fixtures", "parea-openapi-full.yml"));
const seed = await buildSpec();

describe("default replies", () => {
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  ajv.addSchema(full, "full");
  it.each(listOperations(full, "full").map((op) => [`${op.method} ${op.path}`, op] as const))("%s", (_, op) => {
    const reply = defaultReply(full, op);
    const response = at(full, "paths", op.path, op.method.toLowerCase(), "responses", String(reply.status));
    expect(response).toBeDefined();
    if (!at(response, "content", "application/json")) return expect(reply.body).toBeUndefined();
    const schema = `full#/${jsonPointer("paths", op.path, op.method.toLowerCase(), "responses", String(reply.status), "content", "application/json", "schema")}`;
    const validate = ajv.getSchema(schema) ?? ajv.compile({ $ref: schema });
    expect(validate(reply.body), JSON.stringify(validate.errors)).toBe(true);
  });

  it("Record Feedback answers {} (its 200 schema is empty)", () => {
    const [op] = listOperations(seed, "seed");
    expect(defaultReply(seed, op!)).toEqual({ status: 200, body: {} });
  });

  it("minimal values respect required fields, bounds, formats and enums", () => {
    const schema = {
      type: "object",
      required: ["id", "n", "tags", "kind", "when"],
      properties: {
        id: { type: "string", minLength: 3 },
        n: { type: "integer", minimum: 5 },
        tags: { type: "array", minItems: 1, items: { type: "string" } },
        kind: { enum: ["a", "b"] },
        when: { type: "string", format: "date-time" },
        optional: { type: "string" },
      },
    };
    expect(minimalValue(seed, schema)).toEqual({
      id: "xxx",
      n: 5,
      tags: [""],
      kind: "a",
      when: "1970-01-01T00:00:00Z",
    });
  });

  // A schema is whatever the vendor wrote: each of these once crashed codegen or gave a wrong value.
  it.each([
    ["a false schema", false, {}],
    ["a null schema", null, {}],
    ["a format named like an Object property", { type: "string", format: "constructor" }, ""],
    [
      "a required list that is a string",
      { type: "object", required: "id", properties: { id: { type: "string" } } },
      {},
    ],
    ["bounds that are not numbers", { type: "integer", minimum: "5", maximum: "-1" }, 0],
    ["a type list with a non-string first", { type: [7, "string"], properties: { a: {} } }, {}],
    ["minItems that is not a number", { type: "array", minItems: "2", items: { type: "string" } }, []],
  ])("a minimal value for %s: %j gives %j", (_, schema, expected) => {
    expect(minimalValue(seed, schema)).toEqual(expected);
  });

  it("a response whose schema is false or whose content is not a map still gets a reply", () => {
    const doc = structuredClone(seed);
    const post = objectIn(doc, "paths", "/api/parea/v1/feedback", "post");
    const [op] = listOperations(doc, "seed");
    post.responses = { "200": { description: "ok", content: { "application/json": { schema: false } } } };
    expect(defaultReply(doc, op!)).toEqual({ status: 200, body: {} });
    post.responses = { "201": { description: "ok", content: "none" } };
    expect(defaultReply(doc, op!)).toEqual({ status: 201 });
  });
});
