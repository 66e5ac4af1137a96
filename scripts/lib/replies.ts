// What the test double (@parea-api/client/testing) answers by default: for each operation, its success
// status and the spec's example for it, else the smallest value its response schema accepts.
import { createRequire } from "node:module";
import type { OpenApiDocument } from "./files.ts";
import { deref, follow, isJsonMedia, jsonPointer } from "./refs.ts";
import { arrayAt, at, isObject, numberAt, objectAt, own, stringAt, stringsAt } from "./json.ts";
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
  const schema = canonicalize(deref(doc, raw));
  // true, {} and a schema of no kind accept anything; false accepts nothing, so no value is right.
  if (!isObject(schema) || depth > 16) return {};
  if ("const" in schema) return schema.const;
  const listed = arrayAt(schema, "enum");
  if (listed && listed.length > 0) return listed[0];
  if ("default" in schema) return schema.default;
  for (const union of ["oneOf", "anyOf"]) {
    const branches = arrayAt(schema, union);
    if (!branches) continue;
    // Beside properties, a branch adds to them (`anyOf: [{required: [a]}, {required: [b]}]`): the
    // value must satisfy the parent and the branch together.
    const { [union]: _, ...parent } = schema;
    const first = canonicalize(deref(doc, branches[0]));
    if (!("properties" in parent || "required" in parent) || !isObject(first))
      return minimalValue(doc, branches[0], depth + 1);
    const required = [...new Set([...stringsAt(parent, "required"), ...stringsAt(first, "required")])];
    const properties = { ...objectAt(parent, "properties"), ...objectAt(first, "properties") };
    return minimalValue(doc, { ...parent, ...first, properties, required }, depth + 1);
  }
  const allOf = arrayAt(schema, "allOf");
  if (allOf) return Object.assign({}, ...allOf.map((part) => minimalValue(doc, part, depth + 1)));
  const kind = own(schema, "properties") ? "object" : own(schema, "items") ? "array" : undefined;
  const type: unknown = [own(schema, "type") ?? kind].flat()[0];
  switch (type) {
    case "object":
      return Object.fromEntries(
        stringsAt(schema, "required").map((name) => [
          name,
          minimalValue(doc, at(schema, "properties", name), depth + 1),
        ]),
      );
    case "array":
      return Array.from({ length: numberAt(schema, "minItems") ?? 0 }, () =>
        minimalValue(doc, own(schema, "items"), depth + 1),
      );
    case "string": {
      const text = stringAt(FORMATS, stringAt(schema, "format") ?? "") ?? "";
      const minLength = numberAt(schema, "minLength") ?? 0;
      return text.length >= minLength ? text : "x".repeat(minLength);
    }
    case "integer":
    case "number": {
      const exclusiveMinimum = numberAt(schema, "exclusiveMinimum");
      const maximum = numberAt(schema, "maximum");
      const low = numberAt(schema, "minimum") ?? (exclusiveMinimum === undefined ? undefined : exclusiveMinimum + 1);
      return low ?? (maximum !== undefined && maximum < 0 ? maximum : 0);
    }
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return {}; // an empty schema accepts anything; {} is what FastAPI's `schema: {}` responses send
  }
}

const Ajv2020 = (createRequire(import.meta.url)("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js")).default;
const checkers = new WeakMap<OpenApiDocument, (ref: string, value: unknown) => boolean>();

/** Does a value satisfy the schema at a JSON pointer of the document? (Ajv, formats not checked.) */
function validAt(doc: OpenApiDocument, path: string, value: unknown): boolean {
  let check = checkers.get(doc);
  if (!check) {
    // inlineRefs: false: each referenced schema compiles once, not again inside every response that uses it.
    const ajv = new Ajv2020({ strict: false, validateFormats: false, inlineRefs: false });
    ajv.addSchema(doc, "doc");
    // One validator per pointer: responses that share a component schema share its compiled check.
    const compiled = new Map<string, (value: unknown) => boolean>();
    check = (ref, candidate) => {
      // A JSON pointer in a URI fragment: each segment percent-encoded (paths may hold any character).
      const uri = `doc#/${ref.split("/").map(encodeURIComponent).join("/")}`;
      let validate = compiled.get(uri);
      if (!validate) {
        validate = (ajv.getSchema(uri) ?? ajv.compile({ $ref: uri })) as (value: unknown) => boolean;
        compiled.set(uri, validate);
      }
      return validate(candidate);
    };
    checkers.set(doc, check);
  }
  return check(path, value);
}

/** A parameter's or media type's example: `example`, else the value of the first of its `examples`. */
export function exampleOf(doc: OpenApiDocument, node: unknown): unknown {
  return own(node, "example") ?? own(deref(doc, Object.values(objectAt(node, "examples") ?? {})[0]), "value");
}

/** The example a schema gives itself: `example`, else the first of `examples` (3.1). */
export function schemaExample(schema: unknown): unknown {
  return own(schema, "example") ?? arrayAt(schema, "examples")?.[0];
}

/**
 * Values to try for a schema, in order: its example, the example over the minimal value (vendors'
 * examples miss required fields), the minimal value. The fake's replies and spec:check's request
 * bodies both take the first their schema accepts.
 */
export function exampleCandidates(example: unknown, minimal: unknown): unknown[] {
  const merged = isObject(example) && isObject(minimal) ? { ...minimal, ...example } : undefined;
  return [example, merged, minimal].filter((value) => value !== undefined);
}

/**
 * The operation's lowest 2xx response: the spec's example if it is valid, else the example over a
 * minimal body (vendors' examples miss required fields), else the minimal body. Every part may be a
 * $ref (path item, response, media example).
 */
export function defaultReply(doc: OpenApiDocument, op: OperationFacts): DefaultReply {
  const { node: item, keys: itemAt } = follow(doc, own(doc.paths, op.path), ["paths", op.path]);
  const method = op.method.toLowerCase();
  const responses = objectAt(item, method, "responses") ?? {};
  const status =
    Object.keys(responses)
      .filter((code) => /^2\d\d$/.test(code))
      .sort()[0] ?? "200";
  const { node: response, keys: responseAt } = follow(doc, own(responses, status), [
    ...itemAt,
    method,
    "responses",
    status,
  ]);
  const content = objectAt(response, "content");
  const type =
    content && (own(content, "application/json") ? "application/json" : Object.keys(content).find(isJsonMedia));
  const media = type === undefined ? undefined : deref(doc, own(content, type));
  if (type === undefined || !isObject(media)) return { status: Number(status) };
  if (media.schema === undefined) return { status: Number(status), body: media.example ?? {} };
  const { node: schema, keys: where } = follow(doc, media.schema, [...responseAt, "content", type, "schema"]);
  const example = exampleOf(doc, media) ?? schemaExample(schema);
  const minimal = minimalValue(doc, media.schema);
  // Without an example there is nothing to choose: the minimal value, unchecked (compiling the schema
  // to check it was most of codegen's time on GitHub's 1 223 operations).
  if (example === undefined) return { status: Number(status), body: minimal };
  const pointer = jsonPointer(...where);
  const body = exampleCandidates(example, minimal).find((value) => validAt(doc, pointer, value)) ?? minimal;
  return { status: Number(status), body };
}
