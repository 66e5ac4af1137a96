import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import { name as packageName, version } from "../package.json";
import { apiKeyMiddleware } from "./auth.js";
import { apiErrorFor, invalidRequestError, type PareaApiError } from "./errors.js";
import type { paths, Readable, Writable } from "./generated/openapi.js";
import type { operations } from "./generated/operations/index.js";
import { recordFeedback as recordFeedbackOperation } from "./generated/operations/recordFeedback.js";
import { createLog, type Logger, type LogLevel } from "./logger.js";
import { requestBodyIssues, type Operation, type OperationName } from "./operations.js";
import {
  checkOptions,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  resolveApiKey,
  resolveBaseUrl,
  resolveHeaders,
  resolveLogLevel,
} from "./options.js";
import { responseBodyMiddleware } from "./response.js";
import { serverRequestedDelayMs } from "./retry-timing.js";
import { fetchSend, type FetchFunction, type Send } from "./send.js";
import { attemptsOf, createTransport, type AttemptInfo, type AttemptStart } from "./transport.js";

/** Per-call settings; each overrides the client's for one request. */
export interface RequestOptions {
  /** Abort this request. Aborting throws PareaAbortError and is never retried. */
  signal?: AbortSignal;
  /** Per attempt. Default 60 000. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number;
  /** A response body larger than this is not read: PareaResponseTooLargeError. Default 32 MiB. */
  maxResponseBytes?: number;
}

export interface PareaClientOptions extends RequestOptions {
  /** Parea API key. Default: the PAREA_API_KEY environment variable. */
  apiKey?: string;
  /**
   * Server root. Default: PAREA_BASE_URL, else the spec's server. May end in /api/parea/v1 (as the
   * vendor SDKs' PAREA_BASE_URL does); the prefix is never doubled.
   */
  baseUrl?: string;
  /** Permit plain http to a non-loopback host (the key then travels unencrypted). Default false. */
  allowInsecureHttp?: boolean;
  /** Underlying fetch, e.g. for proxies. Receives a Request. */
  fetch?: FetchFunction;
  /** Headers sent with every request. */
  headers?: ClientOptions["headers"];
  /**
   * Check request bodies against the spec before sending (PareaInvalidRequestError, nothing sent).
   * Default true; turn off only if the vendor's spec is stricter than its server.
   */
  validateRequests?: boolean;
  /** Where log lines go. Default: console. */
  logger?: Logger;
  /** Default: PAREA_LOG, else "warn". */
  logLevel?: LogLevel;
  /**
   * Awaited before every attempt, retries included. With onAttempt it lets many concurrent calls
   * share one rate limit: the CLI's import pauses every worker when any of them sees a 429.
   */
  beforeAttempt?: (attempt: AttemptStart) => void | Promise<void>;
  /** Told the outcome of every attempt, retries included: status and requested wait, or the error. */
  onAttempt?: (attempt: AttemptInfo) => void;
}

/** The generated operation type for a named operation (generic code cannot index paths directly). */
export type OperationSchema<Name extends OperationName> = (typeof operations)[Name] extends {
  path: infer Path extends keyof paths;
  method: infer Method extends string;
}
  ? paths[Path] extends Record<Lowercase<Method>, infer Schema>
    ? Schema
    : never
  : never;

/**
 * The JSON request body of an operation, as generated from the spec (never if it has none), without
 * its readOnly properties (what openapi-fetch asks of callers too).
 */
export type RequestBody<Name extends OperationName> =
  OperationSchema<Name> extends { requestBody?: infer Body }
    ? NonNullable<Body> extends { content: { "application/json": infer Json } }
      ? Writable<Json>
      : never
    : never;

/** The JSON body of an operation's 200 response (unknown if the spec does not say), without writeOnly properties. */
export type ResponseData<Name extends OperationName> =
  OperationSchema<Name> extends { responses: { 200: { content: { "application/json": infer Data } } } }
    ? Readable<Data>
    : unknown;

