// JSON Pointers and local $refs in an OpenAPI document: one reading for every tool that walks schemas,
// and the one way to reach an operation's parts, each of which may be a $ref (a path item to
// components.pathItems, a body to components.requestBodies, a response, a parameter, a media example).
import type { OpenApiDocument } from "./files.ts";
import { isObject, own, stringAt, type JsonObject } from "./json.ts";

/** "a~1b" -> "a/b", "a~0b" -> "a~b" (RFC 6901). */
export function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** Segments -> an escaped JSON Pointer without the leading "#/": ("paths", "/a", "get") -> "paths/~1a/get". */
export function jsonPointer(...segments: string[]): string {
  return segments.map((segment) => segment.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}

function percentDecoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a bare "%": vendors write pointers unencoded as often as encoded
  }
}

/** A local `$ref`'s fragment split at "/", each segment as written; undefined for "other.yaml#/A". */
function fragmentSegments(ref: string): string[] | undefined {
  const fragment = /^#(\/[\s\S]*)?$/.exec(ref)?.[1];
  if (fragment === undefined) return ref === "#" ? [] : undefined;
  return fragment.slice(1).split("/");
}

/**
 * A local `$ref`'s keys: "#/components/schemas/A%20B/properties/c" -> ["components", "schemas", "A B",
 * "properties", "c"]. A ref is a URI, so its fragment may be percent-encoded (`%7B` for `{` in a path);
 * undefined for a ref that is not local ("other.yaml#/A").
 */
export function refSegments(ref: string): string[] | undefined {
  return fragmentSegments(ref)?.map((raw) => unescapePointer(percentDecoded(raw)));
}

/**
 * What a local ref points at, anywhere in the document; undefined when it leads nowhere. Each segment
 * is read percent-decoded, else as written (a key may itself contain "%41").
 */
export function resolveRef(doc: OpenApiDocument, ref: string): unknown {
  return walkRef(doc, ref)?.node;
}

/** The keys a local ref resolves through (as resolveRef reads them); undefined when it leads nowhere. */
export function resolvedSegments(doc: OpenApiDocument, ref: string): string[] | undefined {
  return walkRef(doc, ref)?.keys;
}

/** Where a local ref leads and the keys it took to get there, in one walk. */
export function walkRef(doc: OpenApiDocument, ref: string): { node: unknown; keys: string[] } | undefined {
  const raw = fragmentSegments(ref);
  if (!raw) return undefined;
  const keys: string[] = [];
  let node: unknown = doc;
  for (const segment of raw) {
    const decoded = unescapePointer(percentDecoded(segment));
    const key = own(node, decoded) !== undefined ? decoded : unescapePointer(segment);
    node = own(node, key);
    if (node === undefined) return undefined;
    keys.push(key);
  }
  return { node, keys };
}

/** The path item keys that hold operations (OpenAPI 3.0 and 3.1). */
export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** An operation object at a path and method (spec-facts' operationsIn finds them all). */
export interface FoundOperation {
  method: HttpMethod;
  path: string;
  op: JsonObject;
}

/**
 * The node itself, or what its local `$ref` chain ends at (undefined for a ref that leads nowhere),
 * with the keys of where it ends: `keys` when the node is no ref.
 */
export function follow(doc: OpenApiDocument, node: unknown, keys: string[] = []): { node: unknown; keys: string[] } {
  for (let hops = 0; hops < 32; hops++) {
    const ref = stringAt(node, "$ref");
    if (ref === undefined) break;
    const found = walkRef(doc, ref);
    node = found?.node;
    keys = found?.keys ?? [];
  }
  return { node, keys };
}

/** The node itself, or what its local `$ref` chain ends at; undefined for a ref that leads nowhere. */
export function deref(doc: OpenApiDocument, node: unknown): unknown {
  return follow(doc, node).node;
}

/** The operation object at a path and method (the path item followed if it is a $ref). */
export function operationObject(doc: OpenApiDocument, path: string, method: string): unknown {
  return own(deref(doc, own(doc.paths, path)), method.toLowerCase());
}

/** application/json, or another JSON media type (`application/vnd.github+json`, `...; charset=utf-8`). */
export function isJsonMedia(type: string): boolean {
  return /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i.test(type);
}

/** A content map's JSON media object: application/json first, else the first JSON type listed. */
export function jsonMedia(doc: OpenApiDocument, content: unknown): unknown {
  const map = deref(doc, content);
  if (!isObject(map)) return undefined;
  const type = own(map, "application/json") ? "application/json" : Object.keys(map).find(isJsonMedia);
  return type === undefined ? undefined : deref(doc, own(map, type));
}

/** The schema of an operation's JSON request body (the body followed if it is a $ref), if it has one. */
export function requestBodySchema(doc: OpenApiDocument, path: string, method: string): unknown {
  const body = deref(doc, own(operationObject(doc, path, method), "requestBody"));
  return own(jsonMedia(doc, own(body, "content")), "schema");
}
