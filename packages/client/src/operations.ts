import { operations } from "./generated/spec.js";
import * as validators from "./generated/validators.js";
import type { InvalidRequestIssue } from "./errors.js";

export type OperationName = keyof typeof operations;
export type Operation = (typeof operations)[OperationName];

interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

interface ValidateFunction {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}

const table = Object.entries(operations).map(([name, op]) => ({
  name: name as OperationName,
  op: op as Operation,
  pattern: new RegExp(op.pathPattern),
  validate: (validators as Record<string, ValidateFunction | undefined>)[name],
}));

export type MatchedOperation = (typeof table)[number];

/** The spec operation a request targets, by method and path (path relative to the base URL). */
export function findOperation(method: string, path: string): MatchedOperation | undefined {
  return table.find((entry) => entry.op.method === method && entry.pattern.test(path));
}

/** Check a JSON body against the operation's generated validator; an empty list means valid. */
export function requestBodyIssues(operation: MatchedOperation, body: unknown): InvalidRequestIssue[] {
  const validate = operation.validate;
  if (!validate || validate(body)) return [];
  const errors = validate.errors ?? [];
  // anyOf/oneOf report each failed branch plus a summary; fold them into one issue such as
  // "must be string or null" (the spec's nullable fields are all anyOf [type, null]).
  const unions = errors.filter((error) => error.keyword === "anyOf" || error.keyword === "oneOf");
  const inBranch = (error: AjvError, union: AjvError) => error.schemaPath.startsWith(`${union.schemaPath}/`);
  return errors
    .filter((error) => !unions.some((union) => inBranch(error, union)))
    .map((error) => {
      const missing = error.keyword === "required" ? error.params.missingProperty : undefined;
      if (typeof missing === "string")
        return { path: toJsonPath(`${error.instancePath}/${missing}`), message: "is required" };
      const branches = unions.includes(error)
        ? errors.filter((other) => inBranch(other, error) && other.instancePath === error.instancePath).map(messageOf)
        : [];
      return {
        path: toJsonPath(error.instancePath),
        message: branches.length > 0 ? joinAlternatives(branches) : messageOf(error),
      };
    });
}

function messageOf(error: AjvError): string {
  return error.message ?? error.keyword;
}

/** ["must be string", "must be null"] -> "must be string or null". */
function joinAlternatives(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.every((message) => message.startsWith("must be "))
    ? `must be ${unique.map((message) => message.slice("must be ".length)).join(" or ")}`
    : unique.join(" or ");
}

/** JSON Pointer (/a/0/b) -> JSONPath ($.a[0].b), the form people read. */
function toJsonPath(pointer: string): string {
  const segments = pointer === "" ? [] : pointer.slice(1).split("/");
  return segments
    .map((raw) => raw.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce(
      (path, segment) =>
        /^\d+$/.test(segment)
          ? `${path}[${segment}]`
          : /^[A-Za-z_$][\w$]*$/.test(segment)
            ? `${path}.${segment}`
            : `${path}[${JSON.stringify(segment)}]`,
      "$",
    );
}
