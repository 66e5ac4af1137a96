// Reading a vendor document: from a file, an http(s) URL, or a docs page that holds it in a fenced
// block. What is stored (spec/upstream/openapi.yaml) are the bytes as received; text is decoded only
// to parse, and a document too large, or a YAML alias bomb, is refused with a message that says so.
import { readFile } from "node:fs/promises";
import { SpecPipelineError } from "./errors.ts";
import { assertOpenApi, decodeDocument, parseYamlText, type OpenApiDocument } from "./files.ts";

export interface UpstreamSource {
  /** The document exactly as published: what spec/upstream/openapi.yaml will hold. */
  bytes: Buffer;
  /** Those bytes decoded, for parsing and messages. */
  text: string;
  doc: OpenApiDocument;
}

/** How long a download may take, headers and body together: a scheduled job must not hang. */
export const DEFAULT_FETCH_TIMEOUT_MS = 30_000;
/** The vendor's full spec is ~100 kB; a document past this is not one (or is an attack). */
export const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;

/**
 * Read a vendor document from a file or an http(s) URL. Besides plain YAML/JSON it accepts a docs
 * page (Markdown/MDX) whose fenced yaml or json block is the document, which is how the vendor
 * publishes per-endpoint specs.
 */
export async function readUpstream(
  location: string,
  { timeoutMs = DEFAULT_FETCH_TIMEOUT_MS }: { timeoutMs?: number } = {},
): Promise<UpstreamSource> {
  const { bytes: raw, charset } = /^https?:\/\//i.test(location)
    ? await download(location, timeoutMs)
    : { bytes: await readLocal(location), charset: undefined };
  const { text: page, encoding } = decodeDocument(raw, charset);
  let parsed: { doc?: unknown; error?: Error } = parseOpenApi(page);
  let text = page;
  let bytes = raw;
  if (parsed.doc === undefined) {
    const fenced = fencedDocument(page);
    if (fenced === undefined) {
      // A document that fails to parse says why (an alias bomb included), rather than "not a page".
      if (parsed.error) throw new SpecPipelineError(`${location} is not valid YAML/JSON: ${parsed.error.message}`);
      throw new SpecPipelineError(
        `${location} is neither an OpenAPI document nor a page with one in a fenced yaml/json block`,
      );
    }
    text = fenced;
    // The block's own bytes: re-encoding with the decoding used gives back exactly what was sent.
    bytes = Buffer.from(fenced, encoding);
    parsed = parseOpenApi(fenced);
    if (parsed.error) throw new SpecPipelineError(`${location} is not valid YAML/JSON: ${parsed.error.message}`);
  }
  assertOpenApi(parsed.doc, location);
  return { bytes, text, doc: parsed.doc };
}

/** The parsed document if it has an `openapi` key; else the parse error, if there was one. */
function parseOpenApi(text: string): { doc?: unknown; error?: Error } {
  try {
    const doc = parseYamlText(text) as { openapi?: unknown } | null;
    return typeof doc === "object" && doc !== null && "openapi" in doc ? { doc } : {};
  } catch (error) {
    // Markdown is rarely valid YAML: only a document that looked like YAML keeps its error.
    return /^\s*"?openapi"?\s*:/m.test(text) && !/^(`{3,})/m.test(text) ? { error: error as Error } : {};
  }
}

/** The content of the first ```yaml / ```json fence (3 or more backticks) that declares `openapi`. */
function fencedDocument(page: string): string | undefined {
  const fence = /^(`{3,})(?:yaml|yml|json)\b[^\n]*\n([\s\S]*?)^\1[ \t]*$/gm;
  for (const match of page.matchAll(fence)) {
    if (/^\s*"?openapi"?\s*:/m.test(match[2]!)) return match[2];
  }
  return undefined;
}

async function readLocal(path: string): Promise<Buffer> {
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_DOCUMENT_BYTES) throw new SpecPipelineError(`${path} is over ${MAX_DOCUMENT_BYTES} bytes`);
    return bytes;
  } catch (error) {
    if (error instanceof SpecPipelineError) throw error;
    throw new SpecPipelineError(`cannot read spec ${path}: ${(error as Error).message}`);
  }
}

async function download(url: string, timeoutMs: number): Promise<{ bytes: Buffer; charset: string | undefined }> {
  // One signal for the whole exchange: it aborts the body read too, not only the wait for headers.
  const signal = AbortSignal.timeout(timeoutMs);
  const tooLarge = () =>
    new SpecPipelineError(`cannot fetch ${url}: the document is over ${MAX_DOCUMENT_BYTES} bytes; refusing to read on`);
  try {
    const response = await fetch(url, { signal });
    if (!response.ok) throw new SpecPipelineError(`cannot fetch ${url}: HTTP ${response.status}`);
    const charset = /charset="?([\w-]+)/i.exec(response.headers.get("content-type") ?? "")?.[1];
    if (Number(response.headers.get("content-length")) > MAX_DOCUMENT_BYTES) {
      await response.body?.cancel();
      throw tooLarge();
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body?.getReader();
    for (let next = await reader?.read(); next && !next.done; next = await reader!.read()) {
      if ((size += next.value.length) > MAX_DOCUMENT_BYTES) {
        await reader!.cancel();
        throw tooLarge();
      }
      chunks.push(next.value);
    }
    return { bytes: Buffer.concat(chunks), charset };
  } catch (error) {
    if (error instanceof SpecPipelineError) throw error;
    if (signal.aborted)
      throw new SpecPipelineError(
        `cannot fetch ${url}: no complete answer within ${timeoutMs} ms (--timeout-ms to change)`,
      );
    const cause = (error as Error & { cause?: { message?: string } }).cause?.message;
    throw new SpecPipelineError(`cannot fetch ${url}: ${(error as Error).message}${cause ? ` (${cause})` : ""}`);
  }
}
