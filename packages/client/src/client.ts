import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import { apiKeyMiddleware } from "./auth.js";
import { apiErrorFor } from "./errors.js";
import type { paths } from "./generated/openapi.js";
import { operations } from "./generated/spec.js";
import { resolveApiKey, resolveBaseUrl } from "./options.js";

export interface PareaClientOptions {
  /** Parea API key. Default: the PAREA_API_KEY environment variable. */
  apiKey?: string;
  /**
   * Server root. Default: PAREA_BASE_URL, else the spec's server. May end in /api/parea/v1 (as the
   * vendor SDKs' PAREA_BASE_URL does); the prefix is never doubled.
   */
  baseUrl?: string;
  /** Custom fetch, e.g. for proxies or tests. Receives a Request. */
  fetch?: ClientOptions["fetch"];
  /** Headers sent with every request. */
  headers?: ClientOptions["headers"];
}

type Operation = (typeof operations)[keyof typeof operations];
type OperationSchema<Op extends Operation> = paths[Op["path"]][Lowercase<Op["method"]>];

/** The JSON request body of an operation, exactly as generated from the spec. */
export type RequestBody<Name extends keyof typeof operations> = NonNullable<
  OperationSchema<(typeof operations)[Name]>["requestBody"]
>["content"]["application/json"];

/** The JSON body of an operation's 200 response. */
export type ResponseData<Name extends keyof typeof operations> = OperationSchema<
  (typeof operations)[Name]
>["responses"][200]["content"]["application/json"];

export interface PareaClient extends Client<paths> {
  /** Record Feedback. Resolves with the response body on 2xx; throws a PareaApiError otherwise. */
  recordFeedback(body: RequestBody<"recordFeedback">): Promise<ResponseData<"recordFeedback">>;
}

export function createPareaClient(options: PareaClientOptions = {}): PareaClient {
  const apiKey = resolveApiKey(options.apiKey);
  const client = createClient<paths>({
    baseUrl: resolveBaseUrl(options.baseUrl),
    fetch: options.fetch,
    headers: options.headers,
  });
  client.use(apiKeyMiddleware(apiKey));

  async function recordFeedback(body: RequestBody<"recordFeedback">): Promise<ResponseData<"recordFeedback">> {
    const { method, path } = operations.recordFeedback;
    const { data, error, response } = await client.POST(path, { body });
    if (!response.ok) {
      throw apiErrorFor({ method, path, status: response.status, body: error, headers: response.headers });
    }
    return data as ResponseData<"recordFeedback">;
  }

  return Object.assign(client, { recordFeedback });
}
