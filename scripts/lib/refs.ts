// JSON Pointers and local $refs in an OpenAPI document: one reading for every tool that walks schemas.
import type { OpenApiDocument } from "./files.ts";

/** "a~1b" -> "a/b", "a~0b" -> "a~b" (RFC 6901). */
export function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** Segments -> an escaped JSON Pointer without the leading "#/": ("paths", "/a", "get") -> "paths/~1a/get". */
export function jsonPointer(...segments: string[]): string {
  return segments.map((segment) => segment.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}

/**
 * `object[key]` only if it is the object's own: spec documents are JSON, and names such as
 * `constructor` or `__proto__` must not reach Object.prototype.
 */
export function own(object: unknown, key: string | number): any {
  return typeof object === "object" && object !== null && Object.hasOwn(object, key)
    ? (object as Record<string | number, unknown>)[key]
    : undefined;
}

/** The node itself, or what its local `$ref` chain ("#/...") ends at; undefined for a ref that leads nowhere. */
export function deref(doc: OpenApiDocument, node: any): any {
  for (let hops = 0; typeof node?.$ref === "string" && hops < 32; hops++) {
    const pointer = /^#\/(.*)$/.exec(node.$ref)?.[1];
    node = pointer?.split("/").reduce((at: any, raw) => own(at, unescapePointer(raw)), doc);
  }
  return node;
}
