import { parse as parseYaml } from "yaml";
import { SpecPipelineError } from "./errors.ts";
import { assertOpenApi, readText, type OpenApiDocument } from "./files.ts";

export interface UpstreamSource {
  /** The document's text exactly as published: what spec/upstream/openapi.yaml will hold. */
  text: string;
  doc: OpenApiDocument;
}

/**
 * Read a vendor document from a file or an http(s) URL. Besides plain YAML/JSON it accepts a docs
 * page (Markdown/MDX) whose fenced yaml or json block is the document, which is how the vendor
 * publishes per-endpoint specs.
 */
export async function readUpstream(
  location: string,
  { timeoutMs = DEFAULT_FETCH_TIMEOUT_MS }: { timeoutMs?: number } = {},
): Promise<UpstreamSource> {
  const raw = /^https?:\/\//i.test(location) ? await download(location, timeoutMs) : await readText(location, "spec");
  const text = parsesAsOpenApi(raw) ? raw : fencedDocument(raw);
  if (text === undefined) {
    throw new SpecPipelineError(
      `${location} is neither an OpenAPI document nor a page with one in a fenced yaml/json block`,
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new SpecPipelineError(`${location} is not valid YAML/JSON: ${(error as Error).message}`);
  }
  assertOpenApi(doc, location);
  return { text, doc };
}

function parsesAsOpenApi(text: string): boolean {
  try {
    const doc = parseYaml(text) as { openapi?: unknown } | null;
    return typeof doc === "object" && doc !== null && "openapi" in doc;
  } catch {
    return false;
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

/** How long a download may take, headers and body together: a scheduled job must not hang. */
export const DEFAULT_FETCH_TIMEOUT_MS = 30_000;

async function download(url: string, timeoutMs: number): Promise<string> {
  // One signal for the whole exchange: it aborts the body read too, not only the wait for headers.
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, { signal });
    if (!response.ok) throw new SpecPipelineError(`cannot fetch ${url}: HTTP ${response.status}`);
    return await response.text();
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
