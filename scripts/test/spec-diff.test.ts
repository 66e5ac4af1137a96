import { describe, expect, it } from "vitest";
import { buildSpec } from "../build-spec.ts";
import type { OpenApiDocument } from "../lib/files.ts";
import { arrayIn, objectIn } from "./support/edit.ts";
import { canonicalize, diffSpecs, renderSummary } from "../lib/spec-diff.ts";

// Every fixture is the seed's normalized document with one edit.
const seed = await buildSpec();
const FEEDBACK = "/api/parea/v1/feedback";
const TRACE = "/api/parea/v1/trace_log/{trace_id}";
const feedbackSchema = (doc: OpenApiDocument) => objectIn(doc, "components", "schemas", "FeedbackRequestSchema");
const feedbackProps = (doc: OpenApiDocument) => objectIn(feedbackSchema(doc), "properties");
const edit = (change: (doc: OpenApiDocument) => void, base = seed): OpenApiDocument => {
  const doc = structuredClone(base);
  change(doc);
  return doc;
};
/** The seed plus a GET with a path parameter and a response schema, for the cases that need one. */
const withTraceLog = (param = "trace_id") =>
  edit((doc) => {
    doc.paths[`/api/parea/v1/trace_log/{${param}}`] = {
      get: {
        summary: "Get Trace Log",
        parameters: [{ name: param, in: "path", required: true, schema: { type: "string" } }],
        responses: {
          "200": {
            description: "ok",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["trace_id"],
                  properties: {
                    trace_id: { type: "string" },
                    score: { type: "number" },
                    status: { type: "string", enum: ["success", "error"] },
                  },
                },
              },
            },
          },
        },
      },
    };
  });
const traceResponse = (doc: OpenApiDocument) =>
  objectIn(doc, "paths", TRACE, "get", "responses", "200", "content", "application/json", "schema", "properties");

describe("diffSpecs on one-edit fixtures", () => {
  it.each<[string, OpenApiDocument, OpenApiDocument, "major" | "minor" | "patch", string[]]>([
    [
      "documentation only",
      seed,
      edit((doc) => {
        objectIn(feedbackProps(doc), "comment").description = "What the user said";
        objectIn(doc, "paths", FEEDBACK, "post").summary = "Record feedback for a trace";
      }),
      "patch",
      [`\`POST ${FEEDBACK}\`: request field \`comment\`: description changed`, `\`POST ${FEEDBACK}\`: summary changed`],
    ],
    ["added operation", seed, withTraceLog(), "minor", [`\`GET ${TRACE}\`: operation added`]],
    [
      "added optional request field",
      seed,
      edit((doc) => void (feedbackProps(doc).tags = { type: "array", items: { type: "string" } })),
      "minor",
      [`\`POST ${FEEDBACK}\`: request field \`tags\` added`],
    ],
    [
      "newly required request field",
      seed,
      edit((doc) => void arrayIn(feedbackSchema(doc), "required").push("trace_id")),
      "major",
      [`\`POST ${FEEDBACK}\`: request field \`trace_id\` is now required`],
    ],
    [
      "removed request field",
      seed,
      edit((doc) => {
        delete feedbackProps(doc).inference_id;
      }),
      "major",
      [`\`POST ${FEEDBACK}\`: request field \`inference_id\` removed`],
    ],
    [
      "narrowed type",
      seed,
      edit((doc) => void (objectIn(feedbackProps(doc), "score").type = "integer")),
      "major",
      [`\`POST ${FEEDBACK}\`: request field \`score\`: type changed from \`number\` to \`integer\``],
    ],
    [
      "narrowed range",
      seed,
      edit((doc) => void (objectIn(feedbackProps(doc), "score").maximum = 0.5)),
      "major",
      [`\`POST ${FEEDBACK}\`: request field \`score\`: range narrowed from 0 <= x <= 1 to 0 <= x <= 0.5`],
    ],
    [
      "enum value removed from a response",
      withTraceLog(),
      edit((doc) => void (objectIn(traceResponse(doc), "status").enum = ["success"]), withTraceLog()),
      "major",
      [`\`GET ${TRACE}\`: response 200 field \`status\`: enum value \`error\` removed`],
    ],
    [
      "response field removed",
      withTraceLog(),
      edit((doc) => {
        delete traceResponse(doc).score;
      }, withTraceLog()),
      "major",
      [`\`GET ${TRACE}\`: response 200 field \`score\` removed`],
    ],
    [
      "response field loosened (now nullable)",
      withTraceLog(),
      edit((doc) => void (objectIn(traceResponse(doc), "score").type = ["number", "null"]), withTraceLog()),
      "major",
      [`\`GET ${TRACE}\`: response 200 field \`score\`: type changed from \`number\` to \`["number","null"]\``],
    ],
    [
      "response field added",
      withTraceLog(),
      edit((doc) => void (traceResponse(doc).latency = { type: "number" }), withTraceLog()),
      "minor",
      [`\`GET ${TRACE}\`: response 200 field \`latency\` added`],
    ],
    [
      "renamed path parameter",
      withTraceLog("trace_id"),
      withTraceLog("trace_uuid"),
      "major",
      [
        `\`${TRACE}\`: path is now \`/api/parea/v1/trace_log/{trace_uuid}\``,
        `\`GET ${TRACE}\`: path parameter \`trace_id\` renamed to \`trace_uuid\``,
      ],
    ],
    ["removed operation", withTraceLog(), seed, "major", [`\`GET ${TRACE}\`: operation removed`]],
  ])("%s", (_, before, after, bump, messages) => {
    const result = diffSpecs(before, after);
    expect(result.bump).toBe(bump);
    expect(result.changes.map((change) => change.message)).toEqual(messages);
    const summary = renderSummary(result);
    expect(summary.split("\n")[0]).toBe(`Release: ${bump}`);
    for (const message of messages) expect(summary).toContain(`- ${message}${bump === "major" ? " (breaking)" : ""}`);
  });

  it("identical documents: no release", () => {
    expect(diffSpecs(seed, structuredClone(seed))).toEqual({ bump: null, changes: [] });
    expect(renderSummary({ bump: null, changes: [] })).toBe("No changes to the API.");
  });

  it("lists breaking changes first", () => {
    const after = edit((doc) => {
      objectIn(feedbackProps(doc), "comment").description = "d";
      feedbackProps(doc).tags = { type: "string" };
      arrayIn(feedbackSchema(doc), "required").push("trace_id");
    });
    expect(diffSpecs(seed, after).changes.map((change) => change.bump)).toEqual(["major", "minor", "patch"]);
    expect(renderSummary(diffSpecs(seed, after))).toBe(
      [
        "Release: major",
        "",
        "Breaking changes:",
        "",
        `- \`POST ${FEEDBACK}\`: request field \`trace_id\` is now required (breaking)`,
        "",
        "Additions:",
        "",
        `- \`POST ${FEEDBACK}\`: request field \`tags\` added`,
        "",
        "Documentation:",
        "",
        `- \`POST ${FEEDBACK}\`: request field \`comment\`: description changed`,
      ].join("\n"),
    );
  });

  it("does not report a nullable field spelled two ways (anyOf vs type list) as a change", () => {
    const spelled = edit((doc) => {
      const props = feedbackProps(doc);
      props.comment = { type: ["string", "null"], title: "Comment", description: "Feedback comment" };
    });
    expect(diffSpecs(seed, spelled).bump).toBeNull();
    expect(canonicalize({ anyOf: [{ type: "null" }, { type: "string" }] })).toEqual({ type: ["string", "null"] });
  });
});

