import { apiCompare } from "api-smart-diff";
import type { OpenApiDocument } from "./files.ts";
import { BOUND_KEYWORDS, boundBump, compareIntervals, formatInterval, intervalOf, type Quantity } from "./bounds.ts";
import { deref, own } from "./refs.ts";
import { ANNOTATION_KEYS, canonicalize } from "./schema-canonical.ts";

export { canonicalize };

export type Bump = "major" | "minor" | "patch";
export type DiffType = "breaking" | "non-breaking" | "annotation" | "unclassified" | "deprecated";

/** The part of api-smart-diff's Diff this module reads. */
export interface Diff {
  action: "add" | "remove" | "replace" | "rename";
  path: (string | number)[];
  type: DiffType;
  before?: unknown;
  after?: unknown;
  description?: string;
}

export interface SpecChange {
  bump: Bump;
  message: string;
}

export interface SpecDiff {
  /** The release this change needs; null when the documents mean the same. */
  bump: Bump | null;
  /** Breaking first, then additions, then documentation. */
  changes: SpecChange[];
}

const ORDER: Record<Bump, number> = { major: 0, minor: 1, patch: 2 };

/**
 * Map api-smart-diff's classification to a semver bump for *typed* callers. The library judges
 * wire compatibility; a generated TypeScript client breaks in more places, so these become major:
 * a removed request field (callers passing it no longer compile), a removed or loosened response
 * field (callers reading it get a type error), any removed enum value (exhaustive switches break),
 * and a renamed path or parameter (the path string and params object are part of the types).
 */
export function classify(diff: Diff): Bump {
  const where = diff.path[0] === "paths" ? location(diff.path.slice(3)) : undefined;
  const last = diff.path.at(-1);
  const parentKey = diff.path.at(-2);
  const fieldKey = parentKey === "properties";
  if (diff.action === "rename" && diff.path.length <= 2) return "major";
  // Auth: the client sends the API key on every request, so requirements and schemes appearing do
  // not affect callers; the key's header or scheme changing or disappearing does.
  if (diff.path[0] === "security" || (diff.path[0] === "paths" && diff.path[3] === "security")) return "minor";
  if (diff.path[0] === "components" && diff.path[1] === "securitySchemes")
    return diff.action === "add" ? "minor" : "major";
  if (diff.action === "remove" && parentKey === "enum") return "major";
  if (where === "request" && diff.action === "remove" && fieldKey) return "major";
  if (where === "response" && isLoosening(diff, last, parentKey, fieldKey)) return "major";
  if (where === "parameter" && diff.action === "replace" && last === "name") return "major";
  switch (diff.type) {
    case "breaking":
      return "major";
    case "non-breaking":
    case "deprecated":
      return "minor";
    case "annotation":
      return "patch";
    case "unclassified":
      // Unknown impact: additions stay minor, anything else is treated as breaking.
      return diff.action === "add" ? "minor" : "major";
  }
}

function isLoosening(diff: Diff, last: unknown, parentKey: unknown, fieldKey: boolean): boolean {
  if (diff.action === "remove" && fieldKey) return true; // field gone
  if (diff.action === "remove" && parentKey === "required") return true; // field may now be absent
  if (last === "type" && diff.action !== "remove") {
    const before = new Set([diff.before].flat());
    return [diff.after].flat().some((type) => !before.has(type)); // a new type to handle
  }
  if (diff.action === "add" && parentKey === "type") return true; // e.g. "null" added
  if (diff.action === "add" && (parentKey === "anyOf" || parentKey === "oneOf")) return true;
  return false;
}

type Location = "request" | "response" | "parameter" | "operation";

function location(rest: (string | number)[]): Location {
  if (rest[0] === "requestBody") return "request";
  if (rest[0] === "responses") return "response";
  if (rest[0] === "parameters") return "parameter";
  return "operation";
}

