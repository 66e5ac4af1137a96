// Property: on random bodies, the generated client-side validator and Prism (validating the same
// normalized spec) reach the same verdict. Property names come from the spec, not from this file.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import { operations } from "../src/generated/operations/index.ts";
import { findOperation, requestBodyIssues } from "../src/operations.ts";
import { apiKeyScheme, securitySchemes } from "../src/generated/spec.ts";
import { normalizedSpecPath } from "../support/prism.mts";

const baseUrl = inject("prismUrl");
/** The parts of the normalized spec read here: the request body's schema, by $ref. */
interface NormalizedSpec {
  paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: { $ref: string } }> } }>>;
  components: { schemas: Record<string, { properties: Record<string, unknown>; examples: Record<string, unknown>[] }> };
}
const spec = JSON.parse(readFileSync(normalizedSpecPath, "utf8")) as NormalizedSpec;
const { path, method } = operations.recordFeedback;
const schemaName =
  spec.paths[path]![method.toLowerCase()]!.requestBody.content["application/json"]!.schema.$ref.split("/").pop()!;
const schema = spec.components.schemas[schemaName]!;
const propertyNames = Object.keys(schema.properties);
const example = schema.examples[0]!;
const operation = (await findOperation(method, path))!;

const anyValue = fc.oneof(
  { weight: 3, arbitrary: fc.string() },
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 3, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 2, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const key = fc.constantFrom(...propertyNames, "unlisted_field");
// The spec's own (valid) example with a few random edits: keeps both verdicts common.
const mutatedExample = fc
  .array(fc.tuple(key, fc.option(anyValue, { nil: undefined, freq: 4 })), { maxLength: 3 })
  .map((edits) => {
    const value = new Map(Object.entries(example));
    for (const [name, replacement] of edits) {
      if (replacement === undefined) value.delete(name);
      else value.set(name, replacement);
    }
    return Object.fromEntries(value);
  });
const body = fc.oneof(
  { weight: 8, arbitrary: mutatedExample },
  { weight: 4, arbitrary: fc.dictionary(key, anyValue, { maxKeys: propertyNames.length + 1 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
);

async function serverAccepts(value: unknown): Promise<boolean> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { "content-type": "application/json", [securitySchemes[apiKeyScheme!]!.name]: "property-test" },
    body: JSON.stringify(value),
  });
  await response.body?.cancel();
  if (response.status !== 200 && response.status !== 422) throw new Error(`unexpected status ${response.status}`);
  return response.status === 200;
}

describe("generated validator vs the spec-validating server", () => {
  it("agree on random bodies", async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        // JSON round trip: what the client sends is what both judge (e.g. -0 becomes 0).
        const sent: unknown = JSON.parse(JSON.stringify(value));
        const clientAccepts = requestBodyIssues(operation, sent).length === 0;
        if (clientAccepts) accepted++;
        expect(clientAccepts, JSON.stringify(sent)).toBe(await serverAccepts(sent));
      }),
      { numRuns: 300 },
    );
    // Both verdicts must actually occur, or the property proves little.
    expect(accepted).toBeGreaterThan(20);
    expect(accepted).toBeLessThan(280);
  });
});