describe("bounds are compared as intervals", () => {
  const score = (bounds: Record<string, unknown>) =>
    edit((doc) => {
      const { minimum: _min, maximum: _max, ...rest } = objectIn(feedbackProps(doc), "score");
      feedbackProps(doc).score = { ...rest, ...bounds };
    });
  const field = (name: string, schema: Record<string, unknown>, base = seed) =>
    edit((doc) => void (feedbackProps(doc)[name] = schema), base);
  const responseScore = (bounds: Record<string, unknown>) =>
    edit((doc) => void Object.assign(objectIn(traceResponse(doc), "score"), bounds), withTraceLog());
  const open = score({ exclusiveMinimum: 0, exclusiveMaximum: 1 });
  const closed = score({ minimum: 0, maximum: 1 });
  const req = `\`POST ${FEEDBACK}\`: request field`;
  const res = `\`GET ${TRACE}\`: response 200 field`;

  it.each<[string, OpenApiDocument, OpenApiDocument, "major" | "minor" | "patch", string]>([
    [
      "request 0 < x < 1 -> 0 <= x <= 1 widens: minor",
      open,
      closed,
      "minor",
      `${req} \`score\`: range widened from 0 < x < 1 to 0 <= x <= 1`,
    ],
    [
      "request 0 <= x <= 1 -> 0 < x < 1 narrows: major",
      closed,
      open,
      "major",
      `${req} \`score\`: range narrowed from 0 <= x <= 1 to 0 < x < 1`,
    ],
    [
      "request bound dropped widens: minor",
      closed,
      score({ minimum: 0 }),
      "minor",
      `${req} \`score\`: range widened from 0 <= x <= 1 to 0 <= x`,
    ],
    [
      "request range shifted: major",
      closed,
      score({ minimum: 0.5, maximum: 2 }),
      "major",
      `${req} \`score\`: range changed from 0 <= x <= 1 to 0.5 <= x <= 2`,
    ],
    [
      "3.0 boolean flags dropped widens: minor",
      score({ minimum: 0, exclusiveMinimum: true }),
      score({ minimum: 0 }),
      "minor",
      `${req} \`score\`: range widened from 0 < x to 0 <= x`,
    ],
    [
      "a redundant bound dropped, same range: patch",
      score({ minimum: -1, exclusiveMinimum: 0 }),
      score({ exclusiveMinimum: 0 }),
      "patch",
      `${req} \`score\`: range restated from 0 < x to 0 < x`,
    ],
    [
      "maxLength raised widens: minor",
      field("comment", { type: "string", maxLength: 10 }),
      field("comment", { type: "string", maxLength: 20 }),
      "minor",
      `${req} \`comment\`: range widened from length <= 10 to length <= 20`,
    ],
    [
      "maxLength added narrows: major",
      field("comment", { type: "string" }),
      field("comment", { type: "string", maxLength: 20 }),
      "major",
      `${req} \`comment\`: range narrowed from any length to length <= 20`,
    ],
    [
      "minLength dropped widens: minor",
      field("comment", { type: "string", minLength: 2 }),
      field("comment", { type: "string" }),
      "minor",
      `${req} \`comment\`: range widened from 2 <= length to any length`,
    ],
    [
      "maxItems lowered narrows: major",
      field("tags", { type: "array", maxItems: 5 }),
      field("tags", { type: "array", maxItems: 3 }),
      "major",
      `${req} \`tags\`: range narrowed from items <= 5 to items <= 3`,
    ],
    [
      "response range widened: major (callers may get values they do not expect)",
      responseScore({ exclusiveMinimum: 0 }),
      responseScore({ minimum: 0 }),
      "major",
      `${res} \`score\`: range widened from 0 < x to 0 <= x`,
    ],
    [
      "response range narrowed: minor",
      responseScore({ minimum: 0 }),
      responseScore({ exclusiveMinimum: 0 }),
      "minor",
      `${res} \`score\`: range narrowed from 0 <= x to 0 < x`,
    ],
  ])("%s", (_, before, after, bump, message) => {
    const result = diffSpecs(before, after);
    expect(result.changes.map((change) => change.message)).toEqual([message]);
    expect(result.bump).toBe(bump);
  });

  it("the same range spelled with OpenAPI 3.0's boolean flags is no change", () => {
    const flags = score({ minimum: 0, maximum: 1, exclusiveMinimum: true, exclusiveMaximum: true });
    expect(diffSpecs(open, flags).bump).toBeNull();
    expect(diffSpecs(open, closed).bump).toBe("minor");
  });

  it("a property that is named like a bound keyword is still a field", () => {
    const result = diffSpecs(seed, field("maximum", { type: "number" }));
    expect(result.changes.map((change) => change.message)).toEqual([`${req} \`maximum\` added`]);
    expect(result.bump).toBe("minor");
  });
});

