import { operations } from "./generated/spec.js";
import { validators } from "./generated/validators.js";
import type { InvalidRequestIssue } from "./errors.js";

export type OperationName = keyof typeof operations;
export type Operation = (typeof operations)[OperationName];

interface AjvError {
  instancePath: string;
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
  return (validate.errors ?? []).map(({ instancePath, keyword, params, message }) => {
    const missing = keyword === "required" && params.missingProperty;
    return missing
      ? { path: toJsonPath(`${instancePath}/${missing}`), message: "is required" }
      : // Ajv words a type list as "must be string,null".
        {
          path: toJsonPath(instancePath),
          message: keyword === "type" ? `must be ${[params.type].flat().join(" or ")}` : (message ?? keyword),
        };
  });
}

/** JSON Pointer (/a/0/b) -> JSONPath ($.a[0].b), the form people read. */
function toJsonPath(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((raw) => raw.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : `${path}.${segment}`), "$");
}
