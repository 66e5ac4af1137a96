// Two schemas compared for one side of the exchange: a request schema says what callers may send, a
// response schema what they may receive, so the same edit is minor on one side and major on the
// other (rules.ts). Refs are followed; FastAPI's nullable wrapper (anyOf [X, null]) reads as X or
// null; allOf members are merged into their parent; readOnly properties do not exist in requests nor
// writeOnly ones in responses (the generated types mark them the same way).
import { compareIntervals, formatInterval, intervalOf, type Quantity } from "../bounds.ts";
import type { OpenApiDocument } from "../files.ts";
import { own } from "../refs.ts";
import { stableJson } from "../schema-canonical.ts";
import { hasRef, missingFrom, same } from "./identity.ts";
import { forgetViews, NULL_TYPE, resolve, view, withNull, withoutNull, type Schema } from "./views.ts";
import { acceptsEveryString } from "./patterns.ts";

export type Side = "request" | "response";

export interface Found {
  rule: string;
  pointer: string[];
  message: string;
  /** For a change reported once for many schemas: their names. */
  names?: string[];
}

/** Where a shared component was met: the comparison it interrupted (to resume there if it is its only one). */
export interface Site {
  subject: string;
  pointer: string[];
  field: string;
  /** The operation whose schemas reached it (directly, or through components compared inline). */
  user: string;
  /** The component whose own report it is part of, if any. */
  owner?: string;
}

export interface SchemaContext {
  side: Side;
  before: OpenApiDocument;
  after: OpenApiDocument;
  /** "`POST /x`: request", "`GET /x`: query parameter `limit`" */
  subject: string;
  report(found: Found): void;
  /** Where a component both sides name is handed over, to be compared once (components.ts); absent: inline. */
  shared?: {
    shared(rawBefore: unknown, rawAfter: unknown): string | undefined;
    use(name: string, side: Side, site: Site): void;
    /** Every use so far, in order: what a comparison met is what was appended while it ran. */
    readonly log: readonly [string, Site][];
  };
  /** The operation comparing (its label), or `schema:<name>` for a component compared on its own. */
  user?: string;
  /** The component whose report this comparison is part of, if any. */
  owner?: string;
}

const DOCS = new Set([
  "title",
  "description",
  "example",
  "examples",
  "default",
  "deprecated",
  "externalDocs",
  "$comment",
]);
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
/** Everything this module reads; any other keyword is compared as documentation. */
const HANDLED = new Set([
  ...["$ref", "type", "nullable", "enum", "const", "format", "pattern", "properties", "required", "items"],
  ...["additionalProperties", "allOf", "anyOf", "oneOf", "discriminator", "readOnly", "writeOnly"],
  ...CONSTRAINTS,
  ...Object.values(BOUNDS).flat(),
]);

