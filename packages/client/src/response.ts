// Reading response bodies, as openapi-fetch's last onResponse middleware: openapi-fetch parses a 2xx
// with JSON.parse and reads every error body with text(), and both can fail with bare platform errors
// (SyntaxError, "terminated") that a caller catching PareaError would miss.
import type { Middleware } from "openapi-fetch";
import { excerpt, PareaConnectionError, PareaInvalidResponseError, requestIdOf } from "./errors.js";
import { scrub } from "./logger.js";
import { attemptsOf, recordAttempts } from "./transport.js";

/**
 * Reads the body once, so that a body the spec says is JSON but is not becomes
 * PareaInvalidResponseError and a connection lost mid-body becomes PareaConnectionError; hands
 * openapi-fetch an equivalent Response to parse. Streams, blobs and the like are left alone.
 */
export function responseBodyMiddleware(apiKey: string): Middleware {
  return {
    async onResponse({ request, response, options, schemaPath }) {
      if (response.status === 204 || request.method === "HEAD" || (response.ok && options.parseAs !== "json")) return;
      const where = `${request.method} ${schemaPath}`;
      const attempts = attemptsOf(response);
      let text: string;
      try {
        text = await response.text();
      } catch (cause) {
        throw Object.assign(
          new PareaConnectionError(
            `${where}: the connection broke while reading the ${response.status} response body`,
            {
              cause,
            },
          ),
          { attempts },
        );
      }
      if (response.ok && text) {
        try {
          JSON.parse(text);
        } catch (cause) {
          const contentType = response.headers.get("content-type") ?? undefined;
          const body = scrub(excerpt(text), apiKey);
          throw Object.assign(
            new PareaInvalidResponseError(
              `Parea API answered ${response.status} to ${where} with a body that is not JSON (content-type ${contentType ?? "none"}; check baseUrl and any proxy in between): ${body}`,
              { cause },
            ),
            {
              status: response.status,
              body,
              headers: response.headers,
              contentType,
              requestId: requestIdOf(response.headers),
              attempts,
            },
          );
        }
      }
      const copy = new Response(text, response);
      Object.defineProperty(copy, "url", { value: response.url });
      recordAttempts(copy, attempts);
      return copy;
    },
  };
}
