// The error hierarchy, and the functions that build every error the client throws: each string an
// error carries goes through redact.ts first, so a server echoing the API key cannot put it in one.
import type { components } from "./generated/openapi.js";
import { scrub, scrubDeep, Secrets } from "./redact.js";

/**
 * One problem the API reported with the request, as the spec's ValidationError schema defines it
 * (FastAPI's `{loc, msg, type}`); a spec without that schema gets the same shape, loosely typed.
 */
export type ValidationIssue = [components["schemas"]] extends [never] // a spec without schemas
  ? FastApiIssue
  : components["schemas"] extends { ValidationError: infer Issue }
    ? Issue
    : FastApiIssue;
type FastApiIssue = { loc: (string | number)[]; msg: string; type: string; [key: string]: unknown };

/** One problem client-side validation found: where in the body (JSONPath) and what. */
export interface InvalidRequestIssue {
  path: string;
  message: string;
}

// Fields are `declare`d and set with Object.assign: the classes stay one line each in the bundle.

/** Base class of every error this client throws; `instanceof PareaError` catches them all. */
export class PareaError extends Error {
  override name = "PareaError";
  /** For a bad option (thrown at client creation or per call): the option's name, e.g. "timeoutMs". */
  declare readonly option?: string;
}

/** A PareaError about one option, named in `error.option` (the client's, the outbox's). */
export const optionError = (option: string, message: string): PareaError =>
  Object.assign(new PareaError(message), { option });

/** The API answered with a non-2xx status (after any retries). */
export class PareaApiError extends PareaError {
  override name = "PareaApiError";
  declare readonly status: number;
  /** The parsed JSON body, or the raw text when the body is not JSON. */
  declare readonly body: unknown;
  declare readonly headers: Headers;
  /** The server's request id (x-request-id / request-id header), for support tickets. */
  declare readonly requestId: string | undefined;
  /** Requests sent, retries included. */
  declare readonly attempts: number;
}

/** 422: the API rejected the request body or parameters; `issues` says what and where. */
export class PareaValidationError extends PareaApiError {
  override name = "PareaValidationError";
  declare readonly issues: ValidationIssue[];
}

/** 401 or 403: the API key is missing, wrong, or lacks access. */
export class PareaAuthenticationError extends PareaApiError {
  override name = "PareaAuthenticationError";
}

/** 429 after retries: slow down; `retryAfterMs` is the wait the server asked for, if it said. */
export class PareaRateLimitError extends PareaApiError {
  override name = "PareaRateLimitError";
  declare readonly retryAfterMs: number | undefined;
}

/** Client-side validation against the spec failed; nothing was sent. */
export class PareaInvalidRequestError extends PareaError {
  override name = "PareaInvalidRequestError";
  declare readonly issues: InvalidRequestIssue[];
}

/** No response within timeoutMs, on the last attempt. */
export class PareaTimeoutError extends PareaError {
  override name = "PareaTimeoutError";
  declare readonly timeoutMs: number;
  declare readonly attempts: number;
}

/** The connection failed (refused, reset, DNS...); `cause` is the underlying error. */
export class PareaConnectionError extends PareaError {
  override name = "PareaConnectionError";
  declare readonly attempts: number;
}

/** The caller's AbortSignal fired; `cause` is the signal's reason. Never retried. */
export class PareaAbortError extends PareaError {
  override name = "PareaAbortError";
}

/**
 * A 2xx whose body is not the JSON the spec promises: a proxy's sign-in page, a baseUrl pointing at a
 * web site, a body cut short. `body` is the start of the text; `cause` is the parse error.
 */
export class PareaInvalidResponseError extends PareaApiError {
  override name = "PareaInvalidResponseError";
  declare readonly contentType: string | undefined;
}

/** The response body is larger than maxResponseBytes; it was not read further. Never retried. */
export class PareaResponseTooLargeError extends PareaApiError {
  override name = "PareaResponseTooLargeError";
  declare readonly maxResponseBytes: number;
}

