// Authentication as the spec states it, per operation: each request gets the credentials of the first
// alternative of its security requirement the client can fill, placed where each scheme says (a header
// with its prefix, a query parameter, a cookie). Token suppliers are awaited once per call; every secret
// they return joins the client's Secrets, so errors and logs redact it like the API key.
import type { Middleware } from "openapi-fetch";
import { createError, optionError, PareaError } from "../errors.js";
import {
  apiKeyScheme,
  defaultSecurity,
  operationSecurity,
  securitySchemes,
  type Requirement,
  type SchemeCredentials,
  type SchemePlacement,
} from "../generated/spec.js";
import { checkToken } from "../options.js";
import type { Secrets } from "../redact.js";

type Supplier = () => string | Promise<string>;
/** A credential ready to place: a value (basic already encoded), a supplier, or `true` (mutual TLS). */
type Credential = string | Supplier | true;

/** What the spec says about security (generated spec.ts); a parameter so tests can give any document's. */
export interface AuthSpec {
  schemes: Record<string, SchemePlacement>;
  apiKeyScheme: string | undefined;
  defaultSecurity: Requirement;
  operationSecurity: Record<string, Requirement>;
}

const SPEC: AuthSpec = { schemes: securitySchemes, apiKeyScheme, defaultSecurity, operationSecurity };

const own = <T>(table: Record<string, T>, key: string): T | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;

/** RFC 7617: base64 of the UTF-8 bytes of `username:password`. */
function basic(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  return btoa(String.fromCharCode(...bytes));
}

/** What the `auth` option takes for each kind of scheme, as its error says. */
const EXPECTED: Record<SchemePlacement["kind"], string> = {
  token: "a non-empty string or a function returning one",
  basic: "{ username, password }, the username without a colon",
  tls: "true (your own TLS set-up presents the certificate)",
};

/**
 * The client's credentials by scheme: `auth` checked against the spec's schemes (a name it does not
 * have, or the wrong kind of value, is a PareaError naming `auth`), then the API key for its scheme.
 * Every fixed secret is added to `secrets` here.
 */
export function resolveCredentials(
  apiKey: string | undefined,
  auth: SchemeCredentials | undefined,
  secrets: Secrets,
  spec: AuthSpec = SPEC,
): Map<string, Credential> {
  const credentials = new Map<string, Credential>();
  for (const [name, value] of Object.entries(auth ?? {}) as [string, unknown][]) {
    const kind = own(spec.schemes, name)?.kind;
    const option = `auth.${name}`;
    let credential = value as Credential | undefined;
    if (!kind)
      throw optionError(
        "auth",
        `auth: the spec has no security scheme ${JSON.stringify(name)} (${Object.keys(spec.schemes).join(", ") || "none"})`,
      );
    if (value === undefined) continue;
    if (kind === "basic") {
      const { username, password } = (value ?? {}) as { username?: unknown; password?: unknown };
      credential =
        typeof username === "string" && typeof password === "string" && !username.includes(":")
          ? basic(username, password)
          : undefined;
      if (typeof password === "string") secrets.add(password);
    } else if (kind === "tls") credential = value === true || undefined;
    else if (typeof value === "string" && value) checkToken("auth", value, option);
    else if (typeof value !== "function") credential = undefined;
    if (credential === undefined) throw optionError("auth", `${option} must be ${EXPECTED[kind]}`);
    if (typeof credential === "string") secrets.add(credential);
    credentials.set(name, credential);
  }
  const keyScheme = spec.apiKeyScheme;
  if (keyScheme && apiKey && !credentials.has(keyScheme)) credentials.set(keyScheme, apiKey);
  return credentials;
}

/** Must a client have a credential at creation? When most operations need one and none is anonymous. */
export const credentialRequired = ({ defaultSecurity: common }: AuthSpec = SPEC): boolean =>
  common.length > 0 && common.every((set) => set.length > 0);

