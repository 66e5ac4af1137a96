// Operations as the generated code describes them (src/generated/operations/, one module each), and
// readable validation issues. recordFeedback imports its own module; the raw verbs look a request up
// in the whole table, which is loaded on first use so a service that never calls them does not
// bundle every operation's validator.
import type { InvalidRequestIssue } from "./errors.js";
import type { operations } from "./generated/operations/index.js";

export type OperationName = keyof typeof operations;

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

export interface Operation {
  name: string;
  method: string;
  path: string;
  pathPattern: string;
  retrySafe: boolean;
  /** The request body's spec validator (Ajv standalone), when the operation takes a JSON body. */
  validate?: { (data: unknown): boolean; errors?: AjvError[] | null };
}

let table: Promise<{ op: Operation; pattern: RegExp }[]> | undefined;

/** The spec operation a request targets, by method and path (path relative to the base URL). */
export async function findOperation(method: string, path: string): Promise<Operation | undefined> {
  table ??= import("./generated/operations/index.js").then(({ operations }) =>
    Object.values<Operation>(operations).map((op) => ({ op, pattern: new RegExp(op.pathPattern) })),
  );
  return (await table).find(({ op, pattern }) => op.method === method && pattern.test(path))?.op;
}

/** Check a JSON body against the operation's generated validator; an empty list means valid. */
export function requestBodyIssues(operation: Operation, body: unknown): InvalidRequestIssue[] {
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
