// What is this vendor's, read from one file (spec/vendor.yaml): the overlay, how operations are
// named and where their names are locked, the named helpers, and the packages a spec update
// versions. The pipeline knows nothing else of Parea; `--generic` runs it with GENERIC_CONFIG.
import { dirname, resolve } from "node:path";
import { SpecPipelineError } from "./errors.ts";
import { parseDocument, readText, toJsonText } from "./files.ts";
import { isObject, type JsonObject } from "./json.ts";
import type { OpenApiDocument } from "./files.ts";
import { assignNames, NAME_SOURCES, operationKey, type NamesLock, type NameSource } from "./names.ts";
import { listOperations } from "./spec-facts.ts";
import { specFiles } from "./paths.ts";

export interface PipelineConfig {
  /** Where the config came from, for messages; "generic" for none. */
  source: string;
  /** OpenAPI Overlay applied to the upstream document (absolute path), if any. */
  overlay?: string;
  naming: {
    /** What a new operation's name comes from, in order. */
    prefer: NameSource[];
    /** The names lock (absolute path); absent: every operation is named by the rule. */
    lock?: string;
  };
  /** Operations the client gets a named method for, by locked name. */
  helpers: string[];
  /** Extension marking a non-idempotent operation as safe to send again. */
  retrySafeExtension?: string;
  /** Packages a spec update versions (its changeset). */
  packages: string[];
  /** What the generated client calls the product and reads from the environment (generated/vendor.ts). */
  client: ClientSettings;
}

export interface ClientSettings {
  /** The product's name in messages ("No Parea API key..."). */
  name: string;
  /** Environment variables the client reads when an option is not given. */
  env: { apiKey: string; baseUrl: string; logLevel: string };
  /** The user-agent header, before "/<version>". */
  userAgent: string;
}

const GENERIC_CLIENT: ClientSettings = {
  name: "API",
  env: { apiKey: "API_KEY", baseUrl: "API_BASE_URL", logLevel: "API_LOG" },
  userAgent: "openapi-client",
};

/** No vendor: no overlay, no helpers, names from operationIds, nothing locked. */
export const GENERIC_CONFIG: PipelineConfig = {
  source: "generic",
  naming: { prefer: ["operationId", "summary"] },
  helpers: [],
  packages: [],
  client: GENERIC_CLIENT,
};

function fail(path: string, message: string): never {
  throw new SpecPipelineError(`${path}: ${message}`);
}

/** A setting that holds settings: a mapping, or absent (read as an empty one). */
function mapping(value: unknown, path: string, field: string): JsonObject {
  if (value === undefined && field !== "") return {};
  if (!isObject(value)) fail(path, field === "" ? "must be a mapping" : `${field} must be a mapping`);
  return value;
}

function stringList(value: unknown, path: string, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string"))
    fail(path, `${field} must be a list of strings`);
  return value;
}

/** Read and check the vendor configuration; paths in it are relative to its own directory. */
export async function loadConfig(path = specFiles.config): Promise<PipelineConfig> {
  const raw = mapping(
    parseDocument(await readText(path, "pipeline configuration"), path, "pipeline configuration"),
    path,
    "",
  );
  const naming = mapping(raw.naming, path, "naming");
  const known = new Set(["overlay", "naming", "helpers", "retrySafeExtension", "packages", "client"]);
  for (const key of Object.keys(raw)) if (!known.has(key)) fail(path, `unknown setting "${key}"`);
  const file = (value: unknown, field: string) => {
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value === "") fail(path, `${field} must be a file path`);
    return resolve(dirname(path), value);
  };
  const prefer = stringList(naming.prefer, path, "naming.prefer");
  for (const source of prefer)
    if (!NAME_SOURCES.includes(source as NameSource))
      fail(path, `naming.prefer: "${source}" is not one of ${NAME_SOURCES.join(", ")}`);
  const extension = raw.retrySafeExtension;
  if (extension !== undefined && (typeof extension !== "string" || !extension.startsWith("x-")))
    fail(path, "retrySafeExtension must be an x- extension name");
  return {
    source: path,
    overlay: file(raw.overlay, "overlay"),
    naming: {
      prefer: prefer.length > 0 ? (prefer as NameSource[]) : GENERIC_CONFIG.naming.prefer,
      lock: file(naming.lock, "naming.lock"),
    },
    helpers: stringList(raw.helpers, path, "helpers"),
    retrySafeExtension: extension,
    packages: stringList(raw.packages, path, "packages"),
    client: clientSettings(raw.client, path),
  };
}

