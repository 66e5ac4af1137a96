import { SpecPipelineError } from "./errors.ts";
import type { OpenApiDocument } from "./files.ts";
import { own } from "./refs.ts";

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * Methods HTTP defines as idempotent: repeating the request has the effect of sending it once. The one
 * home of this list: operations' `retrySafe` comes from it, and the client reads it (generated into
 * spec.ts) for requests to paths the spec does not know.
 */
export const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);

/** Overlay extension marking a non-idempotent operation (a POST) as safe to send again. */
export const RETRY_SAFE_EXTENSION = "x-parea-api-retry-safe";

export interface OperationFacts {
  /** camelCase name derived from the summary (else the operationId); a method name on the client. */
  name: string;
  operationId: string | undefined;
  method: Uppercase<HttpMethod>;
  path: string;
  /** Anchored regular expression source matching concrete request paths of this operation. */
  pathPattern: string;
  /** Safe to retry: idempotent by HTTP semantics, or marked with RETRY_SAFE_EXTENSION. */
  retrySafe: boolean;
}

function pathPattern(path: string): string {
  const escaped = path
    .split(/(\{[^}]+\})/)
    .map((part) => (/^\{[^}]+\}$/.test(part) ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return `^${escaped}$`;
}

/** What the client needs at run time that only the spec knows. */
export interface SpecFacts {
  apiKey: { in: "header"; name: string; scheme: string };
  defaultBaseUrl: string;
  /** Leading path segments shared by every path, e.g. /api/parea/v1 (the vendor SDKs' base URL suffix). */
  pathPrefix: string;
  operations: OperationFacts[];
}

/**
 * Names an operation may not take: JavaScript's reserved words (an `export const delete` does not
 * parse), Object.prototype's members (an operation table keyed by them misbehaves), the generated
 * modules' own names (operations/index.ts, fields.ts, replies.ts; `validate` is imported beside each
 * operation), and the client's and outbox's own methods.
 */
const RESERVED_NAMES = new Set([
  ...["break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else"],
  ...["enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof"],
  ...["new", "null", "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void"],
  ...["while", "with", "yield", "let", "static", "implements", "interface", "package", "private"],
  ...["protected", "public", "await", "async", "arguments", "eval", "undefined", "NaN", "Infinity"],
  ...["constructor", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString"],
  ...["toString", "valueOf", "__proto__", "__defineGetter__", "__defineSetter__", "__lookupGetter__"],
  ...["__lookupSetter__", "index", "fields", "replies", "validate", "operations", "then"],
  ...["use", "eject", "request", "withOptions", "flush", "shutdown", "stats"],
]);

/**
 * A safe identifier (and file name) for an operation: camelCase of its label, `...Operation` when
 * that is reserved above, the method and path when the label has no letters or digits at all.
 */
export function operationName(label: string, method: string, path: string): string {
  const name = camelCase(label) || camelCase(`${method} ${path}`) || method.toLowerCase();
  return RESERVED_NAMES.has(name) ? `${name}Operation` : name;
}

export function camelCase(text: string): string {
  const words = text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
  const joined = words.map((word, i) => (i === 0 ? word : word[0]!.toUpperCase() + word.slice(1))).join("");
  return /^[0-9]/.test(joined) ? `op${joined}` : joined;
}

export function listOperations(doc: OpenApiDocument, source: string): OperationFacts[] {
  const operations: OperationFacts[] = [];
  for (const path of Object.keys(doc.paths).sort()) {
    const item = doc.paths[path] ?? {};
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      const label = op.summary ?? op.operationId;
      if (!label)
        throw new SpecPipelineError(
          `${source}: ${method.toUpperCase()} ${path} has neither summary nor operationId to name it`,
        );
      const upper = method.toUpperCase() as Uppercase<HttpMethod>;
      operations.push({
        name: operationName(label, method, path),
        operationId: op.operationId,
        method: upper,
        path,
        pathPattern: pathPattern(path),
        retrySafe: IDEMPOTENT_METHODS.has(upper) || op[RETRY_SAFE_EXTENSION] === true,
      });
    }
  }
  // Compared ignoring case: each name is also a file name, and macOS and Windows ignore case.
  const seen = new Map<string, OperationFacts>();
  for (const op of operations) {
    const twin = seen.get(op.name.toLowerCase());
    if (twin) {
      throw new SpecPipelineError(
        `${source}: operations ${twin.method} ${twin.path} and ${op.method} ${op.path} both derive the name "${op.name}"${twin.name === op.name ? "" : ` (as "${twin.name}", differing only in case)`}; give one a distinct summary in the overlay`,
      );
    }
    seen.set(op.name.toLowerCase(), op);
  }
  return operations;
}

/** The one API-key-in-header scheme the operations require; anything else is unsupported and says so. */
function findApiKeyScheme(doc: OpenApiDocument, source: string): SpecFacts["apiKey"] {
  const used = new Set<string>();
  for (const item of Object.values<any>(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const requirements: Record<string, unknown>[] | undefined = item?.[method]?.security ?? doc.security;
      for (const requirement of requirements ?? []) Object.keys(requirement).forEach((name) => used.add(name));
    }
  }
  if (used.size !== 1) {
    throw new SpecPipelineError(
      `${source}: expected every secured operation to use one API-key scheme, found ${used.size === 0 ? "none" : [...used].join(", ")}`,
    );
  }
  const [scheme] = [...used] as [string];
  const definition = own(doc.components?.securitySchemes, scheme);
  if (definition?.type !== "apiKey" || definition.in !== "header" || typeof definition.name !== "string") {
    throw new SpecPipelineError(
      `${source}: security scheme "${scheme}" must be {type: apiKey, in: header, name}; found ${JSON.stringify(definition)}`,
    );
  }
  return { in: "header", name: definition.name, scheme };
}

function commonPathPrefix(paths: string[]): string {
  // A path's last segment is the resource itself (empty for a trailing slash), so only the segments
  // before it can be a shared prefix.
  const parents = paths.map((path) => path.split("/").slice(1, -1));
  const first = parents[0] ?? [];
  let length = first.length;
  for (const segments of parents) {
    let i = 0;
    while (i < length && segments[i] === first[i]) i++;
    length = i;
  }
  return first
    .slice(0, length)
    .map((segment) => `/${segment}`)
    .join("");
}

export function extractSpecFacts(doc: OpenApiDocument, source: string): SpecFacts {
  const server = doc.servers?.[0]?.url;
  if (typeof server !== "string" || !/^https?:\/\//.test(server)) {
    throw new SpecPipelineError(
      `${source}: servers[0].url must be an absolute http(s) URL to serve as the default base URL; found ${JSON.stringify(server)}`,
    );
  }
  return {
    apiKey: findApiKeyScheme(doc, source),
    defaultBaseUrl: server.replace(/\/+$/, ""),
    pathPrefix: commonPathPrefix(Object.keys(doc.paths)),
    operations: listOperations(doc, source),
  };
}
