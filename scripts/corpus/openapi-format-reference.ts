// The reference the pipeline's own 3.0 -> 3.1 conversion (lib/normalize.ts) is held to: openapi-format's
// converter, which the pipeline used until it cost 1.1 s of every spec:diff on GitHub's document. Its
// one known defect is worked around as the pipeline did then: it takes any object with `type`,
// `nullable` or `example` keys for a schema, so names in name-keyed maps are escaped around it.
import { createRequire } from "node:module";
import type { OpenApiDocument } from "../lib/files.ts";
import { isObject } from "../lib/json.ts";

const { openapiConvertVersion } = createRequire(import.meta.url)("openapi-format") as {
  openapiConvertVersion: (doc: unknown, options: { convertTo: string }) => Promise<{ data: OpenApiDocument }>;
};

const NAME_MAPS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "schemas"]);
const ESCAPE = "\u0000";

function prepare(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(prepare);
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      NAME_MAPS.has(key) && isObject(value)
        ? Object.fromEntries(Object.entries(value).map(([name, schema]) => [ESCAPE + name, prepare(schema)]))
        : prepare(value),
    ]),
  );
  // FastAPI's { $ref, nullable: true }, which the pipeline keeps as "or null".
  if (typeof out.$ref === "string" && out.nullable === true && out.type === undefined) {
    const { $ref, ...siblings } = out;
    return { ...siblings, anyOf: [{ $ref }] };
  }
  return out;
}

function restoreNames(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(restoreNames);
  if (typeof node !== "object" || node === null) return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key.startsWith(ESCAPE) ? key.slice(1) : key, restoreNames(value)]),
  );
}

/** openapi-format's conversion of a 3.0 document (patterns and typeless nullables left as it leaves them). */
export async function referenceConversion(doc: OpenApiDocument): Promise<OpenApiDocument> {
  const { data } = await openapiConvertVersion(prepare(doc), { convertTo: "3.1" });
  return restoreNames(data) as OpenApiDocument;
}

/**
 * Where two converted documents differ, as JSON pointers: extensions (`x-...`) aside, which the
 * pipeline leaves as written and openapi-format converts as if they were schemas.
 */
export function differences(a: unknown, b: unknown, at = ""): string[] {
  if (
    typeof a !== "object" ||
    a === null ||
    typeof b !== "object" ||
    b === null ||
    Array.isArray(a) !== Array.isArray(b)
  )
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [at || "/"];
  const out: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (key.startsWith("x-")) continue;
    out.push(...differences((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}/${key}`));
    if (out.length > 20) break;
  }
  return out;
}
