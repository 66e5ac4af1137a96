// A schema as the diff engine reads it (a view): refs followed, 3.0 spellings in their 3.1 form,
// FastAPI's nullable wrapper (anyOf [X, null]) read as X or null, allOf members merged into their parent.
// Built once per schema object and document, and remembered until the next comparison starts.
import type { OpenApiDocument } from "../files.ts";
import { deref } from "../refs.ts";
import { arrayAt, entriesOf, isObject, own, stringAt, stringsAt, type JsonObject } from "../json.ts";
import { same } from "./identity.ts";

export type Schema = JsonObject;

// Views are built once per schema object and compared by `same` (identity.ts, remembered): a shared
// component is seen from every operation that uses it.
let views = new WeakMap<object, WeakMap<object, Schema>>();

/** The schema itself: refs followed, nullable wrappers unwrapped, allOf members merged in. */
export function view(doc: OpenApiDocument, raw: unknown, depth = 0): Schema {
  if (typeof raw !== "object" || raw === null) return build(doc, raw, depth);
  let cache = views.get(doc);
  if (!cache) views.set(doc, (cache = new WeakMap()));
  let found = cache.get(raw);
  if (!found) cache.set(raw, (found = build(doc, raw, depth)));
  return found;
}

function build(doc: OpenApiDocument, raw: unknown, depth: number): Schema {
  // OpenAPI 3.1: keywords beside a $ref apply too (the ref is one allOf member, the siblings another).
  const ref = stringAt(raw, "$ref");
  if (ref !== undefined && isObject(raw) && Object.keys(raw).length > 1 && depth < 32) {
    const { $ref: _, ...siblings } = raw;
    return mergeInto(build(doc, siblings, depth + 1), view(doc, { $ref: ref }, depth + 1));
  }
  const resolved = resolve(doc, raw);
  if (resolved === false) return { not: {} };
  // true, a ref that leads nowhere, and what is no schema at all accept anything.
  if (!isObject(resolved)) return {};
  let schema: Schema = { ...resolved };
  delete schema.$ref;
  // OpenAPI 3.0's boolean exclusive flags, spelled the 3.1 way: the same range is the same schema.
  for (const [flag, bound] of [
    ["exclusiveMinimum", "minimum"],
    ["exclusiveMaximum", "maximum"],
  ] as const) {
    if (typeof schema[flag] !== "boolean") continue;
    /* eslint-disable @typescript-eslint/no-dynamic-delete -- keywords of the list above, from this view's own copy */
    if (schema[flag] && typeof schema[bound] === "number") {
      schema[flag] = schema[bound];
      delete schema[bound];
    } else delete schema[flag];
    /* eslint-enable @typescript-eslint/no-dynamic-delete */
  }
  if (schema.nullable === true) {
    schema.type = withNull(schema.type);
    delete schema.nullable;
  }
  for (const union of ["anyOf", "oneOf"] as const) {
    const branches = arrayAt(schema, union);
    if (!branches) continue;
    const isNull = (branch: unknown) => same(view(doc, branch, depth + 1), NULL_TYPE);
    const rest = branches.filter((branch) => !isNull(branch));
    // anyOf [X, {type: null}] (FastAPI's Optional[X]) is X that may be null; when X is itself a union
    // (no type to add null to), the null joins its branches.
    if (rest.length === 1 && branches.length === 2) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- anyOf or oneOf, from this view's own copy
      delete schema[union];
      const inner = view(doc, rest[0], depth + 1);
      const nested =
        inner.type === undefined ? (["anyOf", "oneOf"] as const).find((u) => Array.isArray(inner[u])) : undefined;
      const merged = { ...inner, ...schema };
      if (nested) merged[nested] = [...(arrayAt(inner, nested) ?? []), NULL_TYPE];
      else merged.type = withNull(inner.type);
      if (merged.type === undefined) delete merged.type;
      schema = merged;
    }
  }
  const allOf = arrayAt(schema, "allOf");
  if (allOf && depth < 32) {
    const members = allOf.map((member) => view(doc, member, depth + 1));
    delete schema.allOf;
    for (const member of members) schema = mergeInto(schema, member);
  }
  return schema;
}

/** allOf: properties and required united, the rest of a member kept where the parent says nothing. */
function mergeInto(target: Schema, member: Schema): Schema {
  const out: Schema = { ...member, ...target };
  if (member.properties || target.properties)
    out.properties = Object.fromEntries([...entriesOf(member.properties), ...entriesOf(target.properties)]);
  if (member.required || target.required)
    out.required = [...new Set([...stringsAt(target, "required"), ...stringsAt(member, "required")])];
  if (member.type !== undefined && target.type !== undefined) {
    const allowed = new Set([member.type].flat());
    const common = [target.type].flat().filter((type) => allowed.has(type));
    out.type = common.length === 1 ? common[0] : common;
  }
  return out;
}

let targets = new WeakMap<object, Map<string, unknown>>();

/** Called when a comparison starts (see forgetIdentities). */
export function forgetViews(): void {
  [views, targets] = [new WeakMap(), new WeakMap()];
}

/** deref, each ref followed once per document: the same component is reached from every operation. */
export function resolve(doc: OpenApiDocument, node: unknown): unknown {
  const ref = own(node, "$ref");
  if (typeof ref !== "string") return node;
  let known = targets.get(doc);
  if (!known) targets.set(doc, (known = new Map<string, unknown>()));
  if (!known.has(ref)) known.set(ref, deref(doc, { $ref: ref }));
  return known.get(ref);
}

export const NULL_TYPE = { type: "null" };

/** A type without null: a list of one becomes its element. */
export function withoutNull(type: unknown): unknown {
  if (!Array.isArray(type)) return type;
  const rest = type.filter((t) => t !== "null");
  return rest.length === 1 ? rest[0] : rest;
}

/** A type (string or list; undefined for any) that also allows null. */
export const withNull = (type: unknown) =>
  type === undefined ? undefined : [...new Set([type].flat().concat("null"))];
