// Reading and editing a parsed document in a test. Each reader names the place it wants and fails
// when that place is missing or of another kind: an edit that lands nowhere would let its test pass
// for the wrong reason.
import { at, isObject, type JsonObject } from "../../lib/json.ts";

type Key = string | number;

function missing(keys: Key[], kind: string, found: unknown): Error {
  return new Error(
    `no ${kind} at ${keys.map(String).join(" > ") || "the root"}: found ${found === undefined ? "nothing" : JSON.stringify(found)}`,
  );
}

/** The object at the keys, to read or edit in place. */
export function objectIn(node: unknown, ...keys: Key[]): JsonObject {
  const found = at(node, ...keys);
  if (!isObject(found)) throw missing(keys, "object", found);
  return found;
}

/** The array at the keys, to read or edit in place. */
export function arrayIn(node: unknown, ...keys: Key[]): unknown[] {
  const found = at(node, ...keys);
  if (!Array.isArray(found)) throw missing(keys, "array", found);
  return found as unknown[];
}

/** The string at the keys. */
export function stringIn(node: unknown, ...keys: Key[]): string {
  const found = at(node, ...keys);
  if (typeof found !== "string") throw missing(keys, "string", found);
  return found;
}
