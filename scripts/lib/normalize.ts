import { createRequire } from "node:module";
import type { OpenApiDocument } from "./files.ts";

const { openapiConvertVersion } = createRequire(import.meta.url)("openapi-format") as {
  openapiConvertVersion: (doc: unknown, options: { convertTo: string }) => Promise<{ data: OpenApiDocument }>;
};

/**
 * The normalized document is always OpenAPI 3.1, so codegen, validation, linting and diffing each
 * handle one dialect. 3.0 documents are converted by openapi-format (nullable -> type arrays,
 * example -> examples, exclusive bounds...).
 */
export async function toOpenApi31(doc: OpenApiDocument): Promise<OpenApiDocument> {
  if (doc.openapi.startsWith("3.1")) return doc;
  const { data } = await openapiConvertVersion(keepNullableRefs(structuredClone(doc)), { convertTo: "3.1" });
  return data;
}

/**
 * FastAPI emits `{ $ref, nullable: true }` for optional nested models. OAS 3.0 ignores siblings of
 * $ref, and the converter drops a `nullable` that has no `type`, so the "or null" would be lost and
 * client-side validation would reject nulls the server accepts. Wrapping the ref in anyOf first lets
 * the converter turn it into `anyOf: [ref, {type: null}]`.
 */
function keepNullableRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(keepNullableRefs);
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, keepNullableRefs(value)]),
  );
  if (typeof out.$ref === "string" && out.nullable === true && out.type === undefined) {
    const { $ref, ...siblings } = out;
    return { ...siblings, anyOf: [{ $ref }] };
  }
  return out;
}
