import { defaultBaseUrl, pathPrefix } from "./generated/spec.js";
import { PareaError } from "./errors.js";

/** Environment variables the vendor's own SDKs read; kept so services can switch clients freely. */
const ENV_API_KEY = "PAREA_API_KEY";
const ENV_BASE_URL = "PAREA_BASE_URL";

type Env = Record<string, string | undefined>;

function processEnv(): Env {
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

/**
 * The server root the spec's paths are joined to. Accepts both the bare origin and the vendor SDKs'
 * form that already ends in the spec's shared path prefix (/api/parea/v1), which would otherwise be
 * doubled because every spec path starts with it.
 */
export function resolveBaseUrl(explicit: string | undefined, env: Env = processEnv()): string {
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
  let path = url.pathname.replace(/\/+$/, "");
  if (pathPrefix && path.endsWith(pathPrefix)) path = path.slice(0, -pathPrefix.length);
  return `${url.origin}${path}`;
}
