// Every rule spec:diff applies, as data: its id, the side of the exchange it is about, what it
// detects and the release it needs for callers of the generated client. The README's semver policy
// is checked against this table (test/spec-diff-rules.test.ts); spec/diff-rules.yaml may change a
// level per project, with a reason. Request side: anything a caller could send before that may now be
// refused is major, anything newly accepted is minor. Response side: anything the generated types or
// the caller's code could rely on that may now differ is major, anything only promised more is minor.
export type Level = "major" | "minor" | "patch";
export type Side = "request" | "response" | "both";

export interface Rule {
  id: string;
  side: Side;
  level: Level;
  detects: string;
}

/** [id, side, level, detects] */
const TABLE: [string, Side, Level, string][] = [
  // Paths and operations
  ["operation-added", "both", "minor", "a new operation (method + path)"],
  ["operation-removed", "both", "major", "an operation is gone"],
  [
    "operation-renamed",
    "both",
    "major",
    "an operation's locked name changed (spec/operations.lock.json): its module and `./operations` key",
  ],
  [
    "path-parameter-renamed",
    "request",
    "major",
    "a path template's parameter renamed (the path string is part of the types)",
  ],
  ["operation-deprecated", "both", "minor", "an operation marked deprecated (a new notice for callers)"],
  ["operation-undeprecated", "both", "patch", "an operation no longer deprecated (an x-sunset removed too)"],
  ["operation-documentation-changed", "both", "patch", "summary, description, tags, operationId, examples"],
  ["operation-security-added", "request", "minor", "a security requirement added (the client always sends its key)"],
  ["operation-security-removed", "request", "minor", "a security requirement removed"],
  [
    "security-scheme-changed",
    "request",
    "major",
    "the API-key scheme the operations use changed where or under what name it is sent",
  ],
  ["security-scheme-added", "both", "minor", "a security scheme added"],
  ["security-scheme-removed", "both", "patch", "a security scheme no operation uses removed"],
  ["server-changed", "both", "minor", "servers changed (the default base URL)"],
  // Parameters (path level and operation level merged by name + in; header names ignore case)
  ["request-parameter-added-required", "request", "major", "a new required parameter"],
  ["request-parameter-added-optional", "request", "minor", "a new optional parameter"],
  ["request-parameter-removed", "request", "major", "a parameter removed (callers passing it no longer compile)"],
  ["request-parameter-became-required", "request", "major", "an optional parameter became required"],
  ["request-parameter-became-optional", "request", "minor", "a required parameter became optional"],
  ["request-parameter-serialization-changed", "request", "major", "style, explode or allowReserved changed"],
  // Bodies and media types
  ["request-body-added-required", "request", "major", "a required request body added"],
  ["request-body-added-optional", "request", "minor", "an optional request body added"],
  ["request-body-removed", "request", "major", "the request body removed"],
  ["request-body-became-required", "request", "major", "an optional request body became required"],
  ["request-body-became-optional", "request", "minor", "a required request body became optional"],
  ["request-media-type-added", "request", "minor", "a new request media type"],
  ["request-media-type-removed", "request", "major", "a request media type removed (or renamed)"],
  ["response-added", "response", "minor", "a new response status"],
  ["response-removed", "response", "major", "a response status removed"],
  ["response-media-type-added", "response", "minor", "a new response media type"],
  ["response-media-type-removed", "response", "major", "a response media type removed (or renamed)"],
  ["response-header-added", "response", "minor", "a new response header"],
  ["response-header-removed", "response", "major", "a response header removed"],
  ["response-header-became-optional", "response", "major", "a response header no longer required"],
  ["response-header-became-required", "response", "minor", "a response header now required"],
  // Schemas, request side (what callers send)
  ["request-type-narrowed", "request", "major", "a type no longer accepted (incl. number -> integer, null removed)"],
  ["request-type-widened", "request", "minor", "a type newly accepted (incl. integer -> number, null added)"],
  ["request-type-changed", "request", "major", "the type changed to one that is neither wider nor narrower"],
  ["request-enum-added", "request", "major", "a value that took anything is now an enum (or const)"],
  ["request-enum-removed", "request", "minor", "an enum (or const) dropped: any value of the type accepted"],
  ["request-enum-value-added", "request", "minor", "an enum value added"],
  ["request-enum-value-removed", "request", "major", "an enum value removed"],
  ["request-format-added", "request", "major", "a format added"],
  ["request-format-removed", "request", "minor", "a format removed"],
  ["request-format-changed", "request", "major", "a format changed"],
  ["request-pattern-added", "request", "major", "a pattern added"],
  ["request-pattern-removed", "request", "minor", "a pattern removed"],
  ["request-pattern-changed", "request", "major", "a pattern changed"],
  ["request-range-narrowed", "request", "major", "a bound tightened (minimum, maxLength, maxItems..., as intervals)"],
  ["request-range-widened", "request", "minor", "a bound relaxed"],
  ["request-range-changed", "request", "major", "a range moved (neither wider nor narrower)"],
  ["request-range-restated", "request", "patch", "the same range written differently"],
  ["request-property-added", "request", "minor", "an optional property added"],
  [
    "request-property-added-required",
    "request",
    "major",
    "a required property added (a default does not help typed callers)",
  ],
  ["request-property-removed", "request", "major", "a property removed (callers passing it no longer compile)"],
  ["request-property-became-required", "request", "major", "a property became required"],
  ["request-property-became-optional", "request", "minor", "a property no longer required"],
  ["request-additional-properties-narrowed", "request", "major", "additionalProperties restricted"],
  ["request-additional-properties-widened", "request", "minor", "additionalProperties relaxed"],
  [
    "request-constraint-added",
    "request",
    "major",
    "a JSON Schema constraint added or tightened (contains, prefixItems, dependentRequired, if/then/else, unevaluated*, propertyNames, uniqueItems, multipleOf, not...)",
  ],
  ["request-constraint-removed", "request", "minor", "such a constraint removed"],
  ["request-constraint-changed", "request", "major", "such a constraint changed"],
  [
    "request-composition-narrowed",
    "request",
    "major",
    "an allOf member added, an anyOf/oneOf branch removed, a schema wrapped in oneOf",
  ],
  ["request-composition-widened", "request", "minor", "an allOf member removed, an anyOf branch added"],
  [
    "request-discriminator-changed",
    "request",
    "major",
    "a discriminator removed, or its property or mapping changed (typed into member types)",
  ],
  // Schemas, response side (what callers receive)
  ["response-type-narrowed", "response", "minor", "a type no longer sent"],
  ["response-type-widened", "response", "major", "a type newly sent (incl. null: the field became nullable)"],
  ["response-type-changed", "response", "major", "the type changed"],
  ["response-enum-added", "response", "minor", "a value is now an enum"],
  ["response-enum-removed", "response", "major", "an enum dropped: any value may come"],
  ["response-enum-value-added", "response", "major", "an enum value added (exhaustive switches break)"],
  [
    "response-enum-value-removed",
    "response",
    "major",
    "an enum value removed (the generated union loses it; code comparing with it no longer compiles)",
  ],
  ["response-format-added", "response", "minor", "a format added"],
  ["response-format-removed", "response", "major", "a format removed"],
  ["response-format-changed", "response", "major", "a format changed"],
  ["response-pattern-added", "response", "minor", "a pattern added"],
  ["response-pattern-removed", "response", "minor", "a pattern removed (the generated types do not carry patterns)"],
  ["response-pattern-changed", "response", "major", "a pattern changed"],
  ["response-range-narrowed", "response", "minor", "a bound tightened"],
  ["response-range-widened", "response", "major", "a bound relaxed: values outside the old range may come"],
  ["response-range-changed", "response", "major", "a range moved"],
  ["response-range-restated", "response", "patch", "the same range written differently"],
  ["response-property-added", "response", "minor", "a property added"],
  ["response-property-added-required", "response", "minor", "a required property added"],
  ["response-property-removed", "response", "major", "a property removed"],
  ["response-property-became-required", "response", "minor", "a property is now always sent"],
  ["response-property-became-optional", "response", "major", "a property may now be missing"],
  ["response-additional-properties-narrowed", "response", "minor", "additionalProperties restricted"],
  ["response-additional-properties-widened", "response", "major", "additionalProperties relaxed"],
  ["response-constraint-added", "response", "minor", "a JSON Schema constraint added or tightened"],
  ["response-constraint-removed", "response", "major", "such a constraint removed"],
  ["response-constraint-changed", "response", "major", "such a constraint changed"],
  ["response-composition-narrowed", "response", "minor", "an allOf member added, an anyOf/oneOf branch removed"],
  [
    "response-composition-widened",
    "response",
    "major",
    "an anyOf/oneOf branch added, an allOf member removed, wrapped in oneOf/anyOf",
  ],
  [
    "response-discriminator-changed",
    "response",
    "major",
    "a discriminator removed, or its property or mapping changed",
  ],
  // Both sides
  ["discriminator-added", "both", "minor", "a discriminator added (its values are written into the member types)"],
  ["schema-documentation-changed", "both", "patch", "title, description, examples, default, deprecated, externalDocs"],
  ["component-schema-added", "both", "minor", "a component schema added (a new exported type name)"],
  ["component-schema-removed", "both", "major", "a component schema removed (its exported type name vanishes)"],
  [
    "component-schema-changed",
    "both",
    "major",
    "a component schema no operation uses changed in a way that narrows or widens it",
  ],
  ["document-changed", "both", "patch", "anything else: info, tags, externalDocs, extensions"],
];

export const RULES: ReadonlyMap<string, Rule> = new Map(
  TABLE.map(([id, side, level, detects]) => [id, { id, side, level, detects }]),
);

export const rule = (id: string): Rule => {
  const found = RULES.get(id);
  if (!found) throw new Error(`spec-diff: no rule ${id}`);
  return found;
};