/** The API redirected to another origin (following would send the API key there), or too often. */
export class PareaRedirectError extends PareaError {
  override name = "PareaRedirectError";
}

type ErrorClass<E> = new (message: string, options?: ErrorOptions) => E;

/**
 * Builds an error with every string it carries (message, so stack; body; headers; any other field)
 * scrubbed of the secrets. The one way errors that may quote a server or a URL are made.
 */
export function createError<E extends PareaError>(
  ErrorClass: ErrorClass<E>,
  secrets: Secrets,
  message: string,
  fields: object = {},
  cause?: unknown,
): E {
  const error = new ErrorClass(scrub(message, secrets), cause === undefined ? undefined : { cause });
  return Object.assign(error, scrubDeep(fields, secrets));
}

/** The caller's signal fired; `cause` is its reason. */
export const abortError = (where: string, reason: unknown, secrets: Secrets): PareaAbortError =>
  createError(PareaAbortError, secrets, `${where} was aborted by the caller`, {}, reason);

/** No complete answer within timeoutMs on the last attempt. */
export const timeoutError = (where: string, timeoutMs: number, attempt: number, secrets: Secrets): PareaTimeoutError =>
  createError(
    PareaTimeoutError,
    secrets,
    `${where} timed out after ${timeoutMs} ms (attempt ${attempt}); raise timeoutMs if the API is slow`,
    { timeoutMs, attempts: attempt },
  );

/** Refused, reset, DNS...: `code` is the platform's (ECONNREFUSED), `cause` the platform error. */
export const connectionError = (
  where: string,
  code: string,
  attempt: number,
  cause: unknown,
  secrets: Secrets,
): PareaConnectionError =>
  createError(
    PareaConnectionError,
    secrets,
    `${where}: connection failed (${code || "network error"}, attempt ${attempt}); check baseUrl and network`,
    { attempts: attempt },
    cause,
  );

/** A redirect the client will not follow (`why` says which). */
export const redirectError = (where: string, why: string, secrets: Secrets): PareaRedirectError =>
  createError(PareaRedirectError, secrets, `${where}: ${why}`);

/** The body passed maxResponseBytes: what the status line and headers said, nothing of the body. */
export function tooLargeError(
  where: string,
  { status, headers }: { status: number; headers: Headers },
  maxResponseBytes: number,
  attempt: number,
  secrets: Secrets,
): PareaResponseTooLargeError {
  const message = `Parea API answered ${status} to ${where} with a body over maxResponseBytes (${maxResponseBytes} bytes); it was not read further`;
  const fields = { status, headers, body: undefined, requestId: requestIdOf(headers), attempts: attempt };
  return createError(PareaResponseTooLargeError, secrets, message, { ...fields, maxResponseBytes });
}

/** A 2xx whose body is not the JSON the spec promises; `text` is the body, `cause` the parse error. */
export function invalidResponseError(
  where: string,
  response: { status: number; headers: Headers },
  text: string,
  attempts: number,
  cause: unknown,
  secrets: Secrets,
): PareaInvalidResponseError {
  const contentType = response.headers.get("content-type") ?? undefined;
  // Scrubbed before the cut: a key straddling it must not survive in part.
  const body = excerpt(scrub(text, secrets));
  const message = `Parea API answered ${response.status} to ${where} with a body that is not JSON (content-type ${contentType ?? "none"}; check baseUrl and any proxy in between): ${body}`;
  const fields = { status: response.status, body, headers: response.headers, contentType, attempts };
  return createError(
    PareaInvalidResponseError,
    secrets,
    message,
    { ...fields, requestId: requestIdOf(response.headers) },
    cause,
  );
}

/** The connection broke while a response body was being read (a response another middleware swapped in). */
export const brokenBodyError = (
  where: string,
  status: number,
  cause: unknown,
  secrets: Secrets,
): PareaConnectionError =>
  createError(
    PareaConnectionError,
    secrets,
    `${where}: the connection broke while reading the ${status} response body`,
    {},
    cause,
  );

