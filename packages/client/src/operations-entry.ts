// The @parea-api/client/operations entry: the generated operation table for tools built on this client (the
// CLI, test doubles). Never imported by the main entry, so services do not bundle it.
export { operations } from "./generated/operations/index.js";
export { requestFields, type RequestField } from "./generated/operations/fields.js";
export { requestBodyIssues, type Operation, type OperationName } from "./operations.js";
export type { InvalidRequestIssue } from "./errors.js";
export { MAX_RETRY_AFTER_MS } from "./retry.js";
export { sleep } from "./sleep.js";
export { formatIssues } from "./errors.js";
export { SharedRateLimit } from "./rate-limit.js";
