// Resolving and checking the client's options: a mistake is a PareaError naming the option (`option`)
// when the client is created or the call is made, never a failure on every request later.
import { defaultBaseUrl, pathPrefix, serverPath } from "./generated/spec.js";
import { apiKeyVariable, baseUrlVariable, logLevelVariable, vendorName } from "./generated/vendor.js";
import { optionError } from "./errors.js";
import { LOG_LEVELS, type LogLevel } from "./logger.js";

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 2;
/** Parea's answers are small JSON documents; a body past this is a misconfigured proxy or worse. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

// The environment variables are spec/vendor.yaml's (generated/vendor.ts): for Parea, PAREA_API_KEY and PAREA_BASE_URL,
// what the vendor's own SDKs read, so services can switch freely.
export type Env = Record<string, string | undefined>;

export const processEnv = (): Env => (globalThis as { process?: { env?: Env } }).process?.env ?? {};

const fail = (option: string, message: string): never => {
  throw optionError(option, message);
};

const kind = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "object" : typeof value);

/** The type each option must have; checked for client options and per-call options alike. */
const KINDS: Record<string, string> = {
  string: "apiKey baseUrl logLevel",
  boolean: "allowInsecureHttp validateRequests",
  function: "fetch beforeAttempt onAttempt",
  object: "auth headers logger signal",
  number: "timeoutMs maxRetries maxResponseBytes",
};
/** [option, its type], read once: checkOptions runs on every call (issue 27 point 4). */
const EXPECTED = Object.entries(KINDS).flatMap(([expected, names]) =>
  names.split(" ").map((name) => [name, expected] as const),
);

/** Every option present has the right type and range (values of the API key are never quoted). */
export function checkOptions(options: object): void {
  if (kind(options) !== "object") fail("options", `options must be an object, not ${kind(options)}`);
  const o = options as Record<string, unknown>;
  for (const [name, expected] of EXPECTED)
    if (o[name] !== undefined && kind(o[name]) !== expected)
      fail(name, `${name} must be ${expected === "object" ? "an" : "a"} ${expected}, not ${kind(o[name])}`);
  // Numbers by now (checked above).
  const range = (name: string, ok: (n: number) => boolean, rule: string) => {
    const value = o[name] as number | undefined;
    if (value !== undefined && !ok(value)) fail(name, `${name} must be ${rule}, not ${value}`);
  };
  range("maxRetries", (n) => Number.isInteger(n) && n >= 0, "an integer >= 0");
  // setTimeout fires at once for delays of 2^31 ms or more, so larger timeouts are refused too.
  range("timeoutMs", (n) => n > 0 && n < 2 ** 31, "> 0 and < 2^31 ms");
  range("maxResponseBytes", (n) => Number.isInteger(n) && n > 0, "a whole number of bytes > 0");
  // Objects by now (checked above).
  const { signal, logger } = o as { signal?: Record<string, unknown>; logger?: Record<string, unknown> };
  if (signal && typeof signal.addEventListener !== "function") fail("signal", "signal must be an AbortSignal");
  if (logger && !["debug", "info", "warn", "error"].every((method) => typeof logger[method] === "function"))
    fail("logger", "logger must have debug, info, warn and error methods (console does)");
}

const CHARACTER_NAMES: Record<string, string> = { "\n": "a line break", "\r": "a carriage return", " ": "a space" };

/**
 * The API key: the option, else the vendor's environment variable. Missing is an error only when
 * `required` (most operations need a credential and the `auth` option gives none).
 */
export function resolveApiKey(
  explicit: string | undefined,
  env: Env = processEnv(),
  required = true,
): string | undefined {
  const option = explicit ? "apiKey" : apiKeyVariable;
  const key = explicit || env[apiKeyVariable];
  if (!key)
    return required
      ? fail("apiKey", `No ${vendorName} API key: pass the apiKey option or set ${apiKeyVariable}.`)
      : undefined;
  return checkToken(option, key);
}

