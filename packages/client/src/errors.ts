import type { components } from "./generated/openapi.js";

/** One problem the API reported with the request, as the spec's ValidationError schema defines it. */
export type ValidationIssue = components["schemas"]["ValidationError"];

/** One problem client-side validation found: where in the body (JSONPath) and what. */
export interface InvalidRequestIssue {
  path: string;
  message: string;
}

/** Base class of every error this client throws; `instanceof PareaError` catches them all. */
export class PareaError extends Error {
  override name = "PareaError";
}

export interface ApiErrorDetails {
  method: string;
  path: string;
  status: number;
  body: unknown;
  headers: Headers;
  /** Requests sent, retries included. */
  attempts?: number;
}

/** The API answered with a non-2xx status (after any retries). */
export class PareaApiError extends PareaError {
  override name = "PareaApiError";
  readonly status: number;
  /** The parsed JSON body, or the raw text when the body is not JSON. */
  readonly body: unknown;
  readonly headers: Headers;
  /** The server's request id (x-request-id / request-id header), for support tickets. */
  readonly requestId: string | undefined;
  readonly attempts: number;

  constructor(details: ApiErrorDetails, hint?: string) {
    const attempts = details.attempts ?? 1;
    const requestId = details.headers.get("x-request-id") ?? details.headers.get("request-id") ?? undefined;
    super(
      `Parea API answered ${details.status} to ${details.method} ${details.path}` +
        (attempts > 1 ? ` after ${attempts} attempts` : "") +
        (hint ? `: ${hint}` : "") +
        (requestId ? ` (request id ${requestId})` : ""),
    );
    this.status = details.status;
    this.body = details.body;
    this.headers = details.headers;
    this.requestId = requestId;
    this.attempts = attempts;
  }
}

/** 422: the API rejected the request body or parameters; `issues` says what and where. */
export class PareaValidationError extends PareaApiError {
  override name = "PareaValidationError";
  readonly issues: ValidationIssue[];

  constructor(details: ApiErrorDetails) {
    const issues = validationIssues(details.body);
    super(details, issues.map((issue) => `${issue.loc.join(".")}: ${issue.msg}`).join("; ") || undefined);
    this.issues = issues;
  }
}

/** 401 or 403: the API key is missing, wrong, or lacks access. */
export class PareaAuthenticationError extends PareaApiError {
  override name = "PareaAuthenticationError";

  constructor(details: ApiErrorDetails) {
    super(details, "check the API key (the apiKey option or PAREA_API_KEY)");
  }
}

/** 429 after retries: slow down; `retryAfterMs` is the wait the server asked for, if it said. */
export class PareaRateLimitError extends PareaApiError {
  override name = "PareaRateLimitError";
  readonly retryAfterMs: number | undefined;

  constructor(details: ApiErrorDetails, retryAfterMs: number | undefined) {
    super(
      details,
      `rate limited${retryAfterMs === undefined ? "" : `; the server asks to wait ${Math.ceil(retryAfterMs / 1000)} s`}`,
    );
    this.retryAfterMs = retryAfterMs;
  }
}

/** Client-side validation against the spec failed; nothing was sent. */
export class PareaInvalidRequestError extends PareaError {
  override name = "PareaInvalidRequestError";
  readonly issues: InvalidRequestIssue[];

  constructor(method: string, path: string, issues: InvalidRequestIssue[]) {
    super(
      `Request ${method} ${path} does not match the API spec and was not sent: ` +
        issues.map((issue) => `${issue.path} ${issue.message}`).join("; "),
    );
    this.issues = issues;
  }
}

/** No response within timeoutMs, on the last attempt. */
export class PareaTimeoutError extends PareaError {
  override name = "PareaTimeoutError";
  readonly timeoutMs: number;
  readonly attempts: number;

  constructor(method: string, path: string, timeoutMs: number, attempts: number) {
    super(
      `${method} ${path} got no response within ${timeoutMs} ms` +
        (attempts > 1 ? ` on each of ${attempts} attempts` : "") +
        "; raise timeoutMs if the API is just slow",
    );
    this.timeoutMs = timeoutMs;
    this.attempts = attempts;
  }
}

/** The connection failed (refused, reset, DNS...); `cause` is the underlying error. */
export class PareaConnectionError extends PareaError {
  override name = "PareaConnectionError";
  readonly attempts: number;

  constructor(method: string, path: string, attempts: number, cause: unknown) {
    const reason = describeCause(cause);
    super(
      `${method} ${path} could not reach the Parea API${attempts > 1 ? ` in ${attempts} attempts` : ""}` +
        `${reason ? ` (${reason})` : ""}; check baseUrl and the network`,
      { cause },
    );
    this.attempts = attempts;
  }
}

/** The caller's AbortSignal fired; `cause` is the signal's reason. Never retried. */
export class PareaAbortError extends PareaError {
  override name = "PareaAbortError";

  constructor(method: string, path: string, reason: unknown) {
    super(`${method} ${path} was aborted by the caller`, { cause: reason });
  }
}

/** The API redirected to another origin; following would send the API key there. */
export class PareaRedirectError extends PareaError {
  override name = "PareaRedirectError";

  constructor(message: string) {
    super(message);
  }
}

function describeCause(cause: unknown): string {
  const inner = (cause as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = inner?.code ?? (cause as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : "";
}

function validationIssues(body: unknown): ValidationIssue[] {
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (!Array.isArray(detail)) return [];
  return detail.filter(
    (item): item is ValidationIssue =>
      typeof item === "object" && item !== null && Array.isArray(item.loc) && typeof item.msg === "string",
  );
}

/** The error class for a non-2xx response. */
export function apiErrorFor(details: ApiErrorDetails, retryAfterMs?: number): PareaApiError {
  switch (details.status) {
    case 401:
    case 403:
      return new PareaAuthenticationError(details);
    case 422:
      return new PareaValidationError(details);
    case 429:
      return new PareaRateLimitError(details, retryAfterMs);
    default:
      return new PareaApiError(details);
  }
}