/** Validation issues as one line: `$.score must be <= 1; $.trace_id is required`. */
export const formatIssues = (issues: InvalidRequestIssue[]): string =>
  issues.map((issue) => `${issue.path} ${issue.message}`).join("; ");

/** The body breaks the spec, so nothing is sent; `where` is "POST /api/parea/v1/feedback". */
export function invalidRequestError(
  where: string,
  issues: InvalidRequestIssue[],
  secrets = new Secrets(),
): PareaInvalidRequestError {
  const message = `${where} not sent: body breaks the API spec: ${formatIssues(issues)}`;
  return createError(PareaInvalidRequestError, secrets, message, { issues });
}

export interface ApiErrorDetails {
  /** Scrubbed from everything the error carries. */
  secrets?: Secrets;
  /** "POST /api/parea/v1/feedback" */
  request: string;
  status: number;
  body: unknown;
  headers: Headers;
  attempts: number;
  retryAfterMs: number | undefined;
}

/** The server's request id (x-request-id / request-id), for support tickets. */
export const requestIdOf = (headers: Headers): string | undefined =>
  headers.get("x-request-id") ?? headers.get("request-id") ?? undefined;

/** Whitespace collapsed and cut to `max` characters, for quoting a server's words in a message. */
export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max).trimEnd()}…` : flat;
}

/** One of FastAPI's 422 `detail` items; anything else in `detail` is left out, never trusted. */
const isValidationIssue = (item: unknown): item is ValidationIssue =>
  Array.isArray((item as Partial<ValidationIssue> | null)?.loc) && typeof (item as ValidationIssue).msg === "string";

/** What the server said about the failure: FastAPI's issues, a detail/message/error string, or the body itself. */
function serverSaid(body: unknown, issues: ValidationIssue[]): string {
  if (issues.length) return issues.map((issue) => `${issue.loc.join(".")}: ${issue.msg}`).join("; ");
  // Object(): a string or number body has none of these fields, and null becomes {}.
  const fields = Object(body) as { detail?: unknown; message?: unknown; error?: unknown };
  const said = fields.detail ?? fields.message ?? fields.error ?? body;
  const text = typeof said === "string" ? said : said === undefined ? "" : JSON.stringify(said);
  return text === "{}" || text === "null" ? "" : excerpt(text, 300);
}

/** The error class for a non-2xx response, with a message naming the call, what the server said and what to do. */
export function apiErrorFor({
  secrets = new Secrets(),
  request,
  status,
  body,
  headers,
  attempts,
  retryAfterMs,
}: ApiErrorDetails): PareaApiError {
  // Scrubbed before anything is cut or quoted: a key straddling a cut must not survive in part.
  body = scrubDeep(body, secrets);
  const requestId = requestIdOf(headers);
  const detail = (body as { detail?: unknown } | null)?.detail;
  const issues = Array.isArray(detail) ? (detail as unknown[]).filter(isValidationIssue) : [];
  const [ErrorClass, hint] =
    status === 401 || status === 403
      ? [PareaAuthenticationError, "check the API key"]
      : status === 422
        ? [PareaValidationError, ""]
        : status === 429
          ? [
              PareaRateLimitError,
              `rate limited${retryAfterMs === undefined ? "" : `; retry after ${Math.ceil(retryAfterMs / 1000)} s`}`,
            ]
          : [PareaApiError, ""];
  const explanation = [serverSaid(body, issues), hint].filter(Boolean).join("; ");
  const message =
    `Parea API answered ${status} to ${request}` +
    (attempts > 1 ? ` after ${attempts} attempts` : "") +
    (explanation ? `: ${explanation}` : "") +
    (requestId ? ` (request id ${requestId})` : "");
  return createError(ErrorClass as ErrorClass<PareaApiError>, secrets, message, {
    status,
    body,
    headers,
    requestId,
    attempts,
    ...(status === 422 && { issues }),
    ...(status === 429 && { retryAfterMs }),
  });
}
