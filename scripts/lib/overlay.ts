import { createRequire } from "node:module";
import { SpecPipelineError } from "./errors.ts";
import type { OpenApiDocument } from "./files.ts";

// openapi-format is CommonJS; its overlay function is not exposed as an ESM named export. Loaded when
// an overlay is applied, not by every command that imports this module (spec:diff --generic has none).
const openapiFormat = () =>
  createRequire(import.meta.url)("openapi-format") as {
    openapiOverlay: (
      doc: unknown,
      options: { overlaySet: unknown },
    ) => Promise<{ data: OpenApiDocument; resultData: { unusedActions: OverlayAction[] } }>;
  };

interface OverlayAction {
  target?: string;
  description?: string;
}

interface OverlayDocument {
  overlay?: string;
  actions?: OverlayAction[];
}

/**
 * Apply an OpenAPI Overlay to a document. Every action must take effect: an action whose target no
 * longer matches (the vendor changed the spec under it) fails, naming the action, instead of
 * silently dropping a correction.
 */
export async function applyOverlay(
  doc: OpenApiDocument,
  overlay: unknown,
  overlayPath: string,
): Promise<OpenApiDocument> {
  const overlayDoc = overlay as OverlayDocument | null | undefined;
  if (typeof overlayDoc?.overlay !== "string" || !Array.isArray(overlayDoc.actions)) {
    throw new SpecPipelineError(`${overlayPath} is not an OpenAPI Overlay document (needs "overlay" and "actions")`);
  }
  const { data, resultData } = await openapiFormat().openapiOverlay(structuredClone(doc), { overlaySet: overlayDoc });
  if (resultData.unusedActions.length > 0) {
    const names = resultData.unusedActions.map((action) => {
      const index = overlayDoc.actions!.indexOf(action) + 1;
      return `  #${index} "${action.description ?? "(no description)"}" (target ${action.target})`;
    });
    throw new SpecPipelineError(
      `${overlayPath}: ${names.length} overlay action(s) matched nothing in the upstream document; ` +
        `update or remove them:\n${names.join("\n")}`,
    );
  }
  return data;
}
