// Every rule spec:diff applies, as data: its id, the side of the exchange it is about, what it detects,
// and its effect: a statement of what a typed caller can do after the change that it could do before.
// The release a rule needs follows from its side and effect (LEVELS, one decision for the whole table),
// so neighbours cannot disagree; the few rules that differ from it are EXCEPTIONS, each with its reason,
// and the README prints both. spec/diff-rules.yaml may still change a level per project, with a reason.
export type Level = "major" | "minor" | "patch";
export type Side = "request" | "response" | "both";

/**
 * What a typed caller can do after the change, compared with before:
 * - narrows: fewer requests are accepted (request side); fewer values may come (response side)
 * - widens: more requests are accepted; more values may come, code that handled all of them may not now
 * - moves: some of what was allowed no longer is, and something new is (neither wider nor narrower)
 * - restates: exactly the same, written another way
 * - removes: a name or type in the generated client goes, so code using it no longer compiles, whatever the wire
 * - adds: a new name or type, nothing lost
 * - notice: nothing a caller must change, but something to know (deprecation, the default server)
 * - documentation: words only
 */
export type Effect = "narrows" | "widens" | "moves" | "restates" | "removes" | "adds" | "notice" | "documentation";

/** Request side: anything a caller sent before that may now be refused is major. Response side:
 * anything a caller may now receive that its code did not have to handle is major. */
const LEVELS: Record<Effect, Level | Record<"request" | "response", Level>> = {
  narrows: { request: "major", response: "minor" },
  widens: { request: "minor", response: "major" },
  moves: "major",
  restates: "patch",
  removes: "major",
  adds: "minor",
  notice: "minor",
  documentation: "patch",
};

/** Where this project's policy departs from LEVELS, and why. */
const EXCEPTIONS: Record<string, { level: Level; why: string }> = {
  "response-added": {
    level: "minor",
    why: "any HTTP API may answer with a status it did not list (a 5xx, a 429); listing one adds its type to the error union, which callers already handle as unknown",
  },
  "response-media-type-added": {
    level: "minor",
    why: "another representation is served only to a caller that asks for it (Accept); the JSON one is unchanged",
  },
  "response-pattern-removed": {
    level: "minor",
    why: "the generated types carry no patterns, and a pattern spells a value, it does not bound what a caller's code handles (a length or a format does, and stays major)",
  },
  "response-pattern-changed": {
    level: "minor",
    why: "a pattern removed plus one added, both minor on the response side",
  },
};

export interface Rule {
  id: string;
  side: Side;
  effect: Effect;
  level: Level;
  detects: string;
  /** Set when the level is not the one LEVELS gives: why. */
  why?: string;
}

/** The level LEVELS gives a rule on a side. */
export function levelOf(side: Side, effect: Effect): Level {
  const level = LEVELS[effect];
  if (typeof level === "string") return level;
  if (side === "both") throw new Error(`an effect that depends on the side (${effect}) needs a side`);
  return level[side];
}

