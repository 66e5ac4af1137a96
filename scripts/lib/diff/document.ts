// Two OpenAPI documents walked operation by operation: paths matched by their template (so a renamed
// path parameter is a rename, not a removal and an addition), parameters merged from path level and
// operation level (the operation's win, matched by name + in; header names ignore case), bodies and
// responses by media type, security by what the operations require. Schemas go to schema.ts with the
// side they are on.
import type { OpenApiDocument } from "../files.ts";
import { differ, same } from "./identity.ts";
import { show } from "./keywords.ts";
import { compareComponents, SharedSchemas } from "./components.ts";
import { compareSecurity } from "./security.ts";
import { compareSchemas, type Found, type Side } from "./schema.ts";
import { operationsOf, parametersOf, pathParams, type Node, type Operation } from "./operations.ts";
import { resolve } from "./views.ts";
import { entriesOf, objectAt, own } from "../json.ts";

export interface DocumentDiffOptions {
  report: (found: Found) => void;
}

/** Walks both documents and reports every difference with its rule. */
export function compareDocuments(
  before: OpenApiDocument,
  after: OpenApiDocument,
  { report }: DocumentDiffOptions,
): void {
  const [ob, oa] = [operationsOf(before), operationsOf(after)];
  const shared = new SharedSchemas(before, after);
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
    compareOperation({ before, after, shared, report }, op, next, label, pointer);
  }
  shared.report(report);
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

interface Walk {
  before: OpenApiDocument;
  after: OpenApiDocument;
  shared: SharedSchemas;
  report: (found: Found) => void;
}

function compareOperation(
  { before, after, shared, report }: Walk,
  op: Operation,
  next: Operation,
  label: string,
  pointer: string[],
): void {
  const schemas = (side: Side, subject: string, b: unknown, a: unknown, where: string[]) =>
    compareSchemas({ side, before, after, subject, report, shared, user: label }, b, a, where);

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
    const [sb, sa] = [serialization(param), serialization(now)];
    for (const key of ["style", "explode", "allowReserved"] as const)
      if (sb[key] !== sa[key])
        report({
          rule: "request-parameter-serialization-changed",
          pointer: [...pointer, "parameters"],
          message: `${subject}: ${key} changed from ${show(sb[key])} to ${show(sa[key])}`,
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
      now.name,
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
  const [bb, ba] = [objectAt(resolve(before, op.node.requestBody)), objectAt(resolve(after, next.node.requestBody))];
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
  const [rb, ra] = [objectAt(op.node, "responses") ?? {}, objectAt(next.node, "responses") ?? {}];
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
    const [before_, after_] = [objectAt(resolve(before, rb[status])) ?? {}, objectAt(resolve(after, ra[status])) ?? {}];
    const subject = `${label}: response ${status}`;
    if (differ(before_.description, after_.description))
      report({ rule: "schema-documentation-changed", pointer: where, message: `${subject}: description changed` });
    const headers = (node: Node, doc: OpenApiDocument) =>
      new Map(
        entriesOf(node.headers).map(([name, h]) => [
          name.toLowerCase(),
          { name, header: objectAt(resolve(doc, h)) ?? {} },
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

  function compareContent(side: Side, subject: string, cb: unknown, ca: unknown, where: string[]) {
    const [mb, ma] = [objectAt(cb) ?? {}, objectAt(ca) ?? {}];
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
      schemas(side, named, own(mb[type], "schema"), own(ma[type], "schema"), [...where, type, "schema"]);
      for (const key of ["example", "examples"])
        if (differ(own(mb[type], key), own(ma[type], key)))
          report({
            rule: "schema-documentation-changed",
            pointer: [...where, type, key],
            message: `${named}: ${key} changed`,
          });
    }
  }
}

/** How a parameter is written on the wire, defaults spelled out (OpenAPI 3.x): the default written down is no change. */
function serialization(param: Node): { style: unknown; explode: unknown; allowReserved: unknown } {
  const style = param.style ?? (param.in === "query" || param.in === "cookie" ? "form" : "simple");
  return { style, explode: param.explode ?? style === "form", allowReserved: param.allowReserved ?? false };
}

function mediaSchema(content: unknown): unknown {
  return own(Object.values(objectAt(content) ?? {})[0], "schema");
}
