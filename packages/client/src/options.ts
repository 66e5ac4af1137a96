import { defaultBaseUrl, pathPrefix } from "./generated/spec.js";
import { PareaError } from "./errors.js";
import type { LogLevel } from "./logger.js";

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 2;
export const LOG_LEVELS: LogLevel[] = ["debug", "info", "warn", "error", "off"];

// PAREA_API_KEY and PAREA_BASE_URL are what the vendor's own SDKs read, so services can switch freely.
export type Env = Record<string, string | undefined>;

export const processEnv = (): Env => (globalThis as { process?: { env?: Env } }).process?.env ?? {};

const fail = (message: string): never => {
  throw new PareaError(message);
};

export function resolveApiKey(explicit: string | undefined, env: Env = processEnv()): string {
  return explicit || env.PAREA_API_KEY || fail("No Parea API key: pass the apiKey option or set PAREA_API_KEY.");
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
  const raw = explicit ?? env.PAREA_BASE_URL ?? defaultBaseUrl;
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  const problem =
    !url || !/^https?:$/.test(url.protocol)
      ? `must be an absolute http(s) URL such as ${defaultBaseUrl}`
      : url.search || url.hash || url.username || url.password
        ? "must not have a query, fragment or credentials"
        : url.protocol === "http:" && !allowInsecureHttp && !LOOPBACK.test(url.hostname)
          ? "uses http to a non-loopback host, exposing the API key: use https or set allowInsecureHttp"
          : "";
  if (!url || problem) return fail(`baseUrl ${problem}`);
  const path = url.pathname.replace(/\/+$/, "");
  return url.origin + (pathPrefix && path.endsWith(pathPrefix) ? path.slice(0, -pathPrefix.length) : path);
}

export function resolveLogLevel(explicit: LogLevel | undefined, env: Env = processEnv()): LogLevel {
  const level = (explicit ?? (env.PAREA_LOG || "warn")).toLowerCase() as LogLevel;
  return LOG_LEVELS.includes(level)
    ? level
    : fail(`PAREA_LOG must be one of ${LOG_LEVELS.join(", ")}; got ${JSON.stringify(env.PAREA_LOG)}.`);
}

/** setTimeout fires at once for delays of 2^31 ms or more, so larger timeouts are refused too. */
export function checkRetryOptions({
  maxRetries = 0,
  timeoutMs = 1,
}: {
  maxRetries?: number;
  timeoutMs?: number;
}): void {
  if (!(Number.isInteger(maxRetries) && maxRetries >= 0)) fail(`maxRetries must be an integer >= 0, not ${maxRetries}`);
  if (!(timeoutMs > 0 && timeoutMs < 2 ** 31)) fail(`timeoutMs must be > 0 and < 2^31 ms, not ${timeoutMs}`);
}
