// Two OpenAPI documents walked operation by operation: paths matched by their template (so a renamed
// path parameter is a rename, not a removal and an addition), parameters merged from path level and
// operation level (the operation's win, matched by name + in; header names ignore case), bodies and
// responses by media type, security by what the operations require. Schemas go to schema.ts with the
// side they are on.
import type { OpenApiDocument } from "../files.ts";
import { deref, own } from "../refs.ts";
import { stableJson } from "../schema-canonical.ts";
import { compareSchemas, type Found, type Side } from "./schema.ts";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const json = stableJson;
const show = (value: unknown) => `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;
const template = (path: string) => path.replace(/\{[^}]*\}/g, "{}");
const pathParams = (path: string) => [...path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!);

type Node = Record<string, any>;
interface Operation {
  path: string;
  method: string;
  node: Node;
  item: Node;
}

function operationsOf(doc: OpenApiDocument): Map<string, Operation> {
  const out = new Map<string, Operation>();
  for (const [path, rawItem] of Object.entries<Node>(doc.paths ?? {})) {
    const item = deref(doc, rawItem) ?? {};
    for (const method of METHODS) {
      const node = own(item, method);
      if (node) out.set(`${method} ${template(path)}`, { path, method, node, item });
    }
  }
  return out;
}

/** Effective parameters: path level overridden by operation level; keyed by in + name (path ones by position). */
function parametersOf(doc: OpenApiDocument, { path, node, item }: Operation): Map<string, Node> {
  const out = new Map<string, Node>();
  const positions = pathParams(path);
  for (const raw of [...(item.parameters ?? []), ...(node.parameters ?? [])]) {
    const param = deref(doc, raw);
    if (!param?.name || !param.in) continue;
    const key =
      param.in === "path"
        ? `path:${positions.indexOf(param.name)}`
        : `${param.in}:${param.in === "header" ? String(param.name).toLowerCase() : param.name}`;
    out.set(key, param);
  }
  return out;
}

export interface DocumentDiffOptions {
  report(found: Found): void;
}

/** Walks both documents and reports every difference with its rule. */
export function compareDocuments(
  before: OpenApiDocument,
  after: OpenApiDocument,
  { report }: DocumentDiffOptions,
): void {
  const [ob, oa] = [operationsOf(before), operationsOf(after)];
  const at = (...segments: string[]) => segments;
  for (const [key, op] of ob) {
    const next = oa.get(key);
    const label = `\`${op.method.toUpperCase()} ${op.path}\``;
    if (!next)
      report({
        rule: "operation-removed",
        pointer: at("paths", op.path, op.method),
        message: `${label}: operation removed`,
      });
  }
  for (const [key, next] of oa) {
    const op = ob.get(key);
    const label = `\`${next.method.toUpperCase()} ${op?.path ?? next.path}\``;
    const pointer = ["paths", next.path, next.method];
    if (!op) {
      report({ rule: "operation-added", pointer, message: `${label}: operation added` });
      continue;
    }
    if (op.path !== next.path) {
      report({ rule: "path-parameter-renamed", pointer, message: `\`${op.path}\`: path is now \`${next.path}\`` });
      const [nb, na] = [pathParams(op.path), pathParams(next.path)];
      nb.forEach((name, i) => {
        if (name !== na[i])
          report({
            rule: "path-parameter-renamed",
            pointer,
            message: `${label}: path parameter \`${name}\` renamed to \`${na[i]}\``,
          });
      });
    }
    compareOperation(before, after, op, next, label, pointer, report);
  }
  compareSecurity(before, after, ob, oa, report);
  compareComponents(before, after, report);
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (["paths", "components", "security", "openapi"].includes(key)) continue;
    if (json(before[key]) === json(after[key])) continue;
    if (key === "servers")
      report({
        rule: "server-changed",
        pointer: ["servers"],
        message: `servers changed from ${show(before.servers ?? [])} to ${show(after.servers ?? [])}`,
      });
    else report({ rule: "document-changed", pointer: [key], message: `${key} changed` });
  }
}

