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
 * becomes slightly more permissive, which is the safe direction for client-side validation.)
 */
export function canonicalize(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(canonicalize);
  if (typeof node !== "object" || node === null) return node;
  // fromEntries, not assignment: a property named __proto__ stays a property.
  const out: Record<string, unknown> = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, canonicalize(value)]),
  );
  for (const union of ["anyOf", "oneOf"] as const) {
    const branches = out[union];
    const typeOnly = (branch: unknown) =>
      typeof branch === "object" &&
      branch !== null &&
      // A branch with no type at all accepts anything: `anyOf: [{type: string}, {}]` is no type list.
      "type" in branch &&
      Object.keys(branch).every((key) => key === "type" || ANNOTATION_KEYS.has(key));
    if (Array.isArray(branches) && branches.length > 0 && out.type === undefined && branches.every(typeOnly)) {
      delete out[union];
      out.type = branches.flatMap((branch) => [(branch as { type: unknown }).type].flat());
    }
  }
  if (Array.isArray(out.type)) {
    // Sorted, "null" last: stable for diffs, and reads "string or null" in messages.
    const types = [...new Set(out.type as string[])].sort(
      (a, b) => Number(a === "null") - Number(b === "null") || a.localeCompare(b),
    );
    out.type = types.length === 1 ? types[0] : types;
  }
  return out;
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
