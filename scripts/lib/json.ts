// Reading parsed JSON/YAML (any vendor's OpenAPI document, the pipeline's configuration) without
// trusting its shape: a document is `unknown` until one of these readers has checked the part it
// needs. A key is read only if it is the node's own (`constructor` or `__proto__` in a document must
// not reach Object.prototype), and a value of the wrong kind reads as absent, as a missing one does.

/** A JSON object: not null, not an array. */
export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `node[key]` only if it is the node's own (an array's index included). */
export function own(node: unknown, key: string | number): unknown {
  return typeof node === "object" && node !== null && Object.hasOwn(node, key)
    ? (node as Record<string | number, unknown>)[key]
    : undefined;
}

/** The value at a chain of own keys, undefined where the chain breaks. */
export function at(node: unknown, ...keys: (string | number)[]): unknown {
  let value = node;
  for (const key of keys) value = own(value, key);
  return value;
}

export function objectAt(node: unknown, ...keys: (string | number)[]): JsonObject | undefined {
  const value = at(node, ...keys);
  return isObject(value) ? value : undefined;
}

export function arrayAt(node: unknown, ...keys: (string | number)[]): unknown[] | undefined {
  const value = at(node, ...keys);
  return Array.isArray(value) ? (value as unknown[]) : undefined;
}

export function stringAt(node: unknown, ...keys: (string | number)[]): string | undefined {
  const value = at(node, ...keys);
  return typeof value === "string" ? value : undefined;
}

export function numberAt(node: unknown, ...keys: (string | number)[]): number | undefined {
  const value = at(node, ...keys);
  return typeof value === "number" ? value : undefined;
}

/** The strings of an array (a `required` list, an `enum` of names); [] when there is no array. */
export function stringsAt(node: unknown, ...keys: (string | number)[]): string[] {
  return (arrayAt(node, ...keys) ?? []).filter((item): item is string => typeof item === "string");
}

/** An object's entries, [] when it is not an object. */
export function entriesOf(node: unknown): [string, unknown][] {
  return isObject(node) ? Object.entries(node) : [];
}
