// The diff engine against a corpus of its own (test/fixtures/spec-diff/*.yaml): each case a pair of
// documents (or of schemas placed in a template), the release it needs for typed callers, and the rule
// ids that decide it. Every document compared with itself must say "No changes to the API.".
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { buildSpec } from "../build-spec.ts";
import type { OpenApiDocument } from "../lib/files.ts";
import { toOpenApi31 } from "../lib/normalize.ts";
import { diffSpecs, renderSummary } from "../lib/spec-diff.ts";

interface Case {
  name: string;
  template?: string;
  before: unknown;
  after: unknown;
  bump: "major" | "minor" | "patch" | null;
  rules: string[];
}

const ok = { "200": { description: "ok" } };
const doc = (paths: unknown) => ({ openapi: "3.1.0", info: { title: "T", version: "1" }, paths });
const TEMPLATES: Record<string, (schema: unknown) => unknown> = {
  document: (whole) => whole,
  "request-body": (schema) =>
    doc({
      "/items": {
        post: {
          summary: "Create",
          requestBody: { required: true, content: { "application/json": { schema } } },
          responses: ok,
        },
      },
    }),
  "response-body": (schema) =>
    doc({
      "/items": {
        get: {
          summary: "List",
          responses: { "200": { description: "ok", content: { "application/json": { schema } } } },
        },
      },
    }),
  "query-param": (schema) =>
    doc({ "/items": { get: { summary: "List", parameters: [{ name: "q", in: "query", schema }], responses: ok } } }),
  "path-param": (schema) =>
    doc({
      "/items/{id}": {
        get: { summary: "Get", parameters: [{ name: "id", in: "path", required: true, schema }], responses: ok },
      },
    }),
  "header-param": (schema) =>
    doc({
      "/items": { get: { summary: "List", parameters: [{ name: "X-Trace", in: "header", schema }], responses: ok } },
    }),
  "response-header": (schema) =>
    doc({
      "/items": {
        get: { summary: "List", responses: { "200": { description: "ok", headers: { "X-Rate": { schema } } } } },
      },
    }),
};

const dir = join(import.meta.dirname, "fixtures", "spec-diff");
const files = (await readdir(dir)).filter((name) => name.endsWith(".yaml")).sort();
const corpus: [string, Case][] = [];
for (const file of files) {
  const { template, cases } = parse(await readFile(join(dir, file), "utf8"), { maxAliasCount: -1 }) as {
    template?: string;
    cases: Case[];
  };
  for (const entry of cases) corpus.push([`${file.replace(".yaml", "")}: ${entry.name}`, { template, ...entry }]);
}

const build = async (template: string, value: unknown) =>
  toOpenApi31(structuredClone(TEMPLATES[template]!(value)) as OpenApiDocument);

describe("the spec-diff corpus", () => {
  it("has at least 150 pairs", () => expect(corpus.length).toBeGreaterThanOrEqual(150));

  it.each(corpus)("%s", async (_, { template = "document", before, after, bump, rules }) => {
    const [b, a] = [await build(template, before), await build(template, after)];
    const result = diffSpecs(b, a);
    const summary = renderSummary(result);
    expect(
      { bump: result.bump, rules: [...new Set(result.changes.map((change) => change.rule))].sort() },
      summary,
    ).toEqual({
      bump,
      rules: [...rules].sort(),
    });
    // Each side compared with itself: nothing.
    expect(renderSummary(diffSpecs(b, structuredClone(b)))).toBe("No changes to the API.");
    expect(renderSummary(diffSpecs(a, structuredClone(a)))).toBe("No changes to the API.");
  });

  it("the vendor's full spec compared with itself: no changes", async () => {
    const full = await buildSpec(join(import.meta.dirname, "fixtures", "parea-openapi-full.yml"));
    expect(renderSummary(diffSpecs(full, structuredClone(full)))).toBe("No changes to the API.");
  });
});
