// Checking response bodies, as openapi-fetch's last onResponse middleware: openapi-fetch parses a 2xx
// with JSON.parse, which fails with a bare SyntaxError that a caller catching PareaError would miss.
import type { Middleware } from "openapi-fetch";
import { createError, excerpt, PareaConnectionError, PareaInvalidResponseError, requestIdOf } from "./errors.js";
import { scrub } from "./redact.js";
import { attemptsOf } from "./transport.js";
import { buffer, BufferedResponse } from "./buffered-response.js";

/**
 * Turns a 2xx body that is not the JSON the spec promises into PareaInvalidResponseError (only when
 * openapi-fetch will parse JSON). Both transports hand over a BufferedResponse, so this re-reads
 * nothing; a response some other middleware swapped in is read here, once.
 */
export function responseBodyMiddleware(apiKey: string): Middleware {
  return {
    async onResponse({ request, response, options, schemaPath }) {
      const where = `${request.method} ${schemaPath}`;
      const buffered = response instanceof BufferedResponse ? response : await read(response, where, apiKey);
      if (buffered.ok && options.parseAs === "json" && buffered.status !== 204 && request.method !== "HEAD") {
        const text = await buffered.text();
        try {
          if (text) await buffered.json();
        } catch (cause) {
          const contentType = buffered.headers.get("content-type") ?? undefined;
          // Scrubbed before the cut: a key straddling it must not survive in part.
          const body = excerpt(scrub(text, apiKey));
          throw createError(
            PareaInvalidResponseError,
            apiKey,
            `Parea API answered ${buffered.status} to ${where} with a body that is not JSON (content-type ${contentType ?? "none"}; check baseUrl and any proxy in between): ${body}`,
            {
              status: buffered.status,
              body,
              headers: buffered.headers,
              contentType,
              requestId: requestIdOf(buffered.headers),
              attempts: attemptsOf(response),
            },
            cause,
          );
        }
      }
      return buffered === (response as unknown) ? undefined : (buffered as unknown as Response);
    },
  };
}

async function read(response: Response, where: string, apiKey: string): Promise<BufferedResponse> {
  try {
    return await buffer(response);
  } catch (cause) {
    const message = `${where}: the connection broke while reading the ${response.status} response body`;
    throw createError(PareaConnectionError, apiKey, message, {}, cause);
  }
}
