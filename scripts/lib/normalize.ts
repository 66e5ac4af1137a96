import { createRequire } from "node:module";
import type { OpenApiDocument } from "./files.ts";
import { portablePattern } from "./schema-canonical.ts";

const { openapiConvertVersion } = createRequire(import.meta.url)("openapi-format") as {
  openapiConvertVersion: (doc: unknown, options: { convertTo: string }) => Promise<{ data: OpenApiDocument }>;
};

/**
 * The normalized document is always OpenAPI 3.1, so codegen, validation, linting and diffing each
 * handle one dialect. 3.0 documents are converted by openapi-format (nullable -> type arrays,
 * example -> examples, exclusive bounds...).
 */
export async function toOpenApi31(doc: OpenApiDocument): Promise<OpenApiDocument> {
  // 3.1 lets a document have only webhooks or components; downstream, no paths is an empty map.
  if (doc.paths === undefined) doc = { ...doc, paths: {} };
  if (doc.openapi.startsWith("3.1")) return portable(doc) as OpenApiDocument;
  // prepare copies as it goes, so the converter (which changes what it is given) never touches `doc`.
  const prepared = prepare(doc);
  const { data } = await openapiConvertVersion(prepared, { convertTo: "3.1" });
  return portable(restoreNames(data)) as OpenApiDocument;
}

/** Values that are data, not schemas: a `pattern` or `nullable` inside them is nobody's keyword. */
const DATA_KEYS = new Set(["example", "examples", "default", "enum", "const"]);

/**
 * What every compiler downstream reads the same way: patterns only the u flag refuses rewritten to
 * their meaning (portablePattern), and a `nullable` with no `type` dropped: it is no 3.1 keyword, a
 * schema without a type already accepts null, and Ajv refuses it ("nullable" cannot be used without
 * "type"). Returns the same object when nothing changes (the vendor's 3.1 document, byte for byte).
 */
function portable(node: unknown): unknown {
  if (Array.isArray(node)) {
    const items = node.map(portable);
    return items.every((item, i) => item === node[i]) ? node : items;
  }
  if (typeof node !== "object" || node === null) return node;
  let changed = false;
  const entries: [string, unknown][] = [];
  for (const [key, value] of Object.entries(node)) {
    let next = DATA_KEYS.has(key) || key.startsWith("x-") ? value : portable(value);
    if (key === "pattern" && typeof value === "string") next = portablePattern(value);
    if (key === "nullable" && typeof value === "boolean" && !("type" in node)) {
      changed = true;
      continue;
    }
    changed ||= next !== value;
    entries.push([key, next]);
  }
  return changed ? Object.fromEntries(entries) : node;
}

/** Maps whose keys are names and whose values are schemas (a schema's `properties`, `components.schemas`...). */
const NAME_MAPS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "schemas"]);
/** No key in a real document starts with NUL; the converter then sees `\0type`, not the keyword `type`. */
const ESCAPE = "\u0000";

/**
 * The converter walks every object and takes any with `type`, `nullable` or `example` keys for a schema,
 * so a properties map with a property named `type` and one named `nullable` became `type: ["[object
 * Object]"]` and lost `nullable`. The names in every name-keyed map of schemas are escaped before it runs
 * and restored after: it converts the schemas under them and never mistakes the map for one. (A map
 * named so outside a schema, in an example value, is escaped and restored the same way: no change.)
 *
 * FastAPI emits `{ $ref, nullable: true }` for optional nested models. OAS 3.0 ignores siblings of
 * $ref, and the converter drops a `nullable` that has no `type`, so the "or null" would be lost and
 * client-side validation would reject nulls the server accepts. Wrapping the ref in anyOf first lets
 * the converter turn it into `anyOf: [ref, {type: null}]`.
 *
 * Both in one walk, which builds a new object for every object (fromEntries: a property named
 * __proto__ stays a property).
 */
function prepare(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(prepare);
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      NAME_MAPS.has(key) && typeof value === "object" && value !== null && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).map(([name, schema]) => [ESCAPE + name, prepare(schema)]))
        : prepare(value),
    ]),
  );
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
