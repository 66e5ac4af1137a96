// Two schemas compared for one side of the exchange: a request schema says what callers may send, a
// response schema what they may receive, so the same edit is minor on one side and major on the
// other (rules.ts). Refs are followed; FastAPI's nullable wrapper (anyOf [X, null]) reads as X or
// null; allOf members are merged into their parent; readOnly properties do not exist in requests nor
// writeOnly ones in responses (the generated types mark them the same way).
import type { OpenApiDocument } from "../files.ts";
import { arrayAt, entriesOf, own, stringsAt } from "../json.ts";
import { hasRef, missingFrom, same } from "./identity.ts";
import {
  checkBounds,
  checkConstraints,
  checkDiscriminator,
  checkDocumentation,
  checkEnums,
  checkFormatAndPattern,
  checkTypes,
  show,
  type Check,
} from "./keywords.ts";
import type { Found, SchemaContext, Side, Site } from "./types.ts";
import { forgetViews, NULL_TYPE, resolve, view, withNull, withoutNull, type Schema } from "./views.ts";

export type { Found, SchemaContext, Side, Site };

/**
 * A union's branches changing. Request, anyOf: a branch added widens what is accepted, one removed
 * narrows it. Request, oneOf ("exactly one"): a branch added accepts what only it matches and refuses
 * what now matches two; a branch removed refuses what only it matched and accepts what matched it and
 * another: either way some values move, so it is changed. Response: the types are unions either way; a
 * branch added is a new shape to handle, one removed only promises more.
 */
const unionVerdict = (side: Side, union: "anyOf" | "oneOf", grew: boolean) =>
  side === "request" && union === "oneOf" ? "changed" : grew ? "widened" : "narrowed";

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
    ctx.shared!.use(component, ctx.side, siteOf(ctx, pointer, field));
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
    for (const use of replay.uses)
      ctx.shared?.use(use.name, ctx.side, siteOf(ctx, [...pointer, ...use.pointer], use.field));
    return;
  }
  const seen: Found[] = [];
  const mark = ctx.shared?.log.length ?? 0;
  const cutsBefore = cuts;
  const counting: SchemaContext = {
    ...ctx,
    report: (finding) => {
      seen.push(finding);
      ctx.report(finding);
    },
  };
  compareViews(counting, rawBefore, rawAfter, pointer, field, stack);
  // A comparison the recursion guard cut short depends on where it was entered: never remembered.
  if (cuts !== cutsBefore || !pair) return;
  const metCount = (ctx.shared?.log.length ?? 0) - mark;
  if (seen.length === 0 && metCount === 0) {
    forPair(clean, kb, ka, () => new Set()).add(ctx.side);
    return;
  }
  if (!top) return;
  const met = ctx.shared?.log.slice(mark) ?? [];
  if (
    seen.every((f) => f.message.startsWith(ctx.subject) && startsWith(f.pointer, pointer)) &&
    met.every(([, site]) => startsWith(site.pointer, pointer))
  )
    forPair(found, kb, ka, () => new Map()).set(ctx.side, {
      findings: seen.map((f) => ({
        rule: f.rule,
        pointer: f.pointer.slice(pointer.length),
        message: f.message.slice(ctx.subject.length),
      })),
      uses: met.map(([name, site]) => ({ name, pointer: site.pointer.slice(pointer.length), field: site.field })),
    });
}

/** The entry a cache keyed by a pair of schema objects holds for them, made on first use. */
function forPair<T>(cache: WeakMap<object, WeakMap<object, T>>, before: object, after: object, make: () => T): T {
  let inner = cache.get(before);
  if (!inner) cache.set(before, (inner = new WeakMap()));
  let entry = inner.get(after);
  if (entry === undefined) inner.set(after, (entry = make()));
  return entry;
}

/** Where a shared component is met: this comparison, to be resumed there if it is the only place. */
function siteOf(ctx: SchemaContext, pointer: string[], field: string): Site {
  const { subject, user = ctx.subject, owner } = ctx;
  return { subject, pointer, field, user, ...(owner !== undefined && { owner }) };
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

  // Types, enums, format and pattern, bounds (keywords.ts); a different kind of value altogether says
  // nothing more about what it holds.
  const check: Check = { side, what, pointer, report, reportAs: ctx.report };
  if (checkTypes(check, before, after) === "changed") return;
  checkEnums(check, before, after);
  checkFormatAndPattern(check, before, after);
  checkBounds(check, before, after);

  // Properties, seen from this side.
  const names = new Set([...entriesOf(before.properties), ...entriesOf(after.properties)].map(([name]) => name));
  const [rb, ra] = [new Set(stringsAt(before, "required")), new Set(stringsAt(after, "required"))];
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
    const [bb, ba] = [arrayAt(before, union), arrayAt(after, union)];
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

  // Discriminator, the other JSON Schema constraints, documentation (keywords.ts).
  checkDiscriminator(check, before, after);
  checkConstraints(check, before, after);
  checkDocumentation(check, before, after);
}
