import { isUtf8 } from "node:buffer";
import { readFile } from "node:fs/promises";
import jsYaml from "js-yaml";
import { parse as parseYaml } from "yaml";
import { SpecPipelineError } from "./errors.ts";

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
      return JSON.parse(text);
    } catch {
      // YAML flow style, or not JSON: read as YAML below
    }
  }
  if (!/(^|[\s[{,:-])&[^\s,[\]{}]/.test(text)) return jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, json: true });
  return parseYaml(text, { uniqueKeys: false });
}

/** Parse YAML or JSON text; the error names the file. */
export function parseDocument(text: string, path: string, what: string): unknown {
  try {
    return parseYamlText(text);
  } catch (error) {
    throw new SpecPipelineError(`${what} ${path} is not valid YAML/JSON: ${(error as Error).message}`);
  }
}

export type OpenApiDocument = Record<string, any> & { openapi: string; paths: Record<string, any> };

/** Read and parse an OpenAPI 3.x document, failing with the file's name if it is not one. */
export async function readOpenApi(path: string): Promise<OpenApiDocument> {
  const doc = parseDocument(await readText(path, "OpenAPI document"), path, "OpenAPI document");
  assertOpenApi(doc, path);
  return doc;
}

export function assertOpenApi(doc: unknown, path: string): asserts doc is OpenApiDocument {
  const version = (doc as OpenApiDocument | null)?.openapi;
  if (typeof version !== "string" || !/^3\.[01]\./.test(version)) {
    throw new SpecPipelineError(
      `${path} is not an OpenAPI 3.0/3.1 document (its "openapi" field is ${JSON.stringify(version)})`,
    );
  }
  if (typeof (doc as OpenApiDocument).paths !== "object" || (doc as OpenApiDocument).paths === null) {
    throw new SpecPipelineError(`${path} has no "paths" object`);
  }
}

/** Stable JSON for files that are compared byte for byte. */
export function toJsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
