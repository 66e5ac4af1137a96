// Security, by what a caller of the generated client must do. The client takes one credential and puts
// it where the operations' scheme says, on every request: a requirement added or removed, or a scheme
// sending it elsewhere, asks nothing of callers (a notice); the operations needing another kind of
// credential (a token where a key was) asks them to obtain it (major).
import type { OpenApiDocument } from "../files.ts";
import { objectAt, own, stringAt, type JsonObject } from "../json.ts";
import { requirementOf } from "../security.ts";
import { stableJson as json } from "../schema-canonical.ts";
import type { Operation } from "./operations.ts";
import { differ } from "./identity.ts";
import type { Found } from "./schema.ts";

/** Security: what each operation requires, and the schemes those requirements name. */
export function compareSecurity(
  before: OpenApiDocument,
  after: OpenApiDocument,
  ob: Map<string, Operation>,
  oa: Map<string, Operation>,
  report: (found: Found) => void,
): void {
  const listed = (doc: OpenApiDocument, op: Operation) =>
    requirementOf(own(op.node, "security") ?? own(doc, "security"));
  const requirements = (doc: OpenApiDocument, op: Operation) => new Set(listed(doc, op).map((names) => json(names)));
  const used = (doc: OpenApiDocument, ops: Map<string, Operation>) =>
    new Set([...ops.values()].flatMap((op) => listed(doc, op).flat()));
  for (const [key, next] of oa) {
    const op = ob.get(key);
    if (!op) continue;
    const [sb, sa] = [requirements(before, op), requirements(after, next)];
    const label = `\`${next.method.toUpperCase()} ${next.path}\``;
    for (const [now, was, change] of [
      [sa, sb, "added"],
      [sb, sa, "removed"],
    ] as const)
      for (const r of now)
        if (!was.has(r))
          report({
            rule: `operation-security-${change}`,
            pointer: ["paths", next.path, next.method, "security"],
            message: `${label}: security requirement ${r} ${change}`,
          });
  }
  const [kb, ka] = [
    objectAt(before, "components", "securitySchemes") ?? {},
    objectAt(after, "components", "securitySchemes") ?? {},
  ];
  const usedAfter = used(after, oa);
  // What a caller must hand the client: the kinds of credential the operations' schemes take.
  const kinds = (schemes: JsonObject, names: Set<string>) =>
    new Set([...names].map((name) => credentialKind(own(schemes, name))).filter((kind) => kind !== undefined));
  // With no scheme at all the client still asks for its one option, an API key (apiKey).
  const [was, now] = [kinds(kb, used(before, ob)), kinds(ka, usedAfter)];
  if (was.size === 0) was.add("an API key");
  for (const kind of now)
    if (!was.has(kind))
      report({
        rule: "security-credential-changed",
        pointer: ["components", "securitySchemes"],
        message: `the operations now take ${kind}${was.size ? `, not ${[...was].join(" or ")}` : ""}`,
      });
  for (const name of new Set([...Object.keys(kb), ...Object.keys(ka)])) {
    const [b, a] = [own(kb, name), own(ka, name)];
    const pointer = ["components", "securitySchemes", name];
    if (b && !a)
      report({
        rule: usedAfter.has(name) ? "security-scheme-changed" : "security-scheme-removed",
        pointer,
        message: `security scheme \`${name}\` removed`,
      });
    else if (!b && a) report({ rule: "security-scheme-added", pointer, message: `security scheme \`${name}\` added` });
    else if (differ(b, a)) {
      const wire = (s: unknown) => json(["type", "in", "name", "scheme"].map((key) => own(s, key)));
      report({
        rule: wire(b) !== wire(a) && usedAfter.has(name) ? "security-scheme-changed" : "document-changed",
        pointer,
        message: `security scheme \`${name}\` changed`,
      });
    }
  }
}

/** The kind of credential a scheme takes from the caller (the client puts it where the scheme says). */
function credentialKind(scheme: unknown): string | undefined {
  if (!scheme) return undefined;
  const type = own(scheme, "type");
  if (type === "apiKey") return "an API key";
  if (type === "http")
    return stringAt(scheme, "scheme")?.toLowerCase() === "basic" ? "basic credentials" : "a bearer token";
  if (type === "oauth2" || type === "openIdConnect") return "a bearer token";
  return `a ${typeof type === "string" ? type : JSON.stringify(type)} credential`;
}
