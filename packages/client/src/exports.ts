// Everything both entries (index.ts, index.node.ts) export besides createPareaClient.
export type { PareaClient, PareaClientOptions, RequestBody, RequestOptions, ResponseData } from "./client.js";
export type { SchemeCredentials } from "./generated/spec.js";
export {
  PareaAbortError,
  PareaApiError,
  PareaAuthenticationError,
  PareaConnectionError,
  PareaError,
  PareaInvalidRequestError,
  PareaInvalidResponseError,
  PareaRateLimitError,
  PareaRedirectError,
  PareaResponseTooLargeError,
  PareaTimeoutError,
  PareaValidationError,
  type InvalidRequestIssue,
  type ValidationIssue,
} from "./errors.js";
export type { Logger, LogLevel } from "./logger.js";
export type { FetchFunction } from "./send/types.js";
export type { AttemptInfo, AttemptStart } from "./reliability.js";
export type { components, operations, paths } from "./generated/openapi.js";
