import type { Middleware } from "openapi-fetch";
import { apiKeyAuth } from "../generated/spec.js";

/** The request at another URL, the same kind of object (LightRequest keeps its string body). */
function withUrl(request: Request, url: URL): Request {
  const light = request as Request & { rawBody?: string | null };
  if ("rawBody" in light) {
    const { method, headers, signal, redirect } = request;
    return new (request.constructor as typeof Request)(url, { method, headers, signal, redirect, body: light.rawBody });
  }
  return new Request(url, request);
}

/**
 * Puts the API key where the spec's security scheme says: a header (with "Bearer " for bearer,
 * OAuth 2 and OpenID Connect schemes), a query parameter or a cookie; nothing when no operation is
 * secured.
 */
export function apiKeyMiddleware(apiKey: string): Middleware {
  const auth = apiKeyAuth;
  return {
    onRequest({ request }) {
      if (!auth) return request;
      if (auth.in === "header") request.headers.set(auth.name, auth.prefix + apiKey);
      else if (auth.in === "cookie") {
        const cookie = `${auth.name}=${encodeURIComponent(apiKey)}`;
        const existing = request.headers.get("cookie");
        request.headers.set("cookie", existing ? `${existing}; ${cookie}` : cookie);
      } else {
        const url = new URL(request.url);
        url.searchParams.set(auth.name, apiKey);
        return withUrl(request, url);
      }
      return request;
    },
  };
}
