// What the test double (@parea-api/client/testing) answers by default: for each operation, its success
// status and the spec's example for it, else the smallest value its response schema accepts.
import { createRequire } from "node:module";
import type { OpenApiDocument } from "./files.ts";
import { deref, isJsonMedia, jsonPointer, own, walkRef } from "./refs.ts";
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
  for (const union of ["oneOf", "anyOf"]) {
    if (!Array.isArray(schema[union])) continue;
    // Beside properties, a branch adds to them (`anyOf: [{required: [a]}, {required: [b]}]`): the
    // value must satisfy the parent and the branch together.
    const { [union]: branches, ...parent } = schema;
    const first = canonicalize(deref(doc, branches[0])) as any;
    if (!("properties" in parent || "required" in parent) || typeof first !== "object" || first === null)
      return minimalValue(doc, branches[0], depth + 1);
    const required = [...new Set([...(parent.required ?? []), ...(first.required ?? [])])];
    const merged = { ...parent, ...first, properties: { ...parent.properties, ...first.properties }, required };
    return minimalValue(doc, merged, depth + 1);
  }
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
      const exclusiveMinimum: unknown = schema.exclusiveMinimum;
      const low = schema.minimum ?? (typeof exclusiveMinimum === "number" ? exclusiveMinimum + 1 : undefined);
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

/** A node and the pointer it sits at, following its $ref chain (so a referenced response is checked where it is). */
function follow(doc: OpenApiDocument, node: any, at: string[]): [any, string[]] {
  for (let hops = 0; typeof node?.$ref === "string" && hops < 32; hops++) {
    const found = walkRef(doc, node.$ref);
    [node, at] = [found?.node, found?.keys ?? []];
  }
  return [node, at];
}

/** The example a schema gives itself: `example`, else the first of `examples` (3.1). */
export function schemaExample(schema: any): unknown {
  return schema?.example ?? (Array.isArray(schema?.examples) ? schema.examples[0] : undefined);
}

/**
 * Values to try for a schema, in order: its example, the example over the minimal value (vendors'
 * examples miss required fields), the minimal value. The fake's replies and spec:check's request
 * bodies both take the first their schema accepts.
 */
export function exampleCandidates(example: unknown, minimal: unknown): unknown[] {
  const isObject = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);
  const merged =
    isObject(example) && isObject(minimal) ? { ...(minimal as object), ...(example as object) } : undefined;
  return [example, merged, minimal].filter((value) => value !== undefined);
}

/**
 * The operation's lowest 2xx response: the spec's example if it is valid, else the example over a
 * minimal body (vendors' examples miss required fields), else the minimal body. Every part may be a
 * $ref (path item, response, media example).
 */
export function defaultReply(doc: OpenApiDocument, op: OperationFacts): DefaultReply {
  const [item, itemAt] = follow(doc, own(doc.paths, op.path), ["paths", op.path]);
  const method = op.method.toLowerCase();
  const responses = own(own(item, method), "responses") ?? {};
  const status =
    Object.keys(responses)
      .filter((code) => /^2\d\d$/.test(code))
      .sort()[0] ?? "200";
  const [response, responseAt] = follow(doc, own(responses, status), [...itemAt, method, "responses", status]);
  const content = own(response, "content");
  const type =
    content && (own(content, "application/json") ? "application/json" : Object.keys(content).find(isJsonMedia));
  const media = type === undefined ? undefined : deref(doc, own(content, type));
  if (!media) return { status: Number(status) };
  if (media.schema === undefined) return { status: Number(status), body: media.example ?? {} };
  const [schema, where] = follow(doc, media.schema, [...responseAt, "content", type!, "schema"]);
  const example =
    media.example ?? deref(doc, Object.values<any>(media.examples ?? {})[0])?.value ?? schemaExample(schema);
  const minimal = minimalValue(doc, media.schema);
  // Without an example there is nothing to choose: the minimal value, unchecked (compiling the schema
  // to check it was most of codegen's time on GitHub's 1 223 operations).
  if (example === undefined) return { status: Number(status), body: minimal };
  const pointer = jsonPointer(...where);
  const body = exampleCandidates(example, minimal).find((value) => validAt(doc, pointer, value)) ?? minimal;
  return { status: Number(status), body };
}
