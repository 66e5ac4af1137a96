import type { components } from "./generated/openapi.js";

/** One problem the API reported with the request, as the spec's ValidationError schema defines it. */
export type ValidationIssue = components["schemas"]["ValidationError"];

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
}

/** The API answered with a non-2xx status. */
export class PareaApiError extends PareaError {
  override name = "PareaApiError";
  readonly status: number;
  /** The parsed JSON body, or the raw text when the body is not JSON. */
  readonly body: unknown;
  readonly headers: Headers;

  constructor(details: ApiErrorDetails, message = defaultMessage(details)) {
    super(message);
    this.status = details.status;
    this.body = details.body;
    this.headers = details.headers;
  }
}

/** The API rejected the request body or parameters (422); `issues` says what and where. */
export class PareaValidationError extends PareaApiError {
  override name = "PareaValidationError";
  readonly issues: ValidationIssue[];

  constructor(details: ApiErrorDetails) {
    const issues = validationIssues(details.body);
    const summary = issues.map((issue) => `${issue.loc.join(".")}: ${issue.msg}`).join("; ");
    super(details, `${defaultMessage(details)}${summary ? `: ${summary}` : ""}`);
    this.issues = issues;
  }
}

function defaultMessage({ method, path, status }: ApiErrorDetails): string {
  return `Parea API answered ${status} to ${method} ${path}`;
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
export function apiErrorFor(details: ApiErrorDetails): PareaApiError {
  return details.status === 422 ? new PareaValidationError(details) : new PareaApiError(details);
}
