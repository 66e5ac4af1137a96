// What the test double (@parea-api/client/testing) answers by default: for each operation, its success
// status and the spec's example for it, else the smallest value its response schema accepts.
import { createRequire } from "node:module";
import type { OpenApiDocument } from "./files.ts";
import { deref, jsonPointer, own } from "./refs.ts";
import { canonicalize } from "./schema-canonical.ts";
import type { OperationFacts } from "./spec-facts.ts";

export interface DefaultReply {
  status: number;
  /** Absent when the success response has no JSON body. */
  body?: unknown;
}

const FORMATS: Record<string, string> = {
  "date-time": "1970-01-01T00:00:00Z",
  date: "1970-01-01",
  time: "00:00:00Z",
  uuid: "00000000-0000-0000-0000-000000000000",
  email: "user@example.com",
  uri: "https://example.com/",
  url: "https://example.com/",
};

/** The smallest JSON value a schema accepts (required properties only, empty arrays, 0, ""). */
export function minimalValue(doc: OpenApiDocument, raw: unknown, depth = 0): unknown {
  const schema = canonicalize(deref(doc, raw)) as any;
  if (schema === undefined || schema === true || depth > 16) return {};
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ("default" in schema) return schema.default;
  for (const union of ["oneOf", "anyOf"])
    if (Array.isArray(schema[union])) return minimalValue(doc, schema[union][0], depth + 1);
  if (Array.isArray(schema.allOf))
    return Object.assign({}, ...schema.allOf.map((part: unknown) => minimalValue(doc, part, depth + 1)));
  const type = [schema.type ?? (schema.properties ? "object" : schema.items ? "array" : undefined)].flat()[0];
  switch (type) {
    case "object": {
      const required: string[] = schema.required ?? [];
      return Object.fromEntries(
        required.map((name) => [name, minimalValue(doc, own(schema.properties, name), depth + 1)]),
      );
    }
    case "array":
      return Array.from({ length: schema.minItems ?? 0 }, () => minimalValue(doc, schema.items, depth + 1));
    case "string": {
      const text = FORMATS[schema.format] ?? "";
      return text.length >= (schema.minLength ?? 0) ? text : "x".repeat(schema.minLength);
    }
    case "integer":
    case "number": {
      const low =
        schema.minimum ?? (typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum + 1 : undefined);
      return low ?? (typeof schema.maximum === "number" && schema.maximum < 0 ? schema.maximum : 0);
    }
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return {}; // an empty schema accepts anything; {} is what FastAPI's `schema: {}` responses send
  }
}

const Ajv2020 = createRequire(import.meta.url)("ajv/dist/2020.js").default;
const checkers = new WeakMap<OpenApiDocument, (ref: string, value: unknown) => boolean>();

/** Does a value satisfy the schema at a JSON pointer of the document? (Ajv, formats not checked.) */
function validAt(doc: OpenApiDocument, path: string, value: unknown): boolean {
  let check = checkers.get(doc);
  if (!check) {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema(doc, "doc");
    check = (ref, candidate) => {
      // A JSON pointer in a URI fragment: each segment percent-encoded (paths may hold any character).
      const uri = `doc#/${ref.split("/").map(encodeURIComponent).join("/")}`;
      return (ajv.getSchema(uri) ?? ajv.compile({ $ref: uri }))(candidate) as boolean;
    };
    checkers.set(doc, check);
  }
  return check(path, value);
}

/**
 * The operation's lowest 2xx response: the spec's example if it is valid, else the example over a
 * minimal body (vendors' examples miss required fields), else the minimal body.
 */
export function defaultReply(doc: OpenApiDocument, op: OperationFacts): DefaultReply {
  const responses = doc.paths[op.path]?.[op.method.toLowerCase()]?.responses ?? {};
  const status =
    Object.keys(responses)
      .filter((code) => /^2\d\d$/.test(code))
      .sort()[0] ?? "200";
  const media = responses[status]?.content?.["application/json"];
  if (!media) return { status: Number(status) };
  const schema = deref(doc, media.schema);
  const example =
    media.example ??
    Object.values<any>(media.examples ?? {})[0]?.value ??
    schema?.example ??
    (Array.isArray(schema?.examples) ? schema.examples[0] : undefined);
  const minimal = minimalValue(doc, media.schema);
  const where = jsonPointer(
    "paths",
    op.path,
    op.method.toLowerCase(),
    "responses",
    status,
    "content",
    "application/json",
    "schema",
  );
  const merged =
    typeof example === "object" && example !== null && !Array.isArray(example) && typeof minimal === "object"
      ? { ...(minimal as object), ...example }
      : undefined;
  const candidates = [example, merged, minimal].filter((value) => value !== undefined);
  return { status: Number(status), body: candidates.find((value) => validAt(doc, where, value)) ?? minimal };
}
