// Reading the document's security (Security Scheme and Security Requirement objects): where each
// scheme's credential goes on the wire, and which schemes each operation needs. Generated into the
// client's spec.ts, read by its auth middleware, its fake and spec:check's smoke test.
import { SpecPipelineError } from "./errors.ts";
import type { OpenApiDocument } from "./files.ts";
import { deref, type FoundOperation } from "./refs.ts";
import { at, isObject, own, stringAt } from "./json.ts";

/**
 * Where one scheme's credential goes. `token`: a string (or a supplier of one) placed as is after
 * `prefix` (apiKey, http bearer and other http schemes, oauth2, openIdConnect); `basic`: a username and
 * password, base64-encoded after "Basic "; `tls`: a client certificate the caller's own TLS set-up
 * presents (mutualTLS), so nothing goes in the request.
 */
export interface SchemePlacement {
  kind: "token" | "basic" | "tls";
  in: "header" | "query" | "cookie";
  name: string;
  prefix: string;
}

/** Alternatives, any one of which will do; each lists the schemes sent together ([] = anonymous). */
export type Requirement = string[][];

export interface AuthFacts {
  /** Every scheme some operation lists, in name order. */
  schemes: Record<string, SchemePlacement>;
  /** The scheme the `apiKey` option fills: the one every secured operation can use, else the first listed. */
  apiKeyScheme: string | undefined;
  /** What most operations require, so only the others are listed. */
  defaultSecurity: Requirement;
  /** "METHOD /path" -> its requirement, for the operations that differ from the default. */
  operationSecurity: Record<string, Requirement>;
}

/** Where a scheme's credential goes; undefined for a scheme OpenAPI does not define (no type we know). */
function placement(scheme: string, definition: unknown, source: string): SchemePlacement | undefined {
  const type = at(definition, "type");
  if (type === "apiKey") {
    const where = at(definition, "in");
    const name = stringAt(definition, "name");
    if ((where !== "header" && where !== "query" && where !== "cookie") || name === undefined)
      throw new SpecPipelineError(`${source}: apiKey scheme "${scheme}" needs in (header, query or cookie) and name`);
    return { kind: "token", in: where, name, prefix: "" };
  }
  const header = (kind: SchemePlacement["kind"], prefix: string) =>
    ({ kind, in: "header", name: "Authorization", prefix }) as const;
  const httpScheme = stringAt(definition, "scheme");
  if (type === "http" && httpScheme !== undefined) {
    const word = httpScheme.toLowerCase();
    return word === "basic"
      ? header("basic", "Basic ")
      : header("token", word === "bearer" ? "Bearer " : `${httpScheme} `);
  }
  if (type === "oauth2" || type === "openIdConnect") return header("token", "Bearer ");
  if (type === "mutualTLS") return { kind: "tls", in: "header", name: "", prefix: "" };
  return undefined;
}

/** An operation's requirement as alternatives of sorted scheme names, duplicates dropped. */
export function requirementOf(listed: unknown): Requirement {
  // A requirement that is not an object (null included) names no scheme: anonymous.
  const alternatives = (Array.isArray(listed) ? listed : []).map((r: unknown) =>
    isObject(r) ? Object.keys(r).sort() : [],
  );
  const seen = new Set<string>();
  return alternatives.filter((set) => !seen.has(set.join(" ")) && seen.add(set.join(" ")));
}

/**
 * The scheme every secured operation accepts on its own, else the first one any operation lists; a
 * token scheme before basic (the one string `apiKey` holds is a key or token: Stripe's secret key is
 * its bearer token), then by name.
 */
function apiKeySchemeOf(requirements: Requirement[], schemes: Record<string, SchemePlacement>): string | undefined {
  const secured = requirements.filter((alternatives) => alternatives.length > 0 && alternatives.every((s) => s.length));
  const candidates = secured.length ? secured : requirements;
  const rank = (name: string) => `${schemes[name]!.kind === "token" ? 0 : 1} ${name}`;
  const names = [...new Set(candidates.flatMap((alternatives) => alternatives.flat()))].sort((a, b) =>
    rank(a) < rank(b) ? -1 : 1,
  );
  const alone = (name: string) => (alternatives: Requirement) =>
    alternatives.some((set) => set.length === 1 && set[0] === name);
  return names.find((name) => secured.length > 0 && secured.every(alone(name))) ?? names[0];
}

export function authFacts(doc: OpenApiDocument, operations: readonly FoundOperation[], source: string): AuthFacts {
  const schemes: Record<string, SchemePlacement> = {};
  const known = (name: string) => {
    if (!Object.hasOwn(schemes, name)) {
      const where = placement(name, deref(doc, at(doc, "components", "securitySchemes", name)), source);
      if (!where) return false;
      schemes[name] = where;
    }
    return true;
  };
  // An alternative naming a scheme the document does not define (Redocly's security-defined reports
  // it) is one no client can fill: it is left out, and nothing is sent for it.
  const keyed = operations.map(({ method, path, op }) => {
    const requirement = requirementOf(own(op, "security") ?? own(doc, "security")).filter((set) => set.every(known));
    return { key: `${method.toUpperCase()} ${path}`, requirement, text: JSON.stringify(requirement) };
  });
  const counts = new Map<string, number>();
  for (const { text } of keyed) counts.set(text, (counts.get(text) ?? 0) + 1);
  // The first of the most common (Map keeps first-seen order; ties keep the earlier).
  const common = [...counts].reduce((best, entry) => (entry[1] > best[1] ? entry : best), ["[]", 0])[0];
  const operationSecurity = Object.fromEntries(
    keyed.filter(({ text }) => text !== common).map(({ key, requirement }) => [key, requirement]),
  );
  return {
    schemes: Object.fromEntries(Object.entries(schemes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    apiKeyScheme: apiKeySchemeOf(
      keyed.map(({ requirement }) => requirement),
      schemes,
    ),
    defaultSecurity: JSON.parse(common) as Requirement,
    operationSecurity,
  };
}
