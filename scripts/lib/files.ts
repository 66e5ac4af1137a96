import { isUtf8 } from "node:buffer";
import { readFile } from "node:fs/promises";
import jsYaml from "js-yaml";
import { createRequire } from "node:module";
import { SpecPipelineError } from "./errors.ts";
import type { JsonObject } from "./json.ts";

export async function readText(path: string, what: string): Promise<string> {
  try {
    return decodeDocument(await readFile(path)).text;
  } catch (error) {
    throw new SpecPipelineError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

/**
 * A document's bytes as text, for parsing only (the bytes themselves are what is stored): UTF-8 when
 * they are UTF-8 (a BOM dropped), else Latin-1, which decodes every byte and re-encodes to the same
 * bytes. A declared charset (HTTP content-type) of the Latin-1 family is honoured.
 */
export function decodeDocument(bytes: Buffer, charset?: string): { text: string; encoding: "utf8" | "latin1" } {
  const latin1 = /^(iso-8859-1|latin1|l1|windows-1252|cp1252|us-ascii|ascii)$/i.test(charset ?? "");
  if (!latin1 && isUtf8(bytes)) return { text: bytes.toString("utf8").replace(/^\uFEFF/, ""), encoding: "utf8" };
  return { text: bytes.toString("latin1"), encoding: "latin1" };
}

/**
 * YAML or JSON text (JSON is YAML) as a value. `yaml` counts aliases, so a "billion laughs" document
 * fails with its own message (more than 100); it is also ~10x slower than js-yaml, which is what the
 * vendor's 200 kB document costs in every spec:diff. A document without anchors has no aliases to
 * expand, so it goes to js-yaml (YAML 1.2 core schema, later keys win, as `yaml` reads them); any
 * anchor sends it to `yaml`.
 */
export function parseYamlText(text: string): unknown {
  if (/^\s*[[{]/.test(text)) {
    try {
      return tree(JSON.parse(text));
    } catch {
      // YAML flow style, or not JSON: read as YAML below
    }
  }
  if (!/(^|[\s[{,:-])&[^\s,[\]{}]/.test(text))
    return tree(jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, json: true }));
  // `yaml` takes ~50 ms to load: only documents with anchors need it (spec:diff on JSON never does).
  const { parse } = createRequire(import.meta.url)("yaml") as typeof import("yaml");
  return parse(text, { uniqueKeys: false });
}

/** Values parsed from text with no YAML anchor: trees (nothing shared, no cycle), so only their depth needs checking. */
const trees = new WeakSet<object>();
function tree(value: unknown): unknown {
  if (typeof value === "object" && value !== null) trees.add(value);
  return value;
}

/** Parse YAML or JSON text; the error names the file. */
export function parseDocument(text: string, path: string, what: string): unknown {
  try {
    return parseYamlText(text);
  } catch (error) {
    throw new SpecPipelineError(`${what} ${path} is not valid YAML/JSON: ${(error as Error).message}`);
  }
}

/** After normalization `paths` is always there (toOpenApi31 gives a webhooks-only 3.1 document an empty one). */
export type OpenApiDocument = JsonObject & { openapi: string; paths: JsonObject };

/** Read and parse an OpenAPI 3.x document, failing with the file's name if it is not one. */
export async function readOpenApi(path: string): Promise<OpenApiDocument> {
  const doc = parseDocument(await readText(path, "OpenAPI document"), path, "OpenAPI document");
  assertOpenApi(doc, path);
  return doc;
}

/**
 * Deeper than this, a document is refused: no schema a client can use nests so far, and every step of
 * the pipeline (normalization, canonicalization, the diff engine) walks documents recursively.
 */
export const MAX_DOCUMENT_DEPTH = 256;

/**
 * A parsed document must be a tree of bounded depth: JSON cannot be anything else, but YAML can (an
 * alias to one of its own ancestors makes a cycle). Walked with an explicit stack, so the check itself
 * cannot overflow; a subtree shared through an alias is walked once.
 */
export function assertTree(doc: unknown, path: string): void {
  // A known tree is walked for its depth alone (GitHub's document: 10 ms, not 100); past the limit,
  // the full walk below says where.
  if (typeof doc === "object" && doc !== null && trees.has(doc) && withinDepth(doc, 0)) return;
  interface Frame {
    node: object;
    key: string;
    parent: Frame | undefined;
    depth: number;
  }
  const pointer = (frame: Frame | undefined): string => {
    const keys: string[] = [];
    for (let at = frame; at?.parent; at = at.parent) keys.push(at.key.replace(/~/g, "~0").replace(/\//g, "~1"));
    return `#/${keys.reverse().join("/")}`;
  };
  const onPath = new Set<object>();
  const done = new Set<object>();
  if (typeof doc !== "object" || doc === null) return;
  const stack: (Frame | { exit: object })[] = [{ node: doc, key: "", parent: undefined, depth: 0 }];
  while (stack.length) {
    const top = stack.pop()!;
    if ("exit" in top) {
      onPath.delete(top.exit);
      done.add(top.exit);
      continue;
    }
    if (onPath.has(top.node))
      throw new SpecPipelineError(
        `${path} refers to itself through a YAML alias at ${pointer(top)}: a document must be a tree`,
      );
    if (done.has(top.node)) continue;
    if (top.depth > MAX_DOCUMENT_DEPTH)
      throw new SpecPipelineError(
        `${path} nests deeper than ${MAX_DOCUMENT_DEPTH} levels at ${pointer(top).slice(0, 200)}...: refused, no client can use such a schema`,
      );
    onPath.add(top.node);
    stack.push({ exit: top.node });
    for (const [key, value] of Object.entries(top.node as JsonObject))
      if (typeof value === "object" && value !== null)
        stack.push({ node: value, key, parent: top, depth: top.depth + 1 });
  }
}

function withinDepth(node: object, depth: number): boolean {
  if (depth > MAX_DOCUMENT_DEPTH) return false;
  for (const key in node) {
    const value = (node as Record<string, unknown>)[key];
    if (typeof value === "object" && value !== null && !withinDepth(value, depth + 1)) return false;
  }
  return true;
}

export function assertOpenApi(doc: unknown, path: string): asserts doc is OpenApiDocument {
  const version = (doc as OpenApiDocument | null)?.openapi;
  if (typeof version !== "string" || !/^3\.[01]\./.test(version)) {
    throw new SpecPipelineError(
      `${path} is not an OpenAPI 3.0/3.1 document (its "openapi" field is ${JSON.stringify(version)})`,
    );
  }
  const { paths, webhooks, components } = doc as OpenApiDocument;
  // 3.0 requires paths; 3.1 requires at least one of paths, webhooks and components.
  const needsPaths = version.startsWith("3.0") || (webhooks === undefined && components === undefined);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- an upstream document is whatever its author wrote
  if ((paths !== undefined || needsPaths) && (typeof paths !== "object" || paths === null || Array.isArray(paths))) {
    throw new SpecPipelineError(
      `${path} has no "paths" object${version.startsWith("3.0") ? "" : " (nor webhooks or components)"}`,
    );
  }
  assertTree(doc, path);
}

/** Stable JSON for files that are compared byte for byte. */
export function toJsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
