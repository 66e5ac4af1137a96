// createPareaClient: openapi-fetch with the auth and response-check middleware, the reliability layer
// as its fetch, and the named helpers, each one line over the generic `call`.
import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import { version } from "../package.json";
import { apiErrorFor, type PareaApiError } from "./errors.js";
import type { paths } from "./generated/openapi.js";
import type { SchemeCredentials } from "./generated/spec.js";
import { helpers, type HelperMethods } from "./generated/helpers.js";
import { userAgent } from "./generated/vendor.js";
import { INTERNAL } from "./internal.js";
import { createLog, type Logger, type LogLevel } from "./logger.js";
import { LightRequest } from "./light/request.js";
import { authMiddleware, credentialRequired, resolveCredentials } from "./middleware/auth.js";
import { responseCheckMiddleware } from "./middleware/response-check.js";
import {
  checkRequestBody,
  wireBody,
  type Operation,
  type OperationName,
  type RequestBody,
  type ResponseData,
} from "./operations.js";
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
import { attemptsOf, createTransport, type AttemptInfo, type AttemptStart } from "./reliability.js";
import { serverRequestedDelayMs } from "./retry.js";
import { Secrets } from "./redact.js";
import { fetchSend } from "./send/fetch.js";
import type { FetchFunction, Send } from "./send/types.js";

export type { OperationSchema, RequestBody, ResponseData } from "./operations.js";

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
   * Credentials by security scheme, for a spec with more than the API key's: a token (or a function
   * returning one, async too: called once per call), `{ username, password }` for http basic, `true`
   * for mutual TLS. Each request sends the first alternative of its operation's requirement that these
   * fill. Every secret given or supplied is redacted from errors and logs like the API key.
   */
  auth?: SchemeCredentials;
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

/** Each named helper's [request body, response data], for the generated `HelperMethods`. */
type HelperTypes = { [Name in keyof typeof helpers]: [RequestBody<Name>, ResponseData<Name>] };

/**
 * openapi-fetch's client, plus one method per helper the vendor configuration names (spec/vendor.yaml
 * `helpers`: `recordFeedback`), each checked against the operation names lock by codegen.
 */
export interface PareaClient extends Client<paths>, HelperMethods<HelperTypes, RequestOptions> {
  /** A client with some options changed (e.g. maxRetries for a batch job); the rest are kept. */
  withOptions(overrides: Omit<PareaClientOptions, "apiKey">): PareaClient;
}

/** The body reaches openapi-fetch already serialized (wireBody), once. */
const sentAsIs = (json: string) => json;

const SDK_HEADERS = {
  "x-sdk-language": "typescript",
  "x-sdk-version": version,
  "user-agent": `${userAgent}/${version}`,
};

/**
 * createPareaClient over a platform's default HTTP stack: node:http on Node (index.node.ts), the
 * platform fetch elsewhere (index.ts). A `fetch` option always replaces the stack and receives a
 * standard Request. openapi-fetch builds a LightRequest either way: the serialized body stays a string.
 */
export function clientFactory(defaultSend: Send): (options?: PareaClientOptions) => PareaClient {
  return function createPareaClient(options: PareaClientOptions = {}): PareaClient {
    checkOptions(options);
    const auth = options.auth;
    const apiKey = resolveApiKey(options.apiKey, undefined, credentialRequired() && !Object.keys(auth ?? {}).length);
    const secrets = new Secrets(apiKey);
    const credentials = resolveCredentials(apiKey, auth, secrets);
    const baseUrl = resolveBaseUrl(options.baseUrl, undefined, options.allowInsecureHttp);
    const log = createLog(options.logger ?? console, resolveLogLevel(options.logLevel), secrets);
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
        secrets,
        validate,
        log,
        operation,
        beforeAttempt: options.beforeAttempt,
        onAttempt: options.onAttempt,
      });
    const client = createClient<paths>({
      baseUrl,
      fetch: transport(),
      Request: LightRequest as unknown as typeof Request,
      headers: { ...SDK_HEADERS, ...resolveHeaders(options.headers) },
    });
    // First in, so its onResponse runs last, on the response every other middleware has seen.
    client.use(responseCheckMiddleware(secrets), authMiddleware(credentials, secrets));

    // openapi-fetch's request(), with the method and path as plain strings: `call` is generic over
    // operations, which its per-path types cannot follow (each helper's own types are exact).
    const request = client.request as unknown as (
      method: string,
      path: string,
      init: {
        body: unknown;
        bodySerializer: (json: string) => string;
        signal: AbortSignal | undefined;
        fetch: FetchFunction;
      },
    ) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
    // One transport per operation, made on its first call: no table lookup, no parsing the body back.
    const transports = new Map<Operation, FetchFunction>();
    /** Throws when validation is on and the body breaks the operation's spec; nothing is sent then. */
    function check(operation: Operation, body: unknown): void {
      if (validate) checkRequestBody(operation, body, secrets);
    }
    /**
     * Calls one operation of the spec with a typed body: serialized once, validated as it will be sent
     * (wireBody: a toJSON's output, not the object), sent through the
     * reliability layer, the body on 2xx, a PareaError subclass otherwise. Per-call options get a
     * transport of their own, kept in `cache` when the caller has one for them (internal.ts).
     */
    async function call<Name extends OperationName>(
      // Name is read from the module's own `name`, so it stays exact however many operations there are.
      operation: Operation & { readonly name: Name },
      body: RequestBody<Name>,
      requestOptions: RequestOptions = {},
      cache?: Map<Operation, FetchFunction>,
    ): Promise<ResponseData<Name>> {
      checkOptions(requestOptions);
      const { method, path } = operation;
      const { signal, ...overrides } = requestOptions;
      const json = wireBody(operation, body, secrets);
      if (validate) checkRequestBody(operation, JSON.parse(json), secrets);
      const cached = Object.keys(overrides).length > 0 ? cache : transports;
      const fetch = cached?.get(operation) ?? transport(overrides, operation);
      cached?.set(operation, fetch);
      const { data, error, response } = await request(method.toLowerCase(), path, {
        body: json,
        bodySerializer: sentAsIs,
        signal,
        fetch,
      });
      if (!response.ok) throw errorFor(method, path, response, error);
      return data as ResponseData<Name>;
    }

    function errorFor(method: string, path: string, response: Response, body: unknown): PareaApiError {
      return apiErrorFor({
        // A server may echo a credential back (e.g. "invalid key abc…"); it must not reach error output.
        secrets,
        request: `${method} ${path}`,
        status: response.status,
        body,
        headers: response.headers,
        attempts: attemptsOf(response),
        retryAfterMs: serverRequestedDelayMs(response.headers),
      });
    }

    // Not checked against Internal's generic signature (nor helpers' calls against call's): relating
    // them expands every operation's body type into one union, which TypeScript refuses past ~1 000
    // operations (TS2590, GitHub's document). Internal's and HelperMethods' types are the public ones.
    const anyCall = call as unknown as (op: Operation, body: unknown, options?: RequestOptions) => Promise<unknown>;
    Object.defineProperty(client, INTERNAL, { value: { call: anyCall, check, log } });
    const methods = Object.fromEntries(
      Object.values<Operation & { readonly name: string }>(helpers).map((operation) => [
        operation.name,
        (body: unknown, requestOptions?: RequestOptions) => anyCall(operation, body, requestOptions),
      ]),
    ) as unknown as HelperMethods<HelperTypes, RequestOptions>;
    return Object.assign(client, methods, {
      withOptions: (overrides: Omit<PareaClientOptions, "apiKey">) =>
        createPareaClient({ ...options, ...overrides, apiKey }),
    });
  };
}
