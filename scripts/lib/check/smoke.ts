// spec:check's last stage, run in a child process over the scratch client (argv: scratch dir, the
// normalized document): every operation called by the generated client, with a request synthesized
// from the schema (examples and defaults first), against the generated fake over loopback, auth
// included; it passes when the fake answers a 2xx that the client's response check accepts and the
// fake saw no violation. An operation whose request schema no value we can build
// satisfies is "refused": the client must throw PareaInvalidRequestError and send nothing. Prints one
// JSON line: { operations, passed, refused, failures }.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { JSONSchemaFaker } from "json-schema-faker";
import type { OpenApiDocument } from "../files.ts";
import { deref, operationObject, requestBodySchema } from "../refs.ts";
import { arrayAt, objectAt, own } from "../json.ts";
import { exampleCandidates, exampleOf, minimalValue, schemaExample } from "../replies.ts";
import { parametersOf as effectiveParameters } from "../diff/operations.ts";
import { selfContained } from "../validators.ts";
import { authFacts, type SchemePlacement } from "../security.ts";
import { operationsIn, type OperationFacts } from "../spec-facts.ts";

const [scratch, specPath] = process.argv.slice(2) as [string, string];
// The build stage's bundle (dist/): four modules, however many operations.
const load = async <Module>(file: string) => (await import(pathToFileURL(join(scratch, "dist", file)).href)) as Module;

/** What this stage uses of the scratch client's bundle: a client like ours, over the document's operations. */
type ScratchOperation = Pick<OperationFacts, "name" | "method" | "path"> & { validate?: (value: unknown) => boolean };
type Call = (path: string, init: unknown) => Promise<{ response: Response }>;
interface ClientModule {
  createPareaClient: (options: object) => Record<ScratchOperation["method"], Call>;
  PareaInvalidRequestError: abstract new (...args: never[]) => Error;
}
interface TestingModule {
  createFakeParea: () => {
    listen: () => Promise<{ url: string; close: () => Promise<void> }>;
    violations: () => { reason: string }[];
    calls: (name: string) => unknown[];
  };
}

/**
 * A credential for every scheme an operation uses, each of the kind the client takes: tokens from async
 * suppliers (the apiKey option fills its own scheme), a username and password, mutual TLS as given.
 */
function credentialsFor(doc: OpenApiDocument): Record<string, unknown> {
  const { schemes, apiKeyScheme } = authFacts(doc, operationsIn(doc, specPath), specPath);
  const value = (kind: SchemePlacement["kind"], i: number) =>
    kind === "basic"
      ? { username: "spec-check", password: `password-${i}` }
      : kind === "tls" || (() => Promise.resolve(`token-${i}`));
  return Object.fromEntries(
    Object.entries(schemes)
      .filter(([name, { kind }]) => name !== apiKeyScheme || kind !== "token")
      .map(([name, { kind }], i) => [name, value(kind, i)]),
  );
}

/** A value for a schema: its example or default if it has one, else the smallest it accepts. */
function sample(doc: OpenApiDocument, raw: unknown): unknown {
  return schemaExample(deref(doc, raw)) ?? minimalValue(doc, raw);
}

/**
 * A body the operation's validator accepts: the schema's example, else the example over the minimal
 * value (vendors' examples miss required fields), else the minimal value, else json-schema-faker's.
 */
function validBody(
  doc: OpenApiDocument,
  schema: unknown,
  validate?: (value: unknown) => boolean,
): { body: unknown; valid: boolean } {
  const minimal = minimalValue(doc, schema);
  const resolved = deref(doc, schema);
  // A union's branches one by one: the first branch's minimal value may match several (oneOf).
  const branches = arrayAt(resolved, "oneOf") ?? arrayAt(resolved, "anyOf") ?? [];
  const branchSchemas = branches.map((branch) => ({ ...objectAt(resolved), oneOf: [branch], anyOf: undefined }));
  const example = schemaExample(resolved) ?? minimal;
  const perBranch = branchSchemas.map((one) => minimalValue(doc, one));
  const candidates = [...exampleCandidates(example, minimal), ...perBranch, {}].filter((value) => value !== undefined);
  const valid = (value: unknown) => validate?.(value) ?? true;
  const faked = () =>
    [schema, ...branchSchemas].map((one) => fakedBody(doc, one, valid)).find((value) => value !== undefined);
  const body = candidates.find(valid) ?? faked();
  return body === undefined ? { body: minimal, valid: false } : { body, valid: true };
}

/** Seeded, so a run is repeatable: mulberry32. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What the schema's own words cannot give (a `pattern`, a `oneOf` beside required properties):
 * json-schema-faker, seeded, a few tries, the first the validator accepts, on the schema made
 * self-contained (what it references in its own `$defs`).
 */