/** [id, side, effect, detects]: the level follows from the side and the effect (LEVELS), save EXCEPTIONS. */
const TABLE: [string, Side, Effect, string][] = [
  // Paths and operations
  ["operation-added", "both", "adds", "a new operation (method + path)"],
  ["operation-removed", "both", "removes", "an operation is gone"],
  [
    "operation-renamed",
    "both",
    "removes",
    "an operation's locked name changed (spec/operations.lock.json): its module and `./operations` key",
  ],
  [
    "path-parameter-renamed",
    "request",
    "removes",
    "a path template's parameter renamed (the path string is part of the types)",
  ],
  ["operation-deprecated", "both", "notice", "an operation marked deprecated (a new notice for callers)"],
  ["operation-undeprecated", "both", "documentation", "an operation no longer deprecated (an x-sunset removed too)"],
  ["operation-documentation-changed", "both", "documentation", "summary, description, tags, operationId, examples"],
  ["operation-security-added", "request", "notice", "a security requirement added (the client always sends its key)"],
  ["operation-security-removed", "request", "notice", "a security requirement removed"],
  [
    "security-scheme-changed",
    "request",
    "notice",
    "the scheme the operations use sends its credential elsewhere (another header, query or cookie name, another place): the regenerated client sends it there, callers change nothing",
  ],
  [
    "security-credential-changed",
    "request",
    "moves",
    "the operations now take another kind of credential (an API key, a bearer token, basic credentials) than any they took before: callers must obtain it",
  ],
  [
    "security-scheme-added",
    "both",
    "documentation",
    "a security scheme no operation uses added (the operations' requirements say when one is used)",
  ],
  ["security-scheme-removed", "both", "documentation", "a security scheme no operation uses removed"],
  ["server-changed", "both", "notice", "servers changed (the default base URL)"],
  // Parameters (path level and operation level merged by name + in; header names ignore case)
  ["request-parameter-added-required", "request", "narrows", "a new required parameter"],
  ["request-parameter-added-optional", "request", "adds", "a new optional parameter"],
  ["request-parameter-removed", "request", "removes", "a parameter removed (callers passing it no longer compile)"],
  ["request-parameter-became-required", "request", "narrows", "an optional parameter became required"],
  ["request-parameter-became-optional", "request", "widens", "a required parameter became optional"],
  ["request-parameter-serialization-changed", "request", "moves", "style, explode or allowReserved changed"],
  // Bodies and media types
  ["request-body-added-required", "request", "narrows", "a required request body added"],
  ["request-body-added-optional", "request", "adds", "an optional request body added"],
  ["request-body-removed", "request", "removes", "the request body removed"],
  ["request-body-became-required", "request", "narrows", "an optional request body became required"],
  ["request-body-became-optional", "request", "widens", "a required request body became optional"],
  ["request-media-type-added", "request", "adds", "a new request media type"],
  ["request-media-type-removed", "request", "narrows", "a request media type removed (or renamed)"],
  ["response-added", "response", "widens", "a new response status"],
  ["response-removed", "response", "removes", "a response status removed"],
  ["response-media-type-added", "response", "widens", "a new response media type"],
  ["response-media-type-removed", "response", "removes", "a response media type removed (or renamed)"],
  ["response-header-added", "response", "adds", "a new response header"],
  ["response-header-removed", "response", "removes", "a response header removed"],
  ["response-header-became-optional", "response", "widens", "a response header no longer required"],
  ["response-header-became-required", "response", "narrows", "a response header now required"],
  // Schemas, request side (what callers send)
  ["request-type-narrowed", "request", "narrows", "a type no longer accepted (incl. number -> integer, null removed)"],
  ["request-type-widened", "request", "widens", "a type newly accepted (incl. integer -> number, null added)"],
  ["request-type-changed", "request", "moves", "the type changed to one that is neither wider nor narrower"],
  ["request-enum-added", "request", "narrows", "a value that took anything is now an enum (or const)"],
  ["request-enum-removed", "request", "widens", "an enum (or const) dropped: any value of the type accepted"],
  ["request-enum-value-added", "request", "widens", "an enum value added"],
  ["request-enum-value-removed", "request", "narrows", "an enum value removed"],
  ["request-format-added", "request", "narrows", "a format added"],
  ["request-format-removed", "request", "widens", "a format removed"],
  ["request-format-changed", "request", "moves", "a format changed"],
  ["request-pattern-added", "request", "narrows", "a pattern added"],
  ["request-pattern-removed", "request", "widens", "a pattern removed"],
  ["request-pattern-changed", "request", "moves", "a pattern changed"],
  ["request-range-narrowed", "request", "narrows", "a bound tightened (minimum, maxLength, maxItems..., as intervals)"],
  ["request-range-widened", "request", "widens", "a bound relaxed"],
  ["request-range-changed", "request", "moves", "a range moved (neither wider nor narrower)"],
  ["request-range-restated", "request", "restates", "the same range written differently"],
  [
    "request-pattern-restated",
    "request",
    "restates",
    "a pattern replaced by another that also accepts every string (`.*`, the empty pattern)",
  ],
  ["request-property-added", "request", "adds", "an optional property added"],
  [
    "request-property-added-required",
    "request",
    "narrows",
    "a required property added (a default does not help typed callers)",
  ],
  ["request-property-removed", "request", "removes", "a property removed (callers passing it no longer compile)"],
  ["request-property-became-required", "request", "narrows", "a property became required"],
  ["request-property-became-optional", "request", "widens", "a property no longer required"],
  ["request-additional-properties-narrowed", "request", "narrows", "additionalProperties restricted"],
  ["request-additional-properties-widened", "request", "widens", "additionalProperties relaxed"],
  [
    "request-constraint-added",
    "request",
    "narrows",
    "a JSON Schema constraint added or tightened (contains, prefixItems, dependentRequired, if/then/else, unevaluated*, propertyNames, uniqueItems, multipleOf, not...)",
  ],
  ["request-constraint-removed", "request", "widens", "such a constraint removed"],
  ["request-constraint-changed", "request", "moves", "such a constraint changed"],
  ["request-composition-narrowed", "request", "narrows", "an allOf member added, an anyOf branch removed"],
  [
    "request-composition-widened",
    "request",
    "widens",
    "an allOf member removed, an anyOf branch added, a schema wrapped in anyOf",
  ],
  [
    "request-composition-changed",
    "request",
    "moves",
    "a oneOf branch added or removed, a schema wrapped in oneOf or taken out of one (exactly one must match: some values newly accepted, some refused)",
  ],
  [
    "request-discriminator-changed",
    "request",
    "removes",
    "a discriminator removed, or its property or mapping changed (typed into member types)",
  ],
  // Schemas, response side (what callers receive)
  ["response-type-narrowed", "response", "narrows", "a type no longer sent"],
  ["response-type-widened", "response", "widens", "a type newly sent (incl. null: the field became nullable)"],
  ["response-type-changed", "response", "moves", "the type changed"],
  ["response-enum-added", "response", "narrows", "a value is now an enum"],
  ["response-enum-removed", "response", "widens", "an enum dropped: any value may come"],
  ["response-enum-value-added", "response", "widens", "an enum value added (exhaustive switches break)"],
  [
    "response-enum-value-removed",
    "response",
    "removes",
    "an enum value removed (the generated union loses it; code comparing with it no longer compiles)",
  ],
  ["response-format-added", "response", "narrows", "a format added"],
  ["response-format-removed", "response", "widens", "a format removed"],
  ["response-format-changed", "response", "moves", "a format changed"],
  ["response-pattern-added", "response", "narrows", "a pattern added"],
  ["response-pattern-removed", "response", "widens", "a pattern removed (the generated types do not carry patterns)"],
  ["response-pattern-changed", "response", "moves", "a pattern changed"],
  ["response-range-narrowed", "response", "narrows", "a bound tightened"],
  ["response-range-widened", "response", "widens", "a bound relaxed: values outside the old range may come"],
  ["response-range-changed", "response", "moves", "a range moved"],
  ["response-range-restated", "response", "restates", "the same range written differently"],
  ["response-pattern-restated", "response", "restates", "a pattern replaced by another that also accepts every string"],
  ["response-property-added", "response", "adds", "a property added"],
  ["response-property-added-required", "response", "adds", "a required property added"],
  ["response-property-removed", "response", "removes", "a property removed"],
  ["response-property-became-required", "response", "narrows", "a property is now always sent"],
  ["response-property-became-optional", "response", "widens", "a property may now be missing"],
  ["response-additional-properties-narrowed", "response", "narrows", "additionalProperties restricted"],
  ["response-additional-properties-widened", "response", "widens", "additionalProperties relaxed"],
  ["response-constraint-added", "response", "narrows", "a JSON Schema constraint added or tightened"],
  ["response-constraint-removed", "response", "widens", "such a constraint removed"],
  ["response-constraint-changed", "response", "moves", "such a constraint changed"],
  ["response-composition-narrowed", "response", "narrows", "an allOf member added, an anyOf/oneOf branch removed"],
  [
    "response-composition-widened",
    "response",
    "widens",
    "an anyOf/oneOf branch added, an allOf member removed, wrapped in oneOf/anyOf",
  ],
  [
    "response-discriminator-changed",
    "response",
    "removes",
    "a discriminator removed, or its property or mapping changed",
  ],
  // Both sides
  ["discriminator-added", "both", "adds", "a discriminator added (its values are written into the member types)"],
  [
    "schema-documentation-changed",
    "both",
    "documentation",
    "title, description, examples, default, deprecated, externalDocs",
  ],
  ["component-schema-added", "both", "adds", "a component schema added (a new exported type name)"],
  ["component-schema-removed", "both", "removes", "a component schema removed (its exported type name vanishes)"],
  [
    "component-schema-changed",
    "both",
    "moves",
    "a component schema no operation uses changed in a way that narrows or widens it",
  ],
  ["document-changed", "both", "documentation", "anything else: info, tags, externalDocs, extensions"],
];

export const RULES: ReadonlyMap<string, Rule> = new Map(
  TABLE.map(([id, side, effect, detects]) => {
    const exception = EXCEPTIONS[id];
    const level = exception?.level ?? levelOf(side, effect);
    return [id, { id, side, effect, level, detects, ...(exception && { why: exception.why }) }];
  }),
);

export const rule = (id: string): Rule => {
  const found = RULES.get(id);
  if (!found) throw new Error(`spec-diff: no rule ${id}`);
  return found;
};
