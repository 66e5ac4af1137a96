import { createRequire } from "node:module";
import { SpecPipelineError } from "./errors.ts";
import type { OpenApiDocument } from "./files.ts";
import { jsonPointer, refSegments, requestBodySchema, resolvedSegments, unescapePointer } from "./refs.ts";
import { isObject, own } from "./json.ts";
import { canonicalize } from "./schema-canonical.ts";
import type { OperationFacts } from "./spec-facts.ts";

// ajv ships CommonJS with `default` exports; createRequire keeps that interop explicit.
const require = createRequire(import.meta.url);
const Ajv = (require("ajv") as typeof import("ajv")).default;
const Ajv2020 = (require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js")).default;
/** Either Ajv: the draft-07 one or the 2020-12 one (a sibling class, not a subclass). */
type AnyAjv = InstanceType<typeof Ajv> | InstanceType<typeof Ajv2020>;
const standaloneCode = (require("ajv/dist/standalone/index.js") as typeof import("ajv/dist/standalone/index.js"))
  .default;

/** Keywords that never affect validity; dropped so the generated code does not carry them. */
const ANNOTATIONS = new Set(["title", "description", "examples", "example", "deprecated", "externalDocs", "xml"]);

/**
 * Ajv's standalone code can `require` a few runtime helpers. The client bundle must not depend on
 * ajv, so each helper is replaced by an equivalent; any other helper fails codegen loudly.
 */
const RUNTIME_HELPERS: Record<string, string> = {
  // Length in code points, as JSON Schema (and the server) count it; ajv's helper does the same.
  "ajv/dist/runtime/ucs2length": "(text) => { let n = 0; for (const _ of text) n++; return n; }",
  // Deep equality of JSON values, for enum/const/uniqueItems over objects and arrays.
  "ajv/dist/runtime/equal": [
    "function equal(a, b) {",
    "  if (a === b) return true;",
    '  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;',
    "  if (Array.isArray(a) !== Array.isArray(b)) return false;",
    "  const keys = Object.keys(a);",
    "  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]));",
    "}",
  ].join(" "),
};

/** Replace ajv runtime requires with the dependency-free equivalents above, or fail naming the helper. */
export function inlineRuntimeHelpers(code: string): string {
  const inlined = code.replace(/require\("([^"]+)"\)\.default/g, (_, module: string) => {
    const replacement = RUNTIME_HELPERS[module];
    if (!replacement) {
      throw new SpecPipelineError(
        `generated validators need ajv runtime helper "${module}", which has no dependency-free replacement in scripts/lib/validators.ts`,
      );
    }
    return `(${replacement})`;
  });
  if (/\brequire\(/.test(inlined))
    throw new SpecPipelineError("generated validators still call require(); refusing to emit them");
  return inlined;
}

const DRAFT_2020_ONLY =
  /"(prefixItems|unevaluatedProperties|unevaluatedItems|dependentRequired|dependentSchemas|minContains|maxContains|\$dynamicRef|\$dynamicAnchor)":/;

const SCHEMA_MAPS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]);
const SUBSCHEMAS = new Set([
  ...["allOf", "anyOf", "oneOf", "prefixItems", "items", "additionalItems", "additionalProperties", "not"],
  ...["if", "then", "else", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems"],
]);

/**
 * Copy a schema without annotation keywords, pointing every local ref (a component, a schema below
 * one, a schema inside `paths`) at a local $defs entry and collecting what it points at. Walks by
 * keyword, so a property that happens to be named "description" is kept.
 */
function localize(
  doc: OpenApiDocument,
  schema: unknown,
  used: Map<string, string>,
  refTo: (local: string) => string = (local) => `#/$defs/${local}`,
): unknown {
  if (!isObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword)) continue;
    if (keyword === "$ref" && typeof value === "string") {
      if (!refSegments(value))
        throw new SpecPipelineError(`unsupported $ref ${value}: only refs within the document can be validated`);
      const segments = resolvedSegments(doc, value);
      if (!segments) throw new SpecPipelineError(`$ref to missing schema ${JSON.stringify(value)}`);
      // Keyed by where it leads, so `%7B` and `{` spellings share one entry; local names by number
      // (a component may be named anything: `__proto__`, `a/b`, ...).
      const key = jsonPointer(...segments);
      if (!used.has(key)) used.set(key, `d${used.size}`);
      out.$ref = refTo(used.get(key)!);
    } else if (SCHEMA_MAPS.has(keyword) && isObject(value)) {
      out[keyword] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, localize(doc, sub, used, refTo)]),
      );
    } else if (SUBSCHEMAS.has(keyword)) {
      out[keyword] = Array.isArray(value)
        ? value.map((sub) => localize(doc, sub, used, refTo))
        : localize(doc, value, used, refTo);
    } else {
      out[keyword] = value;
    }
  }
  return out;
}

