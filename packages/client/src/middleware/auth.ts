import type { Middleware } from "openapi-fetch";
import { apiKeyAuth } from "../generated/spec.js";

/** Puts the API key where the spec's security scheme says (header name from the spec). */
export function apiKeyMiddleware(apiKey: string): Middleware {
  return {
    onRequest({ request }) {
      request.headers.set(apiKeyAuth.name, apiKey);
      return request;
    },
  };
}