function fakedBody(doc: OpenApiDocument, schema: unknown, valid: (value: unknown) => boolean): unknown {
  // Only what the schema reaches: handed the whole document, the faker cloned all 13 MB of GitHub's
  // on every try (a third of the smoke test's time).
  const root = selfContained(doc, schema);
  // Required fields only, then every optional field too (an anyOf of `required` lists needs one).
  // Examples are not used: vendors' break their own patterns (GitHub's digest example ends in "...").
  const passes = [
    { useExamplesValue: false, optionalsProbability: 0 },
    { useExamplesValue: false, optionalsProbability: 1 },
  ];
  for (const pass of passes) {
    JSONSchemaFaker.option({
      ...pass,
      ...{ useDefaultValue: true, noAdditional: true, fixedProbabilities: true, refDepthMax: 4 },
      ...{ failOnInvalidTypes: false, failOnInvalidFormat: false, random: seeded(20261204) },
    });
    for (let attempt = 0; attempt < 8; attempt++) {
      let value: unknown;
      try {
        value = JSONSchemaFaker.generate(root);
      } catch {
        return undefined; // a schema the faker cannot read: the caller falls back to the minimal value
      }
      if (valid(value)) return value;
    }
  }
  return undefined;
}

/** A path segment or query value: never empty (an empty path segment matches no template). */
function asParameter(value: unknown): string | number | boolean {
  if (typeof value === "number" || typeof value === "boolean") return value;
  return typeof value === "string" && value !== "" ? value : "x";
}

const PLACES = ["path", "query", "header", "cookie"] as const;

function parametersOf(doc: OpenApiDocument, path: string, method: string) {
  // The operation's effective parameters as spec:diff pairs them (path level overridden by the operation's).
  const item = objectAt(deref(doc, own(doc.paths, path))) ?? {};
  const node = objectAt(operationObject(doc, path, method)) ?? {};
  const merged = effectiveParameters(doc, { path, method: method.toLowerCase(), node, item });
  const params: Record<(typeof PLACES)[number], Record<string, unknown>> = {
    path: {},
    query: {},
    header: {},
    cookie: {},
  };
  for (const parameter of merged.values()) {
    const where = PLACES.find((place) => place === parameter.in);
    if (!where || (!parameter.required && where !== "path")) continue;
    params[where][parameter.name] = asParameter(exampleOf(doc, parameter) ?? sample(doc, parameter.schema));
  }
  // A template variable no parameter declares still needs a value on the wire.
  for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) params.path[name!] ??= "x";
  return params;
}

const doc = JSON.parse(await readFile(specPath, "utf8")) as OpenApiDocument;
const { createPareaClient, PareaInvalidRequestError } = await load<ClientModule>("client.js");
const { createFakeParea } = await load<TestingModule>("testing.js");
const { operations } = await load<{ operations: Record<string, ScratchOperation> }>("operations.js");
const { defaultReplies } = await load<{ defaultReplies: Record<string, { status: number }> }>("replies.js");
// SMOKE_ONLY=name,name: a few operations (for a maintainer reading one failure).
const only = process.env.SMOKE_ONLY?.split(",");
const chosen = Object.values(operations).filter((op) => !only || only.includes(op.name));
const failures: { operation: string; reason: string }[] = [];
const refused: { operation: string; reason: string }[] = [];
const label = (op: ScratchOperation) => `${op.method} ${op.path} (${op.name})`;
// Every request is built before the first is sent: building one can take seconds (json-schema-faker
// on a large schema), and an event loop held that long misses the fake closing an idle keep-alive
// socket, so the next request went out on a dead one (ECONNRESET).
const plan = chosen.flatMap((op) => {
  try {
    const schema = requestBodySchema(doc, op.path, op.method);
    const { body, valid } =
      schema === undefined ? { body: undefined, valid: true } : validBody(doc, schema, op.validate);
    return [
      { op, valid, init: { params: parametersOf(doc, op.path, op.method), ...(body !== undefined && { body }) } },
    ];
  } catch (error) {
    failures.push({ operation: label(op), reason: `no request could be built: ${(error as Error).message}` });
    return [];
  }
});
const fake = createFakeParea();
const server = await fake.listen();
const client = createPareaClient({
  apiKey: "spec-check-key",
  auth: credentialsFor(doc),
  baseUrl: server.url,
  maxRetries: 0,
  logLevel: "off",
});
let passed = 0;
for (const { op, valid, init } of plan) {
  const before = fake.violations().length;
  try {
    if (!valid) {
      // No value we could build satisfies the request schema (GitHub-sized documents have a few that
      // none can: a required property outside `additionalProperties: false`, oneOf branches every
      // object matches). Then the client must refuse it, typed, and send nothing.
      const error = await client[op.method](op.path, init).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      if (!(error instanceof PareaInvalidRequestError))
        throw new Error(`an invalid body was not refused: ${String(error)}`);
      if (fake.calls(op.name).length > 0) throw new Error("an invalid body was refused, but a request was sent");
      refused.push({ operation: label(op), reason: error.message });
      continue;
    }
    const { response } = await client[op.method](op.path, init);
    // A 2xx, through the client's response check. Not always this operation's own default status:
    // two operations whose keys differ only after a `#` are one route on the wire.
    const seen = fake.violations().slice(before);
    if (!response.ok)
      throw new Error(`answered ${response.status}, expected ${defaultReplies[op.name]?.status ?? "a 2xx"}`);
    if (seen.length > 0) throw new Error(seen.map((v) => v.reason).join("; "));
    passed++;
  } catch (error) {
    failures.push({ operation: label(op), reason: error instanceof Error ? error.message : String(error) });
  }
}
await server.close();
console.log(JSON.stringify({ operations: Object.keys(operations).length, passed, refused, failures }));