function compareOperation(
  before: OpenApiDocument,
  after: OpenApiDocument,
  op: Operation,
  next: Operation,
  label: string,
  pointer: string[],
  report: (found: Found) => void,
): void {
  const schemas = (side: Side, subject: string, b: unknown, a: unknown, where: string[]) =>
    compareSchemas({ side, before, after, subject, report }, b, a, where);

  // Documentation and deprecation.
  for (const key of ["summary", "description", "operationId", "tags", "externalDocs"]) {
    if (json(op.node[key]) !== json(next.node[key]))
      report({
        rule: "operation-documentation-changed",
        pointer: [...pointer, key],
        message: `${label}: ${key} changed`,
      });
  }
  const deprecated = (node: Node) => node.deprecated === true;
  if (deprecated(op.node) !== deprecated(next.node))
    report({
      rule: deprecated(next.node) ? "operation-deprecated" : "operation-undeprecated",
      pointer: [...pointer, "deprecated"],
      message: `${label}: ${deprecated(next.node) ? "deprecated" : "no longer deprecated"}`,
    });
  for (const key of new Set([...Object.keys(op.node), ...Object.keys(next.node)].filter((k) => k.startsWith("x-")))) {
    if (json(op.node[key]) !== json(next.node[key]))
      report({
        rule:
          key === "x-sunset" && next.node[key] === undefined
            ? "operation-undeprecated"
            : "operation-documentation-changed",
        pointer: [...pointer, key],
        message: `${label}: ${key} ${next.node[key] === undefined ? "removed" : op.node[key] === undefined ? "added" : "changed"}`,
      });
  }

  // Parameters.
  const [pb, pa] = [parametersOf(before, op), parametersOf(after, next)];
  for (const [key, param] of pb) {
    const subject = `${label}: ${param.in} parameter \`${param.name}\``;
    const now = pa.get(key);
    if (!now) {
      report({ rule: "request-parameter-removed", pointer: [...pointer, "parameters"], message: `${subject} removed` });
      continue;
    }
    const required = (p: Node) => p.required === true || p.in === "path";
    if (!required(param) && required(now))
      report({
        rule: "request-parameter-became-required",
        pointer: [...pointer, "parameters"],
        message: `${subject} is now required`,
      });
    if (required(param) && !required(now))
      report({
        rule: "request-parameter-became-optional",
        pointer: [...pointer, "parameters"],
        message: `${subject} is no longer required`,
      });
    for (const key of ["style", "explode", "allowReserved"])
      if (json(param[key]) !== json(now[key]))
        report({
          rule: "request-parameter-serialization-changed",
          pointer: [...pointer, "parameters"],
          message: `${subject}: ${key} changed`,
        });
    for (const key of ["description", "example", "examples", "deprecated"])
      if (json(param[key]) !== json(now[key]))
        report({
          rule: "schema-documentation-changed",
          pointer: [...pointer, "parameters"],
          message: `${subject}: ${key} changed`,
        });
    schemas("request", subject, param.schema ?? mediaSchema(param.content), now.schema ?? mediaSchema(now.content), [
      ...pointer,
      "parameters",
      String(now.name),
    ]);
  }
  for (const [key, param] of pa) {
    if (pb.has(key)) continue;
    const required = param.required === true || param.in === "path";
    report({
      rule: `request-parameter-added-${required ? "required" : "optional"}`,
      pointer: [...pointer, "parameters"],
      message: `${label}: ${param.in} parameter \`${param.name}\` added${required ? " (required)" : ""}`,
    });
  }

  // Request body.
  const [bb, ba] = [deref(before, op.node.requestBody), deref(after, next.node.requestBody)];
  const bodyAt = [...pointer, "requestBody"];
  if (bb && !ba) report({ rule: "request-body-removed", pointer: bodyAt, message: `${label}: request body removed` });
  if (!bb && ba)
    report({
      rule: `request-body-added-${ba.required ? "required" : "optional"}`,
      pointer: bodyAt,
      message: `${label}: request body added${ba.required ? " (required)" : ""}`,
    });
  if (bb && ba) {
    if (!bb.required && ba.required)
      report({
        rule: "request-body-became-required",
        pointer: bodyAt,
        message: `${label}: request body is now required`,
      });
    if (bb.required && !ba.required)
      report({
        rule: "request-body-became-optional",
        pointer: bodyAt,
        message: `${label}: request body is no longer required`,
      });
    if (json(bb.description) !== json(ba.description))
      report({
        rule: "schema-documentation-changed",
        pointer: bodyAt,
        message: `${label}: request body description changed`,
      });
    compareContent("request", `${label}: request`, bb.content, ba.content, [...bodyAt, "content"]);
  }

  // Responses.
  const [rb, ra] = [op.node.responses ?? {}, next.node.responses ?? {}];
  for (const status of Object.keys(rb))
    if (!(status in ra))
      report({
        rule: "response-removed",
        pointer: [...pointer, "responses", status],
        message: `${label}: response ${status} removed`,
      });
  for (const status of Object.keys(ra)) {
    const where = [...pointer, "responses", status];
    if (!(status in rb)) {
      report({ rule: "response-added", pointer: where, message: `${label}: response ${status} added` });
      continue;
    }
    const [before_, after_] = [deref(before, rb[status]) ?? {}, deref(after, ra[status]) ?? {}];
    const subject = `${label}: response ${status}`;
    if (json(before_.description) !== json(after_.description))
      report({ rule: "schema-documentation-changed", pointer: where, message: `${subject}: description changed` });
    const headers = (node: Node, doc: OpenApiDocument) =>
      new Map(
        Object.entries<Node>(node.headers ?? {}).map(([name, h]) => [
          name.toLowerCase(),
          { name, header: deref(doc, h) ?? {} },
        ]),
      );
    const [hb, ha] = [headers(before_, before), headers(after_, after)];
    for (const [key, { name, header }] of hb) {
      const now = ha.get(key);
      const hSubject = `${subject} header \`${name}\``;
      if (!now) {
        report({ rule: "response-header-removed", pointer: [...where, "headers"], message: `${hSubject} removed` });
        continue;
      }
      if (header.required && !now.header.required)
        report({
          rule: "response-header-became-optional",
          pointer: [...where, "headers"],
          message: `${hSubject} is no longer required`,
        });
      if (!header.required && now.header.required)
        report({
          rule: "response-header-became-required",
          pointer: [...where, "headers"],
          message: `${hSubject} is now required`,
        });
      schemas(
        "response",
        hSubject,
        header.schema ?? mediaSchema(header.content),
        now.header.schema ?? mediaSchema(now.header.content),
        [...where, "headers", name],
      );
    }
    for (const [key, { name }] of ha)
      if (!hb.has(key))
        report({
          rule: "response-header-added",
          pointer: [...where, "headers"],
          message: `${subject} header \`${name}\` added`,
        });
    compareContent("response", subject, before_.content, after_.content, [...where, "content"]);
  }

  function compareContent(side: Side, subject: string, cb: Node | undefined, ca: Node | undefined, where: string[]) {
    const [mb, ma] = [cb ?? {}, ca ?? {}];
    for (const type of Object.keys(mb))
      if (!(type in ma))
        report({
          rule: `${side}-media-type-removed`,
          pointer: [...where, type],
          message: `${subject}: media type \`${type}\` removed`,
        });
    for (const type of Object.keys(ma)) {
      if (!(type in mb)) {
        report({
          rule: `${side}-media-type-added`,
          pointer: [...where, type],
          message: `${subject}: media type \`${type}\` added`,
        });
        continue;
      }
      const named = type === "application/json" || Object.keys(ma).length === 1 ? subject : `${subject} (${type})`;
      schemas(side, named, mb[type].schema, ma[type].schema, [...where, type, "schema"]);
      for (const key of ["example", "examples"])
        if (json(mb[type][key]) !== json(ma[type][key]))
          report({
            rule: "schema-documentation-changed",
            pointer: [...where, type, key],
            message: `${named}: ${key} changed`,
          });
    }
  }
}

