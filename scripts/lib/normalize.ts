// The normalized document is always OpenAPI 3.1, so codegen, validation, linting and diffing each
// handle one dialect. A 3.0 document is converted here in one walk that knows where schemas are: the
// OpenAPI objects are followed by their structure (paths, operations, parameters, bodies, responses,
// headers, media types, callbacks, components) and only schemas are converted, so a property named
// `type` or `nullable`, an example value shaped like a schema, or an extension is never mistaken for
// one. It makes the conversions openapi-format's converter makes (test/normalize.test.ts holds it to
// that converter's output on real documents' schemas), in ~1/20 of its time on GitHub's 13 MB document.
import type { OpenApiDocument } from "./files.ts";
import { copyOf, portablePattern, setOwn } from "./schema-canonical.ts";

type Node = Record<string, unknown>;
const isObject = (value: unknown): value is Node =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** 3.0 -> 3.1 (a 3.1 document only goes through `portable`); never changes what it is given. */
// eslint-disable-next-line @typescript-eslint/require-await -- async so that a malformed document is a rejection on either branch
export async function toOpenApi31(doc: OpenApiDocument): Promise<OpenApiDocument> {
  // 3.1 lets a document have only webhooks or components; downstream, no paths is an empty map.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- what this line makes true for the rest of the pipeline
  if (doc.paths === undefined) doc = { ...doc, paths: {} };
  if (doc.openapi.startsWith("3.1")) return portable(doc) as OpenApiDocument;
  return convertDocument(doc);
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
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
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

/**
 * `node` with each value passed through `convert` (given its key), key order kept; `node` itself when
 * nothing changed (most of a document: descriptions, examples, references).
 */
function mapValues(node: Node, convert: (value: unknown, key: string) => unknown): Node {
  let out: Node | undefined;
  for (const key of Object.keys(node)) {
    const value = node[key];
    const next = convert(value, key);
    if (next === value) continue;
    out ??= copyOf(node);
    setOwn(out, key, next);
  }
  return out ?? node;
}

/** `node` with the named keys' values converted. */
const mapKeys = (node: Node, convert: Partial<Record<string, (value: unknown) => unknown>>): Node =>
  mapValues(node, (value, key) => (Object.hasOwn(convert, key) ? convert[key]!(value) : value));

/** Every value of a name-keyed map (properties, responses, headers...) converted. */
const eachValue =
  (convert: (value: unknown) => unknown) =>
  (map: unknown): unknown =>
    isObject(map) ? mapValues(map, convert) : map;
const eachItem =
  (convert: (value: unknown) => unknown) =>
  (list: unknown): unknown => {
    if (!Array.isArray(list)) return list;
    const out = list.map(convert);
    return out.every((item, i) => item === list[i]) ? list : out;
  };
/** `$ref` objects are references, not the object: left as written. */
const unlessRef =
  (convert: (node: Node) => Node) =>
  (value: unknown): unknown =>
    isObject(value) && typeof value.$ref !== "string" ? convert(value) : value;

function convertDocument(doc: OpenApiDocument): OpenApiDocument {
  const out = mapKeys(doc, {
    openapi: () => "3.1.0",
    paths: eachValue(pathItem),
    webhooks: eachValue(pathItem),
    // The 3.0 extension for webhooks becomes the 3.1 keyword, where it stood.
    "x-webhooks": eachValue(pathItem),
    components: (components) =>
      isObject(components)
        ? mapKeys(components, {
            schemas: eachValue(schema),
            responses: eachValue(response),
            parameters: eachValue(parameter),
            requestBodies: eachValue(unlessRef((body) => requestBody(body, false))),
            headers: eachValue(parameter),
            callbacks: eachValue(callback),
            pathItems: eachValue(pathItem),
          })
        : components,
  });
  return (
    Object.hasOwn(out, "x-webhooks") ? renamed(out, "x-webhooks", "webhooks", out["x-webhooks"]) : out
  ) as OpenApiDocument;
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const callback: (value: unknown) => unknown = eachValue((item) => pathItem(item));

function pathItem(item: unknown): unknown {
  if (!isObject(item)) return item;
  const convert: Record<string, (value: unknown) => unknown> = { parameters: eachItem(parameter) };
  for (const method of METHODS) convert[method] = operation;
  return mapKeys(item, convert);
}

const operation = unlessRef((node) =>
  mapKeys(node, {
    parameters: eachItem(parameter),
    requestBody: unlessRef((body) => requestBody(body, true)),
    responses: eachValue(response),
    callbacks: eachValue(callback),
  }),
);

/** Parameters and headers: a schema, or a content map. */
const parameter = unlessRef((node) => mapKeys(node, { schema, content: content(false) }));
const response = unlessRef((node) => mapKeys(node, { headers: eachValue(parameter), content: content(false) }));

/**
 * openapi-format rewrites an operation's own request body (not a `components.requestBodies` entry):
 * an `application/octet-stream` media object with a schema becomes `{}` (3.1 needs no schema for raw
 * bytes), an `image/*` one whose schema has `format: base64` gets `contentEncoding: base64` instead.
 */
function requestBody(body: Node, inline: boolean): Node {
  return mapKeys(body, { content: content(inline) });
}

const content =
  (inlineRequestBody: boolean) =>
  (map: unknown): unknown => {
    if (!isObject(map)) return map;
    return Object.fromEntries(
      Object.entries(map).map(([type, media]) => {
        if (!isObject(media)) return [type, media];
        let converted = mapKeys(media, {
          schema: type === "multipart/form-data" ? multipartSchema : schema,
          encoding: eachValue(unlessRef((encoding) => mapKeys(encoding, { headers: eachValue(parameter) }))),
        });
        if (inlineRequestBody && converted.schema) {
          if (type === "application/octet-stream") converted = {};
          else if (type.startsWith("image/") && isObject(converted.schema) && converted.schema.format === "base64")
            converted = { ...converted, schema: renamed(converted.schema, "format", "contentEncoding", "base64") };
        }
        return [type, converted];
      }),
    );
  };

/** A multipart body's parts (its schema's grandchildren) with `format: binary` declare raw bytes instead. */
function multipartSchema(value: unknown): unknown {
  const converted = schema(value);
  if (!isObject(converted)) return converted;
  const binary = (part: unknown) =>
    isObject(part) && part.format === "binary"
      ? renamed(part, "format", "contentMediaType", "application/octet-stream")
      : part;
  return Object.fromEntries(
    Object.entries(converted).map(([key, child]) => [
      key,
      Array.isArray(child)
        ? child.map(binary)
        : isObject(child)
          ? Object.fromEntries(Object.entries(child).map(([name, part]) => [name, binary(part)]))
          : child,
    ]),
  );
}

/** `node` with `key` replaced, where it stood, by `next` holding `value`. */
const renamed = (node: Node, key: string, next: string, value: unknown): Node =>
  edited(node, new Map([[key, [next, value]]]));

/** Keywords whose value is one schema, a list of schemas, or a map of name -> schema. */
const ONE = ["items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else"];
const ONE_MORE = ["unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema"];
const LISTS = ["allOf", "anyOf", "oneOf", "prefixItems"];
const MAPS = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];
const SUBSCHEMAS: Record<string, (value: unknown) => unknown> = {};
for (const key of [...ONE, ...ONE_MORE])
  SUBSCHEMAS[key] = (value) => (Array.isArray(value) ? value.map(schema) : schema(value));
for (const key of LISTS) SUBSCHEMAS[key] = eachItem((value) => schema(value));
for (const key of MAPS) SUBSCHEMAS[key] = eachValue((value) => schema(value));
SUBSCHEMAS.pattern = (pattern) => (typeof pattern === "string" ? portablePattern(pattern) : pattern);

/** One 3.0 schema object, its subschemas first, as 3.1. */
function schema(value: unknown): unknown {
  if (!isObject(value)) return value;
  const node = mapKeys(value, SUBSCHEMAS);
  const edits = new Map<string, [string, unknown] | null>();
  if (node.nullable !== undefined) {
    const orNull = node.nullable === true;
    edits.set("nullable", null);
    if (node.type) edits.set("type", ["type", [...new Set([node.type].flat().concat(orNull ? ["null"] : []))]]);
    else if (orNull && typeof node.$ref === "string") {
      // FastAPI's `{ $ref, nullable: true }`: 3.0 ignores a ref's siblings, yet the server does accept
      // null; as `anyOf: [ref, {type: null}]` validation does not refuse nulls the server takes.
      const { $ref, nullable: _, ...siblings } = node;
      return { ...siblings, anyOf: [{ $ref }, { type: "null" }] };
    } else {
      const union = Array.isArray(node.oneOf) ? "oneOf" : Array.isArray(node.anyOf) ? "anyOf" : undefined;
      if (orNull && union) edits.set(union, [union, [...(node[union] as unknown[]), { type: "null" }]]);
    }
  }
  if (node.type) {
    if (node.example !== undefined) edits.set("example", ["examples", [node.example]]);
    for (const [flag, bound] of [
      ["exclusiveMinimum", "minimum"],
      ["exclusiveMaximum", "maximum"],
    ] as const) {
      if (node[flag] === undefined || node[bound] === undefined) continue;
      if (node[flag] === true) edits.set(flag, [flag, node[bound]]).set(bound, null);
      else edits.set(flag, null);
    }
    // A one-value enum is a const (3.1's way to say it); an empty one says nothing and goes.
    if (Array.isArray(node.enum) && node.enum.length <= 1)
      edits.set("enum", node.enum.length ? ["const", node.enum[0]] : null);
  }
  return edits.size ? edited(node, edits) : node;
}

/**
 * `node` in one pass: each edited key replaced where it stood by [key, value], or removed (null); a key
 * an edit renames onto is dropped where it stood. (The rest of 3.0's `nullable`: with no type, OAS
 * 3.0.3 gives it no meaning, so it just goes.)
 */
function edited(node: Node, edits: Map<string, [string, unknown] | null>): Node {
  const targets = new Set<string>();
  for (const [key, change] of edits) if (change && change[0] !== key) targets.add(change[0]);
  const out: Node = {};
  for (const key of Object.keys(node)) {
    if (edits.has(key)) {
      const change = edits.get(key);
      if (change) setOwn(out, change[0], change[1]);
    } else if (!targets.has(key)) setOwn(out, key, node[key]);
  }
  return out;
}
