// One keyword at a time, between two views of a schema on one side: type, enum, format and pattern,
// bounds, discriminator, the other JSON Schema constraints, documentation. None looks inside
// subschemas: schema.ts walks properties, items and unions and calls these at every level.
import { compareIntervals, formatInterval, intervalOf, type Quantity } from "../bounds.ts";
import { stableJson } from "../schema-canonical.ts";
import { missingFrom, same } from "./identity.ts";
import { acceptsEveryString } from "./patterns.ts";
import type { Found, Side } from "./types.ts";
import type { Schema } from "./views.ts";

/** Where a check reports: `report` puts the side before the rule ("type-widened" -> "request-type-widened"). */
export interface Check {
  side: Side;
  /** "`POST /x`: request field `a`" */
  what: string;
  pointer: string[];
  report: (rule: string, message: string) => void;
  reportAs: (found: Found) => void;
}

const CONSTRAINTS = [
  ...["contains", "minContains", "maxContains", "prefixItems", "dependentRequired", "dependentSchemas", "if"],
  ...["then", "else", "unevaluatedProperties", "unevaluatedItems", "propertyNames", "uniqueItems", "multipleOf"],
  ...["not", "patternProperties", "contentMediaType", "contentEncoding", "contentSchema"],
];
const BOUNDS: Record<Quantity, string[]> = {
  x: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"],
  length: ["minLength", "maxLength"],
  items: ["minItems", "maxItems"],
  properties: ["minProperties", "maxProperties"],
};
/** Every keyword the engine reads; any other is compared as documentation. */
export const HANDLED = new Set([
  ...["$ref", "type", "nullable", "enum", "const", "format", "pattern", "properties", "required", "items"],
  ...["additionalProperties", "allOf", "anyOf", "oneOf", "discriminator", "readOnly", "writeOnly"],
  ...CONSTRAINTS,
  ...Object.values(BOUNDS).flat(),
]);