/** Field path inside a schema: properties a.properties.b -> a.b, items -> [] (composition skipped). */
function fieldPath(schemaPath: (string | number)[]): { field: string; rest: (string | number)[] } {
  const names: string[] = [];
  let i = 0;
  while (i < schemaPath.length) {
    const key = schemaPath[i];
    if (key === "properties" && i + 1 < schemaPath.length) {
      names.push(String(schemaPath[i + 1]));
      i += 2;
    } else if (key === "items") {
      names.push("[]");
      i += 1;
    } else if ((key === "anyOf" || key === "oneOf" || key === "allOf") && typeof schemaPath[i + 1] === "number") {
      i += 2;
    } else {
      break;
    }
  }
  return { field: names.join(".").replace(/\.\[\]/g, "[]"), rest: schemaPath.slice(i) };
}

const show = (value: unknown) => `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;

/** Words for a change inside a schema, e.g. "request field `trace_id` is now required". */
function describeSchemaChange(subject: string, diff: Diff, schemaPath: (string | number)[]): string {
  const { field, rest } = fieldPath(schemaPath);
  const what = field ? `${subject} field \`${field}\`` : subject;
  const [key, index] = rest;
  if (key === undefined) {
    return `${what} ${diff.action === "add" ? "added" : diff.action === "remove" ? "removed" : "changed"}`;
  }
  if (key === RANGE) {
    const change = diff.description === "unchanged" ? "restated" : diff.description;
    return `${what}: range ${change} from ${String(diff.before)} to ${String(diff.after)}`;
  }
  if (key === "required" && typeof index === "number") {
    const name = diff.action === "add" ? diff.after : diff.before;
    const target = `${subject} field \`${field ? `${field}.` : ""}${String(name)}\``;
    return diff.action === "add" ? `${target} is now required` : `${target} is no longer required`;
  }
  if (key === "enum" && typeof index === "number") {
    return diff.action === "add"
      ? `${what}: enum value ${show(diff.after)} added`
      : `${what}: enum value ${show(diff.before)} removed`;
  }
  if (key === "type" && (index === undefined || typeof index === "number")) {
    if (index !== undefined)
      return `${what}: type ${show(diff.action === "add" ? diff.after : diff.before)} ${diff.action === "add" ? "allowed" : "no longer allowed"}`;
    return `${what}: type changed from ${show(diff.before)} to ${show(diff.after)}`;
  }
  if (typeof key === "string" && ANNOTATION_KEYS.has(key)) return `${what}: ${key} changed`;
  if (diff.action === "add") return `${what}: ${String(key)} ${show(diff.after)} added`;
  if (diff.action === "remove") return `${what}: ${String(key)} ${show(diff.before)} removed`;
  return `${what}: ${String(key)} changed from ${show(diff.before)} to ${show(diff.after)}`;
}

function describeOperationChange(diff: Diff, before: OpenApiDocument, after: OpenApiDocument): string {
  const [, path, method, ...rest] = diff.path as [string, string, string | undefined, ...(string | number)[]];
  if (method === undefined) return diff.action === "add" ? `\`${path}\`: path added` : `\`${path}\`: path removed`;
  const op = `\`${method.toUpperCase()} ${path}\``;
  if (rest.length === 0)
    return `${op}: operation ${diff.action === "add" ? "added" : diff.action === "remove" ? "removed" : "changed"}`;
  const where = location(rest);
  if (where === "request") {
    const at = rest.indexOf("schema");
    return `${op}: ${at < 0 ? `request body ${diff.action}d` : describeSchemaChange("request", diff, rest.slice(at + 1))}`;
  }
  if (where === "response") {
    const status = rest[1];
    const at = rest.indexOf("schema");
    if (at < 0)
      return `${op}: response ${String(status)} ${rest.length === 2 ? `${diff.action === "add" ? "added" : diff.action === "remove" ? "removed" : "changed"}` : "changed"}`;
    return `${op}: ${describeSchemaChange(`response ${String(status)}`, diff, rest.slice(at + 1))}`;
  }
  if (where === "parameter") {
    const index = rest[1] as number;
    const param = (doc: OpenApiDocument) =>
      doc.paths[path]?.[method]?.parameters?.[index] as { name?: string; in?: string } | undefined;
    const p = param(before) ?? param(after);
    const label = `${p?.in ?? ""} parameter \`${p?.name ?? index}\``.trim();
    if (rest.length === 2) return `${op}: ${label} ${diff.action === "add" ? "added" : "removed"}`;
    if (rest[2] === "name") {
      return `${op}: ${`${p?.in ?? ""} parameter`.trim()} \`${String(diff.before)}\` renamed to \`${String(diff.after)}\``;
    }
    if (rest[2] === "required") return `${op}: ${label} is ${diff.after ? "now required" : "now optional"}`;
    const at = rest.indexOf("schema");
    if (at >= 0) return `${op}: ${describeSchemaChange(label, diff, rest.slice(at + 1))}`;
    return `${op}: ${label}: ${rest.slice(2).join(".")} changed`;
  }
  const key = String(rest[0]);
  if (key === "deprecated") return `${op}: ${diff.after ? "deprecated" : "no longer deprecated"}`;
  return `${op}: ${key} ${diff.action === "add" ? "added" : diff.action === "remove" ? "removed" : "changed"}`;
}