export interface PareaClient extends Client<paths> {
  /**
   * Record Feedback. Resolves with the response body on 2xx; throws a PareaError subclass otherwise
   * (see the README's error table).
   */
  recordFeedback(
    body: RequestBody<"recordFeedback">,
    options?: RequestOptions,
  ): Promise<ResponseData<"recordFeedback">>;
  /** A client with some options changed (e.g. maxRetries for a batch job); the rest are kept. */
  withOptions(overrides: Omit<PareaClientOptions, "apiKey">): PareaClient;
}

const SDK_HEADERS = {
  "x-sdk-language": "typescript",
  "x-sdk-version": version,
  "user-agent": `${packageName}/${version}`,
};

/**
 * createPareaClient over a platform's default HTTP stack: node:http and LightRequest on Node
 * (index.node.ts), fetch and the platform Request elsewhere (index.ts). A `fetch` option always
 * replaces the stack and receives a standard Request.
 */
export function clientFactory(
  defaultSend: Send,
  RequestClass: typeof Request = Request,
): (options?: PareaClientOptions) => PareaClient {
  return function createPareaClient(options: PareaClientOptions = {}): PareaClient {
    checkOptions(options);
    const apiKey = resolveApiKey(options.apiKey);
    const baseUrl = resolveBaseUrl(options.baseUrl, undefined, options.allowInsecureHttp);
    const log = createLog(options.logger ?? console, resolveLogLevel(options.logLevel), apiKey);
    const send = options.fetch ? fetchSend(options.fetch) : defaultSend;
    const validate = options.validateRequests ?? true;
    const transport = (overrides: RequestOptions = {}, operation?: Operation) =>
      createTransport({
        send,
        baseUrl,
        maxRetries: overrides.maxRetries ?? options.maxRetries ?? DEFAULT_MAX_RETRIES,
        timeoutMs: overrides.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxResponseBytes: overrides.maxResponseBytes ?? options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
        signal: options.signal,
        secret: apiKey,
        validate,
        log,
        operation,
        beforeAttempt: options.beforeAttempt,
        onAttempt: options.onAttempt,
      });
    const feedbackTransport = transport({}, recordFeedbackOperation);
    const client = createClient<paths>({
      baseUrl,
      fetch: transport(),
      Request: RequestClass,
      headers: { ...SDK_HEADERS, ...resolveHeaders(options.headers) },
    });
    // First in, so its onResponse runs last, on the response every other middleware has seen.
    client.use(responseBodyMiddleware(apiKey), apiKeyMiddleware(apiKey));

    async function recordFeedback(
      body: RequestBody<"recordFeedback">,
      requestOptions: RequestOptions = {},
    ): Promise<ResponseData<"recordFeedback">> {
      checkOptions(requestOptions);
      const { method, path } = recordFeedbackOperation;
      const { signal, ...overrides } = requestOptions;
      // Validated here, on the object: the transport need not parse the serialized body back.
      const issues = validate ? requestBodyIssues(recordFeedbackOperation, body) : [];
      if (issues.length) throw invalidRequestError(`${method} ${path}`, issues, apiKey);
      const { data, error, response } = await client.POST(path, {
        body,
        signal,
        fetch: Object.keys(overrides).length > 0 ? transport(overrides, recordFeedbackOperation) : feedbackTransport,
      });
      if (!response.ok) throw errorFor(method, path, response, error);
      return data as ResponseData<"recordFeedback">;
    }

    function errorFor(method: string, path: string, response: Response, body: unknown): PareaApiError {
      return apiErrorFor({
        // A server may echo the key back (e.g. "invalid key abc…"); it must not reach error output.
        secret: apiKey,
        request: `${method} ${path}`,
        status: response.status,
        body,
        headers: response.headers,
        attempts: attemptsOf(response),
        retryAfterMs: serverRequestedDelayMs(response.headers),
      });
    }

    return Object.assign(client, {
      recordFeedback,
      withOptions: (overrides: Omit<PareaClientOptions, "apiKey">) =>
        createPareaClient({ ...options, ...overrides, apiKey }),
    });
  };
}
