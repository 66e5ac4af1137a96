import { SpecPipelineError } from "./errors.ts";
import type { OpenApiDocument } from "./files.ts";
import { assignNames, NAME_SOURCES, operationKey, type NamesLock, type NameSource } from "./names.ts";
import { deref, HTTP_METHODS, type FoundOperation, type HttpMethod } from "./refs.ts";
import { at, isObject, objectAt, own, stringAt } from "./json.ts";
import { authFacts, type AuthFacts } from "./security.ts";

/**
 * Methods HTTP defines as idempotent: repeating the request has the effect of sending it once. The one
 * home of this list: operations' `retrySafe` comes from it, and the client reads it (generated into
 * spec.ts) for requests to paths the spec does not know.
 */
export const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);

export interface OperationFacts {
  /** The locked name, else one derived by names.ts's rule; a module name and a key of `./operations`. */
  name: string;
  operationId: string | undefined;
  method: Uppercase<HttpMethod>;
  path: string;
  /** Anchored regular expression source matching concrete request paths of this operation. */
  pathPattern: string;
  /** Safe to retry: idempotent by HTTP semantics, or marked with the configured retry-safe extension. */
  retrySafe: boolean;
}

/**
 * What a request for this path looks like on the wire: a `#...` or `?...` in the path's key (AWS and
 * Box name distinct operations `/{Key}#restore`) never reaches the server, so it is not matched.
 */
function pathPattern(path: string): string {
  const escaped = path
    .replace(/[#?].*$/s, "")
    .split(/(\{[^}]+\})/)
    .map((part) => (/^\{[^}]+\}$/.test(part) ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return `^${escaped}$`;
}

/** What the client needs at run time that only the spec knows. */
export interface SpecFacts {
  /** Every scheme the operations use, where its credential goes, and what each operation requires. */
  auth: AuthFacts;
  /** servers[0] resolved to an absolute http(s) URL; "" when the spec has none (callers must give one). */
  defaultBaseUrl: string;
  /** A relative server's path ("/v1"): it goes after the base URL a caller gives. */
  serverPath: string;
  /** Leading path segments shared by every path, e.g. /api/parea/v1 (the vendor SDKs' base URL suffix). */
  pathPrefix: string;
  operations: OperationFacts[];
}

/** How operations get their names: the lock, the rule for new ones, and the retry-safe extension. */
export interface NamingOptions {
  lock?: NamesLock;
  lockPath?: string;
  prefer?: readonly NameSource[];
  retrySafeExtension?: string;
}

/** Every method of every path item (a `$ref`'d one followed), in path order: the one walk of both below. */
export function operationsIn(doc: OpenApiDocument, source: string): FoundOperation[] {
  const found: FoundOperation[] = [];
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a 3.1 document may have no paths; the type is the normalized one's
  for (const path of Object.keys(doc.paths ?? {}).sort()) {
    const item = deref(doc, doc.paths[path]);
    if (!isObject(item)) throw new SpecPipelineError(`${source}: path ${JSON.stringify(path)} is not a path item`);
    for (const method of HTTP_METHODS) {
      const op = objectAt(item, method);
      if (op) found.push({ method, path, op });
    }
  }
  return found;
}

/** The operations a client calls, named. */
export function listOperations(doc: OpenApiDocument, source: string, naming: NamingOptions = {}): OperationFacts[] {
  return nameOperations(operationsIn(doc, source), naming);
}

function nameOperations(found: ReturnType<typeof operationsIn>, naming: NamingOptions): OperationFacts[] {
  const names = assignNames(
    found.map(({ method, path, op }) => ({ method, path, summary: op.summary, operationId: op.operationId })),
    naming.lock ?? {},
    naming.prefer ?? NAME_SOURCES,
    naming.lockPath,
  );
  return found.map(({ method, path, op }) => {
    const upper = method.toUpperCase() as Uppercase<HttpMethod>;
    const extension = naming.retrySafeExtension;
    return {
      name: names.get(operationKey(method, path))!,
      operationId: stringAt(op, "operationId"),
      method: upper,
      path,
      pathPattern: pathPattern(path),
      retrySafe: IDEMPOTENT_METHODS.has(upper) || (extension !== undefined && own(op, extension) === true),
    };
  });
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

/**
 * The default server: servers[0] with its variables at their defaults; `//host` is https; a relative
 * URL (`/v1`) leaves no default base URL (callers give one) and its path goes after whatever they give.
 */
export function defaultServer(doc: OpenApiDocument, source: string): { baseUrl: string; serverPath: string } {
  const server = at(doc, "servers", 0);
  if (server === undefined) return { baseUrl: "", serverPath: "" };
  const written = stringAt(server, "url");
  if (written === undefined)
    throw new SpecPipelineError(
      `${source}: servers[0].url must be a string; found ${JSON.stringify(at(server, "url"))}`,
    );
  // A variable the server does not define stays as written (the lint gate reports it as fatal).
  const url = written.replace(/\{([^}]*)\}/g, (whole: string, name: string) => {
    const value = at(server, "variables", name, "default");
    return typeof value === "string" || typeof value === "number" ? String(value) : whole;
  });
  const absolute = url.startsWith("//") ? `https:${url}` : url;
  if (/^https?:\/\//i.test(absolute)) {
    if (!URL.canParse(absolute))
      throw new SpecPipelineError(`${source}: servers[0].url ${JSON.stringify(absolute)} is not a URL`);
    return { baseUrl: absolute.replace(/\/+$/, ""), serverPath: "" };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(absolute)) return { baseUrl: "", serverPath: "" }; // ws:, file: ... not ours to call
  return { baseUrl: "", serverPath: `/${absolute.replace(/^\.?\/+/, "")}`.replace(/\/+$/, "") };
}

export function extractSpecFacts(doc: OpenApiDocument, source: string, naming: NamingOptions = {}): SpecFacts {
  const { baseUrl, serverPath } = defaultServer(doc, source);
  const found = operationsIn(doc, source);
  return {
    auth: authFacts(doc, found, source),
    defaultBaseUrl: baseUrl,
    serverPath,
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- as above
    pathPrefix: commonPathPrefix(Object.keys(doc.paths ?? {})),
    operations: nameOperations(found, naming),
  };
}
