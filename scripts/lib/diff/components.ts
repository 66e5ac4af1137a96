// Component schemas. openapi-typescript exports each as a type, and real APIs share a few across
// hundreds of operations (GitHub's `repository`, Stripe's `customer`, nested in each other): a change
// to one is judged once per side it is used on and reported once, with the operations it reaches,
// instead of once per operation and per path to it (Stripe 1.1.3 -> 1.1.4 was 330 000 lines). The
// components no operation uses are reported as one line per kind.
import type { OpenApiDocument } from "../files.ts";
import { refSegments, resolveRef } from "../refs.ts";
import { at, objectAt, own } from "../json.ts";
import { same } from "./identity.ts";
import { compareSchemas, type Found, type Side, type Site } from "./schema.ts";

interface Finding {
  found: Found;
  side: Side;
  owner?: string;
}

/**
 * Shared components met while operations' schemas are compared, then compared once per side, parents
 * before children (so every place a component is used is known when its turn comes). One used in a
 * single place is compared there, as if inline, and reads as before ("`POST /x`: request field `a`
 * removed"); one used in several, or in a cycle, is compared on its own and each finding names the
 * operations it reaches.
 */
export class SharedSchemas {
  /** "side name" -> the sites, by a key that makes the same site met twice one. */
  private readonly sites = new Map<string, Map<string, Site>>();

  constructor(
    private readonly before: OpenApiDocument,
    private readonly after: OpenApiDocument,
  ) {}

  /** The component both refs name, when it exists on both sides (else the refs are compared as schemas). */
  shared(rawBefore: unknown, rawAfter: unknown): string | undefined {
    const [rb, ra] = [own(rawBefore, "$ref"), own(rawAfter, "$ref")];
    if (typeof rb !== "string" || rb !== ra) return undefined;
    // 3.1 keywords beside the ref apply here only: compared here, unless both sides say the same.
    const { $ref: _b, ...siblingsBefore } = objectAt(rawBefore) ?? {};
    const { $ref: _a, ...siblingsAfter } = objectAt(rawAfter) ?? {};
    if (!same(siblingsBefore, siblingsAfter)) return undefined;
    const name = componentName(rb);
    const exists = (doc: OpenApiDocument) => name !== undefined && at(doc, "components", "schemas", name) !== undefined;
    return exists(this.before) && exists(this.after) ? name : undefined;
  }

  readonly log: [string, Site][] = [];

  use(name: string, side: Side, site: Site): void {
    this.log.push([name, site]);
    const key = `${side} ${name}`;
    let sites = this.sites.get(key);
    if (!sites) this.sites.set(key, (sites = new Map<string, Site>()));
    sites.set(`${site.subject}|${site.pointer.join("/")}|${site.field}|${site.owner ?? ""}`, site);
  }

  /** Compares every component met, in order, and reports what each found. */
  report(report: (found: Found) => void): void {
    const findings: Finding[] = [];
    const { order, cyclic } = this.order();
    for (const name of order)
      for (const side of ["request", "response"] as const) {
        const sites = [...(this.sites.get(`${side} ${name}`)?.values() ?? [])];
        if (sites.length === 0) continue;
        const [b, a] = [at(this.before, "components", "schemas", name), at(this.after, "components", "schemas", name)];
        const base = { side, before: this.before, after: this.after, shared: this };
        if (sites.length === 1 && !cyclic.has(name)) {
          const [site] = sites as [Site];
          const collect = (found: Found) => findings.push({ found, side, owner: site.owner });
          compareSchemas({ ...base, ...site, report: collect }, b, a, site.pointer, site.field);
        } else {
          const collect = (found: Found) => findings.push({ found, side, owner: name });
          const ctx = { ...base, subject: `schema \`${name}\``, user: `schema:${name}`, owner: name };
          compareSchemas({ ...ctx, report: collect }, b, a, ["components", "schemas", name]);
        }
      }
    // A component's findings all name the same operations: worked out once per component and side.
    const reaches = new Map<string, string>();
    for (const { found, side, owner } of findings) {
      if (owner === undefined) {
        report(found);
        continue;
      }
      let suffix = reaches.get(`${side} ${owner}`);
      if (suffix === undefined) {
        const operations = [...this.operations(owner, side, new Set())].sort();
        const more = operations.length > 3 ? ` and ${operations.length - 3} more` : "";
        suffix = ` (${side === "request" ? "sent" : "received"} by ${operations.slice(0, 3).join(", ")}${more})`;
        reaches.set(`${side} ${owner}`, suffix);
      }
      report({ ...found, message: found.message + suffix });
    }
  }

  /** The operations a component reaches on a side, through the components that use it. */
  private operations(name: string, side: Side, seen: Set<string>): Set<string> {
    const out = new Set<string>();
    if (seen.has(name)) return out;
    seen.add(name);
    for (const site of this.sites.get(`${side} ${name}`)?.values() ?? []) {
      if (site.user.startsWith("schema:"))
        for (const op of this.operations(site.user.slice(7), side, seen)) out.add(op);
      else out.add(site.user);
    }
    return out;
  }

