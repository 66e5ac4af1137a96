import { defaultBaseUrl, pathPrefix } from "./generated/spec.js";
import { PareaError } from "./errors.js";
import { parseLogLevel, type LogLevel } from "./logger.js";

/** Environment variables the vendor's own SDKs read (plus PAREA_LOG); kept so services can switch freely. */
const ENV_API_KEY = "PAREA_API_KEY";
const ENV_BASE_URL = "PAREA_BASE_URL";
const ENV_LOG = "PAREA_LOG";

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_LOG_LEVEL: LogLevel = "warn";

export type Env = Record<string, string | undefined>;

export function processEnv(): Env {
  return (globalThis as { process?: { env?: Env } }).process?.env ?? {};
}

export function resolveApiKey(explicit: string | undefined, env: Env = processEnv()): string {
  const apiKey = explicit ?? env[ENV_API_KEY];
  if (!apiKey) {
    throw new PareaError(
      `No Parea API key: pass the apiKey option to createPareaClient or set the ${ENV_API_KEY} environment variable.`,
    );
  }
  return apiKey;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

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
  const raw = explicit ?? env[ENV_BASE_URL] ?? defaultBaseUrl;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PareaError(
      `baseUrl must be an absolute http(s) URL such as ${defaultBaseUrl}; got ${JSON.stringify(raw)}.`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new PareaError(`baseUrl must use http or https; got ${url.protocol}`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new PareaError("baseUrl must not carry a query, fragment or credentials; pass the API key as apiKey.");
  }
  if (url.protocol === "http:" && !LOOPBACK.test(url.hostname) && !allowInsecureHttp) {
    throw new PareaError(
      `baseUrl ${url.origin} uses plain http to a non-loopback host, which would send the API key unencrypted; use https, or set allowInsecureHttp: true if the network is trusted.`,
    );
  }
  let path = url.pathname.replace(/\/+$/, "");
  if (pathPrefix && path.endsWith(pathPrefix)) path = path.slice(0, -pathPrefix.length);
  return `${url.origin}${path}`;
}

export function resolveLogLevel(explicit: LogLevel | undefined, env: Env = processEnv()): LogLevel {
  const fromEnv = env[ENV_LOG];
  if (explicit) return explicit;
  if (fromEnv === undefined || fromEnv === "") return DEFAULT_LOG_LEVEL;
  const level = parseLogLevel(fromEnv);
  if (!level)
    throw new PareaError(`${ENV_LOG} must be one of debug, info, warn, error, off; got ${JSON.stringify(fromEnv)}.`);
  return level;
}

export function checkRetryOptions(options: { maxRetries?: number | undefined; timeoutMs?: number | undefined }): void {
  const { maxRetries, timeoutMs } = options;
  if (maxRetries !== undefined && !(Number.isInteger(maxRetries) && maxRetries >= 0)) {
    throw new PareaError(`maxRetries must be a whole number >= 0; got ${maxRetries}.`);
  }
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new PareaError(`timeoutMs must be a positive number of milliseconds; got ${timeoutMs}.`);
  }
}