export const show = (value: unknown) => `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;

/** null: any type. "integer" is a kind of "number". */
function typesOf(schema: Schema): Set<string> | null {
  if (schema.type === undefined) return null;
  return new Set([schema.type].flat().filter((type) => typeof type === "string"));
}

const accepts = (types: Set<string> | null, type: string) =>
  types === null || types.has(type) || (type === "integer" && types.has("number"));

function compareTypes(
  before: Set<string> | null,
  after: Set<string> | null,
): "same" | "widened" | "narrowed" | "changed" {
  const list = (set: Set<string> | null) =>
    set === null ? ["array", "boolean", "integer", "null", "number", "object", "string"] : [...set];
  const grew = list(before).every((type) => accepts(after, type));
  const shrank = list(after).every((type) => accepts(before, type));
  return grew && shrank ? "same" : grew ? "widened" : shrank ? "narrowed" : "changed";
}

/** The values an enum (or const) allows. */
const enumOf = (schema: Schema): unknown[] | null =>
  "const" in schema ? [schema.const] : Array.isArray(schema.enum) ? schema.enum : null;

/** Types (null included: a field that became nullable is a wider type); "changed": another kind of value. */
export function checkTypes({ what, report }: Check, before: Schema, after: Schema): string {
  const [tb, ta] = [typesOf(before), typesOf(after)];
  const types = compareTypes(tb, ta);
  if (types !== "same") {
    const from = tb === null ? "any" : [...tb].length === 1 ? [...tb][0] : [...tb];
    const to = ta === null ? "any" : [...ta].length === 1 ? [...ta][0] : [...ta];
    report(`type-${types}`, `${what}: type changed from ${show(from)} to ${show(to)}`);
  }
  return types;
}

/** Enums and const. */
export function checkEnums({ what, report }: Check, before: Schema, after: Schema): void {
  const [eb, ea] = [enumOf(before), enumOf(after)];
  const listed = (values: unknown[]) => values.map((v) => show(stableJson(v))).join(", ");
  if (eb === null && ea !== null) report("enum-added", `${what}: now limited to ${listed(ea)}`);
  else if (eb !== null && ea === null) report("enum-removed", `${what}: no longer limited to ${listed(eb)}`);
  else if (eb && ea) {
    for (const value of missingFrom(ea, eb)) report("enum-value-added", `${what}: enum value ${show(value)} added`);
    for (const value of missingFrom(eb, ea)) report("enum-value-removed", `${what}: enum value ${show(value)} removed`);
  }
}

/**
 * Format and pattern. A pattern every string matches (`.*`) constrains nothing: adding, removing or
 * swapping one is a restatement, and going to or from one is a pattern removed or added.
 */
export function checkFormatAndPattern({ what, report }: Check, before: Schema, after: Schema): void {
  for (const keyword of ["format", "pattern"] as const) {
    const [b, a] = [before[keyword], after[keyword]];
    if (b === a) continue;
    const free = (pattern: unknown) =>
      pattern === undefined || (keyword === "pattern" && typeof pattern === "string" && acceptsEveryString(pattern));
    const change =
      b === undefined
        ? `${keyword} ${show(a)} added`
        : a === undefined
          ? `${keyword} ${show(b)} removed`
          : `${keyword} changed from ${show(b)} to ${show(a)}`;
    if (free(b) && free(a)) report(`${keyword}-restated`, `${what}: ${change} (every string matches either)`);
    else if (free(b)) report(`${keyword}-added`, `${what}: ${change}`);
    else if (free(a)) report(`${keyword}-removed`, `${what}: ${change}`);
    else report(`${keyword}-changed`, `${what}: ${change}`);
  }
}

/** Bounds, compared as intervals. */
export function checkBounds({ what, report }: Check, before: Schema, after: Schema): void {
  for (const [quantity, keywords] of Object.entries(BOUNDS) as [Quantity, string[]][]) {
    if (keywords.every((k) => same(before[k], after[k]))) continue;
    const was = intervalOf(before, quantity);
    const now = intervalOf(after, quantity);
    const verdict = compareIntervals(was, now);
    const range = `${formatInterval(was, quantity)} to ${formatInterval(now, quantity)}`;
    if (verdict === "unchanged") report("range-restated", `${what}: range restated from ${range}`);
    else report(`range-${verdict}`, `${what}: range ${verdict} from ${range}`);
  }
}

/**
 * A discriminator added writes its values into the member types (more precise, nothing lost); one
 * removed or changed takes away or changes values the callers' types had.
 */
export function checkDiscriminator({ side, what, pointer, reportAs }: Check, before: Schema, after: Schema): void {
  if (!same(before.discriminator, after.discriminator)) {
    const change =
      before.discriminator === undefined ? "added" : after.discriminator === undefined ? "removed" : "changed";
    reportAs({
      rule: change === "added" ? "discriminator-added" : `${side}-discriminator-changed`,
      pointer: [...pointer, "discriminator"],
      message: `${what}: discriminator ${change}${change === "changed" ? ` from ${show(before.discriminator)} to ${show(after.discriminator)}` : ""}`,
    });
  }
}

/** Other JSON Schema constraints: added or tightened narrows a request, removed widens it. */
export function checkConstraints({ what, report }: Check, before: Schema, after: Schema): void {
  for (const keyword of CONSTRAINTS) {
    const [b, a] = [before[keyword], after[keyword]];
    const unset = (value: unknown) => value === undefined || (keyword === "uniqueItems" && value === false);
    if (same(b, a) || (unset(b) && unset(a))) continue;
    if (unset(b)) report("constraint-added", `${what}: ${keyword} ${show(a)} added`);
    else if (unset(a)) report("constraint-removed", `${what}: ${keyword} ${show(b)} removed`);
    else report("constraint-changed", `${what}: ${keyword} changed from ${show(b)} to ${show(a)}`);
  }
}

/** Documentation: what the generated types and the wire do not see. */
export function checkDocumentation({ what, pointer, reportAs }: Check, before: Schema, after: Schema): void {
  const docKeys = new Set([...Object.keys(before), ...Object.keys(after)].filter((k) => !HANDLED.has(k)));
  for (const keyword of [...docKeys].sort()) {
    if (same(before[keyword], after[keyword])) continue;
    reportAs({
      rule: "schema-documentation-changed",
      pointer: [...pointer, keyword],
      message: `${what}: ${keyword} changed`,
    });
  }
}
