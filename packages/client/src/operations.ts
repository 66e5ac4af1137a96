// Operations as the generated code describes them (src/generated/operations/, one module each), and
// readable validation issues. recordFeedback imports its own module; the raw verbs look a request up
// in the whole table, which is loaded on first use so a service that never calls them does not
// bundle every operation's validator.
import { invalidRequestError, type InvalidRequestIssue } from "./errors.js";
import type { Secrets } from "./redact.js";
import type { paths, Readable, Writable } from "./generated/openapi.js";
import type { operations } from "./generated/operations/index.js";

export type OperationName = keyof typeof operations;

/** The generated operation type for a named operation (generic code cannot index paths directly). */
export type OperationSchema<Name extends OperationName> = (typeof operations)[Name] extends {
  path: infer Path extends keyof paths;
  method: infer Method extends string;
}
  ? paths[Path] extends Record<Lowercase<Method>, infer Schema>
    ? Schema
    : never
  : never;

/**
 * The JSON request body of an operation, as generated from the spec (never if it has none), without
 * its readOnly properties (what openapi-fetch asks of callers too).
 */
export type RequestBody<Name extends OperationName> =
  OperationSchema<Name> extends { requestBody?: infer Body }
    ? NonNullable<Body> extends { content: { "application/json": infer Json } }
      ? Writable<Json>
      : never
    : never;

/** The JSON body of an operation's 200 response (unknown if the spec does not say), without writeOnly properties. */
export type ResponseData<Name extends OperationName> =
  OperationSchema<Name> extends { responses: { 200: { content: { "application/json": infer Data } } } }
    ? Readable<Data>
    : unknown;

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

/** Operations with their path patterns compiled, for matching requests. */
export type OperationTable = { op: Operation; pattern: RegExp }[];

export const tableOf = (ops: Record<string, Operation>): OperationTable =>
  Object.values(ops).map((op) => ({ op, pattern: new RegExp(op.pathPattern) }));

/** The spec operation a request targets, by method and path (path relative to the base URL). */
export const lookup = (table: OperationTable, method: string, path: string): Operation | undefined =>
  table.find(({ op, pattern }) => op.method === method && pattern.test(path))?.op;

let table: Promise<OperationTable> | undefined;

/** lookup() in the whole generated table, loaded on first use. */
export async function findOperation(method: string, path: string): Promise<Operation | undefined> {
  table ??= import("./generated/operations/index.js").then(({ operations }) => tableOf(operations));
  return lookup(await table, method, path);
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
    const missing = keyword === "required" ? params.missingProperty : undefined;
    const segments = toSegments(typeof missing === "string" && missing ? `${instancePath}/${missing}` : instancePath);
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

/**
 * The body as it goes on the wire (JSON.stringify: toJSON applied, undefined and functions dropped, NaN
 * as null). What gets validated is this JSON parsed back (what is checked is what is sent), parsed by
 * the caller only when it validates. A body JSON cannot carry (a cycle, a BigInt) is a
 * PareaInvalidRequestError.
 */
export function wireBody(operation: Operation, body: unknown, secrets?: Secrets): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(body);
  } catch {
    // a cycle or a BigInt
  }
  if (json === undefined)
    throw invalidRequestError(
      `${operation.method} ${operation.path}`,
      [{ path: "$", message: "cannot be sent as JSON" }],
      secrets,
    );
  return json;
}

/** Throws PareaInvalidRequestError (the secrets scrubbed) when the body breaks the operation's spec. */
export function checkRequestBody(operation: Operation, body: unknown, secrets?: Secrets): void {
  const issues = requestBodyIssues(operation, body);
  if (issues.length) throw invalidRequestError(`${operation.method} ${operation.path}`, issues, secrets);
}

/** JSON Pointer (/a/0/b) -> ["a", 0, "b"]; JSONPath ($.a[0].b) is the form people read. */
function toSegments(pointer: string): (string | number)[] {
  return pointer
    .split("/")
    .slice(1)
    .map((raw) => raw.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}