  /**
   * Every component the ones met can reach through refs (on either side), parents first; the members
   * of a cycle (a component reaching itself) are compared on their own, never inline.
   */
  private order(): { order: string[]; cyclic: Set<string> } {
    const children = new Map<string, Set<string>>();
    const refsOf = (name: string) => {
      let found = children.get(name);
      if (found) return found;
      children.set(name, (found = new Set()));
      for (const doc of [this.before, this.after]) collectRefs(at(doc, "components", "schemas", name), found);
      return found;
    };
    const roots = new Set([...this.sites.keys()].map((key) => key.slice(key.indexOf(" ") + 1)));
    // Tarjan's strongly connected components; they come out children first.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const components: string[][] = [];
    const visit = (name: string): void => {
      index.set(name, index.size);
      low.set(name, index.get(name)!);
      stack.push(name);
      onStack.add(name);
      for (const child of refsOf(name)) {
        if (!index.has(child)) {
          visit(child);
          low.set(name, Math.min(low.get(name)!, low.get(child)!));
        } else if (onStack.has(child)) low.set(name, Math.min(low.get(name)!, index.get(child)!));
      }
      if (low.get(name) === index.get(name)) {
        const members: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          members.push(member);
        } while (member !== name);
        components.push(members);
      }
    };
    for (const root of roots) if (!index.has(root)) visit(root);
    const cyclic = new Set(components.filter((c) => c.length > 1 || refsOf(c[0]!).has(c[0]!)).flat());
    return { order: components.reverse().flat(), cyclic };
  }
}

/** "#/components/schemas/A" -> "A" (decoded); undefined for a ref anywhere else. */
function componentName(ref: string): string | undefined {
  const segments = refSegments(ref);
  return segments?.length === 3 && segments[0] === "components" && segments[1] === "schemas" ? segments[2] : undefined;
}

function collectRefs(node: unknown, into: Set<string>): void {
  if (typeof node !== "object" || node === null) return;
  for (const key in node) {
    const value = (node as Record<string, unknown>)[key];
    if (key === "$ref" && typeof value === "string") {
      const name = componentName(value);
      if (name !== undefined) into.add(name);
    } else collectRefs(value, into);
  }
}

/**
 * Component schemas: added and removed names (exported types), and changes to ones no operation uses.
 * openapi-typescript exports every component as a type, so such a change may break a service that
 * names the type; GitHub ships hundreds (webhook payloads), so they are one line per kind, with a count
 * and the names (in --json), not a line per field.
 */
export function compareComponents(
  before: OpenApiDocument,
  after: OpenApiDocument,
  report: (found: Found) => void,
): void {
  const [cb, ca] = [objectAt(before, "components", "schemas") ?? {}, objectAt(after, "components", "schemas") ?? {}];
  const names = (map: object, others: object) =>
    Object.keys(map)
      .filter((name) => own(others, name) === undefined)
      .sort();
  const grouped = (rule: string, what: string, list: string[]) => {
    if (list.length === 0) return;
    const shown = list.slice(0, 8).map((n) => `\`${n}\``);
    const more = list.length > 8 ? ` and ${list.length - 8} more` : "";
    report({ rule, pointer: ["components", "schemas"], message: `${what}: ${shown.join(", ")}${more}`, names: list });
  };
  grouped("component-schema-added", "component schemas added", names(ca, cb));
  grouped("component-schema-removed", "component schemas removed", names(cb, ca));
  const reachable = new Set([...reachableSchemas(before), ...reachableSchemas(after)]);
  const changed: string[] = [];
  const documented: string[] = [];
  for (const name of Object.keys(ca).sort()) {
    const [b, a] = [own(cb, name), own(ca, name)];
    if (b === undefined || reachable.has(name) || same(b, a)) continue;
    const verdict = unusedChange(before, after, name, b, a);
    if (verdict === "changed") changed.push(name);
    else if (verdict === "documentation") documented.push(name);
  }
  const count = (list: string[]) => `${list.length} component schema${list.length > 1 ? "s" : ""} no operation uses`;
  grouped("component-schema-changed", `${count(changed)} changed`, changed);
  grouped("schema-documentation-changed", `${count(documented)}: documentation changed`, documented);
}

/** Thrown to stop a comparison at its first real change; one instance, so no stack is taken per throw. */
const DECIDED = new Error("the comparison is decided");

/**
 * A type no operation uses could be sent or received, so it is compared as both; the first change
 * that is more than documentation decides (the rest of the walk is skipped).
 */
function unusedChange(
  before: OpenApiDocument,
  after: OpenApiDocument,
  name: string,
  b: unknown,
  a: unknown,
): "changed" | "documentation" | "none" {
  let documentation = false;
  const decide = (found: Found) => {
    if (found.rule !== "schema-documentation-changed" && !found.rule.endsWith("-restated")) throw DECIDED;
    documentation = true;
  };
  try {
    for (const side of ["request", "response"] as const)
      compareSchemas({ side, before, after, subject: `schema \`${name}\``, report: decide }, b, a, [
        "components",
        "schemas",
        name,
      ]);
  } catch (error) {
    if (error === DECIDED) return "changed";
    throw error;
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by decide(), a callback TypeScript's narrowing does not follow
  return documentation ? "documentation" : "none";
}

/** Component schemas reachable from any operation: their changes are reported with the operations they reach. */
function reachableSchemas(doc: OpenApiDocument): Set<string> {
  const seen = new Set<string>();
  const followed = new Set<string>();
  const visit = (node: unknown): void => {
    if (typeof node !== "object" || node === null) return;
    for (const key in node) {
      const value = (node as Record<string, unknown>)[key];
      if (key !== "$ref" || typeof value !== "string") {
        visit(value);
        continue;
      }
      const name = componentName(value);
      if (name !== undefined) {
        if (!seen.has(name)) {
          seen.add(name);
          visit(at(doc, "components", "schemas", name));
        }
      } else if (!followed.has(value)) {
        // A response, parameter, body or path item declared once in components and used by reference.
        followed.add(value);
        visit(resolveRef(doc, value));
      }
    }
  };
  visit(doc.paths);
  return seen;
}
