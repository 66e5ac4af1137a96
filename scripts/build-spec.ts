// Upstream YAML + overlay (+ conversion to OpenAPI 3.1) -> normalized JSON (spec/dist/openapi.json),
// the single input of codegen.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { runCli } from "./lib/errors.ts";
import { parseDocument, readOpenApi, readText, toJsonText, type OpenApiDocument } from "./lib/files.ts";
import { toOpenApi31 } from "./lib/normalize.ts";
import { applyOverlay } from "./lib/overlay.ts";
import { specFiles } from "./lib/paths.ts";

/** An upstream document as the client sees it: the overlay applied, then converted to OpenAPI 3.1. */
export async function normalize(upstream: OpenApiDocument, overlayPath = specFiles.overlay): Promise<OpenApiDocument> {
  const overlay = parseDocument(await readText(overlayPath, "overlay"), overlayPath, "overlay");
  return toOpenApi31(await applyOverlay(upstream, overlay, overlayPath));
}

export async function buildSpec(
  upstreamPath = specFiles.upstream,
  overlayPath = specFiles.overlay,
): Promise<OpenApiDocument> {
  return normalize(await readOpenApi(upstreamPath), overlayPath);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      upstream: { type: "string", default: specFiles.upstream },
      overlay: { type: "string", default: specFiles.overlay },
      out: { type: "string", default: specFiles.normalized },
    },
  });
  const normalized = await buildSpec(values.upstream, values.overlay);
  await mkdir(dirname(values.out), { recursive: true });
  await writeFile(values.out, toJsonText(normalized));
  console.log(`wrote ${values.out}`);
}

if (process.argv[1] === import.meta.filename) runCli(main);