/** `client:` of the configuration, each setting checked; what is left out is the generic one. */
function clientSettings(value: unknown, path: string): ClientSettings {
  if (value === undefined) return GENERIC_CLIENT;
  const raw = mapping(value, path, "client");
  const env = mapping(raw.env, path, "client.env");
  const text = (value: unknown, field: string, fallback: string, pattern = /^\S.*$/) => {
    if (value === undefined) return fallback;
    if (typeof value !== "string" || !pattern.test(value))
      fail(path, `client.${field} is not valid: ${JSON.stringify(value)}`);
    return value;
  };
  const variable = /^[A-Z_][A-Z0-9_]*$/;
  return {
    name: text(raw.name, "name", GENERIC_CLIENT.name),
    env: {
      apiKey: text(env.apiKey, "env.apiKey", GENERIC_CLIENT.env.apiKey, variable),
      baseUrl: text(env.baseUrl, "env.baseUrl", GENERIC_CLIENT.env.baseUrl, variable),
      logLevel: text(env.logLevel, "env.logLevel", GENERIC_CLIENT.env.logLevel, variable),
    },
    userAgent: text(raw.userAgent, "userAgent", GENERIC_CLIENT.userAgent, /^[!#$%&'*+.^_`|~0-9A-Za-z@/-]+$/),
  };
}

/** The recorded names; an absent lock file is an empty lock (a new project). */
export async function readLock(config: PipelineConfig): Promise<NamesLock> {
  if (!config.naming.lock) return {};
  let text: string;
  try {
    text = await readText(config.naming.lock, "operation names lock");
  } catch (error) {
    if (/ENOENT/.test((error as Error).message)) return {};
    throw error;
  }
  const lock = parseDocument(text, config.naming.lock, "operation names lock");
  if (typeof lock !== "object" || lock === null || Array.isArray(lock))
    fail(config.naming.lock, "must map each operation name to its method and path");
  for (const [name, key] of Object.entries(lock))
    // The path as the document writes it: vendors' paths may hold spaces (lockFor writes them as they are).
    if (typeof key !== "string" || !/^[A-Z]+ \/[^\n]*$/.test(key))
      fail(config.naming.lock, `"${name}" must map to "METHOD /path", not ${JSON.stringify(key)}`);
  // Checked here too, so a hand edit that breaks the lock fails at once, naming the file.
  assignNames([], lock as NamesLock, NAME_SOURCES, config.naming.lock);
  return lock as NamesLock;
}

export function lockText(lock: NamesLock): string {
  return toJsonText(lock);
}

/** listOperations' naming options under a configuration and a lock. */
export function namingOptions(config: PipelineConfig, lock: NamesLock) {
  return {
    lock,
    lockPath: config.naming.lock,
    prefer: config.naming.prefer,
    retrySafeExtension: config.retrySafeExtension,
  };
}

/** "METHOD /path" -> name for a document under a configuration, with the lock at `lockPath` (or the configured one). */
export async function operationNames(
  doc: OpenApiDocument,
  config: PipelineConfig,
  lockPath?: string,
): Promise<Map<string, string>> {
  const lock = await readLock(lockPath ? { ...config, naming: { ...config.naming, lock: lockPath } } : config);
  const operations = listOperations(doc, "document", namingOptions(config, lock));
  return new Map(operations.map((op) => [operationKey(op.method, op.path), op.name]));
}
