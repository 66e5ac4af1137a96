/** Keywords that describe a schema without constraining it. */
export const ANNOTATION_KEYS = new Set([
  "description",
  "summary",
  "title",
  "example",
  "examples",
  "externalDocs",
  "tags",
]);

/**
 * One spelling per meaning, so only real changes differ: `anyOf: [{type: a}, {type: b}]` (what
 * FastAPI emits for Optional[...]) and `type: [a, b]` (what 3.0 `nullable` converts to) both become
 * `type: [a, b]`, sorted; a one-element type list becomes its element. (A oneOf whose branches overlap
 * becomes slightly more permissive, which is the safe direction for client-side validation.) Returns
 * the same object where nothing changes, so a whole document costs a walk, not a copy.
 */
export function canonicalize(node: unknown, seen?: { protoKey: boolean }): unknown {
  if (typeof node !== "object" || node === null) return node;
  if (Array.isArray(node)) {
    const list = node as unknown[];
    let items: unknown[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const next = canonicalize(list[i], seen);
      if (next !== list[i]) (items ??= [...list])[i] = next;
    }
    return items ?? list;
  }
  const source = node as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const key in source) {
    // The diff engine renames such keys before it reads the document (it notes them in the same walk).
    if (seen && key === "__proto__") seen.protoKey = true;
    const value = source[key];
    if (typeof value !== "object" || value === null) continue;
    const next = canonicalize(value, seen);
    if (next !== value) setOwn((out ??= copyOf(source)), key, next);
  }
  for (const union of ["anyOf", "oneOf"] as const) {
    const current = out ?? source;
    const branches = current[union];
    if (Array.isArray(branches) && branches.length > 0 && current.type === undefined && branches.every(typeOnly)) {
      const target = (out ??= copyOf(source));
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a keyword of the list above, on our own copy
      delete target[union];
      target.type = branches.flatMap((branch) => [(branch as { type: unknown }).type].flat());
    }
  }
  const type = (out ?? source).type;
  if (Array.isArray(type)) {
    // Sorted, "null" last: stable for diffs, and reads "string or null" in messages.
    const types = [...new Set(type as string[])].sort(nullLast);
    const next = types.length === 1 ? types[0] : types;
    if (typeof next === "string" || types.length !== type.length || types.some((t, i) => t !== type[i]))
      (out ??= copyOf(source)).type = next;
  }
  return out ?? node;
}

/** A shallow copy; a key named __proto__ stays a key (assignment would set the prototype). */
export function copyOf(source: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) setOwn(out, key, (source as Record<string, unknown>)[key]);
  return out;
}

/** `target[key] = value`, save that a key named __proto__ becomes a property, not the prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
const nullLast = (a: string, b: string) => Number(a === "null") - Number(b === "null") || a.localeCompare(b);

/** A branch that only names a type; one with no type at all accepts anything (`anyOf: [{type: string}, {}]` is no type list). */
function typeOnly(branch: unknown): boolean {
  if (typeof branch !== "object" || branch === null || !("type" in branch)) return false;
  for (const key in branch) if (key !== "type" && !ANNOTATION_KEYS.has(key)) return false;
  return true;
}

/** Sorted keys at every level: objects that differ only in key order (which means nothing) read the same. */
const sortedKeys = (_key: string, value: unknown): unknown =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : value;

/**
 * JSON for comparing two parts of documents: equal exactly when they mean the same, whatever order
 * their keys came in (a document re-serialized by another tool is not a change). Arrays keep their order.
 */
export const stableJson = (value: unknown): string => JSON.stringify(value, sortedKeys);

const compiles = (pattern: string, flags: string): boolean => {
  try {
    new RegExp(pattern, flags);
    return true;
  } catch {
    return false;
  }
};

/** Characters an escape keeps its meaning for under the u flag (outside a class; `-` too inside one). */
const SYNTAX = "^$\\.*+?()[]{}|/";

/**
 * A pattern as every JSON Schema tool reads it. Vendors write `\-`, `\:`, `\_`: identity escapes that
 * mean the character itself without the u flag and are errors with it (Ajv compiles with it). Such a
 * pattern is rewritten with those characters unescaped, which means the same; any other pattern (valid
 * under u already, or not valid at all) is returned as it is.
 */
export function portablePattern(pattern: string): string {
  if (compiles(pattern, "u") || !compiles(pattern, "")) return pattern;
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === "\\" && i + 1 < pattern.length) {
      const next = pattern[++i]!;
      const meaningful = /[A-Za-z0-9]/.test(next) || SYNTAX.includes(next) || (inClass && next === "-");
      out += meaningful ? char + next : next;
      continue;
    }
    if (char === "[") inClass = true;
    else if (char === "]") inClass = false;
    out += char;
  }
  return compiles(out, "u") ? out : pattern;
}
