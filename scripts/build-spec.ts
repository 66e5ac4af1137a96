// Upstream YAML + overlay (+ conversion to OpenAPI 3.1) -> normalized JSON (spec/dist/openapi.json),
// the single input of codegen.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { GENERIC_CONFIG, loadConfig, type PipelineConfig } from "./lib/config.ts";
import { runCli } from "./lib/errors.ts";
import { parseDocument, readOpenApi, readText, toJsonText, type OpenApiDocument } from "./lib/files.ts";
import { toOpenApi31 } from "./lib/normalize.ts";
import { applyOverlay } from "./lib/overlay.ts";
import { specFiles } from "./lib/paths.ts";

/** An upstream document as the client sees it: the configured overlay applied, then converted to OpenAPI 3.1. */
export async function normalize(upstream: OpenApiDocument, config?: PipelineConfig): Promise<OpenApiDocument> {
  const { overlay } = config ?? (await loadConfig());
  if (overlay === undefined) return toOpenApi31(upstream);
  const actions = parseDocument(await readText(overlay, "overlay"), overlay, "overlay");
  return toOpenApi31(await applyOverlay(upstream, actions, overlay));
}

export async function buildSpec(upstreamPath = specFiles.upstream, config?: PipelineConfig): Promise<OpenApiDocument> {
  return normalize(await readOpenApi(upstreamPath), config);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      upstream: { type: "string", default: specFiles.upstream },
      config: { type: "string", default: specFiles.config },
      generic: { type: "boolean", default: false },
      out: { type: "string", default: specFiles.normalized },
    },
  });
  const config = values.generic ? GENERIC_CONFIG : await loadConfig(values.config);
  const normalized = await buildSpec(values.upstream, config);
  await mkdir(dirname(values.out), { recursive: true });
  await writeFile(values.out, toJsonText(normalized));
  console.log(`wrote ${values.out}`);
}

if (process.argv[1] === import.meta.filename) runCli(main);