/** Path key of the synthetic diff that stands for a schema's whole range of one quantity. */
const RANGE = "(range)";

/** The node at a diff path, following $refs on the way (api-smart-diff reports refs resolved). */
function nodeAt(doc: OpenApiDocument, path: (string | number)[]): Record<string, unknown> | undefined {
  let node: any = doc;
  for (const key of path) node = own(own(node, key) !== undefined ? node : deref(doc, node), key);
  return deref(doc, node);
}

/**
 * Bound keywords (minimum, exclusiveMaximum, maxLength...) changed on one schema become one
 * synthetic diff per quantity, judged by comparing the intervals before and after.
 */
function mergeBoundDiffs(diffs: Diff[], before: OpenApiDocument, after: OpenApiDocument) {
  const rest: Diff[] = [];
  const groups = new Map<string, { schemaPath: (string | number)[]; quantity: Quantity }>();
  for (const diff of diffs) {
    const quantity = BOUND_KEYWORDS[String(diff.path.at(-1))];
    // A property *named* "minimum" sits under "properties" and is a field, not a bound.
    if (!quantity || diff.path.at(-2) === "properties" || diff.action === "rename") rest.push(diff);
    else
      groups.set(JSON.stringify([quantity, diff.path.slice(0, -1)]), { schemaPath: diff.path.slice(0, -1), quantity });
  }
  const bumps = new Map<Diff, Bump>();
  for (const { schemaPath, quantity } of groups.values()) {
    const was = intervalOf(nodeAt(before, schemaPath), quantity);
    const now = intervalOf(nodeAt(after, schemaPath), quantity);
    const verdict = compareIntervals(was, now);
    const input = schemaPath[0] !== "paths" || location(schemaPath.slice(3)) !== "response";
    const diff: Diff = {
      action: "replace",
      path: [...schemaPath, RANGE],
      type: "unclassified",
      before: formatInterval(was, quantity),
      after: formatInterval(now, quantity),
      description: verdict,
    };
    rest.push(diff);
    bumps.set(diff, boundBump(verdict, input));
  }
  return { diffs: rest, bumpOf: (diff: Diff) => bumps.get(diff) ?? classify(diff) };
}

/** Component schemas reachable from any operation: their changes are reported at the operation. */
function reachableSchemas(doc: OpenApiDocument): Set<string> {
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== "object" || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      const match = key === "$ref" && typeof value === "string" ? /^#\/components\/schemas\/(.+)$/.exec(value) : null;
      if (match && !seen.has(match[1]!)) {
        seen.add(match[1]!);
        visit(doc.components?.schemas?.[match[1]!]);
      } else visit(value);
    }
  };
  visit(doc.paths);
  return seen;
}

/** Compare two normalized documents and say, in words, what changed for callers. */
/**
 * api-smart-diff builds objects by assignment, so a key named __proto__ (a schema or property name
 * from the spec) turns into a prototype and reads as a change. It is compared under another name.
 */
const PROTO_ALIAS = "[__proto__]";
function aliasProto(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(aliasProto);
  if (typeof node !== "object" || node === null) return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key === "__proto__" ? PROTO_ALIAS : key,
      key === "$ref" && typeof value === "string"
        ? value.replace(/(^|\/)__proto__(?=\/|$)/g, `$1${PROTO_ALIAS}`)
        : aliasProto(value),
    ]),
  );
}

