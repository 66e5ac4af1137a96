import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SpecPipelineError } from "../lib/errors.ts";
import { specFiles } from "../lib/paths.ts";
import { listOperations } from "../lib/spec-facts.ts";

/** Named as the vendor configuration names them (from summaries), as the generated client is. */
const named = (doc: OpenApiDocument) => listOperations(doc, "x", { prefer: ["summary", "operationId"] });
import { inlineRuntimeHelpers, renderValidators } from "../lib/validators.ts";
import type { OpenApiDocument } from "../lib/files.ts";
import { scratchDir } from "./support/scratch.ts";

const normalized = JSON.parse(await readFile(specFiles.normalized, "utf8")) as OpenApiDocument;

type Validate = ((data: unknown) => boolean) & { errors?: { instancePath: string; keyword: string }[] | null };

/** Render a document's validators and load each as the client would (an ES module per operation). */
async function load(doc: OpenApiDocument): Promise<Record<string, Validate>> {
  const dir = await scratchDir("parea-validators-");
  const loaded: Record<string, Validate> = {};
  for (const [name, code] of renderValidators(doc, named(doc))) {
    await writeFile(join(dir, `${name}.ts`), code);
    loaded[name] = ((await import(join(dir, `${name}.ts`))) as { validate: Validate }).validate;
  }
  return loaded;
}

function withBodySchema(schema: unknown, components: Record<string, unknown> = {}, openapi = "3.1.0"): OpenApiDocument {
  return {
    openapi,
    info: { title: "t", version: "1" },
    paths: {
      "/things": {
        post: {
          summary: "Create Thing",
          requestBody: { content: { "application/json": { schema } } },
          responses: { "200": { description: "ok" } },
        },
        get: { summary: "List Things", responses: { "200": { description: "ok" } } },
      },
    },
    components: { schemas: components },
  };
}

describe("renderValidators", () => {
  it("compiles the spec's feedback schema into a validator with the spec's rules", async () => {
    const { recordFeedback } = await load(normalized);
    expect(recordFeedback!({ score: 0.5, trace_id: null, anything: 1 })).toBe(true);
    expect(recordFeedback!({ score: 1.5 })).toBe(false);
    expect(recordFeedback!.errors).toMatchObject([{ instancePath: "/score", keyword: "maximum" }]);
    expect(recordFeedback!({ trace_id: "t" })).toBe(false);
    expect(recordFeedback!.errors).toMatchObject([{ keyword: "required" }]);
  });

  it("emits code with no require() and no runtime dependency on ajv", () => {
    const modules = renderValidators(normalized, named(normalized));
    expect([...modules.keys()]).toEqual(["recordFeedback"]);
    const code = modules.get("recordFeedback")!;
    expect(code).toMatch(/^export const validate = /m);
    expect(code).not.toMatch(/require\(|from "ajv/);
    expect(code).not.toContain("Feedback score"); // annotations are stripped
  });

  it("only operations with a JSON body get a validator", () => {
    const doc = withBodySchema({ type: "object" });
    expect([...renderValidators(doc, named(doc)).keys()]).toEqual(["createThing"]);
  });

  it("follows nested component refs and keeps properties named like annotations", async () => {
    const doc = withBodySchema(
      { $ref: "#/components/schemas/Thing" },
      {
        Thing: {
          type: "object",
          required: ["description", "part"],
          properties: { description: { type: "string" }, part: { $ref: "#/components/schemas/Part" } },
        },
        Part: { type: "object", required: ["n"], properties: { n: { type: "integer", title: "N" } } },
      },
    );
    const { createThing } = await load(doc);
    expect(createThing!({ description: "d", part: { n: 1 } })).toBe(true);
    expect(createThing!({ part: { n: 1 } })).toBe(false);
    expect(createThing!({ description: "d", part: { n: 1.5 } })).toBe(false);
  });

  it("counts string length in code points, as JSON Schema does", async () => {
    const { createThing } = await load(withBodySchema({ type: "string", minLength: 2 }));
    expect(createThing!("😀")).toBe(false);
    expect(createThing!("😀😀")).toBe(true);
  });

  it("compares objects by value for enum and uniqueItems", async () => {
    const { createThing } = await load(
      withBodySchema({ type: "array", uniqueItems: true, items: { enum: [{ a: 1 }, { a: [2] }] } }),
    );
    expect(createThing!([{ a: 1 }, { a: [2] }])).toBe(true);
    expect(createThing!([{ a: 1 }, { a: 1 }])).toBe(false);
    expect(createThing!([{ a: 3 }])).toBe(false);
  });

  it("handles OpenAPI 3.0 nullable", async () => {
    const { createThing } = await load(withBodySchema({ type: "string", nullable: true }, {}, "3.0.3"));
    expect(createThing!(null)).toBe(true);
    expect(createThing!(1)).toBe(false);
  });

  it("fails naming the operation on a schema that does not compile", () => {
    const doc = withBodySchema({ type: "object", properties: { a: { type: "nonsense" } } });
    expect(() => renderValidators(doc, named(doc))).toThrow(/POST \/things: request schema does not compile/);
  });

  it("fails on a ref to a missing component, and on refs outside components", () => {
    const missing = withBodySchema({ $ref: "#/components/schemas/Nope" });
    expect(() => renderValidators(missing, named(missing))).toThrow(
      /\$ref to missing schema "#\/components\/schemas\/Nope"/,
    );
    const external = withBodySchema({ $ref: "other.yaml#/Thing" });
    expect(() => renderValidators(external, named(external))).toThrow(/unsupported \$ref other\.yaml#\/Thing/);
  });

  it("refuses ajv runtime helpers it cannot inline, naming them", () => {
    expect(() => inlineRuntimeHelpers('const f = require("ajv/dist/runtime/uri").default;')).toThrow(SpecPipelineError);
    expect(() => inlineRuntimeHelpers('const f = require("ajv/dist/runtime/uri").default;')).toThrow(
      /"ajv\/dist\/runtime\/uri"/,
    );
    expect(() => inlineRuntimeHelpers('const f = require("x");')).toThrow(/still call require/);
  });
});