/** The schema a local pointer (as `used` keys them) leads to. */
const atPointer = (doc: OpenApiDocument, pointer: string) =>
  pointer.split("/").reduce((node: unknown, raw) => own(node, unescapePointer(raw)), doc);

/**
 * Every schema `used` collected, localized, transitively: a schema may reference others, which join
 * `used` as they are met (a Map's iterator visits entries added while it runs). Canonical form (anyOf
 * of bare types -> a type list) validates the same and compiles to far less code.
 */
function reached(
  doc: OpenApiDocument,
  used: Map<string, string>,
  refTo?: (local: string) => string,
): [local: string, schema: unknown][] {
  const out: [string, unknown][] = [];
  for (const [pointer, local] of used)
    out.push([local, localize(doc, canonicalize(atPointer(doc, pointer)), used, refTo)]);
  return out;
}

/**
 * Every operation's body schema, and every schema they reach added once each under its own id
 * (`urn:schema:dN`), so a validator module holds each schema's function once, however many bodies use it.
 */
function sharedSchemas(
  doc: OpenApiDocument,
  schemas: Compiled,
): { components: Record<string, unknown>[]; schemas: Compiled } {
  const used = new Map<string, string>();
  const refTo = (local: string) => `urn:schema:${local}`;
  const roots = schemas.map(({ op }) => {
    const body = localize(doc, canonicalize(requestBodySchema(doc, op.path, op.method)), used, refTo) as object;
    return { op, schema: { $id: `request:${op.name}`, ...body } };
  });
  const components = reached(doc, used, refTo).map(([local, schema]) => ({ $id: refTo(local), ...(schema as object) }));
  return { components, schemas: roots };
}

function requestSchema(doc: OpenApiDocument, op: OperationFacts): Record<string, unknown> | undefined {
  const schema = requestBodySchema(doc, op.path, op.method);
  return schema === undefined ? undefined : { $id: `request:${op.name}`, ...selfContained(doc, schema) };
}

/**
 * A schema of the document as one document of its own: what it references copied into `$defs`
 * (annotations dropped), so a compiler or a sample generator needs nothing else (spec:check's smoke
 * test hands it to json-schema-faker instead of the whole document).
 */
export function selfContained(doc: OpenApiDocument, schema: unknown): Record<string, unknown> {
  const used = new Map<string, string>();
  const root = localize(doc, canonicalize(schema), used) as Record<string, unknown>;
  const defs = Object.fromEntries(reached(doc, used));
  return { ...root, ...(Object.keys(defs).length > 0 ? { $defs: defs } : {}) };
}

/**
 * Compile every operation's JSON request-body schema into a dependency-free standalone validator, one
 * ES module per operation (exporting `validate`), so a caller bundles only the operations it uses.
 * Keyed by operation name; operations without a JSON body have none.
 */