/**
 * A credential that goes into a header, query parameter or cookie as written: one line of printable
 * ASCII. A header value cannot hold anything else, and the platform's error would quote the whole value.
 */
export function checkToken(option: string, token: string, label = option): string {
  const bad = /[^\x21-\x7e]/.exec(token);
  if (bad) {
    const what = CHARACTER_NAMES[bad[0]] ?? (bad[0] < " " ? "a control character" : "a non-ASCII character");
    fail(
      option,
      `${label} has ${what} at character ${bad.index + 1} of ${token.length}: a credential is one line of printable ASCII (trim what was read from a file)`,
    );
  }
  return token;
}

const LOOPBACK = /^(localhost|127(\.\d+){3}|\[::1\])$/;

/**
 * The server root the spec's paths are joined to. Accepts both the bare origin and the vendor SDKs'
 * form that already ends in the spec's shared path prefix (/api/parea/v1), which would otherwise be
 * doubled because every spec path starts with it. Plain http is only for loopback (tests, local
 * proxies) unless allowInsecureHttp: the API key would cross the network in clear text.
 */
export function resolveBaseUrl(
  explicit: string | undefined,
  env: Env = processEnv(),
  allowInsecureHttp = false,
): string {
  const fromEnv = env[baseUrlVariable];
  const raw = explicit ?? fromEnv ?? defaultBaseUrl;
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  const problem =
    !url || !/^https?:$/.test(url.protocol)
      ? defaultBaseUrl
        ? `must be an absolute http(s) URL such as ${defaultBaseUrl}`
        : "must be an absolute http(s) URL (required: the spec names no absolute server)"
      : url.search || url.hash || url.username || url.password
        ? "must not have a query, fragment or credentials"
        : url.protocol === "http:" && !allowInsecureHttp && !LOOPBACK.test(url.hostname)
          ? "uses http to a non-loopback host, exposing the API key: use https or set allowInsecureHttp"
          : "";
  if (!url || problem)
    return fail(explicit === undefined && fromEnv ? baseUrlVariable : "baseUrl", `baseUrl ${problem}`);
  let path = url.pathname.replace(/\/+$/, "");
  if (serverPath && !path.endsWith(serverPath)) path += serverPath;
  return url.origin + (pathPrefix && path.endsWith(pathPrefix) ? path.slice(0, -pathPrefix.length) : path);
}

export function resolveLogLevel(explicit: string | undefined, env: Env = processEnv()): LogLevel {
  const [option, raw] =
    explicit === undefined ? [logLevelVariable, env[logLevelVariable] || "warn"] : ["logLevel", explicit];
  const level = raw.toLowerCase() as LogLevel;
  return LOG_LEVELS.includes(level)
    ? level
    : fail(option, `${option} must be one of ${LOG_LEVELS.join(", ")}; got ${JSON.stringify(raw)}`);
}

type HeaderValue = string | number | boolean | (string | number | boolean)[] | null | undefined;

/**
 * The `headers` option as one plain object, whatever form it came in (object, Headers, [name, value]
 * pairs); a name or value no HTTP header can carry is refused here, by name, instead of on every call.
 * The test double checks its scripted headers with it too.
 */
export function resolveHeaders(headers: unknown): Record<string, HeaderValue> {
  const h = headers as Headers | [string, HeaderValue][] | Record<string, HeaderValue> | undefined;
  const entries = Array.isArray(h)
    ? h
    : typeof h?.entries === "function"
      ? [...(h as Headers).entries()]
      : Object.entries(h ?? {});
  for (const [name, value] of entries) {
    if (!/^[!#$%&'*+.^_`|~\w-]+$/.test(name))
      fail("headers", `headers: ${JSON.stringify(name)} is not a valid header name`);
    if (/[\r\n\0]/.test(String(value))) fail("headers", `headers: header ${name} has a line break or NUL character`);
  }
  return Object.fromEntries(entries);
}
