// The top-level fields of each operation's JSON request body, as the spec describes them, for tools
// that turn fields into something else (the CLI's flags and CSV columns). Validation stays with the
// generated validators; this carries only names, types and words.
import type { OpenApiDocument } from "./files.ts";
import { deref, requestBodySchema } from "./refs.ts";
import { at, entriesOf, own, stringAt, stringsAt } from "./json.ts";
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
  const schema = canonicalize(deref(doc, requestBodySchema(doc, op.path, op.method)));
  const required = new Set(stringsAt(schema, "required"));
  return entriesOf(at(schema, "properties")).map(([name, raw]) => {
    const field = canonicalize(deref(doc, raw));
    const written =
      at(field, "type") ?? (own(field, "properties") ? "object" : own(field, "items") ? "array" : "string");
    return {
      name,
      type: [written].flat().filter((type): type is string => typeof type === "string"),
      required: required.has(name),
      deprecated: at(raw, "deprecated") === true || at(field, "deprecated") === true,
      description: (stringAt(raw, "description") ?? stringAt(field, "description") ?? "").trim(),
    };
  });
}