export function diffSpecs(before: OpenApiDocument, after: OpenApiDocument): SpecDiff {
  before = aliasProto(canonicalize(before)) as OpenApiDocument;
  after = aliasProto(canonicalize(after)) as OpenApiDocument;
  // apiCompare mutates its inputs; compare copies.
  const compared = apiCompare(structuredClone(before), structuredClone(after)) as { diffs: Diff[] };
  const { diffs, bumpOf } = mergeBoundDiffs(compared.diffs, before, after);
  const reachable = new Set([...reachableSchemas(before), ...reachableSchemas(after)]);
  const changes = new Map<string, Bump>();
  const addedSchemas: string[] = [];
  const removedSchemas: string[] = [];
  const note = (message: string, bump: Bump) => {
    const previous = changes.get(message);
    if (previous === undefined || ORDER[bump] < ORDER[previous]) changes.set(message, bump);
  };

  for (const diff of diffs) {
    const [root, section, name] = diff.path;
    if (root === "paths" && diff.path.length === 1 && diff.action === "rename") {
      note(`\`${String(diff.before)}\`: path is now \`${String(diff.after)}\``, "major");
    } else if (root === "paths") {
      note(describeOperationChange(diff, before, after), bumpOf(diff));
    } else if (root === "components" && diff.path.length === 1) {
      const schemas = (doc: OpenApiDocument | undefined) => Object.keys(doc?.components?.schemas ?? {});
      if (diff.action === "add") addedSchemas.push(...schemas(after));
      if (diff.action === "remove") removedSchemas.push(...schemas(before));
    } else if (root === "components" && section === "schemas" && diff.path.length === 2) {
      const names = (value: unknown) => Object.keys((value as object | undefined) ?? {});
      if (diff.action === "add") addedSchemas.push(...names(diff.after));
      if (diff.action === "remove") removedSchemas.push(...names(diff.before));
    } else if (root === "components" && section === "schemas" && diff.path.length === 3) {
      (diff.action === "add" ? addedSchemas : removedSchemas).push(String(name));
    } else if (root === "components" && section === "schemas" && !reachable.has(String(name))) {
      note(
        describeSchemaChange(`schema \`${String(name)}\``, diff, diff.path.slice(3)).replace(
          /^schema (`[^`]+`) field/,
          "schema $1, field",
        ),
        bumpOf(diff),
      );
    } else if (root === "components" && section !== "schemas") {
      note(
        `components.${String(section)}: ${diff.path.slice(2).join(".") || "section"} ${diff.action === "add" ? "added" : diff.action === "remove" ? "removed" : "changed"}`,
        bumpOf(diff),
      );
    } else if (root !== "components") {
      note(
        `${diff.path.join(".")} ${diff.action === "add" ? "added" : diff.action === "remove" ? "removed" : "changed"}`,
        bumpOf(diff),
      );
    }
  }
  const list = (names: string[]) => {
    const sorted = [...new Set(names)].sort();
    const shown = sorted
      .slice(0, 8)
      .map((schema) => `\`${schema}\``)
      .join(", ");
    return sorted.length > 8 ? `${shown} and ${sorted.length - 8} more` : shown;
  };
  if (addedSchemas.length > 0) note(`component schemas added: ${list(addedSchemas)}`, "minor");
  if (removedSchemas.length > 0) note(`component schemas removed: ${list(removedSchemas)}`, "major");

  const sorted = [...changes]
    .map(([message, bump]) => ({ message, bump }))
    .sort((a, b) => ORDER[a.bump] - ORDER[b.bump] || a.message.localeCompare(b.message));
  return { bump: sorted[0]?.bump ?? null, changes: sorted };
}

const HEADINGS: Record<Bump, string> = { major: "Breaking changes", minor: "Additions", patch: "Documentation" };

/** The plain-text summary printed by spec:diff and spec:update, and used as the changeset body. */
export function renderSummary(result: SpecDiff): string {
  if (result.bump === null) return "No changes to the API.";
  const lines = [`Release: ${result.bump}`];
  for (const bump of ["major", "minor", "patch"] as const) {
    const items = result.changes.filter((change) => change.bump === bump);
    if (items.length === 0) continue;
    // Blank lines around headings: the changeset file must already be prettier-formatted.
    lines.push("", `${HEADINGS[bump]}:`, "");
    for (const item of items) lines.push(`- ${item.message}${bump === "major" ? " (breaking)" : ""}`);
  }
  return lines.join("\n");
}
