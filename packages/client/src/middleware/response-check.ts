// The last onResponse middleware: openapi-fetch parses a 2xx with JSON.parse, which fails with a bare
// SyntaxError that a caller catching PareaError would miss; here such a body becomes
// PareaInvalidResponseError first.
import type { Middleware } from "openapi-fetch";
import { brokenBodyError, invalidResponseError } from "../errors.js";
import { buffer, BufferedResponse } from "../light/response.js";
import { attemptsOf } from "../reliability.js";
import type { Secrets } from "../redact.js";

/**
 * Turns a 2xx body that is not the JSON the spec promises into PareaInvalidResponseError (only when
 * openapi-fetch will parse JSON). Both transports hand over a BufferedResponse, so this re-reads
 * nothing; a response some other middleware swapped in is read here, once.
 */
export function responseCheckMiddleware(secrets: Secrets): Middleware {
  return {
    async onResponse({ request, response, options, schemaPath }) {
      const where = `${request.method} ${schemaPath}`;
      const buffered = response instanceof BufferedResponse ? response : await read(response, where, secrets);
      if (buffered.ok && options.parseAs === "json" && buffered.status !== 204 && request.method !== "HEAD") {
        const text = await buffered.text();
        try {
          if (text) await buffered.json();
        } catch (cause) {
          throw invalidResponseError(where, buffered, text, attemptsOf(response), cause, secrets);
        }
      }
      return buffered === (response as unknown) ? undefined : (buffered as unknown as Response);
    },
  };
}

async function read(response: Response, where: string, secrets: Secrets): Promise<BufferedResponse> {
  try {
    return await buffer(response);
  } catch (cause) {
    throw brokenBodyError(where, response.status, cause, secrets);
  }
}