function mediaSchema(content: Node | undefined): unknown {
  const first = Object.values(content ?? {})[0] as Node | undefined;
  return first?.schema;
}

/** Security: what each operation requires, and the schemes those requirements name. */
function compareSecurity(
  before: OpenApiDocument,
  after: OpenApiDocument,
  ob: Map<string, Operation>,
  oa: Map<string, Operation>,
  report: (found: Found) => void,
): void {
  const requirements = (doc: OpenApiDocument, op: Operation) =>
    new Set<string>(((op.node.security ?? doc.security ?? []) as Node[]).map((r) => json(Object.keys(r).sort())));
  const used = (doc: OpenApiDocument, ops: Map<string, Operation>) => {
    const names = new Set<string>();
    for (const op of ops.values())
      for (const r of (op.node.security ?? doc.security ?? []) as Node[]) Object.keys(r).forEach((n) => names.add(n));
    return names;
  };
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
  const [kb, ka] = [before.components?.securitySchemes ?? {}, after.components?.securitySchemes ?? {}];
  const usedAfter = used(after, oa);
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
    else if (json(b) !== json(a)) {
      const wire = (s: Node) => json([s.type, s.in, s.name, s.scheme]);
      report({
        rule: wire(b) !== wire(a) && usedAfter.has(name) ? "security-scheme-changed" : "document-changed",
        pointer,
        message: `security scheme \`${name}\` changed`,
      });
    }
  }
}