export function renderValidators(doc: OpenApiDocument, operations: OperationFacts[]): Map<string, string> {
  const schemas = operations.flatMap((op) => {
    let schema;
    try {
      schema = requestSchema(doc, op);
    } catch (error) {
      throw error instanceof SpecPipelineError
        ? new SpecPipelineError(`${op.method} ${op.path}: ${error.message}`)
        : error;
    }
    return schema ? [{ op, schema }] : [];
  });
  // The normalized document is JSON Schema 2020-12, but Ajv's 2020 mode adds bookkeeping to every
  // validator for keywords only 2020 has. Without any of them the two drafts validate identically,
  // so the smaller draft-07 code is generated.
  const needs2020 = JSON.stringify(schemas.map(({ schema }) => schema)).match(DRAFT_2020_ONLY) !== null;
  // Ajv inlines every referenced schema's code into each validator that uses it: smallest for small
  // documents (the client's bundle), but DocuSign's 182 bodies came to 149 MB that way (tsc then ran
  // out of memory). When a body reaches many schemas, every validator goes in one shared module
  // (SHARED_VALIDATORS), each schema's function once, and each operation's module re-exports its own.
  const manyRefs = schemas.some(({ schema }) => Object.keys((schema.$defs as object | undefined) ?? {}).length > 16);
  if (!manyRefs) return perOperation(compiled(schemas, needs2020, true), schemas);
  const shared = sharedSchemas(doc, schemas);
  return sharedModules(compiled(shared.schemas, needs2020, false, shared.components), shared.schemas);
}

/** The key of renderValidators' shared module (operations/validators.shared.ts); no operation name has a dot. */
export const SHARED_VALIDATORS = "validators.shared";

const VALIDATE_TYPE =
  "((data: unknown) => boolean) & { errors?: { instancePath: string; keyword: string; params: Record<string, unknown>; message?: string }[] | null }";

/** Ajv's standalone code made dependency-free and smaller: schemaPath is not used by the client. */
const finish = (code: string) =>
  inlineRuntimeHelpers(code.replace(/^"use strict";/, "")).replace(/schemaPath:"(?:[^"\\]|\\.)*",/g, "");

type Compiled = { op: OperationFacts; schema: Record<string, unknown> }[];

function perOperation(ajv: AnyAjv, schemas: Compiled): Map<string, string> {
  const modules = new Map<string, string>();
  for (const { op, schema } of schemas) {
    // A declared type: the one TypeScript would infer from Ajv's code leaks Ajv internals into .d.ts.
    const code = finish(standaloneCode(ajv, { validate: schema.$id as string })).replace(
      /^export const validate = (validate\d+);/m,
      `export const validate = $1 as ${VALIDATE_TYPE};`,
    );
    modules.set(op.name, code);
  }
  return modules;
}

function sharedModules(ajv: AnyAjv, schemas: Compiled): Map<string, string> {
  const exports = Object.fromEntries(schemas.map(({ op, schema }) => [op.name, schema.$id as string]));
  const modules = new Map([[SHARED_VALIDATORS, finish(standaloneCode(ajv, exports))]]);
  for (const { op } of schemas)
    modules.set(
      op.name,
      `import { ${op.name} as shared } from "./${SHARED_VALIDATORS}.js";\nexport const validate = shared as ${VALIDATE_TYPE};\n`,
    );
  return modules;
}

function compiled(
  schemas: Compiled,
  needs2020: boolean,
  inlineRefs: boolean,
  components: Record<string, unknown>[] = [],
): AnyAjv {
  // strict: false because OpenAPI schemas carry keywords JSON Schema does not define (discriminator...);
  // logger: false: a format Ajv does not know (GitHub's "repo.nwo") is ignored, as every format is,
  // without a warning per use.
  const options = {
    strict: false,
    allErrors: true,
    logger: false,
    inlineRefs,
    code: { source: true, esm: true },
  } as const;
  const ajv = needs2020 ? new Ajv2020(options) : new Ajv(options);
  for (const component of components) ajv.addSchema(component);
  for (const { op, schema } of schemas) {
    try {
      ajv.addSchema(schema);
      ajv.getSchema(schema.$id as string);
    } catch (error) {
      throw new SpecPipelineError(
        `${op.method} ${op.path}: request schema does not compile: ${(error as Error).message}`,
      );
    }
  }
  return ajv;
}