const show = (value: unknown) => `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;
/**
 * A union's branches changing. Request, anyOf: a branch added widens what is accepted, one removed
 * narrows it. Request, oneOf ("exactly one"): a branch added accepts what only it matches and refuses
 * what now matches two; a branch removed refuses what only it matched and accepts what matched it and
 * another: either way some values move, so it is changed. Response: the types are unions either way; a
 * branch added is a new shape to handle, one removed only promises more.
 */
const unionVerdict = (side: Side, union: "anyOf" | "oneOf", grew: boolean) =>
  side === "request" && union === "oneOf" ? "changed" : grew ? "widened" : "narrowed";

/** null: any type. "integer" is a kind of "number". */
function typesOf(schema: Schema): Set<string> | null {
  if (schema.type === undefined) return null;
  return new Set([schema.type].flat());
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

const propertyVisible = (side: Side, doc: OpenApiDocument, raw: unknown) => {
  const schema = view(doc, raw);
  return !(side === "request" ? schema.readOnly === true : schema.writeOnly === true);
};

/** Pairs of schema objects already compared on a side with nothing found: skipped when met again. */
let clean = new WeakMap<object, WeakMap<object, Set<Side>>>();

/**
 * What a pair of schemas compared at the top of a body or parameter (no field, no enclosing recursion)
 * found, and the shared components it met, relative to where: a response declared once in
 * `components.responses` and used by a hundred operations is walked once, and each operation still
 * reaches the components inside it.
 */
interface Relative {
  rule: string;
  pointer: string[];
  message: string;
}
let found = new WeakMap<
  object,
  WeakMap<object, Map<Side, { findings: Relative[]; uses: { name: string; pointer: string[]; field: string }[] }>>
>();

/** Called when a comparison starts (see forgetIdentities). */
export function forgetSchemas(): void {
  [clean, found] = [new WeakMap(), new WeakMap()];
  forgetViews();
}

/** Compares the two schemas at `pointer`, reporting each difference with its rule. */
export function compareSchemas(
  ctx: SchemaContext,
  rawBefore: unknown,
  rawAfter: unknown,
  pointer: string[],
  field = "",
  stack = new Set<string>(),
): void {
  const component = ctx.shared?.shared(rawBefore, rawAfter);
  if (component !== undefined) {
    const { subject, user = ctx.subject, owner } = ctx;
    ctx.shared!.use(component, ctx.side, { subject, pointer, field, user, ...(owner !== undefined && { owner }) });
    return;
  }
  // Keyed by what the refs point to: a component used in ten places is the same object each time.
  const [kb, ka] = [resolve(ctx.before, rawBefore), resolve(ctx.after, rawAfter)];
  const pair = typeof kb === "object" && kb !== null && typeof ka === "object" && ka !== null;
  if (pair && clean.get(kb)?.get(ka)?.has(ctx.side)) return;
  const top = pair && field === "" && stack.size === 0;
  const replay = top ? found.get(kb)?.get(ka)?.get(ctx.side) : undefined;
  if (replay) {
    for (const relative of replay.findings)
      ctx.report({
        rule: relative.rule,
        pointer: [...pointer, ...relative.pointer],
        message: ctx.subject + relative.message,
      });
    // The components met below meet this caller too (its operation reaches them).
    const { subject, user = ctx.subject, owner } = ctx;
    for (const use of replay.uses)
      ctx.shared?.use(use.name, ctx.side, {
        subject,
        pointer: [...pointer, ...use.pointer],
        field: use.field,
        user,
        ...(owner !== undefined && { owner }),
      });
    return;
  }
  const seen: Found[] = [];
  const mark = ctx.shared?.log.length ?? 0;
  const cutsBefore = cuts;
  const counting: SchemaContext = { ...ctx, report: (finding) => (seen.push(finding), ctx.report(finding)) };
  compareViews(counting, rawBefore, rawAfter, pointer, field, stack);
  const met = ctx.shared?.log.slice(mark) ?? [];
  // A comparison the recursion guard cut short depends on where it was entered: never remembered.
  if (cuts !== cutsBefore) return;
  if (pair && seen.length === 0 && met.length === 0) {
    let inner = clean.get(kb);
    if (!inner) clean.set(kb, (inner = new WeakMap()));
    let sides = inner.get(ka);
    if (!sides) inner.set(ka, (sides = new Set()));
    sides.add(ctx.side);
  } else if (
    top &&
    seen.every((f) => f.message.startsWith(ctx.subject) && startsWith(f.pointer, pointer)) &&
    met.every(([, site]) => startsWith(site.pointer, pointer))
  ) {
    let inner = found.get(kb);
    if (!inner) found.set(kb, (inner = new WeakMap()));
    let sides = inner.get(ka);
    if (!sides) inner.set(ka, (sides = new Map()));
    sides.set(ctx.side, {
      findings: seen.map((f) => ({
        rule: f.rule,
        pointer: f.pointer.slice(pointer.length),
        message: f.message.slice(ctx.subject.length),
      })),
      uses: met.map(([name, site]) => ({ name, pointer: site.pointer.slice(pointer.length), field: site.field })),
    });
  }
}

/** How many comparisons the recursion guard has stopped. */
let cuts = 0;
const ids = new WeakMap<object, number>();
let nextId = 0;
/** A number for an object, the same each time it is asked (the recursion guard's key). */
function objectId(object: object): number {
  let id = ids.get(object);
  if (id === undefined) ids.set(object, (id = nextId++));
  return id;
}

const startsWith = (list: string[], prefix: string[]) => prefix.every((segment, i) => list[i] === segment);

function compareViews(
  ctx: SchemaContext,
  rawBefore: unknown,
  rawAfter: unknown,
  pointer: string[],
  field: string,
  stack: Set<string>,
): void {
  // A recursive schema compared with itself further down stops here: through a $ref, or through an
  // allOf that merges its own component in (Jira: `templateEvent: {allOf: [{$ref: NotificationEvent}]}`
  // inside NotificationEvent), either way the same pair of schema objects met again.
  const [sb, sa] = [resolve(ctx.before, rawBefore), resolve(ctx.after, rawAfter)];
  if (typeof sb === "object" && sb !== null && typeof sa === "object" && sa !== null) {
    const key = `${objectId(sb)}|${objectId(sa)}`;
    if (stack.has(key)) {
      cuts++;
      return;
    }
    stack = new Set(stack).add(key);
  }
  const before = view(ctx.before, rawBefore);
  const after = view(ctx.after, rawAfter);
  // Equal as written and nothing behind a ref that could differ: nothing to compare.
  if (same(before, after) && !hasRef(before)) return;
  const { side } = ctx;
  const what = field ? `${ctx.subject} field \`${field}\`` : ctx.subject;
  const report = (rule: string, message: string) => ctx.report({ rule: `${side}-${rule}`, pointer, message });

  // Wrapped in a union (X -> oneOf [X, Y]) or unwrapped from one: the composition is the change, and
  // X is compared with the branch that is (or is most like) it, not with the union as a whole.
  for (const union of ["anyOf", "oneOf"] as const) {
    const wrapped = before[union] === undefined && Array.isArray(after[union]);
    const unwrapped = Array.isArray(before[union]) && after[union] === undefined;
    if (!wrapped && !unwrapped) continue;
    const [single, branches, branchDoc] = wrapped
      ? [before, after[union] as unknown[], ctx.after]
      : [after, before[union] as unknown[], ctx.before];
    const views = branches.map((branch) => view(branchDoc, branch));
    // A null branch is the union's "or null" (X or null read as X that may be null is the single side
    // here): it goes with the branch X is compared with, or a nullable X against [X, Y, null] would read
    // as null lost.
    const orNull = views.some((branch) => same(branch, NULL_TYPE));
    const plain = (type: unknown) => (orNull ? withoutNull(type) : type);
    let match = views.findIndex((branch) => same(branch, single));
    if (match < 0) match = views.findIndex((branch) => same(branch.type, plain(single.type)));
    if (match < 0) match = views.findIndex((branch) => !same(branch, NULL_TYPE));
    if (match < 0) match = 0;
    report(
      `composition-${unionVerdict(side, union, wrapped)}`,
      `${what}: ${wrapped ? `now ${union} of ${branches.length} schemas` : `no longer ${union} of ${branches.length} schemas`}`,
    );
    const { [union]: _drop, ...rest } = wrapped ? after : before;
    const merged: Schema = { ...views[match], ...rest };
    if (orNull && merged.type !== undefined) merged.type = withNull(merged.type);
    if (wrapped) compareSchemas(ctx, rawBefore, merged, pointer, field, stack);
    else compareSchemas(ctx, merged, rawAfter, pointer, field, stack);
    return;
  }

  // Types (null included: a field that became nullable is a wider type).
  const [tb, ta] = [typesOf(before), typesOf(after)];
  const types = compareTypes(tb, ta);
  if (types !== "same") {
    const from = tb === null ? "any" : [...tb].length === 1 ? [...tb][0] : [...tb];
    const to = ta === null ? "any" : [...ta].length === 1 ? [...ta][0] : [...ta];
    report(`type-${types}`, `${what}: type changed from ${show(from)} to ${show(to)}`);
    // A different kind of value altogether: what it holds is no longer comparable, and says nothing more.
    if (types === "changed") return;
  }

  // Enums and const.
  const [eb, ea] = [enumOf(before), enumOf(after)];
  const listed = (values: unknown[]) => values.map((v) => show(stableJson(v))).join(", ");
  if (eb === null && ea !== null) report("enum-added", `${what}: now limited to ${listed(ea)}`);
  else if (eb !== null && ea === null) report("enum-removed", `${what}: no longer limited to ${listed(eb)}`);
  else if (eb && ea) {
    for (const value of missingFrom(ea, eb)) report("enum-value-added", `${what}: enum value ${show(value)} added`);
    for (const value of missingFrom(eb, ea)) report("enum-value-removed", `${what}: enum value ${show(value)} removed`);
  }

  // Format and pattern. A pattern every string matches (`.*`) constrains nothing: adding, removing or
  // swapping one is a restatement, and going to or from one is a pattern removed or added.
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

  // Bounds, compared as intervals.
  for (const [quantity, keywords] of Object.entries(BOUNDS) as [Quantity, string[]][]) {
    if (keywords.every((k) => same(before[k], after[k]))) continue;
    const was = intervalOf(before, quantity);
    const now = intervalOf(after, quantity);
    const verdict = compareIntervals(was, now);
    const range = `${formatInterval(was, quantity)} to ${formatInterval(now, quantity)}`;
    if (verdict === "unchanged") report("range-restated", `${what}: range restated from ${range}`);
    else report(`range-${verdict}`, `${what}: range ${verdict} from ${range}`);
  }

  // Properties, seen from this side.
  const names = new Set([...Object.keys(before.properties ?? {}), ...Object.keys(after.properties ?? {})]);
  const [rb, ra] = [new Set<string>(before.required ?? []), new Set<string>(after.required ?? [])];
  for (const name of names) {
    const pb = own(before.properties, name);
    const pa = own(after.properties, name);
    const inBefore = pb !== undefined && propertyVisible(side, ctx.before, pb);
    const inAfter = pa !== undefined && propertyVisible(side, ctx.after, pa);
    const sub = field ? `${field}.${name}` : name;
    const at = [...pointer, "properties", name];
    const label = `${ctx.subject} field \`${sub}\``;
    if (inBefore && !inAfter)
      ctx.report({ rule: `${side}-property-removed`, pointer: at, message: `${label} removed` });
    else if (!inBefore && inAfter)
      ctx.report({
        rule: `${side}-property-added${ra.has(name) ? "-required" : ""}`,
        pointer: at,
        message: `${label} added${ra.has(name) ? " (required)" : ""}`,
      });
    else if (inBefore && inAfter) {
      if (!rb.has(name) && ra.has(name))
        ctx.report({ rule: `${side}-property-became-required`, pointer: at, message: `${label} is now required` });
      if (rb.has(name) && !ra.has(name))
        ctx.report({
          rule: `${side}-property-became-optional`,
          pointer: at,
          message: `${label} is no longer required`,
        });
      compareSchemas(ctx, pb, pa, at, sub, stack);
    }
  }
  // Required names with no property schema of their own.
  for (const name of ra) {
    if (names.has(name) || rb.has(name)) continue;
    ctx.report({
      rule: `${side}-property-became-required`,
      pointer,
      message: `${ctx.subject} field \`${field ? `${field}.` : ""}${name}\` is now required`,
    });
  }
  for (const name of rb) {
    if (names.has(name) || ra.has(name)) continue;
    ctx.report({
      rule: `${side}-property-became-optional`,
      pointer,
      message: `${ctx.subject} field \`${field ? `${field}.` : ""}${name}\` is no longer required`,
    });
  }

  // additionalProperties: open (absent/true), closed (false) or a schema.
  const openness = (value: unknown) => (value === undefined || value === true ? 2 : value === false ? 0 : 1);
  const [ob, oa] = [openness(before.additionalProperties), openness(after.additionalProperties)];
  if (ob !== oa)
    report(
      `additional-properties-${oa < ob ? "narrowed" : "widened"}`,
      `${what}: additionalProperties changed from ${show(before.additionalProperties ?? true)} to ${show(after.additionalProperties ?? true)}`,
    );
  else if (ob === 1)
    compareSchemas(
      ctx,
      before.additionalProperties,
      after.additionalProperties,
      [...pointer, "additionalProperties"],
      field ? `${field}.*` : "*",
      stack,
    );

  // Items.
  if (before.items !== undefined || after.items !== undefined)
    compareSchemas(ctx, before.items ?? {}, after.items ?? {}, [...pointer, "items"], `${field}[]`, stack);

  // anyOf / oneOf (allOf was merged): branches matched by content, then by position.
  for (const union of ["anyOf", "oneOf"] as const) {
    const bb: unknown[] | undefined = before[union];
    const ba: unknown[] | undefined = after[union];
    // Wrapped in or unwrapped from a union returned above: only unions on both sides are left.
    if (!bb || !ba) continue;
    const vb = bb.map((branch) => view(ctx.before, branch));
    const va = ba.map((branch) => view(ctx.after, branch));
    const added = missingFrom(va, vb).length;
    const removed = missingFrom(vb, va).length;
    const verdict = (grew: boolean) => unionVerdict(side, union, grew);
    if (added && removed && bb.length === ba.length) {
      bb.forEach((branch, i) => compareSchemas(ctx, branch, ba[i], [...pointer, union, String(i)], field, stack));
      continue;
    }
    if (added)
      report(`composition-${verdict(true)}`, `${what}: ${added} ${union} branch${added > 1 ? "es" : ""} added`);
    if (removed)
      report(`composition-${verdict(false)}`, `${what}: ${removed} ${union} branch${removed > 1 ? "es" : ""} removed`);
  }

  // A discriminator added writes its values into the member types (more precise, nothing lost); one
  // removed or changed takes away or changes values the callers' types had.
  if (!same(before.discriminator, after.discriminator)) {
    const change =
      before.discriminator === undefined ? "added" : after.discriminator === undefined ? "removed" : "changed";
    ctx.report({
      rule: change === "added" ? "discriminator-added" : `${side}-discriminator-changed`,
      pointer: [...pointer, "discriminator"],
      message: `${what}: discriminator ${change}${change === "changed" ? ` from ${show(before.discriminator)} to ${show(after.discriminator)}` : ""}`,
    });
  }

  // Other JSON Schema constraints: added or tightened narrows a request, removed widens it.
  for (const keyword of CONSTRAINTS) {
    const [b, a] = [before[keyword], after[keyword]];
    const unset = (value: unknown) => value === undefined || (keyword === "uniqueItems" && value === false);
    if (same(b, a) || (unset(b) && unset(a))) continue;
    if (unset(b)) report("constraint-added", `${what}: ${keyword} ${show(a)} added`);
    else if (unset(a)) report("constraint-removed", `${what}: ${keyword} ${show(b)} removed`);
    else report("constraint-changed", `${what}: ${keyword} changed from ${show(b)} to ${show(a)}`);
  }

  // Documentation: what the generated types and the wire do not see.
  const docKeys = new Set([...Object.keys(before), ...Object.keys(after)].filter((k) => !HANDLED.has(k)));
  for (const keyword of [...docKeys].sort()) {
    if (same(before[keyword], after[keyword])) continue;
    ctx.report({
      rule: "schema-documentation-changed",
      pointer: [...pointer, keyword],
      message: `${what}: ${keyword} changed`,
    });
  }
}