/** The requirement of the operation at `METHOD path`: its own when the spec lists one, else the common one. */
export function requirementOf(
  method: string,
  path: string,
  { defaultSecurity: common, operationSecurity: exceptions }: AuthSpec = SPEC,
): Requirement {
  return own(exceptions, `${method} ${path}`) ?? common;
}

/** The alternative to send: the first whose schemes all have credentials; anonymous only when none does. */
export function chooseAlternative(
  required: Requirement,
  has: (scheme: string) => boolean,
): readonly string[] | undefined {
  return required.find((set) => set.length > 0 && set.every(has)) ?? required.find((set) => set.length === 0);
}

/** The request at another URL, the same kind of object (LightRequest keeps its string body). */
function withUrl(request: Request, url: URL): Request {
  const light = request as Request & { rawBody?: string | null };
  if ("rawBody" in light) {
    const { method, headers, signal, redirect } = request;
    return new (request.constructor as typeof Request)(url, { method, headers, signal, redirect, body: light.rawBody });
  }
  return new Request(url, request);
}

/** `request` with one credential where its scheme puts it (a new Request for the query). */
export function place(request: Request, scheme: SchemePlacement, value: string): Request {
  if (scheme.in === "header") request.headers.set(scheme.name, scheme.prefix + value);
  else if (scheme.in === "cookie") {
    const cookie = `${scheme.name}=${encodeURIComponent(value)}`;
    const existing = request.headers.get("cookie");
    request.headers.set("cookie", existing ? `${existing}; ${cookie}` : cookie);
  } else {
    const url = new URL(request.url);
    url.searchParams.set(scheme.name, value);
    return withUrl(request, url);
  }
  return request;
}

/** A supplier's token, checked and remembered as a secret before it is sent anywhere. */
async function supply(name: string, supplier: Supplier, secrets: Secrets): Promise<string> {
  let token: unknown;
  try {
    token = await supplier();
  } catch (thrown) {
    // Quoted, scrubbed, and not kept as the cause: a supplier's own error may hold a token it supplied
    // before (a failed refresh), and a cause is printed whole by every logger.
    const said = thrown instanceof Error ? thrown.message : String(thrown);
    throw createError(PareaError, secrets, `auth.${name}: the token supplier failed: ${said}`, { option: "auth" });
  }
  if (typeof token !== "string" || !token)
    throw optionError("auth", `auth.${name}: the token supplier must return a non-empty string, not ${typeof token}`);
  secrets.add(token, true);
  return checkToken("auth", token, `auth.${name}`);
}

/** The middleware that authenticates every request, raw verbs (client.GET...) and named helpers alike. */
export function authMiddleware(
  credentials: Map<string, Credential>,
  secrets: Secrets,
  spec: AuthSpec = SPEC,
): Middleware {
  const { schemes, defaultSecurity: common } = spec;
  // Most documents list no exception: then no key is built per request.
  const anyExceptions = Object.keys(spec.operationSecurity).length > 0;
  const has = (scheme: string) => credentials.has(scheme);
  return {
    onRequest({ request, schemaPath }) {
      const required = anyExceptions ? requirementOf(request.method, schemaPath, spec) : common;
      if (!required.length) return request;
      const chosen = chooseAlternative(required, has);
      if (!chosen) {
        const options = required.map((set) => set.join(" + ")).join(" or ");
        throw optionError(
          "auth",
          `${request.method} ${schemaPath} needs credentials for ${options}: pass them in the auth option`,
        );
      }
      const suppliers: [string, Supplier][] = [];
      for (const name of chosen) {
        const value = credentials.get(name)!;
        if (typeof value === "function") suppliers.push([name, value]);
        else if (value !== true) request = place(request, schemes[name]!, value);
      }
      if (!suppliers.length) return request;
      return (async () => {
        for (const [name, supplier] of suppliers)
          request = place(request, schemes[name]!, await supply(name, supplier, secrets));
        return request;
      })();
    },
  };
}
