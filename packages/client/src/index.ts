export {
  createPareaClient,
  type PareaClient,
  type PareaClientOptions,
  type RequestBody,
  type RequestOptions,
  type ResponseData,
} from "./client.js";
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
  PareaTimeoutError,
  PareaValidationError,
  type InvalidRequestIssue,
  type ValidationIssue,
} from "./errors.js";
export type { Logger, LogLevel } from "./logger.js";
export type { components, operations, paths } from "./generated/openapi.js";
