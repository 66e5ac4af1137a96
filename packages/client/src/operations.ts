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

/** A validation issue with where it is as segments too (["trace_id"], ["items", 0]): FastAPI's `loc`. */
export interface LocatedIssue extends InvalidRequestIssue {
  segments: (string | number)[];
}

/** Every problem the operation's generated validator finds in a body; empty when it is valid. */
export function locatedIssues(operation: Operation, body: unknown): LocatedIssue[] {
  const validate = operation.validate;
  if (!validate || validate(body)) return [];
  return (validate.errors ?? []).map(({ instancePath, keyword, params, message }) => {
    const missing = keyword === "required" && params.missingProperty;
    const segments = toSegments(missing ? `${instancePath}/${missing}` : instancePath);
    return {
      segments,
      path: segments.reduce<string>((path, s) => (typeof s === "number" ? `${path}[${s}]` : `${path}.${s}`), "$"),
      // Ajv words a type list as "must be string,null".
      message: missing
        ? "is required"
        : keyword === "type"
          ? `must be ${[params.type].flat().join(" or ")}`
          : (message ?? keyword),
    };
  });
}

/** Check a JSON body against the operation's generated validator; an empty list means valid. */
export function requestBodyIssues(operation: Operation, body: unknown): InvalidRequestIssue[] {
  return locatedIssues(operation, body).map(({ path, message }) => ({ path, message }));
}

/** JSON Pointer (/a/0/b) -> ["a", 0, "b"]; JSONPath ($.a[0].b) is the form people read. */
function toSegments(pointer: string): (string | number)[] {
  return pointer
    .split("/")
    .slice(1)
    .map((raw) => raw.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}
