export {
  createPareaClient,
  type PareaClient,
  type PareaClientOptions,
  type RequestBody,
  type ResponseData,
} from "./client.js";
export { PareaApiError, PareaError, PareaValidationError, type ValidationIssue } from "./errors.js";
export type { components, operations, paths } from "./generated/openapi.js";