/** Component schemas: added and removed names (exported types); changes to ones no operation uses. */
function compareComponents(before: OpenApiDocument, after: OpenApiDocument, report: (found: Found) => void): void {
  const [cb, ca] = [before.components?.schemas ?? {}, after.components?.schemas ?? {}];
  const added = Object.keys(ca)
    .filter((name) => own(cb, name) === undefined)
    .sort();
  const removed = Object.keys(cb)
    .filter((name) => own(ca, name) === undefined)
    .sort();
  const list = (names: string[]) =>
    names.length > 8
      ? `${names
          .slice(0, 8)
          .map((n) => `\`${n}\``)
          .join(", ")} and ${names.length - 8} more`
      : names.map((n) => `\`${n}\``).join(", ");
  if (added.length)
    report({
      rule: "component-schema-added",
      pointer: ["components", "schemas"],
      message: `component schemas added: ${list(added)}`,
    });
  if (removed.length)
    report({
      rule: "component-schema-removed",
      pointer: ["components", "schemas"],
      message: `component schemas removed: ${list(removed)}`,
    });
  const reachable = new Set([...reachableSchemas(before), ...reachableSchemas(after)]);
  for (const name of Object.keys(ca)) {
    const [b, a] = [own(cb, name), own(ca, name)];
    if (b === undefined || reachable.has(name) || json(b) === json(a)) continue;
    // A type no operation uses: both sides are possible, so the worse reading counts.
    const found: Found[] = [];
    for (const side of ["request", "response"] as const)
      compareSchemas({ side, before, after, subject: `schema \`${name}\``, report: (f) => found.push(f) }, b, a, [
        "components",
        "schemas",
        name,
      ]);
    const docOnly = found.every((f) => f.rule === "schema-documentation-changed" || f.rule.endsWith("range-restated"));
    for (const f of found.filter((f) => f.rule.startsWith("request-") || docOnly))
      report({
        ...f,
        rule: docOnly ? "schema-documentation-changed" : "component-schema-changed",
        message: f.message.replace(/^schema (`[^`]+`) field/, "schema $1, field"),
      });
  }
}

/** Component schemas reachable from any operation: their changes are reported at the operation. */
function reachableSchemas(doc: OpenApiDocument): Set<string> {
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== "object" || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      const match = key === "$ref" && typeof value === "string" ? /^#\/components\/schemas\/(.+)$/.exec(value) : null;
      if (match && !seen.has(match[1]!)) {
        seen.add(match[1]!);
        visit(own(doc.components?.schemas, match[1]!));
      } else visit(value);
    }
  };
  visit(doc.paths);
  return seen;
}
