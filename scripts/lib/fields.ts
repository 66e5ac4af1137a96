// The top-level fields of each operation's JSON request body, as the spec describes them, for tools
// that turn fields into something else (the CLI's flags and CSV columns). Validation stays with the
// generated validators; this carries only names, types and words.
import type { OpenApiDocument } from "./files.ts";
import { deref, requestBodySchema } from "./refs.ts";
import { canonicalize } from "./schema-canonical.ts";
import type { OperationFacts } from "./spec-facts.ts";

export interface RequestField {
  name: string;
  /** JSON Schema types the field accepts ("null" included when it may be null). */
  type: string[];
  required: boolean;
  deprecated: boolean;
  description: string;
}

/** Fields of the operation's JSON body, in the spec's order; none when the body is not an object. */
export function requestFields(doc: OpenApiDocument, op: OperationFacts): RequestField[] {
  const schema = canonicalize(deref(doc, requestBodySchema(doc, op.path, op.method))) as any;
  const required = new Set<string>(schema?.required ?? []);
  return Object.entries<any>(schema?.properties ?? {}).map(([name, raw]) => {
    const field = canonicalize(deref(doc, raw)) as any;
    const types = field?.type ?? (field?.properties ? "object" : field?.items ? "array" : "string");
    return {
      name,
      type: [types].flat(),
      required: required.has(name),
      deprecated: raw?.deprecated === true || field?.deprecated === true,
      description: String(raw?.description ?? field?.description ?? "").trim(),
    };
  });
}