describe("the full vendor spec", () => {
  it("seed -> full is additive (minor); full -> seed is breaking (major)", async () => {
    const full = await buildSpec(new URL("fixtures/parea-openapi-full.yml", import.meta.url).pathname);
    const forward = diffSpecs(seed, full);
    expect(forward.bump).toBe("minor");
    expect(forward.changes.map((change) => change.message)).toContain("`GET /api/parea/v1/`: operation added");
    const back = diffSpecs(full, seed);
    expect(back.bump).toBe("major");
    expect(back.changes.map((change) => change.message)).toContain("`GET /api/parea/v1/`: operation removed");
  });
});

describe("shared component schemas", () => {
  const item = (extra: Record<string, unknown>) => ({
    type: "object",
    properties: { id: { type: "string" }, ...extra },
  });
  const ok = (schema: unknown) => ({ description: "ok", content: { "application/json": { schema } } });
  /** `GET /a` (and `GET /b`, through a shared response) return a list whose items are `Item`. */
  const doc = (itemSchema: unknown, both: boolean): OpenApiDocument => ({
    openapi: "3.1.0",
    info: { title: "t", version: "1" },
    paths: {
      "/a": { get: { responses: { "200": { $ref: "#/components/responses/Items" } } } },
      ...(both && { "/b": { get: { responses: { "200": { $ref: "#/components/responses/Items" } } } } }),
    },
    components: {
      responses: { Items: ok({ type: "array", items: { $ref: "#/components/schemas/Item" } }) },
      schemas: { Item: itemSchema },
    },
  });

  it("used in one place: reported there, as a field of that operation", () => {
    const result = diffSpecs(doc(item({ name: { type: "string" } }), false), doc(item({}), false));
    expect(result.changes.map((change) => change.message)).toEqual(["`GET /a`: response 200 field `[].name` removed"]);
  });

  it("used by several operations (here through one shared response): once, naming each of them", () => {
    const result = diffSpecs(doc(item({ name: { type: "string" } }), true), doc(item({}), true));
    expect(result.changes.map((change) => change.message)).toEqual([
      "schema `Item` field `name` removed (received by `GET /a`, `GET /b`)",
    ]);
    expect(result.bump).toBe("major");
  });

  it("a component inside a component: the operations of every path to it", () => {
    const nested = (extra: Record<string, unknown>): OpenApiDocument => {
      const base = doc(item({ owner: { $ref: "#/components/schemas/User" } }), true);
      objectIn(base, "components", "schemas").User = {
        type: "object",
        properties: { login: { type: "string" }, ...extra },
      };
      base.paths["/c"] = { get: { responses: { "200": ok({ $ref: "#/components/schemas/User" }) } } };
      return base;
    };
    const result = diffSpecs(nested({}), nested({ email: { type: "string" } }));
    expect(result.changes.map((change) => change.message)).toEqual([
      "schema `User` field `email` added (received by `GET /a`, `GET /b`, `GET /c`)",
    ]);
  });
});
