// Two OpenAPI documents walked operation by operation: paths matched by their template (so a renamed
// path parameter is a rename, not a removal and an addition), parameters merged from path level and
// operation level (the operation's win, matched by name + in; header names ignore case), bodies and
// responses by media type, security by what the operations require. Schemas go to schema.ts with the
// side they are on.
import type { OpenApiDocument } from "../files.ts";
import { own } from "../refs.ts";
import { stableJson } from "../schema-canonical.ts";
import { same } from "./identity.ts";
import { compareSchemas, resolve, type Found, type Side } from "./schema.ts";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const json = stableJson;
const differ = (a: unknown, b: unknown) => !same(a, b);
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
    const item = resolve(doc, rawItem) ?? {};
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
    const param = resolve(doc, raw);
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
    if (same(before[key], after[key])) continue;
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
    if (differ(op.node[key], next.node[key]))
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
    if (differ(op.node[key], next.node[key]))
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
      if (differ(param[key], now[key]))
        report({
          rule: "request-parameter-serialization-changed",
          pointer: [...pointer, "parameters"],
          message: `${subject}: ${key} changed`,
        });
    for (const key of ["description", "example", "examples", "deprecated"])
      if (differ(param[key], now[key]))
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
  const [bb, ba] = [resolve(before, op.node.requestBody), resolve(after, next.node.requestBody)];
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
    if (differ(bb.description, ba.description))
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
    const [before_, after_] = [resolve(before, rb[status]) ?? {}, resolve(after, ra[status]) ?? {}];
    const subject = `${label}: response ${status}`;
    if (differ(before_.description, after_.description))
      report({ rule: "schema-documentation-changed", pointer: where, message: `${subject}: description changed` });
    const headers = (node: Node, doc: OpenApiDocument) =>
      new Map(
        Object.entries<Node>(node.headers ?? {}).map(([name, h]) => [
          name.toLowerCase(),
          { name, header: resolve(doc, h) ?? {} },
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
        if (differ(mb[type][key], ma[type][key]))
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
    else if (differ(b, a)) {
      const wire = (s: Node) => json([s.type, s.in, s.name, s.scheme]);
      report({
        rule: wire(b) !== wire(a) && usedAfter.has(name) ? "security-scheme-changed" : "document-changed",
        pointer,
        message: `security scheme \`${name}\` changed`,
      });
    }
  }
}

/**
 * Component schemas: added and removed names (exported types), and changes to ones no operation uses.
 * openapi-typescript exports every component as a type, so such a change may break a service that
 * names the type; GitHub ships hundreds (webhook payloads), so they are one line per kind, with a count
 * and the names (in --json), not a line per field.
 */
function compareComponents(before: OpenApiDocument, after: OpenApiDocument, report: (found: Found) => void): void {
  const [cb, ca] = [before.components?.schemas ?? {}, after.components?.schemas ?? {}];
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

const DECIDED = Symbol("decided");

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
  return documentation ? "documentation" : "none";
}

/** Component schemas reachable from any operation: their changes are reported at the operation. */
function reachableSchemas(doc: OpenApiDocument): Set<string> {
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (typeof node !== "object" || node === null) return;
    for (const key in node) {
      const value = (node as Record<string, unknown>)[key];
      if (key === "$ref" && typeof value === "string") {
        const name = value.startsWith("#/components/schemas/") ? value.slice(21) : undefined;
        if (name !== undefined && !seen.has(name)) {
          seen.add(name);
          visit(own(doc.components?.schemas, name));
        }
      } else visit(value);
    }
  };
  visit(doc.paths);
  return seen;
}
