// spec:diff's engine: two normalized documents in, the changes for callers of the generated client out,
// each with the rule that judged it (lib/diff/rules.ts, levels overridable per project in
// spec/diff-rules.yaml), and the release they need together. Used by spec:diff, spec:update and
// spec:watch alike, so the changesets they write follow the same rules.
import { readFile } from "node:fs/promises";
import { SpecPipelineError } from "./errors.ts";
import { parseDocument, type OpenApiDocument } from "./files.ts";
import { jsonPointer } from "./refs.ts";
import { compareDocuments, type DocumentDiffOptions as Reporter } from "./diff/document.ts";
import { forgetIdentities } from "./diff/identity.ts";
import { RULES, rule, type Level } from "./diff/rules.ts";
import { forgetSchemas } from "./diff/schema.ts";
import { canonicalize } from "./schema-canonical.ts";

export { canonicalize };

export type Bump = Level;

export interface SpecChange {
  bump: Bump;
  message: string;
  /** The rule's id (lib/diff/rules.ts). */
  rule: string;
  side: "request" | "response" | "both";
  /** Where, as a JSON pointer into the documents (operation-relative for schemas). */
  location: string;
  /** Set when spec/diff-rules.yaml changed the rule's level: its reason. */
  override?: string;
  /** For a change reported once for many component schemas: their names. */
  names?: string[];
}

export interface SpecDiff {
  /** The release this change needs; null when the documents mean the same. */
  bump: Bump | null;
  /** Breaking first, then additions, then documentation. */
  changes: SpecChange[];
}

/** spec/diff-rules.yaml, read: rule id -> the level this project gives it, and why. */
export type RuleOverrides = Map<string, { level: Bump; reason: string }>;

const ORDER: Record<Bump, number> = { major: 0, minor: 1, patch: 2 };

/** Reads and checks an overrides file: known rule ids only, a level and a reason for each. */
export async function loadRuleOverrides(path: string): Promise<RuleOverrides> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw new SpecPipelineError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const doc = (parseDocument(text, path, "rule overrides") ?? {}) as {
    rules?: Record<string, { level?: unknown; reason?: unknown }> | null;
  };
  const overrides: RuleOverrides = new Map();
  for (const [id, entry] of Object.entries(doc.rules ?? {})) {
    if (!RULES.has(id)) throw new SpecPipelineError(`${path}: unknown rule "${id}" (see scripts/lib/diff/rules.ts)`);
    if (!["major", "minor", "patch"].includes((entry as { level?: unknown } | null)?.level as string))
      throw new SpecPipelineError(`${path}: rule "${id}" needs a level: major, minor or patch`);
    if (typeof entry.reason !== "string" || entry.reason.trim() === "")
      throw new SpecPipelineError(`${path}: rule "${id}" needs a reason (the changeset quotes it)`);
    overrides.set(id, { level: entry.level as Bump, reason: entry.reason.trim() });
  }
  return overrides;
}

/**
 * A key named __proto__ (a schema or property name from the spec) is compared under another name, so
 * no object built from the documents can turn it into a prototype.
 */
const PROTO_ALIAS = "[__proto__]";
/** The document as the engine reads it: canonical (one spelling per meaning), __proto__ renamed if there is one. */
function forDiff(doc: OpenApiDocument): OpenApiDocument {
  const seen = { protoKey: false };
  const canonical = canonicalize(doc, seen);
  return (seen.protoKey ? aliasProto(canonical) : canonical) as OpenApiDocument;
}

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

/** Each side's operation names ("METHOD /path" -> name), when the caller compares names too. */
export interface NamedSides {
  before: ReadonlyMap<string, string>;
  after: ReadonlyMap<string, string>;
}

/** An operation on both sides under another name: a rename, whatever the documents say. */
function compareNames(names: NamedSides, report: Reporter["report"]): void {
  for (const [key, name] of names.before) {
    const renamed = names.after.get(key);
    if (renamed === undefined || renamed === name) continue;
    const [method, path] = [key.slice(0, key.indexOf(" ")), key.slice(key.indexOf(" ") + 1)];
    report({
      rule: "operation-renamed",
      pointer: ["paths", path, method.toLowerCase()],
      message: `${key} is renamed from ${name} to ${renamed}`,
    });
  }
}

/** Compare two normalized documents and say, in words, what changed for callers. */
export function diffSpecs(
  before: OpenApiDocument,
  after: OpenApiDocument,
  overrides: RuleOverrides = new Map(),
  names?: NamedSides,
): SpecDiff {
  const changes = new Map<string, SpecChange>();
  const reporter: Reporter = {
    report({ rule: id, pointer, message, names }) {
      const { side, level } = rule(id);
      const override = overrides.get(id);
      const change: SpecChange = {
        bump: override?.level ?? level,
        message,
        rule: id,
        side,
        location: `/${jsonPointer(...pointer)}`,
        ...(override && { override: override.reason }),
        ...(names && { names }),
      };
      const previous = changes.get(message);
      if (!previous || ORDER[change.bump] < ORDER[previous.bump]) changes.set(message, change);
    },
  };
  forgetIdentities();
  forgetSchemas();
  compareDocuments(forDiff(before), forDiff(after), reporter);
  if (names) compareNames(names, reporter.report);
  const sorted = [...changes.values()].sort(
    (a, b) => ORDER[a.bump] - ORDER[b.bump] || a.message.localeCompare(b.message),
  );
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
    for (const item of items) {
      const why = item.override ? ` (${bump} by spec/diff-rules.yaml: ${item.override})` : "";
      lines.push(`- ${item.message}${bump === "major" ? " (breaking)" : ""}${why}`);
    }
  }
  return lines.join("\n");
}

/** Machine output: one object per change. */
export const toJson = (result: SpecDiff) => ({
  bump: result.bump,
  changes: result.changes.map(({ rule: id, side, location, bump, message, override, names }) => ({
    rule: id,
    side,
    location,
    level: bump,
    message,
    ...(override && { override }),
    ...(names && { names }),
  })),
});
